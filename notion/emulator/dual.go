package emulator

import "slices"

// Two-way relations, as Notion keeps them: a dual relation created through
// the API gets its synced property on the other data source, the two name
// each other, and a value written on one side is mirrored on the other.

// linkDuals gives every dual relation of ds that has no synced property yet
// (one just created through the API) its synced property on the other
// side, then makes every dual relation name its other side as it is now
// called (after a rename).
func (s *Server) linkDuals(ds map[string]any) {
	schema, _ := ds["properties"].(map[string]any)
	for _, name := range sortedNames(schema) {
		def := schema[name].(map[string]any)
		conf, _ := def["relation"].(map[string]any)
		if str(def["type"]) != "relation" || str(conf["type"]) != "dual_property" {
			continue
		}
		dp, _ := conf["dual_property"].(map[string]any)
		if str(dp["synced_property_id"]) != "" {
			continue
		}
		tid := normID(str(conf["data_source_id"]))
		tds := s.st.dataSources[tid]
		if tds == nil {
			continue // a relation to a data source this workspace lacks
		}
		tschema := tds["properties"].(map[string]any)
		// The name asked for, unless taken; otherwise Notion's own.
		want := str(dp["synced_property_name"])
		if want == "" || tschema[want] != nil {
			want = "Related to " + plainText(ds["title"]) + " (" + name + ")"
			for n := 2; tschema[want] != nil; n++ {
				want = "Related to " + plainText(ds["title"]) + " (" + name + " " + string(rune('0'+n%10)) + ")"
			}
		}
		sid := s.propertyID(map[string]any{})
		tschema[want] = map[string]any{"id": sid, "name": want, "description": nil, "type": "relation",
			"relation": map[string]any{"data_source_id": ds["id"], "database_id": parentKey(ds), "type": "dual_property",
				"dual_property": map[string]any{"synced_property_id": def["id"], "synced_property_name": name}}}
		conf["data_source_id"], conf["database_id"] = tid, parentKey(tds)
		conf["dual_property"] = map[string]any{"synced_property_id": sid, "synced_property_name": want}
	}
	// Names follow renames, on every data source.
	for _, d := range s.st.dataSources {
		for _, def := range d["properties"].(map[string]any) {
			conf, _ := def.(map[string]any)["relation"].(map[string]any)
			dp, _ := conf["dual_property"].(map[string]any)
			if dp == nil {
				continue
			}
			if tds := s.st.dataSources[normID(str(conf["data_source_id"]))]; tds != nil {
				if n, _ := propByID(tds, str(dp["synced_property_id"])); n != "" {
					dp["synced_property_name"] = n
				}
			}
		}
	}
}

// propByID finds a data source's property by id: its name and definition.
func propByID(ds map[string]any, id string) (string, map[string]any) {
	for n, d := range ds["properties"].(map[string]any) {
		if m := d.(map[string]any); str(m["id"]) == id {
			return n, m
		}
	}
	return "", nil
}

// mirrorDuals mirrors on the other side the dual relation values just
// written to row pid (names are the properties of the request): each row
// the value lists holds pid back, each row it does not no longer does.
func (s *Server) mirrorDuals(pid string, names []string) {
	p := s.st.pages[pid]
	ds := s.st.dataSources[str(p["parent"].(map[string]any)["data_source_id"])]
	if ds == nil {
		return
	}
	stored := p["properties"].(map[string]any)
	for _, name := range names {
		def := schemaProp(ds["properties"].(map[string]any), name)
		conf, _ := def["relation"].(map[string]any)
		dp, _ := conf["dual_property"].(map[string]any)
		tid := normID(str(conf["data_source_id"]))
		sid := str(dp["synced_property_id"])
		if dp == nil || s.st.dataSources[tid] == nil || sid == str(def["id"]) {
			continue
		}
		sname, _ := propByID(s.st.dataSources[tid], sid)
		if sname == "" {
			continue
		}
		var linked []string
		for _, v := range stored {
			if m := v.(map[string]any); m["id"] == def["id"] {
				arr, _ := m["relation"].([]any)
				for _, x := range arr {
					linked = append(linked, normID(str(x.(map[string]any)["id"])))
				}
			}
		}
		for _, row := range s.st.children[tid] {
			rp := s.st.pages[row]
			if rp == nil {
				continue
			}
			rstored, _ := rp["properties"].(map[string]any)
			if rstored == nil {
				rstored = map[string]any{}
				rp["properties"] = rstored
			}
			key, cur := sname, []any{}
			for n, v := range rstored {
				if m := v.(map[string]any); str(m["id"]) == sid {
					key = n
					cur, _ = m["relation"].([]any)
				}
			}
			has := slices.IndexFunc(cur, func(x any) bool { return normID(str(x.(map[string]any)["id"])) == pid })
			want := slices.Contains(linked, row)
			switch {
			case want && has < 0:
				cur = append(slices.Clone(cur), map[string]any{"id": pid})
			case !want && has >= 0:
				cur = slices.Delete(slices.Clone(cur), has, has+1)
			default:
				continue
			}
			rstored[key] = map[string]any{"id": sid, "type": "relation", "relation": cur, "has_more": false}
		}
	}
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
