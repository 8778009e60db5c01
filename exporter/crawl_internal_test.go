package exporter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/notion-git/notion-git/layout"
	"github.com/notion-git/notion-git/notion"
)

// TestCutValueWithEmptyListingIsEmptyList: a relation or people value the
// page object marks has_more whose property item listing then holds nothing
// (it changed between the two reads) becomes an empty list, as the API
// gives an empty value, not null.
func TestCutValueWithEmptyListingIsEmptyList(t *testing.T) {
	listed := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		listed++
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","results":[],"next_cursor":null,"has_more":false,"type":"property_item","property_item":{"id":"rel","type":"relation","relation":{}}}`))
	}))
	t.Cleanup(srv.Close)
	client, err := notion.New(notion.Config{BaseURL: srv.URL, Token: "secret", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	x := &exporter{client: client, sem: newRequestSlots(1)}
	page := &layout.Page{ID: "10000000-0000-4000-8000-000000000001", Object: layout.Object{"properties": map[string]any{
		"Tasks":  map[string]any{"id": "rel", "type": "relation", "relation": []any{}, "has_more": true},
		"Owners": map[string]any{"id": "own", "type": "people", "people": []any{}, "has_more": true},
	}}}
	if err := x.completeProperties(context.Background(), page); err != nil {
		t.Fatal(err)
	}
	if listed != 2 {
		t.Fatalf("%d listings, want 2", listed)
	}
	props := page.Object["properties"].(map[string]any)
	for name, typ := range map[string]string{"Tasks": "relation", "Owners": "people"} {
		v, ok := props[name].(map[string]any)[typ].([]any)
		if !ok || v == nil || len(v) != 0 {
			t.Errorf("%s: %#v, want []", name, props[name].(map[string]any)[typ])
		}
	}
}
