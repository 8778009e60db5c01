package layout

// EncodeIndex renders the root README.md.
func EncodeIndex(objects map[string]ObjectState) []byte { return nil }

// Objects derives the index entries of a snapshot.
func (s *Snapshot) Objects() map[string]ObjectState { return nil }
