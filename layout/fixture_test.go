package layout

import "testing"

// Ids of the sample workspace.
const (
	rootID    = "393abc1e-edcd-80f3-813b-e205934558c6"
	pageID    = "393abc1e-edcd-81f5-ae94-ec2d55fe98ed"
	dbID      = "e234cdc8-4ad2-4371-a97e-999a238bf8f5"
	dsID      = "b71e1213-3d03-46cb-b9c2-db9856a9f42d"
	rowID     = "393abc1e-edcd-8137-bc49-ee507c3c70c6"
	botID     = "7775f3a3-893f-43fa-b625-460c61094c78"
	personID  = "a4f789cc-7bc8-4cf0-82b9-a8ba7d985ecf"
	commentID = "393abc1e-edcd-813d-93f2-001d4a22f5de"
	imageSHA  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	attachSHA = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
)

// Block ids of the sample page: b(n) is block n.
func b(n int) string {
	return "393abc1e-edcd-8100-8000-0000000000" + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// mustDecode decodes a JSON literal of the test, failing the test on error.
func mustDecode(t testing.TB, s string) Object {
	t.Helper()
	obj, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("decode fixture: %v\n%s", err, s)
	}
	return obj
}

// rich is a rich text array with one plain text item.
func rich(s string) string {
	return `[{"type":"text","text":{"content":` + quote(s) + `,"link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":` + quote(s) + `,"href":null}]`
}

// quote writes s as a JSON string (fixture text has no quotes or backslashes).
func quote(s string) string { return `"` + s + `"` }

// blockJSON is a block object of the given type and body under parent.
func blockJSON(id, parentType, parentID, typ, body string, hasChildren bool) string {
	hc := "false"
	if hasChildren {
		hc = "true"
	}
	return `{"object":"block","id":"` + id + `","parent":{"type":"` + parentType + `","` + parentType + `":"` + parentID + `"},
	"created_time":"2026-07-04T09:08:00.000Z","last_edited_time":"2026-07-04T09:08:00.000Z",
	"created_by":{"object":"user","id":"` + botID + `"},"last_edited_by":{"object":"user","id":"` + botID + `"},
	"has_children":` + hc + `,"in_trash":false,"archived":false,"type":"` + typ + `","` + typ + `":` + body + `,"request_id":"r-` + id + `"}`
}

// sampleSnapshot builds a small workspace covering what the layout must
// keep: many block types, an unknown future block type, a Notion-hosted
// image with a signed URL, a comment with an attachment, a database with a
// data source and a row with properties.
func sampleSnapshot(t testing.TB) *Snapshot {
	t.Helper()
	s := NewSnapshot(Meta{
		FormatVersion: FormatVersion,
		APIVersion:    APIVersion,
		Bot:           mustDecode(t, `{"object":"user","id":"`+botID+`","name":"notion-git","avatar_url":null,"type":"bot","bot":{"owner":{"type":"workspace","workspace":true},"workspace_name":"Acme","workspace_id":"231674b6-2cc1-46bc-b742-c5c9fe4b9c73"}}`),
		WorkspaceName: "Acme",
	})
	signed := "https://prod-files-secure.s3.us-west-2.amazonaws.com/231674b6/0a1b/photo.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=abc123"

	root := &Page{ID: rootID, Blocks: map[string]*Block{}, Children: []string{b(1), b(2), b(3), b(6), b(7), b(8), b(9), pageID, b(11), b(14), dbID}}
	root.Object = mustDecode(t, `{"object":"page","id":"`+rootID+`","created_time":"2026-07-04T09:08:00.000Z","last_edited_time":"2026-07-04T09:08:00.000Z",
		"created_by":{"object":"user","id":"`+botID+`"},"last_edited_by":{"object":"user","id":"`+botID+`"},
		"cover":{"type":"external","external":{"url":"https://images.example.com/cover.jpg?w=1200"}},"icon":{"type":"emoji","emoji":"📘"},
		"parent":{"type":"workspace","workspace":true},"in_trash":false,"is_archived":false,"is_locked":false,
		"properties":{"title":{"id":"title","type":"title","title":`+rich("Handbook <draft> & notes")+`}},
		"url":"https://app.notion.com/p/Handbook-393abc1eedcd80f3813be205934558c6","public_url":null,"archived":false,"request_id":"71facefc"}`)
	add := func(id, typ, body string, children ...string) {
		parentType, parentID := "page_id", rootID
		for pid, blk := range root.Blocks {
			for _, c := range blk.Children {
				if c == id {
					parentType, parentID = "block_id", pid
				}
			}
		}
		root.Blocks[id] = &Block{ID: id, Children: children, Object: mustDecode(t, blockJSON(id, parentType, parentID, typ, body, len(children) > 0))}
	}
	// Children first, so add finds their parents.
	add(b(4), "bulleted_list_item", `{"rich_text":`+rich("nested item")+`,"color":"default"}`)
	add(b(5), "to_do", `{"rich_text":`+rich("write tests")+`,"checked":true,"color":"default"}`)
	add(b(12), "table_row", `{"cells":[`+rich("Name")+`,`+rich("Value | pipe")+`]}`)
	add(b(13), "table_row", `{"cells":[`+rich("answer")+`,`+rich("42")+`]}`)
	add(b(1), "heading_1", `{"rich_text":`+rich("Welcome")+`,"is_toggleable":false,"color":"default"}`)
	add(b(2), "paragraph", `{"rich_text":[
		{"type":"text","text":{"content":"Read ","link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"Read ","href":null},
		{"type":"text","text":{"content":"this ","link":null},"annotations":{"bold":true,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"this ","href":null},
		{"type":"text","text":{"content":"guide","link":{"url":"https://example.com/guide"}},"annotations":{"bold":false,"italic":true,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"guide","href":"https://example.com/guide"},
		{"type":"text","text":{"content":" with ","link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":" with ","href":null},
		{"type":"text","text":{"content":"go test","link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":true,"color":"default"},"plain_text":"go test","href":null},
		{"type":"text","text":{"content":" and ask ","link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":" and ask ","href":null},
		{"type":"mention","mention":{"type":"user","user":{"object":"user","id":"`+personID+`"}},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"@Ada","href":null},
		{"type":"text","text":{"content":", see ","link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":", see ","href":null},
		{"type":"mention","mention":{"type":"page","page":{"id":"`+pageID+`"}},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"Child page","href":"https://www.notion.so/`+pageID+`"},
		{"type":"equation","equation":{"expression":"e^{i\\pi}+1=0"},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"e^{i\\pi}+1=0","href":null}
	],"color":"default"}`)
	add(b(3), "bulleted_list_item", `{"rich_text":`+rich("first")+`,"color":"default"}`, b(4))
	add(b(6), "numbered_list_item", `{"rich_text":`+rich("step one")+`,"color":"default"}`, b(5))
	add(b(7), "code", `{"caption":[],"rich_text":`+rich("fmt.Println(1)")+`,"language":"go"}`)
	add(b(8), "image", `{"caption":`+rich("A photo")+`,"type":"file","file":{"url":"`+signed+`","expiry_time":"2026-07-04T10:08:00.000Z"}}`)
	add(b(9), "ai_summary", `{"model":"future-1","score":1.50,"big":12345678901234567890,"nested":{"z":[1,2.0,{"y":null}],"a":"<b>&</b>"}}`)
	add(pageID, "child_page", `{"title":"Child page"}`)
	add(b(11), "table", `{"table_width":2,"has_column_header":true,"has_row_header":false}`, b(12), b(13))
	add(b(14), "callout", `{"rich_text":`+rich("Careful")+`,"icon":{"type":"emoji","emoji":"⚠️"},"color":"gray_background"}`)
	add(dbID, "child_database", `{"title":"Tasks"}`)
	root.Blocks[b(8)].Extra.Files = map[string]FileInfo{"/image/file": {SHA256: imageSHA, Size: 4}}
	root.Comments = []*Comment{{ID: commentID, Object: mustDecode(t, `{"object":"comment","id":"`+commentID+`",
		"parent":{"type":"page_id","page_id":"`+rootID+`"},"discussion_id":"393abc1e-edcd-81c5-9286-001c039f0a74",
		"created_time":"2026-07-04T09:11:00.000Z","last_edited_time":"2026-07-04T09:11:00.000Z",
		"created_by":{"object":"user","id":"`+botID+`"},"rich_text":`+rich("This is a test comment.")+`,
		"attachments":[{"category":"pdf","file":{"url":"https://prod-files-secure.s3.us-west-2.amazonaws.com/231674b6/0c0d/spec.pdf?X-Amz-Signature=def","expiry_time":"2026-07-04T10:11:00.000Z"}}],
		"display_name":{"type":"integration","resolved_name":"notion-git"}}`)}}
	root.Comments[0].Extra.Files = map[string]FileInfo{"/attachments/0/file": {SHA256: attachSHA, Size: 3}}
	s.Pages[rootID] = root

	child := &Page{ID: pageID, Blocks: map[string]*Block{}, Object: mustDecode(t, `{"object":"page","id":"`+pageID+`",
		"created_time":"2026-07-04T09:08:00.000Z","last_edited_time":"2026-07-04T09:08:00.000Z",
		"created_by":{"object":"user","id":"`+botID+`"},"last_edited_by":{"object":"user","id":"`+botID+`"},
		"cover":null,"icon":null,"parent":{"type":"page_id","page_id":"`+rootID+`"},"in_trash":false,"is_archived":false,"is_locked":false,
		"properties":{"title":{"id":"title","type":"title","title":`+rich("Child page")+`}},
		"url":"https://app.notion.com/p/Child-page-393abc1eedcd81f5ae94ec2d55fe98ed","public_url":null,"archived":false}`)}
	child.Extra.Incomplete = []Incomplete{{What: "comments", Reason: "restricted_resource: no comment capability"}}
	s.Pages[pageID] = child

	s.Databases[dbID] = &Database{ID: dbID, Object: mustDecode(t, `{"object":"database","id":"`+dbID+`","title":`+rich("Tasks")+`,"description":[],
		"parent":{"type":"page_id","page_id":"`+rootID+`"},"is_inline":true,"in_trash":false,"is_locked":false,
		"created_time":"2026-07-04T09:08:57.778+00:00","last_edited_time":"2026-07-04T09:08:57.778+00:00",
		"data_sources":[{"id":"`+dsID+`","name":"Tasks"}],"icon":null,"cover":null,
		"url":"https://app.notion.com/p/e234cdc84ad24371a97e999a238bf8f5","public_url":null,"archived":false,"request_id":"4387834b"}`)}
	s.DataSources[dsID] = &DataSource{ID: dsID, Object: mustDecode(t, `{"object":"data_source","id":"`+dsID+`","cover":null,
		"icon":{"type":"file","file":{"url":"https://prod-files-secure.s3.us-west-2.amazonaws.com/231674b6/0e0f/icon.png?X-Amz-Signature=ghi","expiry_time":"2026-07-04T10:09:00.000Z"}},
		"created_time":"2026-07-04T09:09:00.000Z","created_by":{"object":"user","id":"`+botID+`"},"last_edited_by":{"object":"user","id":"`+botID+`"},
		"last_edited_time":"2026-07-04T09:09:00.000Z","title":`+rich("Tasks")+`,"description":[],"is_inline":true,
		"properties":{
			"Name":{"id":"title","name":"Name","description":null,"type":"title","title":{}},
			"Done":{"id":"a%3Bb","name":"Done","description":null,"type":"checkbox","checkbox":{}},
			"Estimate":{"id":"c%3Dd","name":"Estimate","description":null,"type":"number","number":{"format":"number"}},
			"Files/Media":{"id":"e%3Ff","name":"Files/Media","description":null,"type":"files","files":{}}},
		"parent":{"type":"database_id","database_id":"`+dbID+`"},"database_parent":{"type":"page_id","page_id":"`+rootID+`"},
		"url":"https://app.notion.com/p/b71e12133d0346cbb9c2db9856a9f42d","public_url":null,"in_trash":false,"archived":false}`)}
	s.DataSources[dsID].Extra.Files = map[string]FileInfo{"/icon/file": {Skipped: "larger than the download cap", Size: 104857600}}

	row := &Page{ID: rowID, Blocks: map[string]*Block{}, Object: mustDecode(t, `{"object":"page","id":"`+rowID+`",
		"created_time":"2026-07-04T09:10:00.000Z","last_edited_time":"2026-07-04T09:10:00.000Z",
		"created_by":{"object":"user","id":"`+botID+`"},"last_edited_by":{"object":"user","id":"`+personID+`"},
		"cover":null,"icon":null,"parent":{"type":"data_source_id","data_source_id":"`+dsID+`","database_id":"`+dbID+`"},
		"in_trash":false,"is_archived":false,"is_locked":false,
		"properties":{
			"Name":{"id":"title","type":"title","title":`+rich("Ship v1")+`},
			"Done":{"id":"a%3Bb","type":"checkbox","checkbox":false},
			"Estimate":{"id":"c%3Dd","type":"number","number":2.50},
			"Files/Media":{"id":"e%3Ff","type":"files","files":[
				{"name":"plan.txt","type":"file","file":{"url":"https://prod-files-secure.s3.us-west-2.amazonaws.com/231674b6/1a2b/plan.txt?X-Amz-Signature=jkl","expiry_time":"2026-07-04T10:10:00.000Z"}},
				{"name":"site","type":"external","external":{"url":"https://example.com/a?b=c"}}]}},
		"url":"https://app.notion.com/p/Ship-v1-393abc1eedcd8137bc49ee507c3c70c6","public_url":null,"archived":false}`)}
	row.Extra.Files = map[string]FileInfo{"/properties/Files~1Media/files/0/file": {SHA256: attachSHA, Size: 3}}
	row.Extra.PropertyItemsComplete = true
	s.Pages[rowID] = row

	s.Users[botID] = s.Meta.Bot
	s.Users[personID] = mustDecode(t, `{"object":"user","id":"`+personID+`","name":"Ada","avatar_url":null,"type":"person","person":{"email":"ada@example.com"}}`)
	s.State = &State{Version: StateVersion, LastSync: "2026-07-04T09:12:00Z", Objects: s.Objects()}
	return s
}
