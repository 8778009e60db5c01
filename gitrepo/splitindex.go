package gitrepo

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// git's split index (Documentation/gitformat-index.txt, "Split index").
// A large workspace's checkout has 245,000 files and a 40 MB index; a
// refresh of ten of them read, hashed and wrote all 40 MB again, some
// 200 ms and 40 MB of memory per sync. Split, the entries live in a shared
// index, $GIT_DIR/sharedindex.<its checksum>, written rarely, and
// .git/index holds only what changed since: the changed entries and a
// "link" extension naming the shared index, with a bitmap of its entries
// deleted and one of those replaced. A refresh then reads the shared index
// once as a stream (to find the entries of the paths it changes and check
// its checksum, holding none of it) and writes a few kilobytes.
//
// The shared index is rewritten when the changes held in .git/index pass
// splitIndex.maxPercentChange of it (git's setting, default 20%), so that
// .git/index stays small. It is written under its final name, through a
// rename, before the .git/index that names it: killed in between, the old
// .git/index and the shared index it names are both still there. git reads
// the result, and keeps it split when it writes the index itself (unless
// core.splitIndex is false, then it writes one whole index, which the next
// refresh splits again only if core.splitIndex is unset and it is large).

// splitIndexMinEntries is the size from which a whole index is split when
// core.splitIndex is unset: below it the whole index is small enough to
// rewrite. Tests lower it.
var splitIndexMinEntries = 10_000

// sharedIndexGrace is how long a shared index no longer named by
// .git/index is kept: a git command that read .git/index just before it
// was replaced may still open the shared index it named. git keeps them two
// weeks (splitIndex.sharedIndexExpire); at 40 MB each, an hour is enough
// for any command under way.
var sharedIndexGrace = time.Hour

const (
	sharedIndexPrefix    = "sharedindex."
	sharedIndexTmpPrefix = "tmp_sharedindex_notion-git_"
	splitMaxPercent      = 20 // git's SPLIT_INDEX_DEFAULT_MAX_PERCENT
)

// splitConfig is what the repository's configuration says about splitting.
type splitConfig struct {
	mode       int // -1 unset, 0 never, 1 always
	maxPercent int
}

func (r *Repo) splitConfig() splitConfig {
	c := splitConfig{mode: -1, maxPercent: splitMaxPercent}
	cfg, err := r.store.Config()
	if err != nil || cfg.Raw == nil {
		return c
	}
	switch strings.ToLower(cfg.Raw.Section("core").Option("splitIndex")) {
	case "true", "yes", "on", "1":
		c.mode = 1
	case "false", "no", "off", "0":
		c.mode = 0
	}
	if v, err := strconv.Atoi(cfg.Raw.Section("splitIndex").Option("maxPercentChange")); err == nil && v >= 0 && v <= 100 {
		c.maxPercent = v
	}
	return c
}

// wants reports whether an index of n entries is written split.
func (c splitConfig) wants(n int) bool {
	return c.mode == 1 || (c.mode == -1 && n >= splitIndexMinEntries)
}

// splitIndex is a split .git/index and what a refresh has read of its
// shared index.
type splitIndex struct {
	top      *rawIndex // .git/index: the replacing entries (nameless), then the added ones
	sum      plumbing.Hash
	path     string // of the shared index
	version  uint32 // of the shared index
	count    int    // entries in the shared index
	deleted  map[uint32]bool
	replaced map[uint32][]byte // the replacing entries, by position in the shared index
	added    [][]byte          // entries (with names) not in the shared index, sorted
	found    map[string][]sharedEntry
}

// sharedEntry is one entry of the shared index found by a scan.
type sharedEntry struct {
	pos uint32
	raw []byte
}

// openSplitIndex reads the link extension of top and checks the shared
// index it names: there, of version 2 or 3, its entry count covering the
// bitmaps, its trailing checksum the one named. The entries are read when
// looked up (prefetch).
func (r *Repo) openSplitIndex(top *rawIndex) (*splitIndex, error) {
	link := top.link
	if len(link) < 20 {
		return nil, errors.New("corrupt link extension (too short)")
	}
	s := &splitIndex{top: top, deleted: map[uint32]bool{}, replaced: map[uint32][]byte{}, found: map[string][]sharedEntry{}}
	copy(s.sum[:], link)
	s.path = filepath.Join(r.gitDir, sharedIndexPrefix+s.sum.String())
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("the shared index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var hdr [indexHeaderSize]byte
	var trailer [indexChecksumSize]byte
	if fi.Size() < indexHeaderSize+indexChecksumSize {
		return nil, fmt.Errorf("the shared index %s is too short", s.sum)
	}
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return nil, err
	}
	if _, err := f.ReadAt(trailer[:], fi.Size()-indexChecksumSize); err != nil {
		return nil, err
	}
	if string(hdr[:4]) != "DIRC" || !bytes.Equal(trailer[:], s.sum[:]) {
		return nil, fmt.Errorf("the shared index %s is not the one .git/index names", s.sum)
	}
	s.version = binary.BigEndian.Uint32(hdr[4:])
	if s.version != 2 && s.version != 3 {
		return nil, fmt.Errorf("a shared index of version %d: %w", s.version, errIndexNotStreamable)
	}
	s.count = int(binary.BigEndian.Uint32(hdr[8:]))
	if s.count > int(fi.Size())/entryFixedSize {
		return nil, errors.New("shared index entry count too large")
	}
	var del, repl []uint32
	if rest := link[20:]; len(rest) > 0 {
		var n int
		if del, n, err = readEWAH(rest, s.count); err != nil {
			return nil, fmt.Errorf("corrupt delete bitmap in link extension: %w", err)
		}
		var m int
		if repl, m, err = readEWAH(rest[n:], s.count); err != nil {
			return nil, fmt.Errorf("corrupt replace bitmap in link extension: %w", err)
		}
		if n+m != len(rest) {
			return nil, errors.New("garbage at the end of link extension")
		}
	}
	if len(repl) > top.len() {
		return nil, errors.New("too many replacements in link extension")
	}
	for _, p := range del {
		s.deleted[p] = true
	}
	for k, p := range repl {
		if s.deleted[p] {
			return nil, fmt.Errorf("index entry %d is marked as both replaced and deleted", p)
		}
		if len(top.name(k)) != 0 {
			return nil, fmt.Errorf("corrupt link extension, entry %d should have zero length name", k)
		}
		s.replaced[p] = top.data[top.offsets[k]:top.offsets[k+1]]
	}
	for k := len(repl); k < top.len(); k++ {
		if len(top.name(k)) == 0 {
			return nil, fmt.Errorf("corrupt link extension, entry %d should have non-zero length name", k)
		}
		s.added = append(s.added, top.data[top.offsets[k]:top.offsets[k+1]])
	}
	return s, nil
}

// rawEntryName returns the path of a raw entry.
func rawEntryName(b []byte) []byte {
	flags := binary.BigEndian.Uint16(b[entryFlagsOffset:])
	start := entryFixedSize
	if flags&entryExtendedFlag != 0 {
		start += 2
	}
	n := bytes.IndexByte(b[start:], 0)
	return b[start : start+n]
}

// withName returns a raw entry with its path replaced by name.
func withName(b []byte, name []byte) []byte {
	flags := binary.BigEndian.Uint16(b[entryFlagsOffset:])
	fixed := entryFixedSize
	if flags&entryExtendedFlag != 0 {
		fixed += 2
	}
	out := make([]byte, 0, fixed+len(name)+8)
	out = append(out, b[:fixed]...)
	binary.BigEndian.PutUint16(out[entryFlagsOffset:], flags&^entryNameMask|uint16(min(len(name), entryNameMask)))
	out = append(out, name...)
	var zeros [8]byte
	return append(out, zeros[:8-(fixed+len(name))%8]...)
}

// prefetch reads the shared index's entries of paths (sorted) not looked
// up yet, in one pass.
func (s *splitIndex) prefetch(paths []string) error {
	var want []string
	for _, p := range paths {
		if _, ok := s.found[p]; !ok {
			want = append(want, p)
		}
	}
	if len(want) == 0 {
		return nil
	}
	// Recorded only once the whole scan (and the checksum) succeeded.
	got := make(map[string][]sharedEntry, len(want))
	rest := want
	err := s.scan(func(pos uint32, name, raw []byte) error {
		for len(rest) > 0 && rest[0] < string(name) {
			rest = rest[1:]
		}
		if len(rest) > 0 && rest[0] == string(name) {
			got[rest[0]] = append(got[rest[0]], sharedEntry{pos, bytes.Clone(raw)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range want {
		s.found[p] = got[p]
	}
	return nil
}

// scan streams the shared index's entries to fn, in order, and checks
// their order and the file's checksum. fn's slices are valid during the
// call only.
func (s *splitIndex) scan(fn func(pos uint32, name, raw []byte) error) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("the shared index: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	h := sha1.New()
	br := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, fi.Size()-indexChecksumSize), h), 256<<10)
	bad := fmt.Errorf("the shared index %s is damaged", s.sum)
	if _, err := br.Discard(indexHeaderSize); err != nil {
		return bad
	}
	var prev []byte
	for pos := range s.count {
		b, err := br.Peek(entryFixedSize + 2)
		if err != nil {
			return bad
		}
		flags := binary.BigEndian.Uint16(b[entryFlagsOffset:])
		fixed := entryFixedSize
		if flags&entryExtendedFlag != 0 {
			if s.version < 3 {
				return bad
			}
			fixed += 2
		}
		n := int(flags & entryNameMask)
		if n == entryNameMask {
			if b, err = br.Peek(br.Size()); err != nil && !errors.Is(err, io.EOF) {
				return bad
			}
			if n = bytes.IndexByte(b[min(fixed, len(b)):], 0); n < 0 {
				return bad
			}
		}
		size := (fixed + n + 8) &^ 7
		if b, err = br.Peek(size); err != nil || b[fixed+n] != 0 {
			return bad
		}
		name := b[fixed : fixed+n]
		if bytes.Compare(prev, name) > 0 {
			return bad
		}
		prev = append(prev[:0], name...)
		if err := fn(uint32(pos), name, b); err != nil {
			return err
		}
		br.Discard(size)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	var sum [indexChecksumSize]byte
	if _, err := f.ReadAt(sum[:], fi.Size()-indexChecksumSize); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		return fmt.Errorf("the shared index %s: checksum mismatch", s.sum)
	}
	return nil
}

func (s *splitIndex) searchAdded(path string) int {
	k, _ := slices.BinarySearchFunc(s.added, path, func(e []byte, p string) int {
		return strings.Compare(string(rawEntryName(e)), p)
	})
	return k
}

// entries returns the entries of path: those added, and the shared
// index's not deleted, as replaced.
func (s *splitIndex) entries(path string) []*index.Entry {
	var out []*index.Entry
	if _, ok := s.found[path]; !ok {
		if err := s.prefetch([]string{path}); err != nil {
			// Not a guess: the write that follows fails the same way.
			return nil
		}
	}
	for _, e := range s.found[path] {
		switch {
		case s.deleted[e.pos]:
		case s.replaced[e.pos] != nil:
			out = append(out, decodeEntry(s.replaced[e.pos], path))
		default:
			out = append(out, decodeEntry(e.raw, path))
		}
	}
	for k := s.searchAdded(path); k < len(s.added) && string(rawEntryName(s.added[k])) == path; k++ {
		out = append(out, decodeEntry(s.added[k], path))
	}
	return out
}

func (s *splitIndex) write(r *Repo, updates []indexUpdate) error {
	return r.writeIndexUpdates(s, s.top, updates)
}

// fill applies updates and writes .git/index to w: against the same
// shared index while the changes it holds stay within maxPercentChange,
// or else against a new shared index holding every entry, written first.
func (s *splitIndex) fill(r *Repo, w io.Writer, updates []indexUpdate) (plumbing.Hash, error) {
	paths := make([]string, len(updates))
	for i, u := range updates {
		paths[i] = u.path
	}
	if err := s.prefetch(paths); err != nil {
		return plumbing.ZeroHash, err
	}
	for _, u := range updates {
		k := s.searchAdded(u.path)
		end := k
		for end < len(s.added) && string(rawEntryName(s.added[end])) == u.path {
			end++
		}
		s.added = slices.Delete(s.added, k, end)
		var raw []byte
		if u.entry != nil {
			var err error
			if raw, err = appendIndexEntry(nil, u.entry); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		shared := s.found[u.path]
		for i, e := range shared {
			delete(s.replaced, e.pos)
			s.deleted[e.pos] = true
			if i == 0 && raw != nil {
				// The first stage's place takes the new entry.
				delete(s.deleted, e.pos)
				s.replaced[e.pos] = withName(raw, nil)
				raw = nil
			}
		}
		if raw != nil {
			s.added = slices.Insert(s.added, k, raw)
		}
	}
	cfg := r.splitConfig()
	total := s.count - len(s.deleted) + len(s.added)
	changed := len(s.deleted) + len(s.replaced) + len(s.added)
	if !cfg.wants(total) {
		return plumbing.ZeroHash, s.writeWhole(w, total)
	}
	if cfg.maxPercent < 100 && (cfg.maxPercent == 0 || changed*100 > s.count*cfg.maxPercent) {
		sum, err := r.writeSharedIndex(func(sw io.Writer) error { return s.writeWhole(sw, total) })
		if err != nil {
			return plumbing.ZeroHash, err
		}
		// Kept through the grace from now: it stops being named now.
		now := time.Now()
		os.Chtimes(s.path, now, now)
		return sum, writeLinkedIndex(w, max(s.version, s.top.version), sum, nil, nil, nil)
	}
	return s.sum, s.writeTop(w)
}

// writeTop writes .git/index against the same shared index.
func (s *splitIndex) writeTop(w io.Writer) error {
	var del, repl []uint32
	for p := range s.deleted {
		del = append(del, p)
	}
	slices.Sort(del)
	for p := range s.replaced {
		repl = append(repl, p)
	}
	slices.Sort(repl)
	entries := make([][]byte, 0, len(repl)+len(s.added))
	for _, p := range repl {
		entries = append(entries, s.replaced[p])
	}
	entries = append(entries, s.added...)
	return writeLinkedIndex(w, max(s.version, s.top.version), s.sum, entries, del, repl)
}

// writeLinkedIndex writes an index of entries with a link extension naming
// shared and its two bitmaps.
func writeLinkedIndex(w io.Writer, version uint32, shared plumbing.Hash, entries [][]byte, del, repl []uint32) error {
	h := sha1.New()
	bw := bufio.NewWriter(io.MultiWriter(w, h))
	var hdr [indexHeaderSize]byte
	copy(hdr[:], "DIRC")
	binary.BigEndian.PutUint32(hdr[4:], version)
	binary.BigEndian.PutUint32(hdr[8:], uint32(len(entries)))
	bw.Write(hdr[:])
	for _, e := range entries {
		bw.Write(e)
	}
	ext := append([]byte(nil), shared[:]...)
	ext = appendEWAH(ext, del)
	ext = appendEWAH(ext, repl)
	bw.WriteString("link")
	bw.Write(binary.BigEndian.AppendUint32(nil, uint32(len(ext))))
	bw.Write(ext)
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(h.Sum(nil))
	return err
}

// writeWhole writes every entry as one index without extensions: the
// shared index's, as deleted and replaced, merged with the added ones.
func (s *splitIndex) writeWhole(w io.Writer, total int) error {
	h := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 256<<10)
	var hdr [indexHeaderSize]byte
	copy(hdr[:], "DIRC")
	binary.BigEndian.PutUint32(hdr[4:], max(s.version, s.top.version))
	binary.BigEndian.PutUint32(hdr[8:], uint32(total))
	bw.Write(hdr[:])
	added := s.added
	err := s.scan(func(pos uint32, name, raw []byte) error {
		for len(added) > 0 && bytes.Compare(rawEntryName(added[0]), name) < 0 {
			bw.Write(added[0])
			added = added[1:]
		}
		switch {
		case s.deleted[pos]:
		case s.replaced[pos] != nil:
			bw.Write(withName(s.replaced[pos], name))
		default:
			bw.Write(raw)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range added {
		bw.Write(e)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err = w.Write(h.Sum(nil))
	return err
}

// writeSharedIndex writes an index through fill as a shared index, named
// by its checksum, and returns the checksum. Synced: unlike .git/index, it
// is named by what it holds, and a .git/index naming it may outlive a
// crash.
func (r *Repo) writeSharedIndex(fill func(io.Writer) error) (plumbing.Hash, error) {
	var sum plumbing.Hash
	f, err := os.CreateTemp(r.gitDir, sharedIndexTmpPrefix)
	if err != nil {
		return sum, err
	}
	defer func() {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := fill(bw); err != nil {
		return sum, err
	}
	if err := bw.Flush(); err != nil {
		return sum, err
	}
	fi, err := f.Stat()
	if err != nil {
		return sum, err
	}
	if _, err := f.ReadAt(sum[:], fi.Size()-indexChecksumSize); err != nil {
		return sum, err
	}
	if err := f.Sync(); err != nil {
		return sum, err
	}
	if err := f.Close(); err != nil {
		return sum, err
	}
	tmp := f.Name()
	f = nil
	if err := os.Rename(tmp, filepath.Join(r.gitDir, sharedIndexPrefix+sum.String())); err != nil {
		os.Remove(tmp)
		return sum, err
	}
	return sum, r.fail(FailSharedIndexWritten)
}

// pruneSharedIndexes removes the shared indexes other than current that
// have not been used for sharedIndexGrace (git freshens one when it reads
// it), and temporary ones of notion-git's left by a killed run.
func (r *Repo) pruneSharedIndexes(current plumbing.Hash) {
	entries, err := os.ReadDir(r.gitDir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-sharedIndexGrace)
	for _, e := range entries {
		name := e.Name()
		hex, shared := strings.CutPrefix(name, sharedIndexPrefix)
		if !(shared && len(hex) == 40 && isHex(hex) && hex != current.String()) && !strings.HasPrefix(name, sharedIndexTmpPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(r.gitDir, name))
		}
	}
}

// appendEWAH appends the bitmap of positions (sorted) as git serialises an
// EWAH bitmap: its size in bits, its 64-bit words, the position of the last
// marker word. Each marker word says how many zero words follow it (bits
// 1-32) and then how many literal words (bits 33-63).
func appendEWAH(b []byte, positions []uint32) []byte {
	words := []uint64{0}
	rlw := 0
	next := uint64(0) // the next word the bitmap covers
	for i := 0; i < len(positions); {
		w := uint64(positions[i]) / 64
		var lit uint64
		for ; i < len(positions) && uint64(positions[i])/64 == w; i++ {
			lit |= 1 << (positions[i] % 64)
		}
		if gap := w - next; gap > 0 {
			if words[rlw]>>33 != 0 { // literals already follow this marker
				words = append(words, 0)
				rlw = len(words) - 1
			}
			words[rlw] |= gap << 1
		}
		words[rlw] += 1 << 33
		words = append(words, lit)
		next = w + 1
	}
	bits := uint32(0)
	if len(positions) > 0 {
		bits = positions[len(positions)-1] + 1
	}
	b = binary.BigEndian.AppendUint32(b, bits)
	b = binary.BigEndian.AppendUint32(b, uint32(len(words)))
	for _, w := range words {
		b = binary.BigEndian.AppendUint64(b, w)
	}
	return binary.BigEndian.AppendUint32(b, uint32(rlw))
}

// readEWAH reads a serialised EWAH bitmap, every set bit below limit, and
// returns the set positions, ascending, and the bytes it took.
func readEWAH(b []byte, limit int) ([]uint32, int, error) {
	if len(b) < 8 {
		return nil, 0, errors.New("too short")
	}
	n := int(binary.BigEndian.Uint32(b[4:]))
	size := 8 + 8*n + 4
	if n > (len(b)-12)/8 || len(b) < size {
		return nil, 0, errors.New("too short")
	}
	word := func(k int) uint64 { return binary.BigEndian.Uint64(b[8+8*k:]) }
	var out []uint32
	pos := uint64(0)
	for k := 0; k < n; {
		m := word(k)
		k++
		run := (m >> 1) & 0xffffffff
		if m&1 != 0 {
			if pos+run*64 > uint64(limit) {
				return nil, 0, errors.New("a bit past the shared index's entries")
			}
			for p := pos; p < pos+run*64; p++ {
				out = append(out, uint32(p))
			}
		}
		pos += run * 64
		for range m >> 33 {
			if k >= n {
				return nil, 0, errors.New("literal words past the end")
			}
			lit := word(k)
			k++
			for c := uint64(0); lit != 0; c++ {
				if lit&1 != 0 {
					if pos+c >= uint64(limit) {
						return nil, 0, errors.New("a bit past the shared index's entries")
					}
					out = append(out, uint32(pos+c))
				}
				lit >>= 1
			}
			pos += 64
		}
		if pos > uint64(limit)+1<<40 {
			return nil, 0, errors.New("bitmap too long")
		}
	}
	if rlw := binary.BigEndian.Uint32(b[8+8*n:]); n > 0 && int(rlw) >= n {
		return nil, 0, errors.New("bad marker position")
	}
	return out, size, nil
}
