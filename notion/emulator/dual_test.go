package emulator_test

import (
	"testing"

	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// TestDualRelation: a two-way relation created through the API gets its
// synced property on the other side, under the name asked for, each side
// naming the other; a value written on one side shows on the other.
func TestDualRelation(t *testing.T) {
	e := start(t, workspace.Empty("Root"), emulator.Options{})
	parent := map[string]any{"type": "page_id", "page_id": workspace.EmptyTargetID}
	title := map[string]any{"Name": map[string]any{"title": map[string]any{}}}
	db := func() string {
		out := e.must("POST", "/v1/databases", map[string]any{"parent": parent, "initial_data_source": map[string]any{"properties": title}})
		return field(out, "data_sources").([]any)[0].(map[string]any)["id"].(string)
	}
	a, b := db(), db()
	e.must("PATCH", "/v1/data_sources/"+a, map[string]any{"properties": map[string]any{"Wrote": map[string]any{"relation": map[string]any{
		"data_source_id": b, "type": "dual_property", "dual_property": map[string]any{"synced_property_name": "Written by"}}}}})
	sa := e.must("GET", "/v1/data_sources/"+a, nil)
	sb := e.must("GET", "/v1/data_sources/"+b, nil)
	if n := len(field(sb, "properties").(map[string]any)); n != 2 {
		t.Fatalf("the other side has %d properties, want 2 (Name, Written by)", n)
	}
	if got := field(sa, "properties", "Wrote", "relation", "dual_property", "synced_property_id"); got != field(sb, "properties", "Written by", "id") {
		t.Errorf("Wrote is synced with %v, want the id of Written by", got)
	}
	if got := field(sb, "properties", "Written by", "relation", "dual_property", "synced_property_name"); got != "Wrote" {
		t.Errorf("Written by is synced with %v, want Wrote", got)
	}
	row := func(ds string) string {
		out := e.must("POST", "/v1/pages", map[string]any{"parent": map[string]any{"data_source_id": ds}, "properties": map[string]any{}})
		return out["id"].(string)
	}
	ra, rb := row(a), row(b)
	e.must("PATCH", "/v1/pages/"+ra, map[string]any{"properties": map[string]any{"Wrote": map[string]any{"relation": []any{map[string]any{"id": rb}}}}})
	got := field(e.must("GET", "/v1/pages/"+rb, nil), "properties", "Written by", "relation").([]any)
	if len(got) != 1 || got[0].(map[string]any)["id"] != ra {
		t.Errorf("the other side's value is %v, want the row %s", got, ra)
	}
	e.must("PATCH", "/v1/pages/"+ra, map[string]any{"properties": map[string]any{"Wrote": map[string]any{"relation": []any{}}}})
	if got := field(e.must("GET", "/v1/pages/"+rb, nil), "properties", "Written by", "relation").([]any); len(got) != 0 {
		t.Errorf("the other side's value is %v after clearing, want []", got)
	}
}
