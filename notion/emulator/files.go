package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// signedURLTTL is how long a Notion-hosted file URL stays valid.
const signedURLTTL = time.Hour

// signFiles replaces every stored "fixture:NAME" file url inside v with a
// fresh signed URL and expiry_time, as Notion does on every read.
func (s *Server) signFiles(c *call, v any) {
	switch v := v.(type) {
	case map[string]any:
		// A file wrapper has type "file"; a comment attachment has a
		// category instead, and its file is signed the same way.
		if f, ok := v["file"].(map[string]any); ok && (str(v["type"]) == "file" || v["category"] != nil) {
			if name, ok := strings.CutPrefix(str(f["url"]), "fixture:"); ok {
				f["url"], f["expiry_time"] = s.signedURL(c.base, name)
			}
		}
		for _, x := range v {
			s.signFiles(c, x)
		}
	case []any:
		for _, x := range v {
			s.signFiles(c, x)
		}
	}
}

// signedURL is base/files/<file-id>/<name>?sig=&exp=&n=. The path is stable
// across reads; the query changes every time (n is a per-read nonce, so the
// URL changes even when the clock stands still).
func (s *Server) signedURL(base, name string) (string, string) {
	fid := hashID("file\x00" + name)
	exp := s.now().Add(signedURLTTL)
	nonce := strconv.FormatUint(s.reqIDs.Add(1), 36)
	exps := strconv.FormatInt(exp.Unix(), 10)
	q := url.Values{"sig": {s.sign(fid, exps, nonce)}, "exp": {exps}, "n": {nonce}}
	u := base + "/files/" + fid + "/" + url.PathEscape(path.Base(name)) + "?" + q.Encode()
	return u, exp.UTC().Format("2006-01-02T15:04:05.000Z")
}

func (s *Server) sign(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(m.Sum(nil))
}

// serveFile answers a signed file URL. Like a storage bucket, it needs no
// token but a valid, unexpired signature.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	fid := r.PathValue("file_id")
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	good := err == nil && hmac.Equal([]byte(q.Get("sig")), []byte(s.sign(fid, q.Get("exp"), q.Get("n"))))
	if !good || s.now().Unix() >= exp {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		msg := "Request has expired"
		if !good {
			msg = "The request signature we calculated does not match the signature you provided."
		}
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>%s</Message></Error>", msg)
		return
	}
	s.mu.Lock()
	name, ok := s.st.fileByID[fid]
	data := s.st.files[name]
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
