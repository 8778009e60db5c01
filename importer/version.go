package importer

import (
	"context"

	"github.com/notion-git/notion-git/notion"
)

// API versions, as far as a restore is concerned. Under 2025-09-03 an
// append goes after a block (`after`) or at the end, never at the start, so
// the blocks a page holds before its first child page are anchored on a
// placeholder block that is deleted once they exist. Under 2026-03-11 an
// append takes `position`, which can be the start: no placeholder is
// created or deleted. Nothing a restore sends names `archived` under either
// version (it creates, and removes only with DELETE).

// atStart is the cursor of the blocks that go before everything in their
// parent. It is never a block id.
const atStart = "start"

// positioned reports whether the client's version places appends with
// `position`.
func (r *restorer) positioned() bool { return notion.Positions(r.client.Version()) }

// anchorLeading prepares the page id (new id nu), which holds blocks before
// its first child page, for those blocks: a placeholder under 2025-09-03;
// under 2026-03-11 a journal entry mapping the placeholder to no block, so
// that a run resumed under either version places them at the start rather
// than create a placeholder after the child pages already there. A
// placeholder the journal knows of is kept whatever the version.
func (r *restorer) anchorLeading(ctx context.Context, id, nu string) error {
	key := placeholderKey(id)
	if _, ok := r.j.id(key); ok || !r.positioned() {
		_, err := r.placeholder(ctx, id, nu)
		return err
	}
	return r.j.finish(key, map[string]string{key: ""})
}

// placeAt says in an append body where its blocks go: after the block
// after, at the start (atStart), or at the end (after empty).
func (r *restorer) placeAt(body map[string]any, after string) {
	switch {
	case after == "":
	case after == atStart:
		// Only journals of a 2026-03-11 run lead here. Under 2025-09-03
		// position is sent too: the SDK 5.26 types declare it beside the
		// deprecated after, for its default version 2025-09-03.
		body["position"] = map[string]any{"type": "start"}
	case r.positioned():
		body["position"] = map[string]any{"type": "after_block", "after_block": map[string]any{"id": after}}
	default:
		body["after"] = after
	}
}
