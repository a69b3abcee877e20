package main

import (
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// smtpSink is a real SMTP server on loopback that keeps what it receives.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []*mail.Message
}

func startSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &sinkSession{sink: sink}, nil
	}))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return sink
}

func (s *smtpSink) messages() []*mail.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*mail.Message(nil), s.msgs...)
}

type sinkSession struct{ sink *smtpSink }

func (*sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (*sinkSession) Reset()                                 {}
func (*sinkSession) Logout() error                          { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	m.Body = strings.NewReader(string(body))
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.msgs = append(s.sink.msgs, m)
	return nil
}

// TestTrainingMailArrives starts the portal with an SMTP server: the demo
// company's HR assigned the code of conduct programme to two departments,
// so their members get one mail each listing the modules, through the
// reminder job, the outbox and the mail worker.
func TestTrainingMailArrives(t *testing.T) {
	sink := startSMTPSink(t)
	startPortal(t, "-smtp-url", "smtp://"+sink.addr+"?from=advocacy@demo.example")

	// Digests of the demo posts go out too; this test is about training.
	dec := new(mime.WordDecoder)
	training := func() []*mail.Message {
		var out []*mail.Message
		for _, m := range sink.messages() {
			if subject, _ := dec.DecodeHeader(m.Header.Get("Subject")); subject == "New training for you" {
				out = append(out, m)
			}
		}
		return out
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(training()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msgs := training()
	if len(msgs) != 2 {
		t.Fatalf("%d training mails arrived, want 2 (Sam Patel and Noor de Vries)", len(msgs))
	}
	got := map[string]string{}
	for _, m := range msgs {
		subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
		body, _ := io.ReadAll(m.Body)
		to, err := mail.ParseAddress(m.Header.Get("To"))
		if err != nil {
			t.Fatalf("To %q: %v", m.Header.Get("To"), err)
		}
		got[to.Address] = subject + "\n" + string(body)
		if from := m.Header.Get("From"); !strings.Contains(from, "advocacy@demo.example") {
			t.Errorf("From = %q", from)
		}
	}
	for _, to := range []string{"sam.patel@demo.example", "noor.devries@demo.example"} {
		text, ok := got[to]
		if !ok {
			t.Errorf("no mail to %s; got mail to %v", to, keys(got))
			continue
		}
		if !strings.HasPrefix(text, "New training for you\n") || strings.Count(text, "\n- ") != 7 || !strings.Contains(text, "/training") {
			t.Errorf("mail to %s does not list the 7 modules with a link:\n%s", to, text)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(training()); n != 2 {
		t.Errorf("%d training mails after a while, want still 2: a reminder went out twice", n)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
