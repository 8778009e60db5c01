package gitrepo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// packBlobs reads whole blobs straight from the pack files, for the reads
// a restore makes by the hundred thousand: go-git's pack reader feeds its
// inflater one byte at a time through an interface, copies each object
// into a memory object and then again into the caller's slice, and with
// that spent more than a third of a large restore's CPU. Here one pread
// fetches an object's compressed bytes (bounded by the next object's
// offset, which the index gives), and one reused inflater writes them
// into a slice of the size the object's header names.
//
// It answers only what it can answer exactly: an object of a pack of
// version 2 with an index of version 2, stored whole or as deltas against
// bases in the same pack (OFS_DELTA, or REF_DELTA to an object of the same
// pack), the result checked against the hash asked for. Anything else (a
// loose object, a thin pack's delta, a pack it cannot read) reports !ok,
// and the caller asks go-git, so this is a shortcut, never a second source
// of truth. Packs are
// listed on first use and again after notion-git writes one; a pack added
// by another process meanwhile is go-git's to read. Guarded by Repo.mu.
type packBlobs struct {
	dir    string // objects/pack
	loaded bool
	packs  []*packFile
	buf    []byte // the compressed bytes of the object being read
	zr     io.ReadCloser
	br     bytes.Reader
	cache  baseCache
}

// packFile is one pack and its index.
type packFile struct {
	base   string // path without .pack or .idx
	f      *os.File
	size   int64    // of the pack file
	fanout []uint32 // 256 cumulative counts by first hash byte
	hashes []byte   // n × 20, sorted
	crcs   []byte   // n × 4, of each object's bytes in the pack
	offs   []int64  // offset of the object of each hash
	sorted []int64  // every offset, ascending: where each object ends
	// packSum is the pack's checksum as the index records it.
	packSum []byte
}

// reset forgets the packs, so that the next read lists them again.
func (p *packBlobs) reset() {
	for _, pf := range p.packs {
		pf.f.Close()
	}
	p.packs, p.loaded = nil, false
	p.cache = baseCache{}
}

// load lists the packs that have an index; a pack or index it cannot
// parse is left out (go-git reads it, or reports it).
func (p *packBlobs) load() {
	p.loaded = true
	idxs, _ := filepath.Glob(filepath.Join(p.dir, "pack-*.idx"))
	for _, idx := range idxs {
		if pf, err := openPackFile(strings.TrimSuffix(idx, ".idx")); err == nil {
			p.packs = append(p.packs, pf)
		}
	}
}

func openPackFile(base string) (*packFile, error) {
	data, err := os.ReadFile(base + ".idx")
	if err != nil {
		return nil, err
	}
	pf, err := parsePackIndex(data)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(base + ".pack")
	if err != nil {
		return nil, err
	}
	var hdr, trailer [20]byte
	fi, err := f.Stat()
	if err == nil && fi.Size() < 12+20 {
		err = errors.New("too short")
	}
	if err == nil {
		_, err = f.ReadAt(hdr[:12], 0)
	}
	if err == nil {
		_, err = f.ReadAt(trailer[:], fi.Size()-20)
	}
	// The index names the checksum of its pack just before its own: an
	// index of another pack (a pack replaced under the same name, a copy
	// gone wrong) would give offsets into the wrong bytes.
	if err != nil || string(hdr[:4]) != "PACK" || binary.BigEndian.Uint32(hdr[4:]) != 2 ||
		int(binary.BigEndian.Uint32(hdr[8:])) != len(pf.offs) || !bytes.Equal(trailer[:], pf.packSum) {
		f.Close()
		return nil, errors.New("not a pack of version 2 matching its index")
	}
	pf.base, pf.f, pf.size = base, f, fi.Size()
	return pf, nil
}

// parsePackIndex reads a pack index of version 2.
func parsePackIndex(b []byte) (*packFile, error) {
	bad := errors.New("not a pack index of version 2")
	if len(b) < 8+256*4 || string(b[:4]) != "\xfftOc" || binary.BigEndian.Uint32(b[4:]) != 2 {
		return nil, bad
	}
	pf := &packFile{fanout: make([]uint32, 256)}
	for i := range pf.fanout {
		pf.fanout[i] = binary.BigEndian.Uint32(b[8+4*i:])
		if i > 0 && pf.fanout[i] < pf.fanout[i-1] {
			return nil, bad
		}
	}
	n := int(pf.fanout[255])
	hashAt := 8 + 256*4
	offAt := hashAt + n*20 + n*4 // past the hashes and the CRCs
	largeAt := offAt + n*4
	if len(b) < largeAt+40 {
		return nil, bad
	}
	pf.hashes = b[hashAt : hashAt+n*20]
	pf.crcs = b[hashAt+n*20 : offAt]
	pf.offs = make([]int64, n)
	for i := range n {
		o := binary.BigEndian.Uint32(b[offAt+4*i:])
		if o&0x80000000 == 0 {
			pf.offs[i] = int64(o)
			continue
		}
		at := largeAt + 8*int(o&0x7fffffff)
		if at+8 > len(b)-40 {
			return nil, bad
		}
		pf.offs[i] = int64(binary.BigEndian.Uint64(b[at:]))
	}
	pf.packSum = b[len(b)-40 : len(b)-20]
	pf.sorted = slices.Clone(pf.offs)
	slices.Sort(pf.sorted)
	return pf, nil
}

// find returns the offset of object h in the pack and where its bytes end.
func (pf *packFile) find(h plumbing.Hash) (off, end int64, ok bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(pf.fanout[h[0]-1])
	}
	hi := int(pf.fanout[h[0]])
	for lo < hi { // over 20-byte records

		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(pf.hashes[mid*20:mid*20+20], h[:]); {
		case c == 0:
			off = pf.offs[mid]
			j, _ := slices.BinarySearch(pf.sorted, off)
			end = pf.size - 20 // the trailer's checksum
			if j+1 < len(pf.sorted) {
				end = pf.sorted[j+1]
			}
			return off, end, end > off
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, 0, false
}

// blob returns the content of blob h when a pack holds it.
func (p *packBlobs) blob(h plumbing.Hash) (data []byte, ok bool, err error) {
	typ, data, ok, err := p.object(h)
	if !ok || err != nil || typ != plumbing.BlobObject {
		// An object of another type is not a blob, and go-git says so.
		return nil, false, err
	}
	return data, true, nil
}

// object returns the type and content of object h when a pack holds it,
// whole or as a chain of deltas within its pack. The result is checked
// against h: a restore writes what it reads into Notion.
func (p *packBlobs) object(h plumbing.Hash) (typ plumbing.ObjectType, data []byte, ok bool, err error) {
	if !p.loaded {
		p.load()
	}
	for _, pf := range p.packs {
		off, end, found := pf.find(h)
		if !found {
			continue
		}
		typ, data, err := p.read(pf, off, end, 0)
		if errors.Is(err, errPackUnsupported) {
			return 0, nil, false, nil
		}
		if err != nil {
			return 0, nil, false, fmt.Errorf("read %s: %w", h, err)
		}
		if got := plumbing.ComputeHash(typ, data); got != h {
			return 0, nil, false, fmt.Errorf("read %s: the pack holds %s at its offset", h, got)
		}
		return typ, data, true, nil
	}
	return 0, nil, false, nil
}

// errPackUnsupported says that the reader leaves an object to go-git (a
// read error, a delta whose base is outside its pack).
var errPackUnsupported = errors.New("left to go-git")

// maxDeltaChain bounds the chain read for one object: git writes at most 50
// by default and 4095 at most (its depth field); a longer one, or a loop of
// REF_DELTAs, is corrupt.
const maxDeltaChain = 4095

// packEntry is the header of one object of a pack.
type packEntry struct {
	typ     plumbing.ObjectType // as stored: OFSDeltaObject and REFDeltaObject included
	size    int64               // inflated (of the delta, for a delta)
	hdrLen  int                 // bytes before the zlib stream
	baseOff int64               // OFS_DELTA: the base's offset in the pack
	baseRef plumbing.Hash       // REF_DELTA: the base's hash
}

// parseEntry reads the header of the object at off from its first bytes.
func parseEntry(buf []byte, off int64) (packEntry, error) {
	var e packEntry
	bad := errors.New("corrupt object header")
	if len(buf) == 0 {
		return e, bad
	}
	// The type in bits 4-6 of the first byte, the size in 4 bits and then
	// 7 per byte while the top bit is set.
	e.typ = plumbing.ObjectType(buf[0] >> 4 & 7)
	e.size = int64(buf[0] & 15)
	i, shift := 1, 4
	for buf[i-1]&0x80 != 0 {
		if i >= len(buf) || shift > 56 {
			return e, bad
		}
		e.size |= int64(buf[i]&0x7f) << shift
		i, shift = i+1, shift+7
	}
	switch e.typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		// A big-endian base-128 distance back, each continuation adding one.
		if i >= len(buf) {
			return e, bad
		}
		c := buf[i]
		rel := int64(c & 0x7f)
		i++
		for c&0x80 != 0 {
			if i >= len(buf) || rel > 1<<48 {
				return e, bad
			}
			c = buf[i]
			rel = (rel+1)<<7 | int64(c&0x7f)
			i++
		}
		if rel <= 0 || rel > off-packHeaderSize {
			return e, bad
		}
		e.baseOff = off - rel
	case plumbing.REFDeltaObject:
		if i+20 > len(buf) {
			return e, bad
		}
		copy(e.baseRef[:], buf[i:i+20])
		i += 20
	default:
		return e, bad
	}
	e.hdrLen = i
	return e, nil
}

// inflate decompresses a zlib stream that must hold exactly size bytes.
func (p *packBlobs) inflate(z []byte, size int64) ([]byte, error) {
	// Deflate expands at most about 1032 to 1: a header naming more than
	// its compressed bytes can hold is corrupt, and allocating what it
	// names could exhaust memory.
	if size > int64(len(z))*1032+64 {
		return nil, fmt.Errorf("its pack header names %d bytes for %d compressed", size, len(z))
	}
	p.br.Reset(z)
	var err error
	if p.zr == nil {
		if p.zr, err = zlib.NewReader(&p.br); err != nil {
			return nil, err
		}
	} else if err := p.zr.(zlib.Resetter).Reset(&p.br, nil); err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(p.zr, data); err != nil {
		return nil, err
	}
	// The stream must end where the header says, checksum and all.
	var one [1]byte
	if n, err := p.zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, errors.New("longer than its header says")
	}
	return data, nil
}

// end returns where the object at off ends: the next object's offset, or
// the trailer.
func (pf *packFile) end(off int64) (int64, bool) {
	j, found := slices.BinarySearch(pf.sorted, off)
	if !found {
		return 0, false
	}
	if j+1 < len(pf.sorted) {
		return pf.sorted[j+1], true
	}
	return pf.size - 20, true
}

// read returns the type and content of the object at off, resolving its
// deltas within the pack. Bases read along the way are kept in a small
// cache: versions of one file are read in a row.
func (p *packBlobs) read(pf *packFile, off, end int64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > maxDeltaChain {
		return 0, nil, errors.New("delta chain too long")
	}
	// Only bases come from the cache: what depth 0 returns is the
	// caller's to keep and change.
	if c, ok := p.cache.get(pf, off); ok && depth > 0 {
		return c.typ, c.data, nil
	}
	if n := int(end - off); cap(p.buf) < n {
		p.buf = make([]byte, n)
	}
	buf := p.buf[:end-off]
	if _, err := pf.f.ReadAt(buf, off); err != nil {
		return 0, nil, errPackUnsupported
	}
	e, err := parseEntry(buf, off)
	if err != nil {
		return 0, nil, err
	}
	data, err := p.inflate(buf[e.hdrLen:], e.size)
	if err != nil {
		return 0, nil, err
	}
	if e.typ != plumbing.OFSDeltaObject && e.typ != plumbing.REFDeltaObject {
		return e.typ, data, nil
	}
	baseOff := e.baseOff
	if e.typ == plumbing.REFDeltaObject {
		var ok bool
		if baseOff, _, ok = pf.find(e.baseRef); !ok {
			return 0, nil, errPackUnsupported // a thin pack's base: go-git's to find
		}
	}
	baseEnd, ok := pf.end(baseOff)
	if !ok {
		return 0, nil, errors.New("a delta's base is at no object's offset")
	}
	typ, base, err := p.read(pf, baseOff, baseEnd, depth+1)
	if err != nil {
		return 0, nil, err
	}
	p.cache.put(pf, baseOff, typ, base)
	out, err := applyDelta(base, data)
	if err != nil {
		return 0, nil, err
	}
	return typ, out, nil
}

// applyDelta applies a git delta to base. go-git's PatchDelta checks each
// copy against both sizes; it refuses an empty base, from which a delta
// can still only insert.
func applyDelta(base, delta []byte) ([]byte, error) {
	if len(base) == 0 {
		// A source of no bytes: PatchDelta refuses it, so check the one
		// instruction such a delta can hold by hand.
		return patchFromEmpty(delta)
	}
	out, err := packfile.PatchDelta(base, delta)
	if err != nil {
		return nil, fmt.Errorf("apply delta: %w", err)
	}
	return out, nil
}

// patchFromEmpty applies a delta whose source is empty: only inserts.
func patchFromEmpty(delta []byte) ([]byte, error) {
	bad := errors.New("apply delta: corrupt delta")
	leb := func() (int, bool) {
		v, shift := 0, 0
		for {
			if len(delta) == 0 || shift > 56 {
				return 0, false
			}
			c := delta[0]
			delta = delta[1:]
			v |= int(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 {
				return v, true
			}
		}
	}
	src, ok1 := leb()
	tgt, ok2 := leb()
	if !ok1 || !ok2 || src != 0 || tgt > len(delta) {
		return nil, bad
	}
	out := make([]byte, 0, tgt)
	for len(delta) > 0 {
		n := int(delta[0])
		if n == 0 || n&0x80 != 0 || n > len(delta)-1 {
			return nil, bad
		}
		out = append(out, delta[1:1+n]...)
		delta = delta[1+n:]
	}
	if len(out) != tgt {
		return nil, bad
	}
	return out, nil
}

// baseCache keeps the last objects read as delta bases, up to a total size:
// a chain's bases are read again for each version on it.
type baseCache struct {
	entries []cachedBase
	bytes   int
}

type cachedBase struct {
	pf   *packFile
	off  int64
	typ  plumbing.ObjectType
	data []byte
}

// baseCacheBytes bounds the cache; baseCacheEntries its length, which a
// linear search walks.
const (
	baseCacheBytes   = 16 << 20
	baseCacheEntries = 64
)

func (c *baseCache) get(pf *packFile, off int64) (cachedBase, bool) {
	for _, e := range c.entries {
		if e.pf == pf && e.off == off {
			return e, true
		}
	}
	return cachedBase{}, false
}

func (c *baseCache) put(pf *packFile, off int64, typ plumbing.ObjectType, data []byte) {
	if len(data) > baseCacheBytes/4 {
		return
	}
	if _, ok := c.get(pf, off); ok {
		return
	}
	c.entries = append(c.entries, cachedBase{pf: pf, off: off, typ: typ, data: data})
	c.bytes += len(data)
	for len(c.entries) > baseCacheEntries || c.bytes > baseCacheBytes {
		c.bytes -= len(c.entries[0].data)
		c.entries = c.entries[1:]
	}
}
