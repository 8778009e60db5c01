// Package review says what changed in a Notion workspace between two
// snapshots of a notion-git repository, in Notion's terms rather than
// git's: pages added, removed, renamed, moved and edited, with their titles
// and parents; the schemas of databases and data sources; the Markdown of
// each page as diff hunks. It also walks the sync history (Log), counts
// what one snapshot holds (Summarize), words a comparison for a commit
// message (Describe), tells a snapshot this build reads from any other
// commit (CheckSnapshot), and owns the trailers that a sync writes into its
// commit message (Trailers).
//
// Everything is returned as data, for whoever prints it: the diff, log and
// show commands, a commit message, the summary of a scheduled job. Commits
// are read through package gitrepo and files through package layout; only
// the folders that differ between two commits are read, so the cost of a
// comparison follows the change, not the workspace.
package review
