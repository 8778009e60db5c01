package gitrepo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// packThreshold and packMaxObjects say when a pending pack is written out:
// at 32 MiB of compressed objects, or at 64k objects, whose lookup table
// costs more memory than their bytes when they are small files. They bound
// the memory a full sync of a large workspace needs. Tests lower them to
// force flushes.
var (
	packThreshold  = 32 << 20
	packMaxObjects = 64 << 10
)

// packHeaderSize is "PACK", the version and the object count.
const packHeaderSize = 12

// packTempPrefix and indexTempPrefix begin the names of the temporary files
// a flush writes a pack and its index through (os.CreateTemp adds digits).
// They begin with tmp_, as git's own do, so that git's cleanup treats them
// as temporaries too, and name notion-git, so that RemoveStaleFiles removes
// only its own.
const (
	packTempPrefix  = "tmp_pack_notion-git_"
	indexTempPrefix = "tmp_idx_notion-git_"
)

// pendingPack collects new objects, compressed, in memory and writes them as
// one packfile with its index. A loose object costs a file creation, a write
// and a rename each (about a millisecond here); a sync of a 250,000-file
// workspace would spend minutes on them. Objects are not deltified here:
// Maintain merges the packs later, storing older versions as deltas
// against newer ones by the pairs recorded beside each pack.
//
// Until flushed, the objects exist only in this process: nothing on disk
// refers to them, so a killed sync leaves the repository as it was.
type pendingPack struct {
	dir     string       // objects/pack
	buf     bytes.Buffer // the pack so far; its header is filled in on flush
	objects map[plumbing.Hash]pendingObject
	zw      *zlib.Writer // reused: a new writer allocates its tables each time
	// pairs are the versions replaced since the last flush, written
	// beside the next pack (see deltaPairs).
	pairs []deltaPair
}

// pendingObject locates one object in the pending pack.
type pendingObject struct {
	typ       plumbing.ObjectType
	size      int64 // inflated
	offset    int64 // of the object's header, as the pack index records it
	data, end int64 // the zlib stream
	crc       uint32
}

func newPendingPack(gitDir string) *pendingPack {
	p := &pendingPack{dir: filepath.Join(gitDir, "objects", "pack")}
	p.reset()
	return p
}

// reset starts an empty pack. The old buffer and table are dropped rather
// than reused: after a large flush they would hold tens of megabytes for
// the rest of the process.
func (p *pendingPack) reset() {
	p.buf = bytes.Buffer{}
	p.buf.Write(make([]byte, packHeaderSize))
	p.objects = make(map[plumbing.Hash]pendingObject)
	p.pairs = nil
}

func (p *pendingPack) has(h plumbing.Hash) bool {
	_, ok := p.objects[h]
	return ok
}

// full reports whether the pack has reached the size at which it is flushed.
func (p *pendingPack) full() bool {
	return p.buf.Len() >= packThreshold || len(p.objects) >= packMaxObjects
}

// add compresses one object into the pack. The caller has checked that it
// is neither pending nor stored.
func (p *pendingPack) add(t plumbing.ObjectType, h plumbing.Hash, data []byte) error {
	offset := int64(p.buf.Len())
	var hdr [16]byte
	p.buf.Write(appendObjectHeader(hdr[:0], t, int64(len(data))))
	start := int64(p.buf.Len())
	if p.zw == nil {
		p.zw = zlib.NewWriter(&p.buf)
	} else {
		p.zw.Reset(&p.buf)
	}
	_, err := p.zw.Write(data)
	if err == nil {
		err = p.zw.Close()
	}
	if err != nil {
		p.buf.Truncate(int(offset))
		return fmt.Errorf("compress %s %s: %w", t, h, err)
	}
	end := int64(p.buf.Len())
	p.objects[h] = pendingObject{
		typ: t, size: int64(len(data)),
		offset: offset, data: start, end: end,
		crc: crc32.ChecksumIEEE(p.buf.Bytes()[offset:end]),
	}
	return nil
}

// appendObjectHeader appends a pack object header: the type and the low four
// bits of the size in the first byte, then seven bits of size per byte,
// the high bit saying that another byte follows.
func appendObjectHeader(b []byte, t plumbing.ObjectType, size int64) []byte {
	c := byte(t)<<4 | byte(size&0x0f)
	size >>= 4
	for size != 0 {
		b = append(b, c|0x80)
		c = byte(size & 0x7f)
		size >>= 7
	}
	return append(b, c)
}

// object returns a pending object, inflated; ok is false if it is not pending.
func (p *pendingPack) object(h plumbing.Hash) (obj *plumbing.MemoryObject, ok bool, err error) {
	o, ok := p.objects[h]
	if !ok {
		return nil, false, nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(p.buf.Bytes()[o.data:o.end]))
	if err != nil {
		return nil, true, fmt.Errorf("read pending %s: %w", h, err)
	}
	data := make([]byte, o.size)
	if _, err := io.ReadFull(zr, data); err != nil {
		return nil, true, fmt.Errorf("read pending %s: %w", h, err)
	}
	obj = &plumbing.MemoryObject{}
	obj.SetType(o.typ)
	if _, err := obj.Write(data); err != nil {
		return nil, true, err
	}
	return obj, true, nil
}

// flush writes the pending objects as objects/pack/pack-<sum>.pack and its
// .idx, and starts an empty pack. Both files are written under tmp_ names
// (packTempPrefix), which git ignores, synced, then renamed into place: the pack first, the
// index last, as git does, because git only sees a pack through its index.
// Nothing is written when nothing is pending.
func (p *pendingPack) flush() error {
	if len(p.objects) == 0 {
		return nil
	}
	pack := p.buf.Bytes()
	copy(pack, "PACK")
	binary.BigEndian.PutUint32(pack[4:], 2)
	binary.BigEndian.PutUint32(pack[8:], uint32(len(p.objects)))
	sum := sha1.Sum(pack)
	p.buf.Write(sum[:])
	checksum := plumbing.Hash(sum)

	idx := new(idxfile.Writer)
	if err := idx.OnHeader(uint32(len(p.objects))); err != nil {
		return err
	}
	for h, o := range p.objects {
		idx.Add(h, uint64(o.offset), o.crc)
	}
	if err := idx.OnFooter(checksum); err != nil {
		return fmt.Errorf("write pack index: %w", err)
	}
	mi, err := idx.Index()
	if err != nil {
		return fmt.Errorf("write pack index: %w", err)
	}

	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	base := filepath.Join(p.dir, "pack-"+checksum.String())
	tmpPack, err := writeTemp(p.dir, packTempPrefix, func(w io.Writer) error {
		_, err := w.Write(p.buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	tmpIdx, err := writeTemp(p.dir, indexTempPrefix, func(w io.Writer) error {
		_, err := idxfile.NewEncoder(w).Encode(mi)
		return err
	})
	if err != nil {
		os.Remove(tmpPack)
		return fmt.Errorf("write pack index: %w", err)
	}
	// The pairs first: a pack without them merges without deltas, a
	// sidecar without its pack is removed by the next maintenance.
	if err := writePairs(filepath.Dir(filepath.Dir(p.dir)), checksum, p.pairs); err != nil {
		os.Remove(tmpPack)
		os.Remove(tmpIdx)
		return fmt.Errorf("write pack: %w", err)
	}
	if err := os.Rename(tmpPack, base+".pack"); err != nil {
		os.Remove(tmpPack)
		os.Remove(tmpIdx)
		return fmt.Errorf("write pack: %w", err)
	}
	if err := os.Rename(tmpIdx, base+".idx"); err != nil {
		os.Remove(tmpIdx)
		return fmt.Errorf("write pack index: %w", err)
	}

	p.reset()
	return nil
}

// writeTemp writes a read-only file under a temporary name in dir, synced
// to disk before it is renamed, and returns its name.
func writeTemp(dir, prefix string, fill func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(dir, prefix)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Chmod(0o444) // git makes pack files read-only too
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
