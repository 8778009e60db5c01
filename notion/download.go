package notion

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// TooLargeError says an attachment is bigger than the configured cap.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file of %d bytes is over the %d-byte limit", e.Size, e.Limit)
}

// Download fetches a Notion-hosted file by its signed URL, with retries but
// outside the API budget (file hosts are not the API) and without the token,
// which must never reach a file host: a download request never carries it,
// so no redirect can pass it on either. Only HTTPS is accepted, and plain
// HTTP to a loopback address for the local emulator, on the first URL and
// on every redirect (checkRedirect). A URL refused so, plain HTTP answering
// HTTPS, or a certificate that does not verify fails at once: no retry
// could succeed. The body is capped at maxBytes; a larger file is a
// *TooLargeError.
func (c *Client) Download(ctx context.Context, rawURL string, maxBytes int64) ([]byte, error) {
	if err := checkDownloadURL(rawURL); err != nil {
		return nil, err
	}
	data, err := c.call(ctx, request{method: http.MethodGet, url: rawURL, endpoint: "file", maxBytes: maxBytes})
	if err != nil {
		return nil, err
	}
	c.stats.recordDownload(int64(len(data)))
	return data, nil
}

func checkDownloadURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("download: unparseable file URL: %w", ErrUnsupportedScheme)
	}
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("download: refusing %s URL of host %q: %w", u.Scheme, u.Hostname(), ErrUnsupportedScheme)
}

func isLoopback(host string) bool {
	// RFC 6761: localhost and every name under it are the loopback.
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func multipartBody(fields map[string]string, filename, contentType string, data []byte) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			return nil, "", err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(data); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
