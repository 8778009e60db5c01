// Package review says what changed in a Notion workspace between snapshots
// of a notion-git repository, in Notion's terms rather than git's. It owns
// the trailers that a sync writes into its commit message (Trailers), so
// that what writes them and what reads them agree.
package review
