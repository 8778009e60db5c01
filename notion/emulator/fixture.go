package emulator

// Fixture is a whole workspace written as Notion objects in the API's own JSON
// form (API version 2025-09-03). The generator makes one, hand-written fixtures
// under testdata/ are one, and a Server loads one. Objects are generic JSON
// values (numbers as json.Number) so that a field the emulator does not know is
// served back exactly as it was given.
type Fixture struct {
	// Bot is the integration's own bot user, the answer to GET users/me.
	Bot map[string]any `json:"bot"`
	// Users are the workspace's members: people and bots.
	Users []map[string]any `json:"users"`
	// Shared lists the ids of the pages and databases shared with the
	// integration. They and everything below them are readable; anything
	// else answers 404 object_not_found.
	Shared []string `json:"shared"`
	// Pages are page objects, database rows included (parent data_source_id).
	// A property value may hold more than 25 references: the server truncates
	// it on read and serves the rest through the property item endpoint.
	Pages []map[string]any `json:"pages"`
	// Databases are database containers; their "data_sources" list names
	// entries of DataSources, which carry the schema in "properties".
	Databases   []map[string]any `json:"databases"`
	DataSources []map[string]any `json:"data_sources"`
	// Blocks are block objects. Blocks that share a parent are in child order:
	// their order here is the order GET blocks/{id}/children returns them in.
	// has_children is computed by the server.
	Blocks []map[string]any `json:"blocks"`
	// Comments are comment objects (parent page_id or block_id).
	Comments []map[string]any `json:"comments"`
	// Views are view objects (parent database_id), in tab order within
	// each database. A database without views here has none.
	Views []map[string]any `json:"views,omitempty"`
	// Files holds the bytes of Notion-hosted files. A file object of type
	// "file" whose url is "fixture:NAME" refers to Files[NAME]; the server
	// replaces it with a fresh signed URL on every read.
	Files map[string][]byte `json:"files"`
}
