// Package exporter crawls a Notion workspace into the layout: a cheap
// listing pass finds what changed since the last sync, only that is crawled,
// and everything else is carried over from the previous snapshot without a
// request. It talks to Notion only through package notion and writes only
// through the Sink it is given; it knows nothing of git.
package exporter
