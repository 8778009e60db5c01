package layout

import "strings"

// RenderObject renders one object file of a page's directory as the
// Markdown its page's README.md holds for it, so that git can show a
// change to the file as a change to the page (notion-git textconv): a
// page.json as the page's title (and a row's properties), a block as its
// own lines without its children (each child is a file of its own), a
// comment as its line under "Comments". ok is false for any other file,
// and for one that is not a valid object file.
//
// It goes through RenderPageNamed, with a page holding only that object,
// so that a block reads exactly as it does in README.md; names are what
// the README names around it (nil: nothing is known, links carry no
// titles).
func RenderObject(b []byte, names Names) (md []byte, ok bool) {
	obj, err := Decode(b)
	if err != nil {
		return nil, false
	}
	id, _ := obj["id"].(string)
	kind, _ := obj["object"].(string)
	if !IsID(id) {
		return nil, false
	}
	object, extra, _, err := DecodeObjectFile(b, id)
	if err != nil {
		return nil, false
	}
	var out []byte
	skip := 0 // paragraphs of the carrier page before the object's own
	switch kind {
	case "page":
		return RenderPageNamed(&Page{ID: id, Object: object, Extra: extra}, names), true
	case "block":
		out = RenderPageNamed(&Page{Object: Object{}, Children: []string{id}, Blocks: map[string]*Block{
			id: {ID: id, Object: object, Extra: extra},
		}}, names)
		skip = 1 // the title
	case "comment":
		out = RenderPageNamed(&Page{Object: Object{}, Comments: []*Comment{{ID: id, Object: object, Extra: extra}}}, names)
		skip = 2 // the title and the heading of the comments
	default:
		return nil, false
	}
	parts := strings.SplitN(string(out), "\n\n", skip+1)
	if len(parts) <= skip {
		return []byte{}, true // a block with no Markdown of its own
	}
	return []byte(parts[skip]), true
}
