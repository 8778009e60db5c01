package exporter

import (
	"encoding/json"

	"github.com/notion-git/notion-git/layout"
)

// A page the listing gives unchanged since the last sync (the digest its
// state records) is kept in x.pages as a compact object: the fields that
// planning, the scope, the state and the child-block check read (id,
// parent, times, authors, trash, the title property) and, under a key no
// API object has, its raw JSON and digest. The full decoded object of every
// listed page was most of an incremental sync's memory at ten thousand
// pages; the raw bytes are a fraction of it, and give the object back
// without a request when such a page is crawled after all (the refresh, a
// home whose subpages changed): crawlQueue.add and rewritePage ask full.

// listedKey holds a compact object's *listedRaw.
const listedKey = "\x00listed"

type listedRaw struct {
	raw    json.RawMessage
	digest string
}

// compactKeys are the top-level fields a compact object keeps.
var compactKeys = []string{"object", "id", "parent", "created_time", "last_edited_time",
	"created_by", "last_edited_by", "in_trash", "archived", "is_archived"}

// compactListed returns the object to keep for a listed page: obj itself,
// or its compact form when the last sync stored it from the same object.
func (x *exporter) compactListed(id string, obj layout.Object, raw json.RawMessage) layout.Object {
	if x.opts.Full || x.prevState == nil || raw == nil {
		return obj
	}
	old, ok := x.prevState.Objects[id]
	if !ok || old.Pending() || old.Digest == "" {
		return obj
	}
	digest := pageDigest(obj)
	if digest != old.Digest {
		return obj
	}
	c := make(layout.Object, len(compactKeys)+2)
	for _, k := range compactKeys {
		if v, ok := obj[k]; ok {
			c[k] = v
		}
	}
	props, _ := obj["properties"].(map[string]any)
	for name, v := range props {
		if p, _ := v.(map[string]any); p["type"] == "title" {
			c["properties"] = map[string]any{name: p}
		}
	}
	c[listedKey] = &listedRaw{raw: raw, digest: digest}
	return c
}

// listedDigest is the digest of a listed page, computed once.
func listedDigest(obj layout.Object) string {
	if l, ok := obj[listedKey].(*listedRaw); ok {
		return l.digest
	}
	return pageDigest(obj)
}

// full returns the whole object of a listed page: obj, or for a compact
// one, its raw JSON decoded again and admitted as it was at the listing;
// nil if that fails (the page is then fetched).
func (x *exporter) full(obj layout.Object) layout.Object {
	l, ok := obj[listedKey].(*listedRaw)
	if !ok {
		return obj
	}
	o, err := layout.Decode(l.raw)
	if err != nil {
		return nil
	}
	x.admit(o)
	return o
}
