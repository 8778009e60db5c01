package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// The emulator speaks two API versions, chosen per request by its
// Notion-Version header, as Notion does. The store keeps objects in the
// 2025-09-03 form (both `archived` and `in_trash`, transcription blocks
// under their stored name); this file is the only place that knows how a
// 2026-03-11 request and answer differ from that form.

// APIVersionInTrash is the newer version: `archived` is gone in favour of
// `in_trash` in requests and answers, an append is placed with `position`
// instead of `after`, and transcription blocks read as `meeting_notes`.
const APIVersionInTrash = "2026-03-11"

// Versions are the Notion-Version values the emulator answers, oldest first.
var Versions = []string{APIVersion, APIVersionInTrash}

// version is the API version a request speaks.
func (c *call) version() string { return c.r.Header.Get("Notion-Version") }

// inTrashOnly reports whether the request speaks 2026-03-11.
func (c *call) inTrashOnly() bool { return c.version() == APIVersionInTrash }

// checkVersion refuses a Notion-Version the emulator does not speak. Notion
// itself still answers older versions (2022-06-28 and before); the
// emulator does not model them, so it refuses rather than answer in a shape
// that version never had. The code and wording are a guess modelled on
// Notion's missing_version message.
func checkVersion(v string) error {
	if slices.Contains(Versions, v) {
		return nil
	}
	return &apiError{400, "validation_error", fmt.Sprintf(
		"Notion-Version header failed validation: Notion-Version header should be one of %s, instead was `%s`.",
		strings.Join(Versions, ", "), v)}
}

// checkVersionedBody refuses, under 2026-03-11, a body field only the older
// version has: a top-level `archived` (any endpoint that takes one: pages,
// blocks, databases, data sources) and an append's `after`. Notion's
// upgrade guide says both are removed; that it answers 400
// validation_error in the usual "body failed validation" form, rather than
// ignoring the field, is a guess.
func checkVersionedBody(c *call) error {
	if !c.inTrashOnly() {
		return nil
	}
	if v, ok := c.body["archived"]; ok {
		return errBody("body.archived should be not present, instead was `%v`. Use body.in_trash instead.", v)
	}
	if c.r.Method == "PATCH" && strings.HasSuffix(c.r.URL.Path, "/children") {
		if v, ok := c.body["after"]; ok {
			return errBody("body.after should be not present, instead was `%v`. Use body.position instead.", v)
		}
	}
	return nil
}

// anchor is where an append puts its blocks: after the child `after`, at
// the start of the parent, or (neither) at the end.
type anchor struct {
	after string
	start bool
}

// appendAnchor reads where an append goes: `position` under either version
// (the SDK 5.26 types, whose default is 2025-09-03, declare it beside the
// deprecated `after`, so the older version is taken to accept it too) or
// `after` under 2025-09-03 only (checkVersionedBody refuses it under
// 2026-03-11). Both at once is refused: they could disagree.
func (s *Server) appendAnchor(c *call, parent string) (anchor, error) {
	rawAfter, hasAfter := c.body["after"]
	hasAfter = hasAfter && rawAfter != nil
	pos, hasPos := c.body["position"]
	if hasAfter && hasPos {
		return anchor{}, errBody("body.after should be not present when body.position is, instead was `%v`.", rawAfter)
	}
	var a anchor
	switch {
	case hasAfter:
		a.after = normID(str(rawAfter))
	case hasPos:
		p, ok := pos.(map[string]any)
		if !ok {
			return anchor{}, errBody("body.position should be an object, instead was `%v`.", pos)
		}
		switch typ := str(p["type"]); typ {
		case "start", "end":
			if len(p) != 1 {
				return anchor{}, errBody("body.position should have only `type` when it is `%s`.", typ)
			}
			a.start = typ == "start"
		case "after_block":
			ab, _ := p["after_block"].(map[string]any)
			id, _ := ab["id"].(string)
			if len(p) != 2 || len(ab) != 1 || id == "" {
				return anchor{}, errBody("body.position.after_block.id should be defined, instead was `undefined`.")
			}
			a.after = normID(id)
		default:
			return anchor{}, errBody("body.position.type should be one of `after_block`, `start`, `end`, instead was `%v`.", p["type"])
		}
	}
	if a.after != "" && !slices.Contains(s.st.children[parent], a.after) {
		return anchor{}, errValidation("Block %s is not a child of %s.", a.after, parent)
	}
	return a, nil
}

// placeAtStart moves ids, just appended to parent at its end, to its start.
func (s *Server) placeAtStart(parent string, ids []string) {
	rest := slices.DeleteFunc(slices.Clone(s.st.children[parent]), func(k string) bool { return slices.Contains(ids, k) })
	s.st.children[parent] = append(slices.Clone(ids), rest...)
}

// answerKinds are the objects that carry `archived` beside `in_trash`.
var answerKinds = map[string]bool{"page": true, "block": true, "database": true, "data_source": true, "file_upload": true}

// shapeAnswer turns an answer built in the stored (2025-09-03) form into the
// request's version: under 2026-03-11 every object loses `archived` and a
// transcription block reads as meeting_notes, its content under the new
// key. Only the answer itself and the members of its results are objects
// of these kinds; the walk goes no deeper, so a property that happens to be
// named "archived" is never touched. out is a fresh copy, changed in place.
func shapeAnswer(c *call, out any) {
	if !c.inTrashOnly() {
		return
	}
	m, _ := out.(map[string]any)
	shapeObject(m)
	if rs, ok := m["results"].([]any); ok {
		for _, r := range rs {
			o, _ := r.(map[string]any)
			shapeObject(o)
		}
	}
}

func shapeObject(o map[string]any) {
	if o == nil || !answerKinds[str(o["object"])] {
		return
	}
	delete(o, "archived")
	if o["object"] == "block" && o["type"] == "transcription" {
		o["type"] = "meeting_notes"
		o["meeting_notes"] = o["transcription"]
		delete(o, "transcription")
	}
}
