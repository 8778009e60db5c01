package notion

import "slices"

// VersionInTrash is the API version that drops `archived` for `in_trash`
// everywhere, takes an append's place as `position` instead of `after`, and
// names transcription blocks `meeting_notes`.
const VersionInTrash = "2026-03-11"

// Versions are the Notion-Version values notion-git knows how to speak,
// oldest first. Any other value is refused before a request is sent: a
// version notion-git does not know would answer in shapes it cannot read.
var Versions = []string{DefaultVersion, VersionInTrash}

// KnownVersion reports whether v is one of Versions.
func KnownVersion(v string) bool { return slices.Contains(Versions, v) }

// Positions reports whether version v places appended blocks with
// `position` (and refuses `after`).
func Positions(v string) bool { return v == VersionInTrash }
