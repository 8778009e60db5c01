// Package notion is the one client through which notion-git talks to the
// Notion API. Every request, from every part of the program, passes through a
// single Pacer that keeps the total at the integration's budget and retries
// what Notion asks to be retried.
//
// Responses come back as the bytes Notion sent. The layout stores the API's own
// JSON, so nothing here decodes a response into a typed struct and encodes it
// again: a field or block type this code has never heard of survives untouched.
//
// github.com/jomei/notionapi is used only where it cannot lose data: its Error
// type decodes error bodies (status, code, message) and its ObjectType names
// are shared with the rest of the program. Its own client is not used on the
// wire because it pins Notion-Version 2022-06-28, which cannot read databases
// with several data sources, and because its block decoder turns block types it
// does not know into empty structs.
package notion
