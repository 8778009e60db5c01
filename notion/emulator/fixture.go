package emulator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

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

// CheckIDs reports the first id in f that is not a UUID in the form Notion
// answers with (8-4-4-4-12 lowercase hex digits), naming the field that holds
// it, such as `pages[2].parent.page_id`. Requests may spell ids without
// dashes, but answers never do, and the server looks objects up by the
// dashed form: an undashed id in a fixture is an object nobody can read.
//
// Checked are every object's own id, the shared list, every *_id field that
// names an object (parent, synced_from, relation schemas, discussions), and
// the id of every object reference: users, mentions of pages, databases and
// users, relation values, a database's data_sources and custom emoji.
// Property, option and group ids are Notion's short strings and are not UUIDs.
func (f *Fixture) CheckIDs() error {
	if err := checkIDsIn(f.Bot, "bot", true); err != nil {
		return err
	}
	for i, id := range f.Shared {
		if !isDashedUUID(id) {
			return badID(fmt.Sprintf("shared[%d]", i), id)
		}
	}
	for _, list := range []struct {
		name string
		objs []map[string]any
	}{
		{"users", f.Users}, {"pages", f.Pages}, {"databases", f.Databases},
		{"data_sources", f.DataSources}, {"blocks", f.Blocks}, {"comments", f.Comments},
	} {
		for i, o := range list.objs {
			if err := checkIDsIn(o, fmt.Sprintf("%s[%d]", list.name, i), true); err != nil {
				return err
			}
		}
	}
	return nil
}

// objectIDFields are fields whose string value is always an object's id.
var objectIDFields = map[string]bool{
	"page_id": true, "block_id": true, "database_id": true, "data_source_id": true,
	"discussion_id": true, "workspace_id": true,
}

// refHolders are the keys under which an object, or an array of objects,
// is a reference whose "id" is an object's id.
var refHolders = map[string]bool{
	"page": true, "database": true, "user": true, "custom_emoji": true, "file_upload": true,
	"relation": true, "people": true, "data_sources": true, "created_by": true, "last_edited_by": true,
	"owner": true,
}

// entityObjects are the "object" values of Notion's objects, whose "id" is
// always an object's id.
var entityObjects = map[string]bool{
	"user": true, "page": true, "database": true, "block": true, "data_source": true,
	"comment": true, "file_upload": true,
}

func checkIDsIn(v any, path string, isRef bool) error {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v["id"]; ok && (isRef || entityObjects[str(v["object"])]) {
			if s, _ := id.(string); !isDashedUUID(s) {
				return badID(path+".id", id)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := path + "." + k
			if objectIDFields[k] {
				if s, ok := v[k].(string); ok && !isDashedUUID(s) {
					return badID(p, s)
				}
			}
			// Property names are anyone's choice: a property called "owner"
			// holds no reference.
			ref := refHolders[k] && !strings.HasSuffix(path, ".properties")
			if err := checkIDsIn(v[k], p, ref); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if err := checkIDsIn(x, fmt.Sprintf("%s[%d]", path, i), isRef); err != nil {
				return err
			}
		}
	}
	return nil
}

func badID(path string, id any) error {
	return fmt.Errorf("%s: %q is not an id as Notion writes it (8-4-4-4-12 lowercase hex digits, dashed)", path, fmt.Sprint(id))
}
