package workspace

import (
	"github.com/notion-git/notion-git/notion/emulator"
)

// Sample is the demo workspace of `notion-git sync --demo`: small enough to
// read, titled like a real team's workspace, and holding every block type,
// property type and reference kind.
func Sample() *emulator.Fixture {
	o := Options{
		Seed:                   2025,
		Pages:                  16,
		MaxDepth:               3,
		BlocksPerPage:          12,
		Databases:              3,
		DataSourcesPerDatabase: 2,
		RowsPerDataSource:      4,
		Comments:               8,
		Attachments:            10,
		Users:                  30, // a people property with more than 25 members
		UnknownBlockTypes:      true,
		Views:                  true,
	}
	g := newGen(o, nil)
	g.names.roots = []string{"Engineering Handbook", "Meeting notes", "Product", "Company Wiki"}
	g.names.databases = []string{"Roadmap", "Tasks", "Reading list"}
	g.names.workspaceName = "Acme Demo"
	g.run()
	return g.f
}

// EmptyTargetID is the id of the one page of Empty: the page a restore
// writes into.
const EmptyTargetID = "0e3f9a52-7c4b-4d1e-9a86-5b2f1c0d7e41"

// Empty is a workspace with nothing in it but one shared, empty page titled
// title (id EmptyTargetID), the bot and one person: the target of a restore.
func Empty(title string) *emulator.Fixture {
	const (
		botID    = "5b0e8f6a-2d4c-4e7b-8a19-c3d2e1f0a9b8"
		personID = "a7c3e9d1-4f2b-4a6c-8e5d-1b9f0c2d3e4a"
		created  = "2025-01-06T09:00:00.000Z"
	)
	bot := map[string]any{
		"object": "user", "id": botID, "type": "bot", "name": "notion-git", "avatar_url": nil,
		"bot": map[string]any{
			"owner": map[string]any{"type": "workspace", "workspace": true}, "workspace_name": "Restore target",
			"workspace_id":     "6d2a4f8e-1b3c-4e5d-9f7a-0c8b2e4d6f1a",
			"workspace_limits": map[string]any{"max_file_upload_size_in_bytes": num(5 << 20)},
		},
	}
	person := &user{id: personID, name: "Ada Lovelace", email: "ada@example.com"}
	page := map[string]any{
		"object": "page", "id": EmptyTargetID,
		"created_time": created, "last_edited_time": created,
		"created_by": userRef(personID), "last_edited_by": userRef(personID),
		"cover": nil, "icon": nil,
		"parent":   map[string]any{"type": "workspace", "workspace": true},
		"in_trash": false, "archived": false, "is_archived": false, "is_locked": false,
		"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": plain(title)}},
		"url":        notionURL(title, EmptyTargetID), "public_url": nil,
	}
	return &emulator.Fixture{
		Bot:         bot,
		Users:       []map[string]any{person.full(), cloneJSON(bot).(map[string]any)},
		Shared:      []string{EmptyTargetID},
		Pages:       []map[string]any{page},
		Databases:   []map[string]any{},
		DataSources: []map[string]any{},
		Blocks:      []map[string]any{},
		Comments:    []map[string]any{},
		Files:       map[string][]byte{},
	}
}
