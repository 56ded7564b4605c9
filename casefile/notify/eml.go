package notify

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
	mail "github.com/wneessen/go-mail"
)

// EML is one exported message: a notice to one recipient.
type EML struct {
	To     string
	Path   string // where it was written
	SHA256 string // of the file
}

// HTMLBody renders a notice's plain-text body as the HTML alternative:
// every character escaped (the body holds case facts, and text from
// evidence is hostile), sections as headings, paragraphs kept.
func HTMLBody(subject, body string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
	b.WriteString(html.EscapeString(subject))
	b.WriteString("</title></head><body>\n")
	for _, para := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		if h := strings.TrimSpace(lines[0]); strings.HasPrefix(h, "== ") && strings.HasSuffix(h, " ==") && len(h) > 6 {
			fmt.Fprintf(&b, "<h2>%s</h2>\n", html.EscapeString(strings.TrimSpace(h[3:len(h)-3])))
			lines = lines[1:]
			if len(lines) == 0 {
				continue
			}
		}
		for i, l := range lines {
			lines[i] = html.EscapeString(l)
		}
		fmt.Fprintf(&b, "<p>%s</p>\n", strings.Join(lines, "<br>\n"))
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// Attachment is a file attached to the messages of a notice, e.g. a
// report PDF. Its bytes are read by the caller; its name is the file name
// the recipient sees.
type Attachment struct {
	Name string
	Data []byte
}

// Bounds of a notice's attachments: mail servers commonly refuse
// messages above 25 MB, and base64 grows the bytes by a third.
const (
	MaxAttachments     = 10
	MaxAttachmentBytes = 18 << 20 // all attachments of one notice together
)

// ReadAttachments reads the files at paths as attachments named by their
// base names, reading no more than the bound allows.
func ReadAttachments(paths []string) ([]Attachment, error) {
	if len(paths) > MaxAttachments {
		return nil, casefile.Invalidf("%d attachments: attach at most %d files", len(paths), MaxAttachments)
	}
	var out []Attachment
	total := 0
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", p, err)
		}
		data, err := io.ReadAll(io.LimitReader(f, int64(MaxAttachmentBytes-total)+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", p, err)
		}
		if total += len(data); total > MaxAttachmentBytes {
			return nil, casefile.Invalidf("the attachments come to more than %d MiB; at most that goes with one notice (mail servers refuse larger messages): send a link or a sealed export instead", MaxAttachmentBytes>>20)
		}
		out = append(out, Attachment{Name: filepath.Base(p), Data: data})
	}
	return out, checkAttachments(out)
}

// checkAttachments bounds the attachments and checks their names.
func checkAttachments(atts []Attachment) error {
	if len(atts) > MaxAttachments {
		return casefile.Invalidf("%d attachments: attach at most %d files", len(atts), MaxAttachments)
	}
	total := 0
	seen := map[string]bool{}
	for _, a := range atts {
		if err := casefile.CheckLine("attachment name", a.Name, true, 255); err != nil {
			return err
		}
		if strings.ContainsAny(a.Name, `/\"`) {
			return casefile.Invalidf("attachment name %q: give a file name without a folder or quotes", a.Name)
		}
		if seen[a.Name] {
			return casefile.Invalidf("two attachments are named %q; rename one, so that the recipient and the custody entry can tell them apart", a.Name)
		}
		seen[a.Name] = true
		total += len(a.Data)
	}
	if total > MaxAttachmentBytes {
		return casefile.Invalidf("the attachments come to %d bytes; at most %d MiB go with one notice (mail servers refuse larger messages): send a link or a sealed export instead", total, MaxAttachmentBytes>>20)
	}
	return nil
}

// Message renders notice n to recipient to as an RFC 5322 message dated
// at: From, To, Cc, Date, Message-ID, Subject, and the body as text/plain
// and text/html alternatives, with the attachments after them. seq numbers
// the recipient within the export (it goes into the Message-ID). CR or LF
// in the subject or an address is refused (header injection). Without
// attachments the MIME boundary is fixed, so the same notice, recipient and
// time give the same bytes; with them go-mail draws its nested boundaries
// at random (a fixed one breaks nested parts).
func Message(n Notice, to string, seq int, at time.Time, atts ...Attachment) ([]byte, error) {
	if err := checkEmail("from", n.From); err != nil {
		if n.From == "" {
			return nil, casefile.Invalidf("the notice has no sender; set it (notice edit --from ADDRESS)")
		}
		return nil, err
	}
	if err := checkEmail("to", to); err != nil {
		return nil, err
	}
	if err := checkAddresses("cc", n.Cc); err != nil {
		return nil, err
	}
	if err := casefile.CheckLine("subject", n.Subject, true, 998); err != nil {
		return nil, err
	}
	if err := checkAttachments(atts); err != nil {
		return nil, err
	}
	domain := n.From[strings.LastIndexByte(n.From, '@')+1:]
	opts := []mail.MsgOption{mail.WithNoDefaultUserAgent()}
	if len(atts) == 0 {
		opts = append(opts, mail.WithBoundary(fmt.Sprintf("custodia-%s-%d-%d", n.ID, n.Revision, seq)))
	}
	m := mail.NewMsg(opts...)
	if err := m.From(n.From); err != nil {
		return nil, casefile.Invalidf("from %q: %v", n.From, err)
	}
	if err := m.To(to); err != nil {
		return nil, casefile.Invalidf("to %q: %v", to, err)
	}
	if len(n.Cc) > 0 {
		if err := m.Cc(n.Cc...); err != nil {
			return nil, casefile.Invalidf("cc: %v", err)
		}
	}
	m.Subject(n.Subject)
	m.SetDateWithValue(at)
	m.SetMessageIDWithValue(fmt.Sprintf("notice-%s.%d.%d@%s", n.ID, n.Revision, seq, domain))
	m.SetBodyString(mail.TypeTextPlain, n.Body)
	m.AddAlternativeString(mail.TypeTextHTML, HTMLBody(n.Subject, n.Body))
	for _, a := range atts {
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data)); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// emlName is the file name of the seq'th message of notice n.
func emlName(n Notice, seq int, to string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '@' {
			return r
		}
		return '_'
	}, to)
	return fmt.Sprintf("notice-%s-r%d-%02d-%s.eml", n.ID.String()[:8], n.Revision, seq, safe)
}

// Export writes approved notice id as one .eml file per To recipient into
// dir (which must exist; no file is overwritten), with the attachments,
// recorded as one custody entry with each file's and each attachment's
// SHA-256. The messages are dated now.
func (s *Store) Export(id uuid.UUID, dir string, atts ...Attachment) ([]EML, error) {
	const what = "export notice"
	if err := checkAttachments(atts); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.require(what, casefile.PermNoticeSend); err != nil {
		return nil, err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s: %w", what, casefile.Invalidf("%s is not a folder; create it first", dir))
	}
	var out []EML
	err := s.write(what, func(tx *casefile.Tx) (casefile.Event, error) {
		n, err := readNotice(tx, id)
		if err != nil {
			return casefile.Event{}, err
		}
		if n.Approved() == nil {
			return casefile.Event{}, casefile.Invalidf("revision %d of the notice is not approved; only an approved notice is exported ('notice approve')", n.Revision)
		}
		if len(n.To) == 0 {
			return casefile.Event{}, casefile.Invalidf("the notice has no recipient; set them (notice edit --to ADDRESS)")
		}
		msgs := make([][]byte, len(n.To))
		for i, to := range n.To {
			if msgs[i], err = Message(n, to, i+1, tx.Now(), atts...); err != nil {
				return casefile.Event{}, err
			}
		}
		hashes := attachmentHashes(atts)
		for i, to := range n.To {
			p := filepath.Join(dir, emlName(n, i+1, to))
			if err := writeNew(p, msgs[i]); err != nil {
				for _, e := range out {
					os.Remove(e.Path)
				}
				out = nil
				return casefile.Event{}, err
			}
			e := EML{To: to, Path: p, SHA256: casefile.ContentHash(msgs[i])}
			out = append(out, e)
			hashes[filepath.Base(p)] = e.SHA256
		}
		return casefile.Event{Action: ActionNoticeExported, Target: casefile.Target{Type: TargetNotice, ID: id.String()},
			Hashes: hashes, Details: map[string]string{"revision": fmt.Sprint(n.Revision), "messages": fmt.Sprint(len(out)), "folder": dir}}, nil
	})
	if err != nil {
		for _, e := range out {
			os.Remove(e.Path)
		}
		return nil, err
	}
	return out, nil
}

// attachmentHashes are the custody entry's hashes of the attachments,
// keyed "attachment:NAME".
func attachmentHashes(atts []Attachment) map[string]string {
	h := map[string]string{}
	for _, a := range atts {
		h["attachment:"+a.Name] = casefile.ContentHash(a.Data)
	}
	return h
}

func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return casefile.Invalidf("%s exists already; export into another folder", path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
