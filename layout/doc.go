// Package layout turns Notion objects into the canonical files of a
// notion-git repository and back: bytes in, bytes out, no network, no git.
// FORMAT.md in this directory is the exact format; keep it true.
package layout
