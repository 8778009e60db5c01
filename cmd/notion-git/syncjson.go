package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/notion-git/notion-git/exporter"
)

// reportToStdout is the --report value that means stdout, as in most tools.
const reportToStdout = "-"

// syncJSON is what `sync --json` (and `--report -`) prints: the report
// --report FILE writes, its fields at the top level so that a script reads
// both the same way, and what the run did with it.
type syncJSON struct {
	// Status is committed, unchanged, dry_run, incomplete (exit 5) or
	// failed (nothing committed).
	Status string `json:"status"`
	// Commit and Branch are set when the run moved the branch.
	Commit string `json:"commit,omitempty"`
	Branch string `json:"branch,omitempty"`
	// Partial is the exit 3 case: committed, with some objects unreadable
	// (the report's errors list them).
	Partial bool `json:"partial"`
	// Error is the line the command prints on stderr, when it fails or
	// ends partial or incomplete.
	Error string `json:"error,omitempty"`
	// Push is what --push did, written once the push is decided.
	Push *pushJSON `json:"push,omitempty"`
	// Report is absent when the run failed before its crawl.
	*exporter.Report
}

// pushJSON is the push member of sync --json --push.
type pushJSON struct {
	// Remote is the remote's name, or its URL without credentials.
	Remote string `json:"remote"`
	// Status is pushed (the remote took the branch or the checkpoint),
	// not_pushed (the push failed, or the run failed before it), or
	// up_to_date (nothing to push).
	Status string `json:"status"`
	// Error is the line the push failed with.
	Error string `json:"error,omitempty"`
}

// syncJSONOut says whether the sync prints its report on stdout.
func (c *syncCmd) syncJSONOut() bool { return c.JSON || c.Report == reportToStdout }

// jsonOutput prepares a sync for --json: stdout is kept for the document
// alone, so what the sync says for people goes to stderr. The returned
// function prints the document; runSync defers it, so that it sees the
// run's final report and error, whatever path the run ended by.
func (c *syncCmd) jsonOutput(env *Env) (*Env, func(*exporter.Report, error) error) {
	if !c.syncJSONOut() {
		return env, func(_ *exporter.Report, err error) error { return err }
	}
	if c.Push {
		// syncAndPush prints the document once the push is decided, of
		// the attempt whose commit stays, and buffers what this attempt
		// says for people until then.
		return env, func(r *exporter.Report, err error) error {
			if r == nil {
				r = c.kept
			}
			c.jsonReport = r
			return err
		}
	}
	stdout := env.Stdout
	human := *env
	human.Stdout = env.Stderr
	return &human, func(r *exporter.Report, err error) error {
		if r == nil {
			r = c.kept
		}
		return errors.Join(err, printJSON(stdout, c.syncDoc(r, err)))
	}
}

// syncDoc is the --json document of a sync that ended with report r and
// error err.
func (c *syncCmd) syncDoc(r *exporter.Report, err error) syncJSON {
	doc := syncJSON{Report: r, Branch: c.Branch}
	var inc incompleteError
	switch {
	case !c.committed.IsZero():
		doc.Status, doc.Commit = "committed", c.committed.String()
	case errors.As(err, &inc):
		doc.Status = "incomplete"
	case err != nil && !errors.As(err, new(partialError)):
		doc.Status = "failed"
	case c.DryRun:
		doc.Status = "dry_run"
	default:
		doc.Status = "unchanged"
	}
	if doc.Commit == "" {
		doc.Branch = ""
	}
	doc.Partial = r != nil && r.Partial()
	if err != nil {
		doc.Error = oneLine(err)
	}
	return doc
}

// saveReport writes the report to --report's file, and keeps it for the
// JSON document, which a sync that stops incomplete returns no report to.
func (c *syncCmd) saveReport(r *exporter.Report) error {
	c.kept = r
	if c.Report == "" || c.Report == reportToStdout {
		return nil
	}
	return writeReport(c.Report, r)
}

// printJSON writes v as one indented JSON document.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
