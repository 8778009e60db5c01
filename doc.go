// Package notiongit is the root of notion-git, which keeps a Notion workspace
// under version control: sync crawls the workspace into a canonical git
// layout, restore replays a commit into a Notion page.
package notiongit
