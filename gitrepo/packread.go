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
// It answers only what it can answer exactly: a blob stored whole in a
// pack of version 2 with an index of version 2. Anything else (a delta, a
// loose object, a pack it cannot read) reports !ok, and the caller asks
// go-git, so this is a shortcut, never a second source of truth. Packs are
// listed on first use and again after notion-git writes one; a pack added
// by another process meanwhile is go-git's to read. Guarded by Repo.mu.
type packBlobs struct {
	dir    string // objects/pack
	loaded bool
	packs  []*packFile
	buf    []byte // the compressed bytes of the object being read
	zr     io.ReadCloser
	br     bytes.Reader
}

// packFile is one pack and its index.
type packFile struct {
	f      *os.File
	size   int64    // of the pack file
	fanout []uint32 // 256 cumulative counts by first hash byte
	hashes []byte   // n × 20, sorted
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
	pf.f, pf.size = f, fi.Size()
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

// blob returns the content of blob h when a pack holds it whole.
func (p *packBlobs) blob(h plumbing.Hash) (data []byte, ok bool, err error) {
	if !p.loaded {
		p.load()
	}
	for _, pf := range p.packs {
		off, end, found := pf.find(h)
		if !found {
			continue
		}
		if n := int(end - off); cap(p.buf) < n {
			p.buf = make([]byte, n)
		}
		buf := p.buf[:end-off]
		if _, err := pf.f.ReadAt(buf, off); err != nil {
			return nil, false, nil
		}
		// The object's header: its type in bits 4-6 of the first byte,
		// its size in 4 bits and then 7 per byte while the top bit is set.
		typ := plumbing.ObjectType(buf[0] >> 4 & 7)
		size := int64(buf[0] & 15)
		i, shift := 1, 4
		for buf[i-1]&0x80 != 0 {
			if i >= len(buf) || shift > 56 {
				return nil, false, nil
			}
			size |= int64(buf[i]&0x7f) << shift
			i, shift = i+1, shift+7
		}
		if typ != plumbing.BlobObject {
			// A delta is go-git's to resolve; a whole object of another
			// type is not a blob, and go-git says so.
			return nil, false, nil
		}
		// Deflate expands at most about 1032 to 1: a header naming more
		// than its compressed bytes can hold is corrupt, and allocating
		// what it names could exhaust memory.
		if size > int64(len(buf)-i)*1032+64 {
			return nil, false, fmt.Errorf("read blob %s: its pack header names %d bytes for %d compressed", h, size, len(buf)-i)
		}
		p.br.Reset(buf[i:])
		if p.zr == nil {
			if p.zr, err = zlib.NewReader(&p.br); err != nil {
				return nil, false, fmt.Errorf("read blob %s: %w", h, err)
			}
		} else if err := p.zr.(zlib.Resetter).Reset(&p.br, nil); err != nil {
			return nil, false, fmt.Errorf("read blob %s: %w", h, err)
		}
		data = make([]byte, size)
		if _, err := io.ReadFull(p.zr, data); err != nil {
			return nil, false, fmt.Errorf("read blob %s: %w", h, err)
		}
		// The stream must end where the header says, checksum and all.
		var one [1]byte
		if n, err := p.zr.Read(one[:]); n != 0 || err != io.EOF {
			return nil, false, fmt.Errorf("read blob %s: longer than its header says", h)
		}
		// The content must be the object asked for: a restore writes what
		// it reads into Notion, and the hash costs little beside inflating.
		if got := plumbing.ComputeHash(plumbing.BlobObject, data); got != h {
			return nil, false, fmt.Errorf("read blob %s: the pack holds %s at its offset", h, got)
		}
		return data, true, nil
	}
	return nil, false, nil
}
