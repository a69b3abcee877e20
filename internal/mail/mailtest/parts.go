package mailtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
)

// Part is one part of a multipart message, its body decoded from
// quoted-printable with line ends turned from CRLF into LF.
type Part struct {
	ContentType string
	Body        string
}

// Parts reads a multipart/alternative message, as the portal sends mail
// with an HTML body, and returns its header and its parts in order. The
// test fails when the message is not multipart/alternative with a
// boundary, and a part not quoted-printable is reported.
func Parts(tb testing.TB, data []byte) (netmail.Header, []Part) {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("read message: %v\n%s", err, data)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" || params["boundary"] == "" {
		tb.Fatalf("Content-Type = %q (%v), want multipart/alternative with a boundary", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var parts []Part
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			return msg.Header, parts
		}
		if err != nil {
			tb.Fatalf("next part: %v", err)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			tb.Errorf("part %s: Content-Transfer-Encoding = %q", p.Header.Get("Content-Type"), cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			tb.Fatalf("decode part: %v", err)
		}
		parts = append(parts, Part{ContentType: p.Header.Get("Content-Type"),
			Body: strings.ReplaceAll(string(body), "\r\n", "\n")})
	}
}
