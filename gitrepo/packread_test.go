package gitrepo

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// goGitBlob reads blob h through go-git alone, the reader packBlobs is a
// shortcut for.
func goGitBlob(t *testing.T, r *Repo, h plumbing.Hash) []byte {
	t.Helper()
	obj, err := r.store.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := obj.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPackBlobsReadAsGoGit reads every blob of a repository from notion-git's
// own packs, then after git repacks them with deltas and an index with
// large offsets absent, and checks each against go-git's reading.
func TestPackBlobsReadAsGoGit(t *testing.T) {
	r := newRepo(t, false)
	rng := rand.New(rand.NewPCG(1, 2))
	files := map[string]string{}
	for i := range 60 {
		// Similar files, so that git deltifies them; some empty, one large.
		body := fmt.Sprintf("{\"id\": %d, \"text\": %q}\n", i, bytes.Repeat([]byte("abc"), rng.IntN(400)))
		switch i {
		case 3:
			body = ""
		case 7:
			big := make([]byte, 3<<20)
			for j := range big {
				big[j] = byte('a' + rng.IntN(26))
			}
			body = string(big)
		}
		files[fmt.Sprintf("pages/p%02d/page.json", i)] = body
	}
	c := commitChange(t, r, files)
	check := func(stage string, wantShortcut bool) {
		t.Helper()
		s, err := r.Snapshot(c)
		if err != nil {
			t.Fatal(err)
		}
		shortcuts := 0
		for path, want := range files {
			h, ok := s.lookup(path)
			if !ok {
				t.Fatalf("%s: %s not in the tree", stage, path)
			}
			if _, ok, err := r.packs.blob(h); err != nil {
				t.Fatalf("%s: %s: %v", stage, path, err)
			} else if ok {
				shortcuts++
			}
			got, err := s.Read(path)
			if err != nil {
				t.Fatalf("%s: %s: %v", stage, path, err)
			}
			if string(got) != want || !bytes.Equal(got, goGitBlob(t, r, h)) {
				t.Errorf("%s: %s: %d bytes, want %d", stage, path, len(got), len(want))
			}
		}
		if wantShortcut && shortcuts != len(files) {
			t.Errorf("%s: %d of %d blobs read from the packs directly", stage, shortcuts, len(files))
		}
	}
	check("own pack", true)
	runGit(t, r.WorkDir(), "repack", "-a", "-d", "-f", "--window=50", "--depth=50")
	r.packs.reset()
	r.store.(interface{ Reindex() }).Reindex()
	check("repacked", true)
}

func TestParsePackIndexRefusesGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("\xfftOc\x00\x00\x00\x02"), bytes.Repeat([]byte{0xff}, 2000)} {
		if _, err := parsePackIndex(b); err == nil {
			t.Errorf("%q...: parsed", b[:min(len(b), 8)])
		}
	}
}

// onePack returns the base path (without .pack or .idx) of r's only pack.
func onePack(t *testing.T, r *Repo) string {
	t.Helper()
	idxs, err := filepath.Glob(filepath.Join(r.gitDir, "objects", "pack", "pack-*.idx"))
	if err != nil || len(idxs) != 1 {
		t.Fatalf("packs %q, %v", idxs, err)
	}
	return strings.TrimSuffix(idxs[0], ".idx")
}

// copyPack copies the pack at base and its index into a new directory,
// the pack passed through edit, and returns the directory.
func copyPack(t *testing.T, base string, edit func(pack []byte)) string {
	t.Helper()
	dir := t.TempDir()
	for _, ext := range []string{".pack", ".idx"} {
		b, err := os.ReadFile(base + ext)
		if err != nil {
			t.Fatal(err)
		}
		if ext == ".pack" {
			edit(b)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(base)+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPackBlobsLargeOffsets reads blobs through an index that keeps every
// offset in its table of 64-bit offsets, as git writes for objects past
// 2 GiB of a pack: a test cannot write such a pack, but git can be made
// to use the table for every object past the first (git refuses an index
// whose first object, at offset 12, is in the table).
func TestPackBlobsLargeOffsets(t *testing.T) {
	r := newRepo(t, false)
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("pages/p%02d/page.json", i)] = fmt.Sprintf("{\"id\": %d}\n", i)
	}
	c := commitChange(t, r, files)
	base := onePack(t, r)
	if err := os.Remove(base + ".idx"); err != nil {
		t.Fatal(err)
	}
	runGit(t, r.WorkDir(), "index-pack", "--index-version=2,12", "-o", base+".idx", base+".pack")
	idx, err := os.ReadFile(base + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parsePackIndex(idx)
	if err != nil {
		t.Fatal(err)
	}
	n := int(pf.fanout[255])
	if len(idx) != 8+256*4+n*(20+4+4)+(n-1)*8+40 {
		t.Fatalf("the index has %d bytes, not a large offset for each but one of its %d objects", len(idx), n)
	}
	r.packs.reset()
	r.store.(interface{ Reindex() }).Reindex()
	s, err := r.Snapshot(c)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		h, _ := s.lookup(path)
		got, ok, err := r.packs.blob(h)
		if err != nil || !ok || string(got) != want {
			t.Errorf("%s: %q, %v, %v; want %q", path, got, ok, err, want)
		}
	}
}

// TestPackBlobsIndexOfAnotherPack leaves to go-git a pack whose index
// records another pack's checksum, though its object count matches.
func TestPackBlobsIndexOfAnotherPack(t *testing.T) {
	r := newRepo(t, false)
	c := commitChange(t, r, map[string]string{"pages/p/page.json": "{}\n"})
	dir := copyPack(t, onePack(t, r), func(pack []byte) { pack[len(pack)-1] ^= 1 })
	s, err := r.Snapshot(c)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := s.lookup("pages/p/page.json")
	p := packBlobs{dir: dir}
	defer p.reset()
	if _, ok, err := p.blob(h); ok || err != nil {
		t.Errorf("read through an index of another pack: ok %v, %v", ok, err)
	}
	if len(p.packs) != 0 {
		t.Errorf("%d packs listed, want none", len(p.packs))
	}
}

// writeOnePack writes into dir a pack holding one object, stored as
// header and then data compressed, and an index naming it h: a pack no
// git writes, for what a corrupt one does to the reader.
func writeOnePack(t *testing.T, dir string, h plumbing.Hash, header, data []byte) {
	t.Helper()
	var pack bytes.Buffer
	pack.WriteString("PACK\x00\x00\x00\x02\x00\x00\x00\x01")
	pack.Write(header)
	zw := zlib.NewWriter(&pack)
	zw.Write(data)
	zw.Close()
	packSum := sha1.Sum(pack.Bytes())
	pack.Write(packSum[:])

	var idx bytes.Buffer
	idx.WriteString("\xfftOc\x00\x00\x00\x02")
	for i := range 256 {
		n := uint32(0)
		if i >= int(h[0]) {
			n = 1
		}
		idx.Write(binary.BigEndian.AppendUint32(nil, n))
	}
	idx.Write(h[:])
	idx.Write(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(pack.Bytes()[12:len(pack.Bytes())-20])))
	idx.Write(binary.BigEndian.AppendUint32(nil, 12))
	idx.Write(packSum[:])
	idxSum := sha1.Sum(idx.Bytes())
	idx.Write(idxSum[:])
	base := filepath.Join(dir, "pack-"+plumbing.Hash(packSum).String())
	if err := os.WriteFile(base+".pack", pack.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".idx", idx.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPackBlobsCorruptSize refuses a blob whose pack header names more
// bytes than its compressed bytes can hold, rather than allocating them.
func TestPackBlobsCorruptSize(t *testing.T) {
	data := []byte("{}\n")
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	dir := t.TempDir()
	// A blob of about 2^53 bytes: type 3, then seven more bytes of size.
	writeOnePack(t, dir, h, []byte{0x80 | 0x30 | 0xf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, data)
	p := packBlobs{dir: dir}
	defer p.reset()
	if _, ok, err := p.blob(h); ok || err == nil || !strings.Contains(err.Error(), "compressed") {
		t.Errorf("ok %v, %v; want the header refused", ok, err)
	}
	// The same pack with the true size is read, so that it was the size
	// alone that was refused.
	dir = t.TempDir()
	writeOnePack(t, dir, h, []byte{0x30 | byte(len(data))}, data)
	q := packBlobs{dir: dir}
	defer q.reset()
	if got, ok, err := q.blob(h); !ok || err != nil || !bytes.Equal(got, data) {
		t.Errorf("the true size: %q, %v, %v", got, ok, err)
	}
}

// writeRawPack writes into dir a pack of the given objects, each its header
// and compressed bytes as given, and an index naming them.
func writeRawPack(t testing.TB, dir string, hashes []plumbing.Hash, raws [][]byte) {
	t.Helper()
	var pack bytes.Buffer
	pack.WriteString("PACK\x00\x00\x00\x02")
	pack.Write(binary.BigEndian.AppendUint32(nil, uint32(len(raws))))
	type ent struct {
		h   plumbing.Hash
		off uint32
		crc uint32
	}
	var ents []ent
	for i, raw := range raws {
		ents = append(ents, ent{hashes[i], uint32(pack.Len()), crc32.ChecksumIEEE(raw)})
		pack.Write(raw)
	}
	packSum := sha1.Sum(pack.Bytes())
	pack.Write(packSum[:])
	slices.SortFunc(ents, func(a, b ent) int { return bytes.Compare(a.h[:], b.h[:]) })
	var idx bytes.Buffer
	idx.WriteString("\xfftOc\x00\x00\x00\x02")
	for i := range 256 {
		n := 0
		for _, e := range ents {
			if int(e.h[0]) <= i {
				n++
			}
		}
		idx.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	}
	for _, e := range ents {
		idx.Write(e.h[:])
	}
	for _, e := range ents {
		idx.Write(binary.BigEndian.AppendUint32(nil, e.crc))
	}
	for _, e := range ents {
		idx.Write(binary.BigEndian.AppendUint32(nil, e.off))
	}
	idx.Write(packSum[:])
	idxSum := sha1.Sum(idx.Bytes())
	idx.Write(idxSum[:])
	base := filepath.Join(dir, "pack-"+plumbing.Hash(packSum).String())
	if err := os.WriteFile(base+".pack", pack.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".idx", idx.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// FuzzPackReadDelta reads a pack of a whole blob and a second object whose
// header and delta are the fuzzer's: the reader must never panic, nor
// answer content that is not the object asked for. The seed is a valid
// OFS_DELTA, then a REF_DELTA, the reader must resolve.
func FuzzPackReadDelta(f *testing.F) {
	base := []byte("{\"id\": \"page\", \"text\": \"one two three four five six\"}\n")
	target := []byte("{\"id\": \"page\", \"text\": \"one two three four five six seven\"}\n")
	delta := packfile.DiffDelta(base, target)
	baseRaw := append(appendObjectHeader(nil, plumbing.BlobObject, int64(len(base))), zlibBytes(base)...)
	f.Add(ofsDeltaHeader(int64(len(delta)), int64(len(baseRaw))), delta, true)
	bh := plumbing.ComputeHash(plumbing.BlobObject, base)
	f.Add(append(appendObjectHeader(nil, plumbing.REFDeltaObject, int64(len(delta))), bh[:]...), delta, true)
	f.Add([]byte{0x70}, []byte{}, false)
	f.Fuzz(func(t *testing.T, header, data []byte, valid bool) {
		want := target
		if !valid {
			want = data
		}
		h := plumbing.ComputeHash(plumbing.BlobObject, want)
		if h == bh {
			return
		}
		dir := t.TempDir()
		writeRawPack(t, dir, []plumbing.Hash{bh, h}, [][]byte{baseRaw, append(slices.Clone(header), zlibBytes(data)...)})
		p := packBlobs{dir: dir}
		defer p.reset()
		got, ok, err := p.blob(h)
		if ok && (err != nil || !bytes.Equal(got, want)) {
			t.Fatalf("read %q, %v", got, err)
		}
		ofs := ofsDeltaHeader(int64(len(delta)), int64(len(baseRaw)))
		ref := append(appendObjectHeader(nil, plumbing.REFDeltaObject, int64(len(delta))), bh[:]...)
		if valid && bytes.Equal(data, delta) && (bytes.Equal(header, ofs) || bytes.Equal(header, ref)) && !ok {
			t.Fatalf("a valid delta not read: %v", err)
		}
	})
}
