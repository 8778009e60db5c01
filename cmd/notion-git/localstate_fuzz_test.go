package main

import (
	"bytes"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/notion-git/notion-git/layout"
)

// FuzzLocalState reads arbitrary bytes as the local state file kept in the
// git directory. A state is returned only for the base it names, it is one
// the layout accepts, and it survives being saved and read again unchanged.
func FuzzLocalState(f *testing.F) {
	base := plumbing.NewHash("5fa4363c2b0e8a1d6f7e9b3a4c5d6e7f8a9b0c1d")
	page := "393abc1e-edcd-80f3-813b-e205934558c6"
	for _, seed := range []string{
		`{"base":"` + base.String() + `","state":{"version":1}}`,
		`{"base":"` + base.String() + `","state":{"last_sync":"2026-07-04T09:12:00Z","objects":{"` + page + `":{"kind":"page","crawled":"2026-07-04T09:12:00Z","last_edited":"2026-07-04T09:08:00.000Z","title":"Handbook <draft> & notes","files":["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]}},"version":1}}`,
		`{"base":"` + base.String() + `","state":{"objects":{"../../etc":{"kind":"page"}},"version":1}}`,
		`{"base":"` + base.String() + `","state":{"version":1,"Version":2}}`,
		`{"base":"0000000000000000000000000000000000000000","state":{"version":1}}`,
		`{"base":"` + base.String() + `","state":null}`, `{"base":"` + base.String() + `"}`, `[]`, ``,
		`{"base":"` + base.String() + `","state":{"version":2,"objects":{"` + page + `":{"kind":"page","digest":"0123456789abcdef0123456789abcdef"}}},"tree":true}`,
		`{"base":"` + base.String() + `","state":{"version":3},"tree":true}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, inTree := decodeLocalState(b, base)
		if s == nil {
			return
		}
		if other, _ := decodeLocalState(b, plumbing.ZeroHash); other != nil {
			t.Fatal("a state was returned for a base it does not name")
		}
		first, err := layout.EncodeState(s)
		if err != nil {
			t.Fatalf("a loaded state the layout refuses: %v", err)
		}
		saved, err := encodeLocalState(base, s, inTree)
		if err != nil {
			t.Fatal(err)
		}
		again, againInTree := decodeLocalState(saved, base)
		if again == nil || againInTree != inTree {
			t.Fatalf("a saved state does not load:\n%s", saved)
		}
		second, err := layout.EncodeState(again)
		if err != nil || !bytes.Equal(first, second) {
			t.Fatalf("state changed on save and load (%v):\n%s\n%s", err, first, second)
		}
	})
}

// TestLocalStateIsReadStrictly: a local state with a field this version
// does not know is not trusted (the committed state is used instead), as
// the layout's own decoder refuses it in a commit; a whole one loads.
func TestLocalStateIsReadStrictly(t *testing.T) {
	base := plumbing.NewHash("5fa4363c2b0e8a1d6f7e9b3a4c5d6e7f8a9b0c1d")
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"base":"` + base.String() + `","state":{"version":1}}`, true},
		{`{"base":"` + base.String() + `","state":{"version":1,"watermark":"x"}}`, false},
		{`{"base":"` + base.String() + `","state":{"version":1},"extra":1}`, false},
		{`{"base":"` + base.String() + `","state":{"version":1}} {}`, false},
	} {
		if s, _ := decodeLocalState([]byte(tc.body), base); (s != nil) != tc.ok {
			t.Errorf("%s: loaded %v, want %v", tc.body, s != nil, tc.ok)
		}
	}
}
