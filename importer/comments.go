package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// comments restores every discussion in order: the first comment starts a
// discussion on the page or block, the others reply to it. Authors and
// times are Notion's; the author's name is kept as the display name.
// The comments of one page (on it or on its blocks) go one after the
// other, so that a comment whose answer was lost is found again by its
// text among its page's or block's comments; pages go several at a time.
// The plan knows comments by their outlines; each task decodes the comments
// it writes, page by page.
func (r *restorer) comments(ctx context.Context) error {
	type item struct {
		page string // the page whose files hold the comment
		id   string
	}
	byPage := map[string][]item{}
	var order []string
	seen := map[string]bool{}
	for _, pid := range r.plan.contentOrder {
		for _, c := range r.plan.outlines[pid].Comments {
			// A page's listing may hold its child pages' comments too.
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			home := r.commentPage(pid, c)
			if byPage[home] == nil {
				order = append(order, home)
			}
			byPage[home] = append(byPage[home], item{pid, c.ID})
		}
	}
	p := newPool(ctx)
	for _, home := range order {
		p.add(func(ctx context.Context) error {
			loaded := map[string]map[string]*layout.Comment{}
			for _, it := range byPage[home] {
				cs, ok := loaded[it.page]
				if !ok {
					list, err := r.snap.PageComments(it.page)
					if err != nil {
						return fmt.Errorf("comments of page %s: %w", it.page, err)
					}
					cs = map[string]*layout.Comment{}
					for _, c := range list {
						cs[c.ID] = c
					}
					loaded[it.page] = cs
				}
				if err := r.comment(ctx, r.snap.Pages[it.page], cs[it.id]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return p.run(r.opts.Concurrency)
}

// commentPage is the restored page a comment is written on or in: its
// parent page, or the page of its parent block, or else the page pid whose
// listing holds it.
func (r *restorer) commentPage(pid string, c layout.CommentOutline) string {
	if c.ParentPage != "" && r.plan.pages[c.ParentPage] {
		return c.ParentPage
	}
	if owner := r.plan.owner[c.ParentBlock]; r.plan.pages[owner] {
		return owner
	}
	return pid
}

func discussionKey(id string) string { return "discussion:" + id }

// comment creates one comment as a journal step. What it carries (the
// typed text, the discussion or parent) is journaled with the step before
// the write, so that a comment whose answer was lost, in this run or in one
// that stopped, is looked for among its page's or block's comments and
// adopted, never posted twice.
func (r *restorer) comment(ctx context.Context, pg *layout.Page, c *layout.Comment) error {
	key := "comment:" + c.ID
	if _, ok := r.j.id(c.ID); ok {
		r.mu.Lock()
		r.rep.Resumed++
		r.mu.Unlock()
		return nil
	}
	disc, _ := c.Object["discussion_id"].(string)
	page := pg.ID
	par, _ := c.Object["parent"].(map[string]any)
	if s, _ := par["page_id"].(string); s != "" {
		if id, err := layout.ParseID(s); err == nil && r.plan.pages[id] {
			page = id
		}
	}
	target, _ := r.j.id(page)
	pageTarget := target
	if bid := blockParent(c.Object); bid != "" {
		if nb, _ := r.j.id(bid); nb != "" {
			target = nb
		} else {
			r.count(r.rep.Substituted, "comment on a block not restored → on its page")
		}
	}
	if target == "" {
		return fmt.Errorf("comment %s: its page was not created", c.ID)
	}
	st := &refState{}
	req := map[string]any{"rich_text": r.richText(c.Object["rich_text"], st)}
	sent := sentComment{Text: textDigest(req["rich_text"])}
	if nd, ok := r.j.id(discussionKey(disc)); ok {
		req["discussion_id"] = nd
		sent.Discussion = nd
	} else if bid := blockParent(c.Object); bid != "" && target != pageTarget {
		req["parent"] = map[string]any{"type": "block_id", "block_id": target}
		sent.Parent = target
	} else {
		req["parent"] = map[string]any{"type": "page_id", "page_id": target}
		sent.Parent = target
	}
	if dn, ok := c.Object["display_name"].(map[string]any); ok {
		if name, _ := dn["resolved_name"].(string); name != "" {
			req["display_name"] = map[string]any{"type": "custom", "custom": map[string]any{"name": name}}
		}
	}
	adopt := func(nu string) error {
		r.mu.Lock()
		r.rep.Resumed++
		r.mu.Unlock()
		return r.j.finish(key, map[string]string{c.ID: nu})
	}
	if r.j.pending(key) {
		// A run before this one sent it, or was about to: what it sent is
		// in the journal (journals older than that record are matched on
		// what this run would send, which the same snapshot and ids make
		// the same).
		prev, ok := r.j.commentFor(key)
		if !ok {
			prev = sent
		}
		nu, err := r.findComment(ctx, disc, target, prev)
		if err != nil {
			return fmt.Errorf("resume %s: %w", key, err)
		}
		if nu != "" {
			return adopt(nu)
		}
	}
	if err := r.j.intendComment(key, sent); err != nil {
		return err
	}
	out, err := r.commentAttachments(withUploadOwner(ctx, c.ID), c)
	if err != nil {
		return err
	}
	if len(out) > 0 {
		req["attachments"] = out
	}
	for lost := 0; ; lost++ {
		res, err := r.call(notion.WithoutBlindRetry(ctx), http.MethodPost, "comments", req)
		if err == nil {
			if err := r.learnDiscussion(disc, res); err != nil {
				return err
			}
			r.mu.Lock()
			r.rep.Comments++
			r.mu.Unlock()
			return r.j.finish(key, map[string]string{c.ID: idOf(res)})
		}
		if !notion.MaybeApplied(err) || lost == maxLostAnswers {
			return fmt.Errorf("comment %s: %w", c.ID, err)
		}
		nu, ferr := r.findComment(ctx, disc, target, sent)
		if ferr != nil {
			return fmt.Errorf("comment %s: after a lost answer: %w", c.ID, ferr)
		}
		if nu != "" {
			r.mu.Lock()
			r.rep.Comments++
			r.mu.Unlock()
			return r.j.finish(key, map[string]string{c.ID: nu})
		}
	}
}

// findComment looks, among the comments of target (the restored page or
// block), for one this restore sent as sent and has not recorded: the same
// typed text, in the same restored discussion, or starting a discussion
// not yet known to the journal on the same parent. Mentions read back with
// the restored copy's titles, so only the typed text is compared. It
// returns its id, and learns its discussion, or "" when there is none.
// The comments of one page are created one after the other, so at most one
// comment of target is ever unrecorded; the first match is that one.
func (r *restorer) findComment(ctx context.Context, disc, target string, sent sentComment) (string, error) {
	list, err := r.list(ctx, http.MethodGet, "comments", url.Values{"block_id": {target}})
	if err != nil {
		return "", err
	}
	for _, o := range list {
		if r.j.ours(idOf(o)) || textDigest(o["rich_text"]) != sent.Text {
			continue
		}
		nd, _ := o["discussion_id"].(string)
		if sent.Discussion != "" {
			if nd != sent.Discussion {
				continue
			}
		} else if r.j.ours(nd) || !commentOn(o, sent.Parent) {
			continue
		}
		return idOf(o), r.learnDiscussion(disc, o)
	}
	return "", nil
}

// commentOn reports whether comment o's parent is the page or block id.
func commentOn(o layout.Object, id string) bool {
	par, _ := o["parent"].(map[string]any)
	for _, k := range []string{"page_id", "block_id"} {
		if s, _ := par[k].(string); s != "" {
			p, _ := layout.ParseID(s)
			return p == id
		}
	}
	return false
}

// textDigest is the SHA-256 of a rich-text array's typed text.
func textDigest(v any) string {
	sum := sha256.Sum256([]byte(typedText(v)))
	return hex.EncodeToString(sum[:])
}

// commentAttachments uploads a comment's files again and returns them in
// request form.
func (r *restorer) commentAttachments(ctx context.Context, c *layout.Comment) ([]any, error) {
	atts, _ := c.Object["attachments"].([]any)
	var out []any
	for i, a := range atts {
		am, _ := a.(map[string]any)
		f, err := r.fileObject(ctx, c.Extra, fmt.Sprintf("/attachments/%d", i), map[string]any{"type": "file", "file": am["file"]})
		if err != nil {
			return nil, err
		}
		if f == nil {
			r.count(r.rep.Substituted, "comment attachment without stored bytes → left out")
			continue
		}
		out = append(out, map[string]any{"type": "file_upload", "file_upload_id": f["file_upload"].(map[string]any)["id"]})
	}
	return out, nil
}

func (r *restorer) learnDiscussion(old string, res layout.Object) error {
	if _, ok := r.j.id(discussionKey(old)); ok {
		return nil
	}
	nd, _ := res["discussion_id"].(string)
	return r.j.mapIDs(map[string]string{discussionKey(old): nd})
}

// typedText is the text of a rich-text array's "text" items, leaving out
// mentions and equations, whose plain text Notion derives.
func typedText(v any) string {
	items, _ := v.([]any)
	var b strings.Builder
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["type"] != "text" {
			continue
		}
		t, _ := m["text"].(map[string]any)
		s, _ := t["content"].(string)
		b.WriteString(s)
	}
	return b.String()
}
