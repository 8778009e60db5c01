package exporter

import "strings"

// MemoryTree is a Sink that keeps the snapshot in memory, path to bytes:
// for a sync that is compared rather than committed (restore --verify) and
// for tests. layout.MapSource(tree) reads it back.
type MemoryTree map[string][]byte

// Put stores a file.
func (m MemoryTree) Put(path string, data []byte) error { m[path] = data; return nil }

// Delete removes a file.
func (m MemoryTree) Delete(path string) error { delete(m, path); return nil }

// DeleteDir removes every file below dir.
func (m MemoryTree) DeleteDir(dir string) error {
	for p := range m {
		if strings.HasPrefix(p, dir+"/") {
			delete(m, p)
		}
	}
	return nil
}

var _ Sink = MemoryTree(nil)
