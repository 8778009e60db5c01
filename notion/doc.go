// Package notion is the one client through which notion-git talks to the
// Notion API. Every request, from every part of the program, passes through a
// single Pacer that keeps the total at the integration's budget and retries
// what Notion asks to be retried.
//
// Responses come back as the bytes Notion sent, and requests go out as raw
// JSON at API version 2025-09-03 (DefaultVersion). The layout stores the
// API's own JSON, so nothing here decodes a response into a typed struct and
// encodes it again: a field or block type this code has never heard of
// survives untouched.
//
// github.com/jomei/notionapi serves in two places, both read-only checks
// that cannot lose data:
//
//   - Error bodies: decodeError reads status, code and message through
//     notionapi.Error and tells an error body by notionapi.ObjectTypeError.
//     notionapi has no constants for the codes; the ones this package tests
//     ("object_not_found", "restricted_resource") are written here.
//   - Scope filters: exporter checks the query filters of a repository's
//     scope file against notionapi's filter condition types before any
//     request is made, and then sends the file's own bytes.
//
// It cannot serve on the wire. Its client defaults to Notion-Version
// 2022-06-28 and its types model that version, which has no data_sources
// endpoints and cannot read databases with several data sources. Its block
// decoder turns a block type it does not know into an empty UnsupportedBlock,
// and its filter types lack kinds and values Notion has added since
// (verification, this_week, lists of options), so neither its responses nor
// its re-encoded requests are used.
package notion
