package layout

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrBadID is returned (wrapped) for anything that is not a Notion id.
var ErrBadID = errors.New("not a Notion id")

// ParseID returns the canonical form (lowercase, dashed 8-4-4-4-12) of a Notion
// id given dashed, undashed, or as the last path segment of a Notion URL
// ("https://www.notion.so/Title-<32 hex>?pvs=4"). Ids become file names, so
// everything else is rejected: an id from the API can never name "../x".
func ParseID(s string) (string, error) {
	if id, ok := parseBareID(s); ok {
		return id, nil
	}
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		u, err := url.Parse(s)
		if err == nil && u.Host != "" {
			path := strings.TrimRight(u.Path, "/")
			seg := path[strings.LastIndexByte(path, '/')+1:]
			if id, ok := parseBareID(seg); ok {
				return id, nil
			}
			// A titled URL: "<Title>-<32 hex>".
			if i := strings.LastIndexByte(seg, '-'); i >= 0 {
				if id, ok := parseBareID(seg[i+1:]); ok && len(seg)-i-1 == 32 {
					return id, nil
				}
			}
		}
	}
	return "", fmt.Errorf("%q: %w", truncate(s, 80), ErrBadID)
}

// IsID reports whether s is already a canonical id, as stored in paths.
func IsID(s string) bool {
	id, ok := parseBareID(s)
	return ok && id == s
}

// parseBareID accepts 32 hex digits, optionally dashed as 8-4-4-4-12.
func parseBareID(s string) (string, bool) {
	var hex string
	switch len(s) {
	case 32:
		hex = s
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		hex = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	default:
		return "", false
	}
	b := []byte(hex)
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			b[i] = c + ('a' - 'A')
		default:
			return "", false
		}
	}
	h := string(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

// isSHA256 reports whether s is a lowercase hex SHA-256, as named in files/.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// truncate keeps error messages about untrusted input short.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
