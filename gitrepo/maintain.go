package gitrepo

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// Pack maintenance. Every commit notion-git makes writes one pack; left
// alone, an hourly sync makes 8,760 a year, and every lookup asks each
// pack's index in turn. Maintain merges packs geometrically, as
// git repack --geometric=2 does: the packs sorted by size, the smallest
// ones are merged until each remaining pack is at least twice the size of
// all those smaller than it together. A pack count then grows with the
// logarithm of the repository's size, and a merge mostly touches the small,
// recent packs; the first, big one is copied again only once the rest has
// grown to half of it.
//
// Merging is also where deltas are made. Git finds delta bases by sorting
// every object by name and size and trying windows of candidates; notion-git
// knows better and for nothing: the TreeBuilder saw, for every file it
// replaced and every folder it rewrote, the previous version at that path.
// Those pairs (deltaPair) are written beside each pack, and a merge holding
// both versions stores the older as a delta against the newer: the newest
// stays whole, so reading the branch tip costs no delta, and history costs
// its differences. Everything else is copied as it is, compressed bytes and
// existing deltas included, so merging the big first pack is a copy.

// deltaPair says that older was the version at some path before newer.
type deltaPair struct {
	newer, older plumbing.Hash
}

// pairsDir, in the git directory, holds one file of deltaPairs per pack,
// named after the pack. It is outside objects/pack, where git would count
// an unknown file as garbage.
const pairsDir = "notion-git/packs"

// maxDeltaDepth bounds the delta chains a merge makes, as git's
// pack.depth (50) does: reading the oldest version of a file applies at
// most this many deltas.
var maxDeltaDepth = 50

// pruneGrace is how old a pack must be for a merge that takes in every pack
// to drop its unreachable objects. A pack younger than that may belong to a
// sync still running, whose ref does not point at its objects yet. Tests
// set it to zero.
var pruneGrace = time.Hour

// geometricFactor is git's --geometric=2.
const geometricFactor = 2

// fullMergeFraction says when a merge takes in the largest pack as well:
// once the others together reach this fraction of it, though the
// geometric rule would wait for half. A page edited after the first sync
// has its previous version in that pack, stored whole: the pair that
// makes it a delta is carried from merge to merge (see mergePacks) and
// serves only once both versions are merged, so until then every edited
// file and folder costs a whole copy more. Merging everything once the
// rest is an eighth of the largest keeps that excess under an eighth of
// the repository, at the price of rewriting the largest pack about every
// (its size / 8) bytes of syncs: some 25 times a year for hourly syncs of
// a medium workspace.
const fullMergeFraction = 8

func pairsPath(gitDir string, sum plumbing.Hash) string {
	return filepath.Join(gitDir, filepath.FromSlash(pairsDir), "pack-"+sum.String()+".pairs")
}

// writePairs writes the pairs of pack sum, 40 bytes each (newer, older),
// through a rename. No pairs, no file.
func writePairs(gitDir string, sum plumbing.Hash, pairs []deltaPair) error {
	if len(pairs) == 0 {
		return nil
	}
	p := pairsPath(gitDir, sum)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := writeTemp(filepath.Dir(p), "tmp_pairs_", func(w io.Writer) error {
		for _, pr := range pairs {
			if _, err := w.Write(pr.newer[:]); err != nil {
				return err
			}
			if _, err := w.Write(pr.older[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// readPairs reads the pairs of pack sum; a missing or damaged file is no
// pairs (they only save space).
func readPairs(gitDir string, sum plumbing.Hash) []deltaPair {
	b, err := os.ReadFile(pairsPath(gitDir, sum))
	if err != nil {
		return nil
	}
	pairs := make([]deltaPair, 0, len(b)/40)
	for ; len(b) >= 40; b = b[40:] {
		var pr deltaPair
		copy(pr.newer[:], b[:20])
		copy(pr.older[:], b[20:40])
		pairs = append(pairs, pr)
	}
	return pairs
}

// MaintainReport says what Maintain did.
type MaintainReport struct {
	Packs   int // packs before
	Merged  int // packs merged into one, 0 if none
	Objects int // objects written to the merged pack
	Deltas  int // of them, stored as deltas made from recorded pairs
	Dropped int // unreachable objects left out
}

// Maintain merges packs geometrically (see above). It is called after each
// commit notion-git publishes. A merge that fails leaves the packs as they
// were; one killed at any moment leaves a readable repository (the merged
// pack appears through a rename before any merged pack is removed).
func (r *Repo) Maintain() (MaintainReport, error) {
	return r.maintain(false)
}

// packInfo is one pack in the pack directory.
type packInfo struct {
	base  string // path without .pack or .idx
	sum   plumbing.Hash
	size  int64
	mtime time.Time
}

// listPacks lists the packs a merge may take: every pack with its index,
// except those git is told to keep (.keep), promisor packs and cruft packs
// (.mtimes), which are git's business.
func listPacks(dir string) ([]packInfo, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	var packs []packInfo
	for _, e := range entries {
		stem, ok := strings.CutSuffix(e.Name(), ".idx")
		if !ok || !strings.HasPrefix(stem, "pack-") || !names[stem+".pack"] ||
			names[stem+".keep"] || names[stem+".promisor"] || names[stem+".mtimes"] {
			continue
		}
		sum, err := hashOf(strings.TrimPrefix(stem, "pack-"))
		if err != nil {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, stem+".pack"))
		if err != nil {
			continue
		}
		packs = append(packs, packInfo{base: filepath.Join(dir, stem), sum: sum, size: fi.Size(), mtime: fi.ModTime()})
	}
	slices.SortStableFunc(packs, func(a, b packInfo) int {
		if a.size != b.size {
			if a.size < b.size {
				return -1
			}
			return 1
		}
		return strings.Compare(a.base, b.base)
	})
	return packs, nil
}

func hashOf(s string) (plumbing.Hash, error) {
	if len(s) != 40 || !isHex(s) {
		return plumbing.ZeroHash, errors.New("not a hash")
	}
	return plumbing.NewHash(s), nil
}

// geometricSplit returns how many of the smallest packs (sizes ascending)
// to merge, as git repack --geometric does: the largest packs that already
// form a progression of factor 2 stay, the packs below the first break are
// merged, and the merged pack takes in the next ones while it is not half
// their size. Zero means the packs already form a progression.
func geometricSplit(sizes []int64) int {
	n := len(sizes)
	if n < 2 {
		return 0
	}
	i := n - 1
	for ; i > 0; i-- {
		if sizes[i] < geometricFactor*sizes[i-1] {
			break
		}
	}
	if i == 0 {
		return 0
	}
	split := i + 1
	var total int64
	for _, s := range sizes[:split] {
		total += s
	}
	for split < n && sizes[split] < geometricFactor*total {
		total += sizes[split]
		split++
	}
	return split
}

// mergeSplit returns how many of the smallest packs (sizes ascending) to
// merge: geometricSplit's, or all of them once the rest reaches
// 1/fullMergeFraction of the largest.
func mergeSplit(sizes []int64) int {
	split, n := geometricSplit(sizes), len(sizes)
	if n >= 2 && split < n && fullMergeFraction*sum(sizes[:n-1]) >= sizes[n-1] {
		return n
	}
	return split
}

func sum(sizes []int64) int64 {
	var t int64
	for _, s := range sizes {
		t += s
	}
	return t
}

// maintain merges the packs geometricSplit picks, or with all every pack.
func (r *Repo) maintain(all bool) (MaintainReport, error) {
	var rep MaintainReport
	if err := r.flush(); err != nil {
		return rep, fmt.Errorf("pack maintenance: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	dir := filepath.Join(r.gitDir, "objects", "pack")
	packs, err := listPacks(dir)
	if err != nil {
		return rep, fmt.Errorf("pack maintenance: %w", err)
	}
	rep.Packs = len(packs)
	r.removeOrphanPairs(packs)
	sizes := make([]int64, len(packs))
	for i, p := range packs {
		sizes[i] = p.size
	}
	split := mergeSplit(sizes)
	if all {
		split = len(packs)
	}
	if split < 2 && !(all && split == 1) {
		return rep, nil
	}
	merge := packs[:split]
	// The merge opens its own copy of the indexes it reads; the one kept
	// for reads is dropped meanwhile (it is read again on next use).
	r.packs.reset()
	// Unreachable objects go only when everything is merged: a pack left
	// out could hold what makes them reachable (a commit of another
	// process), and dropping them is only worth a full walk then.
	m, err := r.mergePacks(merge, split == len(packs))
	if err != nil {
		return rep, fmt.Errorf("pack maintenance: %w", err)
	}
	rep.Merged, rep.Objects, rep.Deltas, rep.Dropped = len(merge), m.objects, m.deltas, m.dropped
	return rep, nil
}

// removeOrphanPairs removes the pair files of packs that no longer exist
// (merged by git, or a flush killed between the pairs and the pack).
func (r *Repo) removeOrphanPairs(packs []packInfo) {
	dir := filepath.Join(r.gitDir, filepath.FromSlash(pairsDir))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	have := map[string]bool{}
	for _, p := range packs {
		have["pack-"+p.sum.String()+".pairs"] = true
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".pairs") && !have[name] {
			if _, err := os.Stat(filepath.Join(r.gitDir, "objects", "pack", strings.TrimSuffix(name, ".pairs")+".pack")); errors.Is(err, fs.ErrNotExist) {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
}

// mergeObject is one object of a merge: where it is read from and how it is
// written. A merge holds one per object of the packs it merges, never their
// contents: 56 bytes each, with 4 more in the table by hash and a bit for
// the reachability walk, so that the first merge after a large workspace's
// first sync (some 280,000 objects) holds about 17 MB of them. The objects
// of each source pack are in the order of their offsets, so that where one
// ends is where the next begins, and the merged pack is written in that
// order too.
type mergeObject struct {
	hash     plumbing.Hash
	src      int32  // index into the merged packs
	base     int32  // the object it is stored as a delta against, -1 if whole
	crc      uint32 // of its bytes in the source pack; once written, in the merged one
	off      int64  // in the source pack
	newOff   int64  // in the merged pack
	hdrLen   int16
	height   uint16              // longest chain of deltas on it
	typ      plumbing.ObjectType // as stored
	realType plumbing.ObjectType
	flags    uint8
}

// The flags of a mergeObject.
const (
	mergeFresh   = 1 << iota // base is a recorded pair's: the delta is made now
	mergeResolve             // written whole from its resolved content
	mergeKeep                // written to the merged pack
	mergeDup                 // another copy of the same object is the one merged
	mergeYoung               // in a pack younger than pruneGrace
	mergeBusy                // of the writing walk: its base is being written
	mergeDone                // of the writing walk: written
)

func (o *mergeObject) has(f uint8) bool { return o.flags&f != 0 }

// merger holds the tables of one merge.
type merger struct {
	src    *packBlobs
	objs   []mergeObject
	byHash []int32 // objs by hash; of the copies of one object, the merged one first
}

// lookup returns the index of the copy of h the merge writes, or -1.
func (m *merger) lookup(h plumbing.Hash) int32 {
	k, found := slices.BinarySearchFunc(m.byHash, h, func(i int32, h plumbing.Hash) int {
		return bytes.Compare(m.objs[i].hash[:], h[:])
	})
	if !found {
		return -1
	}
	return m.byHash[k]
}

// end returns where object i's bytes end in its source pack: at the next
// object, or at the pack's trailer.
func (m *merger) end(i int32) int64 {
	if int(i)+1 < len(m.objs) && m.objs[i+1].src == m.objs[i].src {
		return m.objs[i+1].off
	}
	return m.src.packs[m.objs[i].src].size - 20
}

// readHeader parses the header of object i from its source pack.
func (m *merger) readHeader(i int32, buf []byte) (packEntry, error) {
	o := &m.objs[i]
	b := buf[:min(int64(len(buf)), m.end(i)-o.off)]
	if _, err := m.src.packs[o.src].f.ReadAt(b, o.off); err != nil {
		return packEntry{}, err
	}
	return parseEntry(b, o.off)
}

// read returns the content of object h: from the merged packs, or through
// go-git (a loose object, a kept pack's, a thin pack's delta).
func (m *merger) read(r *Repo, h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	if i := m.lookup(h); i >= 0 {
		o := &m.objs[i]
		typ, data, err := m.src.read(m.src.packs[o.src], o.off, m.end(i), 0)
		if err == nil {
			if got := plumbing.ComputeHash(typ, data); got != h {
				return 0, nil, fmt.Errorf("read %s: the pack holds %s at its offset", h, got)
			}
			return typ, data, nil
		}
		if !errors.Is(err, errPackUnsupported) {
			return 0, nil, fmt.Errorf("read %s: %w", h, err)
		}
	}
	obj, err := r.store.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return 0, nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return 0, nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	return obj.Type(), data, err
}

type mergeResult struct {
	objects, deltas, dropped int
}

// mergePacks writes the objects of packs as one pack and removes the packs
// it merged. With prune, packs holds every pack, and the objects no
// reference reaches are left out unless a pack younger than pruneGrace
// holds them.
func (r *Repo) mergePacks(packs []packInfo, prune bool) (mergeResult, error) {
	var res mergeResult
	src := &packBlobs{loaded: true}
	defer src.reset()
	total := 0
	for _, p := range packs {
		pf, err := openPackFile(p.base)
		if err != nil {
			return res, fmt.Errorf("read %s: %w", filepath.Base(p.base), err)
		}
		src.packs = append(src.packs, pf)
		total += len(pf.offs)
	}

	// Every copy of every object, pack by pack in the order of offsets.
	m := &merger{src: src, objs: make([]mergeObject, 0, total)}
	cutoff := time.Now().Add(-pruneGrace)
	hdr := make([]byte, 64)
	for pi, pf := range src.packs {
		name := filepath.Base(packs[pi].base)
		var young uint8
		if packs[pi].mtime.After(cutoff) {
			young = mergeYoung
		}
		start := len(m.objs)
		for k, off := range pf.offs {
			o := mergeObject{src: int32(pi), base: -1, off: off, crc: binary.BigEndian.Uint32(pf.crcs[k*4:]), flags: young}
			copy(o.hash[:], pf.hashes[k*20:])
			m.objs = append(m.objs, o)
		}
		seg := m.objs[start:]
		slices.SortFunc(seg, func(a, b mergeObject) int { return cmp.Compare(a.off, b.off) })
		for k := range seg {
			i := int32(start + k)
			o := &m.objs[i]
			if o.off < packHeaderSize || m.end(i) <= o.off {
				return res, fmt.Errorf("read %s: bad offset of %s", name, o.hash)
			}
			e, err := m.readHeader(i, hdr)
			if err != nil {
				return res, fmt.Errorf("read %s: %s: %w", name, o.hash, err)
			}
			o.hdrLen, o.typ = int16(e.hdrLen), e.typ
			if e.typ == plumbing.OFSDeltaObject {
				j, found := slices.BinarySearchFunc(seg, e.baseOff, func(x mergeObject, off int64) int { return cmp.Compare(x.off, off) })
				if !found {
					return res, fmt.Errorf("read %s: %s: a delta's base is at no object's offset", name, o.hash)
				}
				o.base = int32(start + j)
			}
		}
	}

	// Each object once: a copy stored whole wins over a delta, then the
	// first pack's. It is kept if any pack holding it is young.
	m.byHash = make([]int32, len(m.objs))
	for i := range m.byHash {
		m.byHash[i] = int32(i)
	}
	slices.SortFunc(m.byHash, func(a, b int32) int {
		oa, ob := &m.objs[a], &m.objs[b]
		if c := bytes.Compare(oa.hash[:], ob.hash[:]); c != 0 {
			return c
		}
		if da, db := isDelta(oa.typ), isDelta(ob.typ); da != db {
			if da {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	for k := 0; k < len(m.byHash); {
		first := &m.objs[m.byHash[k]]
		k++
		for ; k < len(m.byHash) && m.objs[m.byHash[k]].hash == first.hash; k++ {
			d := &m.objs[m.byHash[k]]
			d.flags |= mergeDup
			first.flags |= d.flags & mergeYoung
		}
	}

	// Bases, as the copies merged: a delta's base may be another pack's.
	for i := range m.objs {
		o := &m.objs[i]
		if o.has(mergeDup) {
			continue
		}
		switch o.typ {
		case plumbing.OFSDeltaObject:
			if b := &m.objs[o.base]; b.has(mergeDup) {
				o.base = m.lookup(b.hash)
			}
		case plumbing.REFDeltaObject:
			e, err := m.readHeader(int32(i), hdr)
			if err != nil {
				return res, err
			}
			if j := m.lookup(e.baseRef); j >= 0 {
				o.base = j
			} else {
				o.flags |= mergeResolve // a thin pack's delta: written whole
			}
		default:
			o.realType = o.typ
		}
	}
	// Each delta's type is its chain's root's.
	for i := range m.objs {
		if o := &m.objs[i]; o.realType == 0 && !o.has(mergeDup) {
			o.realType = rootType(m.objs, int32(i))
		}
	}

	// What is kept: everything, or the reachable, the young and every
	// base of what is kept.
	var live []uint64
	if prune {
		live = m.reachable(r)
	}
	for i := range m.objs {
		o := &m.objs[i]
		if !o.has(mergeDup) && (live == nil || live[i>>6]&(1<<(i&63)) != 0 || o.has(mergeYoung)) {
			o.flags |= mergeKeep
		}
	}
	live = nil
	for i := range m.objs {
		if !m.objs[i].has(mergeKeep) {
			continue
		}
		for j, steps := m.objs[i].base, 0; j >= 0 && !m.objs[j].has(mergeKeep) && steps < maxDeltaChain; j, steps = m.objs[j].base, steps+1 {
			m.objs[j].flags |= mergeKeep
		}
	}

	// Heights of the existing chains, then the recorded pairs.
	objs := m.objs
	for i := range objs {
		d := uint16(1)
		for j, steps := objs[i].base, 0; j >= 0 && steps < maxDeltaChain; j, steps = objs[j].base, steps+1 {
			objs[j].height = max(objs[j].height, d)
			d++
		}
	}
	var carry []deltaPair
	for _, p := range packs {
		for _, pr := range readPairs(r.gitDir, p.sum) {
			ni, oi := m.lookup(pr.newer), m.lookup(pr.older)
			nok, ook := ni >= 0, oi >= 0
			if nok != ook {
				// One side is in another pack: a later merge may hold both.
				if (nok && objs[ni].has(mergeKeep)) || (ook && objs[oi].has(mergeKeep)) {
					carry = append(carry, pr)
				}
				continue
			}
			if !nok || ni == oi {
				continue
			}
			n, o := &objs[ni], &objs[oi]
			if !n.has(mergeKeep) || !o.has(mergeKeep) || o.base >= 0 || o.has(mergeResolve) || isDelta(o.typ) || n.realType != o.realType ||
				(o.typ != plumbing.BlobObject && o.typ != plumbing.TreeObject) {
				continue
			}
			depth, cycle := chainDepth(objs, ni, oi)
			if cycle || depth+1+int(o.height) > maxDeltaDepth {
				continue
			}
			o.base = ni
			o.flags |= mergeFresh
			d := 1 + o.height
			for j := ni; j >= 0; j = objs[j].base {
				objs[j].height = max(objs[j].height, d)
				d++
			}
		}
	}

	count := 0
	for i := range objs {
		if objs[i].has(mergeKeep) {
			count++
		} else if !objs[i].has(mergeDup) {
			res.dropped++
		}
	}
	dir := filepath.Dir(packs[0].base)
	w, err := newPackWriter(dir, count)
	if err != nil {
		return res, err
	}
	defer w.abort()
	for i := range objs {
		if objs[i].has(mergeKeep) {
			if err := w.emit(r, m, int32(i), &res); err != nil {
				return res, err
			}
		}
	}
	sum, idxTmp, err := w.finish(m)
	if err != nil {
		return res, err
	}
	res.objects = count
	if err := r.fail(FailMergeTemp); err != nil {
		os.Remove(idxTmp)
		return res, err
	}

	// Into place: the pairs that may still serve, the pack, its index;
	// only then the merged packs go. Until then every object is in the
	// old packs, and from the index's rename on, also in the new one.
	newBase := filepath.Join(dir, "pack-"+sum.String())
	if err := writePairs(r.gitDir, sum, carry); err != nil {
		os.Remove(idxTmp)
		return res, err
	}
	if err := os.Rename(w.tmp, newBase+".pack"); err != nil {
		os.Remove(idxTmp)
		return res, err
	}
	w.tmp = ""
	if err := os.Rename(idxTmp, newBase+".idx"); err != nil {
		os.Remove(idxTmp)
		return res, err
	}
	if err := syncDir(dir); err != nil {
		return res, err
	}
	r.packs.reset()
	if s, ok := r.store.(interface{ Reindex() }); ok {
		s.Reindex()
	}
	if err := r.fail(FailMergeRenamed); err != nil {
		return res, err
	}
	var errs []error
	for _, p := range packs {
		if p.sum == sum {
			continue // the same objects merged again into the same pack
		}
		// The index first: git sees a pack through it.
		for _, ext := range []string{".idx", ".pack", ".rev", ".bitmap"} {
			if err := os.Remove(p.base + ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		os.Remove(pairsPath(r.gitDir, p.sum))
	}
	r.packs.reset()
	if s, ok := r.store.(interface{ Reindex() }); ok {
		s.Reindex()
	}
	return res, errors.Join(errs...)
}

func isDelta(t plumbing.ObjectType) bool {
	return t == plumbing.OFSDeltaObject || t == plumbing.REFDeltaObject
}

// rootType follows i's chain of bases to the object stored whole.
func rootType(objs []mergeObject, i int32) plumbing.ObjectType {
	for steps := 0; steps <= maxDeltaChain; steps++ {
		o := &objs[i]
		if o.base < 0 {
			if o.has(mergeResolve) {
				return 0 // known once resolved; no pair uses it
			}
			return o.typ
		}
		i = o.base
	}
	return 0
}

// chainDepth returns the number of deltas between n and its chain's root,
// and whether o is on that chain (making o a delta of n would close a loop:
// a file that went back to an earlier version).
func chainDepth(objs []mergeObject, n, o int32) (int, bool) {
	d := 0
	for j := n; j >= 0; j = objs[j].base {
		if j == o || d > maxDeltaChain {
			return d, true
		}
		if objs[j].base >= 0 {
			d++
		}
	}
	return d, false
}

// packWriter writes a merged pack to a temporary file.
type packWriter struct {
	dir   string
	tmp   string
	f     *os.File
	bw    *bufio.Writer
	sum   hashWriter
	off   int64
	count int
	raw   []byte
	zbuf  bytes.Buffer
	zw    *zlib.Writer
}

// hashWriter hashes what passes through it.
type hashWriter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func newPackWriter(dir string, count int) (*packWriter, error) {
	f, err := os.CreateTemp(dir, packTempPrefix)
	if err != nil {
		return nil, err
	}
	w := &packWriter{dir: dir, tmp: f.Name(), f: f, bw: bufio.NewWriterSize(f, 256<<10), count: count}
	w.sum.h = sha1.New()
	var hdr [packHeaderSize]byte
	copy(hdr[:], "PACK")
	binary.BigEndian.PutUint32(hdr[4:], 2)
	binary.BigEndian.PutUint32(hdr[8:], uint32(count))
	return w, w.write(hdr[:])
}

func (w *packWriter) write(b []byte) error {
	w.sum.h.Write(b)
	_, err := w.bw.Write(b)
	w.off += int64(len(b))
	return err
}

// abort removes the temporary pack unless it was renamed into place.
func (w *packWriter) abort() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
		w.tmp = ""
	}
}

// emit writes object i after its base, so that every OFS_DELTA points
// back. A loop of bases (two packs each holding one object as a delta of
// the other) is cut by writing the object that closes it whole.
func (w *packWriter) emit(r *Repo, m *merger, i int32, res *mergeResult) error {
	o := &m.objs[i]
	if o.has(mergeDone) {
		return nil
	}
	if o.base >= 0 {
		o.flags |= mergeBusy
		if m.objs[o.base].has(mergeBusy) {
			o.base = -1
			o.flags &^= mergeFresh | mergeResolve
			if isDelta(o.typ) {
				o.flags |= mergeResolve
			}
		} else if err := w.emit(r, m, o.base, res); err != nil {
			return err
		}
	}
	o.newOff = w.off
	crc := crc32.NewIEEE()
	put := func(b []byte) error {
		crc.Write(b)
		return w.write(b)
	}
	var err error
	switch {
	case o.has(mergeResolve):
		err = w.writeResolved(r, m, i, put)
	case o.has(mergeFresh):
		var made bool
		made, err = w.writeFresh(r, m, i, put)
		if made {
			res.deltas++
		}
	default:
		err = w.copyObject(m, i, put)
	}
	if err != nil {
		return fmt.Errorf("merge %s: %w", o.hash, err)
	}
	// The source's CRC has served (readRaw checks it before the copy); the
	// index of the merged pack wants the new bytes'.
	o.crc = crc.Sum32()
	o.flags = o.flags&^mergeBusy | mergeDone
	return nil
}

// readRaw reads object i's bytes in its source pack and checks them
// against the CRC its index records.
func (w *packWriter) readRaw(m *merger, i int32) ([]byte, error) {
	o := &m.objs[i]
	n := int(m.end(i) - o.off)
	if cap(w.raw) < n {
		w.raw = make([]byte, n)
	}
	raw := w.raw[:n]
	if _, err := m.src.packs[o.src].f.ReadAt(raw, o.off); err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(raw) != o.crc {
		return nil, errors.New("its bytes in the pack do not match the index's checksum")
	}
	return raw, nil
}

// copyObject copies object i as it is stored: a whole object byte for
// byte, a delta with its base's new distance in a new header.
func (w *packWriter) copyObject(m *merger, i int32, put func([]byte) error) error {
	o := &m.objs[i]
	raw, err := w.readRaw(m, i)
	if err != nil {
		return err
	}
	if o.base < 0 {
		return put(raw)
	}
	e, err := parseEntry(raw, o.off)
	if err != nil {
		return err
	}
	if err := put(ofsDeltaHeader(e.size, o.newOff-m.objs[o.base].newOff)); err != nil {
		return err
	}
	return put(raw[e.hdrLen:])
}

// ofsDeltaHeader is the header of an OFS_DELTA of size bytes whose base is
// rel bytes back.
func ofsDeltaHeader(size, rel int64) []byte {
	b := appendObjectHeader(nil, plumbing.OFSDeltaObject, size)
	var tmp [10]byte
	i := len(tmp) - 1
	tmp[i] = byte(rel & 0x7f)
	for rel >>= 7; rel != 0; rel >>= 7 {
		rel--
		i--
		tmp[i] = 0x80 | byte(rel&0x7f)
	}
	return append(b, tmp[i:]...)
}

func (w *packWriter) compress(data []byte) ([]byte, error) {
	w.zbuf.Reset()
	if w.zw == nil {
		w.zw = zlib.NewWriter(&w.zbuf)
	} else {
		w.zw.Reset(&w.zbuf)
	}
	if _, err := w.zw.Write(data); err != nil {
		return nil, err
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	return w.zbuf.Bytes(), nil
}

// writeResolved writes object i whole from its content.
func (w *packWriter) writeResolved(r *Repo, m *merger, i int32, put func([]byte) error) error {
	typ, data, err := m.read(r, m.objs[i].hash)
	if err != nil {
		return err
	}
	z, err := w.compress(data)
	if err != nil {
		return err
	}
	if err := put(appendObjectHeader(nil, typ, int64(len(data)))); err != nil {
		return err
	}
	return put(z)
}

// writeFresh writes object i, stored whole in its pack, as a delta against
// its newer version when that is smaller, and whole as it was otherwise.
func (w *packWriter) writeFresh(r *Repo, m *merger, i int32, put func([]byte) error) (bool, error) {
	o := &m.objs[i]
	_, older, err := m.read(r, o.hash)
	if err != nil {
		return false, err
	}
	_, newer, err := m.read(r, m.objs[o.base].hash)
	if err != nil {
		return false, err
	}
	if len(newer) > 0 && len(older) > 0 {
		delta := packfile.DiffDelta(newer, older)
		// A wrong delta would lose a version for good: check it.
		if back, err := applyDelta(newer, delta); err == nil && bytes.Equal(back, older) {
			z, err := w.compress(delta)
			if err != nil {
				return false, err
			}
			hdr := ofsDeltaHeader(int64(len(delta)), o.newOff-m.objs[o.base].newOff)
			if int64(len(hdr)+len(z)) < m.end(i)-o.off {
				if err := put(hdr); err != nil {
					return false, err
				}
				return true, put(z)
			}
		}
	}
	o.base = -1
	o.flags &^= mergeFresh
	raw, err := w.readRaw(m, i)
	if err != nil {
		return false, err
	}
	return false, put(raw)
}

// finish writes the trailer and the index, both synced, and returns the
// pack's checksum and the index's temporary name; the pack's stays in w.tmp.
func (w *packWriter) finish(m *merger) (plumbing.Hash, string, error) {
	var sum plumbing.Hash
	copy(sum[:], w.sum.h.Sum(nil))
	if _, err := w.bw.Write(sum[:]); err != nil {
		return sum, "", err
	}
	err := w.bw.Flush()
	if err == nil {
		err = w.f.Chmod(0o444)
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		return sum, "", err
	}
	idxTmp, err := writeTemp(w.dir, indexTempPrefix, func(iw io.Writer) error {
		return writeMergedIndex(iw, m, sum)
	})
	return sum, idxTmp, err
}

// idxLargeOffset is the largest offset a pack index of version 2 stores in
// its table of 32-bit offsets; beyond it, the offset goes to the table of
// 64-bit ones. Tests lower it to write that table without a 2 GiB pack.
var idxLargeOffset int64 = 0x7fffffff

// writeMergedIndex writes the index (version 2) of the merged pack straight
// from the merge's tables, in their order by hash: fan-out, names, CRCs,
// offsets, large offsets, the pack's checksum and its own. go-git's index
// writer would copy every entry twice more.
func writeMergedIndex(out io.Writer, m *merger, packSum plumbing.Hash) error {
	h := sha1.New()
	bw := bufio.NewWriterSize(io.MultiWriter(out, h), 64<<10)
	kept := func(yield func(*mergeObject) bool) {
		for _, i := range m.byHash {
			if o := &m.objs[i]; o.has(mergeKeep) && !yield(o) {
				return
			}
		}
	}
	var b [8]byte
	put32 := func(v uint32) {
		binary.BigEndian.PutUint32(b[:4], v)
		bw.Write(b[:4])
	}
	bw.WriteString("\xfftOc")
	put32(2)
	var fanout [256]uint32
	for o := range kept {
		fanout[o.hash[0]]++
	}
	var n uint32
	for _, c := range fanout {
		n += c
		put32(n)
	}
	for o := range kept {
		bw.Write(o.hash[:])
	}
	for o := range kept {
		put32(o.crc)
	}
	var large uint32
	for o := range kept {
		if o.newOff > idxLargeOffset {
			put32(0x80000000 | large)
			large++
		} else {
			put32(uint32(o.newOff))
		}
	}
	for o := range kept {
		if o.newOff > idxLargeOffset {
			binary.BigEndian.PutUint64(b[:], uint64(o.newOff))
			bw.Write(b[:])
		}
	}
	bw.Write(packSum[:])
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := out.Write(h.Sum(nil))
	return err
}

// refRoots returns the objects the repository's references name: HEAD and
// the other *HEAD files, every ref loose or packed (branches, tags,
// notion-git's checkpoints under refs/notion-git/), the reflogs and linked
// worktrees' HEADs, as git gc keeps them.
func (r *Repo) refRoots() []plumbing.Hash {
	var roots []plumbing.Hash
	addFile := func(p string) {
		b, err := os.ReadFile(p)
		if err != nil {
			return
		}
		roots = append(roots, hexHashes(b)...)
	}
	if tops, err := os.ReadDir(r.gitDir); err == nil {
		for _, e := range tops {
			if !e.IsDir() && strings.HasSuffix(e.Name(), "HEAD") {
				addFile(filepath.Join(r.gitDir, e.Name()))
			}
		}
	}
	addFile(filepath.Join(r.gitDir, packedRefsFile))
	for _, d := range []string{"refs", "logs"} {
		filepath.WalkDir(filepath.Join(r.gitDir, d), func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				addFile(p)
			}
			return nil
		})
	}
	if wts, err := filepath.Glob(filepath.Join(r.gitDir, "worktrees", "*", "HEAD")); err == nil {
		for _, p := range wts {
			addFile(p)
		}
	}
	return roots
}

// reachable returns a bit for each of the merge's objects (by index into
// objs, on the copy merged), set for those reachable from the references
// (refRoots). It reads commits and trees only. It returns nil, and nothing
// is dropped, if any object on the way cannot be read: a repository missing
// objects is not one to remove more from.
func (m *merger) reachable(r *Repo) []uint64 {
	live := make([]uint64, (len(m.objs)+63)/64)
	// Reachable objects outside the merged packs: loose ones, a kept
	// pack's. Few.
	other := make(map[plumbing.Hash]struct{})
	mark := func(h plumbing.Hash) bool { // whether h is seen for the first time
		if i := m.lookup(h); i >= 0 {
			w, bit := i>>6, uint64(1)<<(i&63)
			if live[w]&bit != 0 {
				return false
			}
			live[w] |= bit
			return true
		}
		if _, ok := other[h]; ok {
			return false
		}
		other[h] = struct{}{}
		return true
	}
	type item struct {
		h    plumbing.Hash
		tree bool // known to be a tree; otherwise read to learn its type
	}
	var stack []item
	push := func(h plumbing.Hash, tree bool) {
		if mark(h) {
			stack = append(stack, item{h: h, tree: tree})
		}
	}
	for _, h := range r.refRoots() {
		if !h.IsZero() {
			push(h, false)
		}
	}
	blobs, trees, ok := r.indexRoots()
	if !ok {
		return nil
	}
	for _, h := range blobs {
		mark(h)
	}
	for _, h := range trees {
		push(h, true)
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.h == emptyTree {
			continue
		}
		typ, data, err := m.read(r, it.h)
		if err != nil {
			return nil
		}
		switch typ {
		case plumbing.CommitObject, plumbing.TagObject:
			for _, line := range strings.Split(string(data), "\n") {
				if line == "" {
					break // the headers end at the first empty line
				}
				k, v, _ := strings.Cut(line, " ")
				if len(v) == 40 && isHex(v) && (k == "tree" || k == "parent" || k == "object") {
					push(plumbing.NewHash(v), k == "tree")
				}
			}
		case plumbing.TreeObject:
			for b := data; len(b) > 0; {
				sp := bytes.IndexByte(b, ' ')
				nul := bytes.IndexByte(b, 0)
				if sp < 0 || nul < sp || nul+21 > len(b) {
					return nil
				}
				mode := string(b[:sp])
				var h plumbing.Hash
				copy(h[:], b[nul+1:nul+21])
				b = b[nul+21:]
				switch mode {
				case "40000":
					push(h, true)
				case "160000": // a submodule's commit lives in another repository
				default:
					mark(h) // a blob: never read
				}
			}
		}
	}
	return live
}

// hexHashes returns the 40-digit hex words of b, every one a possible root:
// keeping an object for a word that only looks like a hash costs nothing.
func hexHashes(b []byte) []plumbing.Hash {
	var hs []plumbing.Hash
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && isHexByte(b[j]) {
			j++
		}
		if j-i == 40 {
			hs = append(hs, plumbing.NewHash(strings.ToLower(string(b[i:j]))))
		}
		i = j + 1
	}
	return hs
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// indexRoots returns the objects the index files name: the blob of every
// entry and the trees of the cache-tree extension, of .git/index, the
// linked worktrees' indexes and every shared index of a split one. git gc
// keeps them (a file staged with git add is in no commit until the next),
// and so must a merge that drops what nothing references. ok is false when
// an index cannot be parsed: then nothing is dropped.
func (r *Repo) indexRoots() (blobs, trees []plumbing.Hash, ok bool) {
	paths := []string{filepath.Join(r.gitDir, "index")}
	for _, pattern := range []string{filepath.Join(r.gitDir, "worktrees", "*", "index"), filepath.Join(r.gitDir, sharedIndexPrefix+"*")} {
		more, _ := filepath.Glob(pattern)
		paths = append(paths, more...)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, false
		}
		bs, ts, err := indexObjects(b)
		if err != nil {
			return nil, nil, false
		}
		blobs, trees = append(blobs, bs...), append(trees, ts...)
	}
	return blobs, trees, true
}

// indexObjects lists the entries' objects and the cache-tree's trees of an
// index file of version 2, 3 or 4 (gitformat-index). It reads no more than
// that: names are skipped, other extensions ignored.
func indexObjects(b []byte) (blobs, trees []plumbing.Hash, err error) {
	bad := errors.New("unreadable index")
	if len(b) < indexHeaderSize+indexChecksumSize || string(b[:4]) != "DIRC" {
		return nil, nil, bad
	}
	body := b[:len(b)-indexChecksumSize]
	version := binary.BigEndian.Uint32(body[4:])
	if version < 2 || version > 4 {
		return nil, nil, bad
	}
	n := int(binary.BigEndian.Uint32(body[8:]))
	off := indexHeaderSize
	for range n {
		if off+entryFixedSize > len(body) {
			return nil, nil, bad
		}
		var h plumbing.Hash
		copy(h[:], body[off+40:off+60])
		blobs = append(blobs, h)
		flags := binary.BigEndian.Uint16(body[off+entryFlagsOffset:])
		p := off + entryFixedSize
		if flags&entryExtendedFlag != 0 {
			p += 2
		}
		if version == 4 {
			for p < len(body) && body[p]&0x80 != 0 { // the varint of the prefix to strip
				p++
			}
			p++
		}
		if p > len(body) {
			return nil, nil, bad
		}
		nul := bytes.IndexByte(body[p:], 0)
		if nul < 0 {
			return nil, nil, bad
		}
		if version == 4 {
			off = p + nul + 1
		} else {
			off += (p - off + nul + 8) &^ 7
		}
	}
	for off+extensionHeaderLen <= len(body) {
		size := int(binary.BigEndian.Uint32(body[off+4:]))
		if size > len(body)-off-extensionHeaderLen {
			return nil, nil, bad
		}
		ext := body[off+extensionHeaderLen : off+extensionHeaderLen+size]
		if string(body[off:off+4]) == "TREE" {
			// path NUL, entry count, space, subtree count, newline, then
			// the tree's hash unless the count is -1 (invalidated).
			for len(ext) > 0 {
				nul := bytes.IndexByte(ext, 0)
				if nul < 0 {
					return nil, nil, bad
				}
				nl := bytes.IndexByte(ext[nul:], '\n')
				if nl < 0 {
					return nil, nil, bad
				}
				nl += nul
				valid := !bytes.HasPrefix(ext[nul+1:], []byte("-"))
				ext = ext[nl+1:]
				if valid {
					if len(ext) < 20 {
						return nil, nil, bad
					}
					var h plumbing.Hash
					copy(h[:], ext[:20])
					trees = append(trees, h)
					ext = ext[20:]
				}
			}
		}
		off += extensionHeaderLen + size
	}
	return blobs, trees, nil
}
