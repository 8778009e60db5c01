package importer

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzJournalLoad feeds arbitrary bytes to the journal loader: it never
// panics, drops nothing but a torn last line, and what it keeps reloads to
// the same state.
func FuzzJournalLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		`{"intent":"page:a"}` + "\n" + `{"map":{"a":"A"},"done":"page:a"}` + "\n",
		`{"intent":"append:p:b","append":{"top":["b","c"],"nested":{"b":["d"]}}}` + "\n" + `{"map":{"b":"B"}}` + "\n" + `{"done":"append:p:b"`,
		`{"map":{"discussion:x":"y"}}` + "\r\n\n  \n" + `null` + "\n" + `{"map":{"a":"A"}}`,
		`{"map":{"a":"A"}}` + "\n" + `{"map":` + "\n" + `{"done":"x"}` + "\n",
		`{"done":1}` + "\n",
		`{"map":{"a":"A"}}{"done":"x"}` + "\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		j := newJournal()
		used, err := j.load("journal", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "journal journal: line ") {
				t.Fatalf("error does not name the file and line: %v", err)
			}
			return
		}
		if used < 0 || used > len(b) {
			t.Fatalf("used %d of %d bytes", used, len(b))
		}
		if bytes.IndexByte(b[used:], '\n') >= 0 {
			t.Fatalf("dropped more than a torn last line: %q", b[used:])
		}
		again := newJournal()
		if n, err := again.load("journal", b[:used]); err != nil || n != used {
			t.Fatalf("the kept part does not reload: %d, %v", n, err)
		}
		assertSameJournal(t, j, again)
	})
}

// FuzzJournalWrite runs a script of journal writes through the journal's own
// writer, then cuts the file at any byte, as a crash would. The loader must
// accept every cut and give exactly the state after the last record wholly
// written.
func FuzzJournalWrite(f *testing.F) {
	f.Add([]byte("\x00page:a\x01\x03page:a\x01a=A"), uint16(0xffff))
	f.Add([]byte("\x01append:p:b\x01b,c;b>d\x03append:p:b\x01b=B,c=C\x02\x01d=D"), uint16(40))
	f.Add([]byte("\x00k\x01\x03k\x01\x00k\x01\x02\x01x=y,x=z"), uint16(25))
	f.Add([]byte("\x00\"quoted\" \\ \u2028 ✓\x01\x03\"quoted\" \\ \u2028 ✓\x01é=ü"), uint16(3))
	f.Fuzz(func(t *testing.T, script []byte, cut uint16) {
		ops := parseScript(script)
		var file bytes.Buffer
		j := newJournal()
		j.f = nopCloser{&file}
		ends := make([]int, len(ops)) // file length after each op
		for i, op := range ops {
			if err := op.run(j); err != nil {
				t.Fatalf("write: %v", err)
			}
			ends[i] = file.Len()
		}
		written := file.Bytes()
		whole := newJournal()
		if _, err := whole.load("journal", written); err != nil {
			t.Fatalf("a journal this code wrote does not load: %v\n%s", err, written)
		}
		assertSameJournal(t, j, whole)

		at := int(cut) % (len(written) + 1)
		torn := newJournal()
		used, err := torn.load("journal", written[:at])
		if err != nil {
			t.Fatalf("cut at byte %d: %v\n%q", at, err, written[:at])
		}
		// Records wholly written before the cut survive; so does one cut
		// just before its newline, which is whole but for that.
		k, want := 0, 0
		for k < len(ops) && ends[k] <= at {
			want = ends[k]
			k++
		}
		if k < len(ops) && ends[k]-1 == at && ends[k] > want {
			k, want = k+1, at
		}
		if used != want {
			t.Fatalf("cut at byte %d: used %d, want %d; records end at %v", at, used, want, ends)
		}
		replay := newJournal()
		for _, op := range ops[:k] {
			if err := op.run(replay); err != nil {
				t.Fatal(err)
			}
		}
		assertSameJournal(t, replay, torn)
	})
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// scriptOp is one journal write of a fuzz script.
type scriptOp struct {
	kind int
	key  string
	ids  map[string]string
	sent sentAppend
}

func (op scriptOp) run(j *journal) error {
	switch op.kind {
	case 0:
		return j.intend(op.key)
	case 1:
		return j.intendAppend(op.key, op.sent)
	case 2:
		return j.mapIDs(op.ids)
	default:
		return j.finish(op.key, op.ids)
	}
}

// parseScript reads ops as "<kind byte><key>\x01<argument>", one after the
// other: the argument is "old=new,..." for id maps and "top,...;parent>child,..."
// for appends. Strings are made valid UTF-8: journal keys and ids come from
// decoded JSON, which cannot hold anything else.
func parseScript(b []byte) []scriptOp {
	var ops []scriptOp
	for len(b) > 0 && len(ops) < 32 {
		kind := int(b[0] % 4)
		b = b[1:]
		key, rest, _ := bytes.Cut(b, []byte{1})
		arg := rest
		if i := bytes.IndexFunc(rest, func(r rune) bool { return r < 4 }); i >= 0 {
			arg, rest = rest[:i], rest[i:]
		} else {
			rest = nil
		}
		b = rest
		op := scriptOp{kind: kind, key: valid(key)}
		switch kind {
		case 1:
			top, nested, _ := strings.Cut(valid(arg), ";")
			op.sent.Top = strings.Split(top, ",")
			for _, n := range strings.Split(nested, ",") {
				if p, c, ok := strings.Cut(n, ">"); ok {
					if op.sent.Nested == nil {
						op.sent.Nested = map[string][]string{}
					}
					op.sent.Nested[p] = append(op.sent.Nested[p], c)
				}
			}
		case 2, 3:
			for _, pair := range strings.Split(valid(arg), ",") {
				if old, nu, ok := strings.Cut(pair, "="); ok {
					if op.ids == nil {
						op.ids = map[string]string{}
					}
					op.ids[old] = nu
				}
			}
		}
		ops = append(ops, op)
	}
	return ops
}

func valid(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

func assertSameJournal(t *testing.T, want, got *journal) {
	t.Helper()
	for name, pair := range map[string][2]any{
		"ids": {want.ids, got.ids}, "created": {want.created, got.created},
		"done": {want.done, got.done}, "intent": {want.intent, got.intent},
		"sent": {want.sent, got.sent},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Fatalf("%s differ after reload:\nwant %v\ngot  %v", name, pair[0], pair[1])
		}
	}
}
