package emulator

import (
	"fmt"
	"strings"
)

// UploadCounts counts the File Upload objects created, by what became of
// them. An upload created and never attached is invisible in Notion and
// counts against nothing, but it is a file a restore sent for nothing.
type UploadCounts struct {
	Created  int // every file upload, whatever its status
	Uploaded int // its bytes arrived (status uploaded)
	Attached int // attached to a block, page, property value or comment
}

// Orphaned is the number of uploads created and never attached.
func (c UploadCounts) Orphaned() int { return c.Created - c.Attached }

// Uploads counts the file uploads created so far.
func (s *Server) Uploads() UploadCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c UploadCounts
	for _, id := range s.st.upOrder {
		u := s.st.uploads[id]
		c.Created++
		if str(u.obj["status"]) == "uploaded" {
			c.Uploaded++
		}
		if u.attached {
			c.Attached++
		}
	}
	return c
}

// CommentTexts counts the workspace's comments by what a reader sees of
// each: its plain text, and whether it starts a discussion or replies. Two
// copies of one workspace made by different restores have different ids,
// so this is what tells a comment posted twice.
func (s *Server) CommentTexts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	starts := map[string]bool{}
	out := map[string]int{}
	for _, id := range s.st.commentOrder {
		cm := s.st.comments[id]
		kind := "reply"
		if d := str(cm["discussion_id"]); !starts[d] {
			starts[d] = true
			kind = "start"
		}
		var text strings.Builder
		items, _ := cm["rich_text"].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			text.WriteString(str(m["plain_text"]))
		}
		atts, _ := cm["attachments"].([]any)
		out[fmt.Sprintf("%s|%d attachments|%s", kind, len(atts), text.String())]++
	}
	return out
}
