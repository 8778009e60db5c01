package gitrepo

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// The index file format (git's Documentation/gitformat-index.txt), as far as
// rawIndex needs it. An entry of version 2 or 3 is a fixed part, optional
// extended flags, then the path, NUL-padded to a multiple of eight bytes.
const (
	indexHeaderSize    = 12 // "DIRC", version, entry count
	entryFixedSize     = 62 // stat data, mode, ids, size, hash, flags
	entryFlagsOffset   = 60
	entryExtendedFlag  = 0x4000
	entryStageShift    = 12
	entryNameMask      = 0x0fff
	indexChecksumSize  = sha1.Size
	extensionHeaderLen = 8 // signature, size
)

// errIndexNotStreamable means the index uses a feature rawIndex does not
// edit in place (prefix-compressed paths, a split or sparse index): the
// refresh then decodes it fully with go-git instead.
var errIndexNotStreamable = errors.New("index not editable in place")

// rawIndex is .git/index kept as its bytes, with only the entry boundaries
// located. A refresh changes a few paths of a possibly huge index: looking
// them up by binary search and copying every other entry's bytes unchanged
// costs a fraction of decoding and re-encoding 250,000 entries.
type rawIndex struct {
	data    []byte
	version uint32
	offsets []int // where each entry starts; entries end at offsets[len-1]
	missing bool  // there was no index file: data is an empty header
	// link is the content of the split index's extension, nil without
	// one: then the entries are those of .git/index alone (splitindex.go).
	link []byte
}

// parseRawIndex checks the index's checksum and locates its entries. It
// returns errIndexNotStreamable for an index it cannot edit in place and
// another error for a damaged one.
func parseRawIndex(data []byte) (*rawIndex, error) {
	if len(data) < indexHeaderSize+indexChecksumSize || string(data[:4]) != "DIRC" {
		return nil, errors.New("not an index file")
	}
	body, sum := data[:len(data)-indexChecksumSize], data[len(data)-indexChecksumSize:]
	// An all-zero checksum is what git writes with index.skipHash.
	if got := sha1.Sum(body); !bytes.Equal(got[:], sum) && !isZero(sum) {
		return nil, errors.New("index checksum mismatch")
	}
	x := &rawIndex{data: data, version: binary.BigEndian.Uint32(data[4:])}
	if x.version != 2 && x.version != 3 {
		return nil, errIndexNotStreamable
	}
	n := int(binary.BigEndian.Uint32(data[8:]))
	if n > len(body)/entryFixedSize {
		return nil, errors.New("index entry count too large")
	}
	x.offsets = make([]int, 0, n+1)
	off := indexHeaderSize
	var prev []byte
	for range n {
		x.offsets = append(x.offsets, off)
		name, size, err := x.entryAt(off, len(body))
		if err != nil {
			return nil, err
		}
		// Lookups are binary searches: the order git guarantees is checked,
		// not assumed. Stages of one path share its name.
		if bytes.Compare(prev, name) > 0 {
			return nil, errors.New("index entries out of order")
		}
		prev = name
		off += size
	}
	x.offsets = append(x.offsets, off)
	// Extensions follow the entries. A lowercase signature is one a reader
	// must understand (split index "link", sparse index "sdir").
	for off < len(body) {
		if off+extensionHeaderLen > len(body) {
			return nil, errors.New("truncated index extension")
		}
		sig := body[off : off+4]
		size := int(binary.BigEndian.Uint32(body[off+4:]))
		if size > len(body)-off-extensionHeaderLen {
			return nil, errors.New("truncated index extension")
		}
		if string(sig) == "link" {
			x.link = body[off+extensionHeaderLen : off+extensionHeaderLen+size]
		} else if sig[0] < 'A' || sig[0] > 'Z' {
			return nil, errIndexNotStreamable
		}
		off += extensionHeaderLen + size
	}
	if off != len(body) {
		return nil, errors.New("truncated index extension")
	}
	return x, nil
}

// emptyRawIndex is the index of a repository that has none yet.
func emptyRawIndex() *rawIndex {
	data := make([]byte, indexHeaderSize)
	copy(data, "DIRC")
	binary.BigEndian.PutUint32(data[4:], 2)
	return &rawIndex{data: data, version: 2, offsets: []int{indexHeaderSize}, missing: true}
}

// entryAt returns the path of the entry at off and the entry's length.
func (x *rawIndex) entryAt(off, limit int) (name []byte, size int, err error) {
	if off+entryFixedSize > limit {
		return nil, 0, errors.New("truncated index entry")
	}
	flags := binary.BigEndian.Uint16(x.data[off+entryFlagsOffset:])
	fixed := entryFixedSize
	if flags&entryExtendedFlag != 0 {
		if x.version < 3 {
			return nil, 0, errors.New("extended index entry in a version 2 index")
		}
		fixed += 2
	}
	start := off + fixed
	if start >= limit {
		return nil, 0, errors.New("truncated index entry")
	}
	n := int(flags & entryNameMask)
	if n == entryNameMask { // a long path: its length is where the NUL is
		n = bytes.IndexByte(x.data[start:limit], 0)
	}
	// Padding: one to eight NULs, so the entry ends on a multiple of eight.
	size = (fixed + n + 8) &^ 7
	if n < 0 || off+size > limit || x.data[start+n] != 0 {
		return nil, 0, errors.New("malformed index entry")
	}
	return x.data[start : start+n], size, nil
}

func (x *rawIndex) len() int { return len(x.offsets) - 1 }

// name returns the path of entry i.
func (x *rawIndex) name(i int) []byte {
	name, _, _ := x.entryAt(x.offsets[i], x.offsets[i+1])
	return name
}

// search returns the first entry whose path is not less than path.
func (x *rawIndex) search(path string) int {
	lo, hi := 0, x.len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if string(x.name(m)) < path {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// entries returns the entries of path: none, one, or the stages of a merge
// conflict.
func (x *rawIndex) entries(path string) []*index.Entry {
	var out []*index.Entry
	for i := x.search(path); i < x.len() && string(x.name(i)) == path; i++ {
		out = append(out, x.decode(i))
	}
	return out
}

// decode reads the fields of entry i that a refresh compares.
func (x *rawIndex) decode(i int) *index.Entry {
	return decodeEntry(x.data[x.offsets[i]:], string(x.name(i)))
}

// decodeEntry reads the fields of the raw entry b, of path name, that a
// refresh compares.
func decodeEntry(b []byte, name string) *index.Entry {
	u32 := func(at int) uint32 { return binary.BigEndian.Uint32(b[at:]) }
	flags := binary.BigEndian.Uint16(b[entryFlagsOffset:])
	e := &index.Entry{
		Name:       name,
		CreatedAt:  time.Unix(int64(u32(0)), int64(u32(4))),
		ModifiedAt: time.Unix(int64(u32(8)), int64(u32(12))),
		Dev:        u32(16),
		Inode:      u32(20),
		Mode:       filemode.FileMode(u32(24)),
		UID:        u32(28),
		GID:        u32(32),
		Size:       u32(36),
		Stage:      index.Stage(flags >> entryStageShift & 3),
	}
	copy(e.Hash[:], b[40:60])
	return e
}

// indexUpdate replaces the entries of one path; a nil entry removes them.
type indexUpdate struct {
	path  string
	entry *index.Entry
}

// writeTo writes the index with updates (sorted by path) applied: the runs
// of entries between updated paths are copied as they are, the updated ones
// encoded anew. Extensions are dropped: the cached trees ("TREE") are stale
// for the changed paths, and the others (untracked cache, fsmonitor, entry
// offsets) describe the old entries; all are optional, and git rebuilds what
// it needs.
func (x *rawIndex) writeTo(w io.Writer, updates []indexUpdate) error {
	// Where each update goes, first: the header holds the new entry count.
	type edit struct {
		at, end int // the old entries [at, end) are replaced by entry
		entry   *index.Entry
	}
	edits := make([]edit, 0, len(updates))
	count, prev := x.len(), 0
	for _, u := range updates {
		at := x.search(u.path)
		if at < prev {
			return fmt.Errorf("index update of %s out of order", u.path)
		}
		end := at
		for end < x.len() && string(x.name(end)) == u.path {
			end++
		}
		count -= end - at
		if u.entry != nil {
			count++
		}
		edits = append(edits, edit{at, end, u.entry})
		prev = end
	}

	sum := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 256<<10)
	var header [indexHeaderSize]byte
	copy(header[:], x.data[:8])
	binary.BigEndian.PutUint32(header[8:], uint32(count))
	bw.Write(header[:])
	copied := 0 // the old entries before this one are written or dropped
	var entry []byte
	for _, e := range edits {
		bw.Write(x.data[x.offsets[copied]:x.offsets[e.at]])
		if e.entry != nil {
			var err error
			if entry, err = appendIndexEntry(entry[:0], e.entry); err != nil {
				return err
			}
			bw.Write(entry)
		}
		copied = e.end
	}
	bw.Write(x.data[x.offsets[copied]:x.offsets[x.len()]])
	if err := bw.Flush(); err != nil { // bufio keeps the first write error
		return err
	}
	_, err := w.Write(sum.Sum(nil))
	return err
}

// appendIndexEntry encodes a stage-0 entry in the version 2 layout, which
// versions 3 accepts as well.
func appendIndexEntry(b []byte, e *index.Entry) ([]byte, error) {
	if e.Stage != 0 || e.IntentToAdd || e.SkipWorktree {
		return nil, fmt.Errorf("index entry %s: only plain entries are written", e.Name)
	}
	ctime, cnsec, err := indexTime(e.CreatedAt)
	if err != nil {
		return nil, err
	}
	mtime, mnsec, err := indexTime(e.ModifiedAt)
	if err != nil {
		return nil, err
	}
	for _, v := range []uint32{ctime, cnsec, mtime, mnsec, e.Dev, e.Inode, uint32(e.Mode), e.UID, e.GID, e.Size} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = append(b, e.Hash[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(min(len(e.Name), entryNameMask)))
	b = append(b, e.Name...)
	pad := 8 - (entryFixedSize+len(e.Name))%8
	var zeros [8]byte
	return append(b, zeros[:pad]...), nil
}

// indexTime is a time as the index stores it: 32-bit seconds and nanoseconds.
func indexTime(t time.Time) (sec, nsec uint32, err error) {
	if t.IsZero() {
		return 0, 0, nil
	}
	if t.Unix() < 0 || t.Unix() > 1<<32-1 {
		return 0, 0, fmt.Errorf("time %v does not fit in the index", t)
	}
	return uint32(t.Unix()), uint32(t.Nanosecond()), nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
