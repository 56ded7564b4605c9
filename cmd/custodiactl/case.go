package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

var initCommand = &command{
	name:    "init",
	args:    "CASE --title TITLE --examiner NAME [--role ROLE]... [--case-number NUMBER] [--description TEXT]",
	summary: "create a new encrypted case file",
	about: `Create a new, encrypted case file at CASE, which must not exist yet. Its
name should end in ` + casefile.Extension + `; another name is accepted with a note.

The examiner creating the case becomes its first examiner, with the roles
given by --role (default forensic-engineer) and key slot 1. Their passphrase
opens that slot and signs their custody entries. It comes from
--new-passphrase-file or --passphrase-file, else $CUSTODIA_NEW_PASSPHRASE or
$CUSTODIA_PASSPHRASE, else it is asked twice on the terminal.

Entry 1 of the custody ledger records the creation, with --reason.

Prints the new case's UUID and path.`,
	run: runInit,
}

var infoCommand = &command{
	name:    "info",
	args:    "CASE [--json]",
	summary: "show a case's details, key slots and custody head",
	about: `Open CASE and show its title, case number, examiner, description, creation
time (RFC 3339, UTC), case UUID, format version, the head of its custody
ledger (the last entry's number and hash; JSON gives the full hash) and its
key slots. Everything but the structure of a case file is encrypted, so this
needs the passphrase.`,
	run: runInfo,
}

func runInit(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var nc casefile.NewCase
	fs.StringVar(&nc.Title, "title", "", "the case `TITLE` (required)")
	fs.StringVar(&nc.Examiner, "examiner", "", "the `NAME` of the examiner creating the case (required), who acts and signs as NAME")
	fs.StringVar(&nc.CaseNumber, "case-number", "", "the case `NUMBER`, e.g. IR-2026-0042")
	fs.StringVar(&nc.Description, "description", "", "a free-text `TEXT` describing the case")
	var roles roleList
	fs.Var(&roles, "role", "a `ROLE` of the creating examiner; repeat the flag or separate roles with commas; the first is the role they act in (default forensic-engineer)")
	fs.StringVar(&nc.ExaminerContact, "contact", "", "how to reach the creating examiner, `C`, e.g. an e-mail address or phone number")
	var cf caseFlags
	cf.addInitPassphraseFlag(fs)
	cf.addNewPassphraseFlag(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	path := pos[0]
	nc.ExaminerRoles, nc.Reason = roles, string(cf.reason)
	pf := &cf.passphraseFlags

	// Everything typed on the command line is checked before a person is
	// asked for a passphrase: a bad value is a usage error.
	for _, req := range []struct{ flag, value string }{{"--title", nc.Title}, {"--examiner", nc.Examiner}} {
		if strings.TrimSpace(req.value) == "" {
			return inv.usagef("%s is required and must not be empty", req.flag)
		}
	}
	if err := nc.Validate(); err != nil {
		return inv.usagef("%v", err)
	}
	creator := casefile.NewExaminer{Name: nc.Examiner, Roles: nc.ExaminerRoles, Contact: nc.ExaminerContact}
	if err := creator.Validate(); err != nil {
		return inv.usagef("%v", err)
	}
	if pf.file != "" && pf.newFile != "" {
		return inv.usagef("give the passphrase with --passphrase-file or --new-passphrase-file, not both")
	}
	// casefile.Create refuses an existing file too; checking first spares
	// the person typing a passphrase twice for nothing.
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("create case %s: %w", path, casefile.ErrExists)
	}
	if !strings.HasSuffix(path, casefile.Extension) {
		fmt.Fprintf(inv.stderr, "note: %s does not end in %s; Custodia's open dialog lists only %s files\n",
			path, casefile.Extension, casefile.Extension)
	}

	readNew, err := inv.newPassphraseSource(pf, path, true)
	if err != nil {
		return err
	}
	pass, err := readNew()
	if err != nil {
		return err
	}
	defer clear(pass)
	// casefile's errors already name the operation and the path.
	c, err := casefile.Create(path, pass, nc, inv.caseOpts)
	if err != nil {
		return err
	}
	info := c.Info()
	if err := c.Close(); err != nil {
		return err
	}
	fmt.Fprintf(inv.stdout, "Case UUID:  %s\nPath:       %s\n", info.CaseUUID, c.Path())
	return nil
}

func runInfo(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		slots, err := c.KeySlots()
		if err != nil {
			return err
		}
		seq, head := c.Head()
		if *asJSON {
			j := caseJSON(c.Info(), slots)
			j.CustodyHead = headJSON{Seq: seq, Hash: head.String()}
			return writeJSON(inv.stdout, j)
		}
		writeInfoText(inv.stdout, c.Info(), slots, seq, head)
		return nil
	})
}

// withCase opens the case at path with the passphrase from cf's sources, as
// the examiner and in the role cf names, calls f and closes the case,
// reporting the first error.
func (inv *invocation) withCase(path string, cf *caseFlags, f func(*casefile.Case) error) (err error) {
	// Check the path before asking for a passphrase that cannot help.
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("open case %s: %w", path, fs.ErrNotExist)
	}
	pass, err := inv.currentPassphrase(&cf.passphraseFlags, path)
	if err != nil {
		return err
	}
	defer clear(pass)
	// casefile's errors already name the operation and the path.
	c, err := casefile.Open(path, pass, cf.options(inv.env))
	if err != nil {
		return cf.openHint(err)
	}
	defer func() {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	return f(c)
}

// formatTime is how times are written in JSON: RFC 3339 in UTC, with all
// the precision the case file holds.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// textTime is how times are shown to a person: RFC 3339 in UTC, to the second.
func textTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// caseInfoJSON is the JSON form of info; its field names are a stable
// interface for scripts.
type caseInfoJSON struct {
	Title         string        `json:"title"`
	CaseNumber    string        `json:"case_number"`
	Examiner      string        `json:"examiner"`
	Description   string        `json:"description"`
	Created       string        `json:"created"`
	CaseUUID      string        `json:"case_uuid"`
	FormatVersion int           `json:"format_version"`
	KeySlots      []keySlotJSON `json:"key_slots"`
	CustodyHead   headJSON      `json:"custody_head"`
}

// headJSON is the custody ledger's head: the last entry's sequence number
// and its full hash.
type headJSON struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

func caseJSON(info casefile.Info, slots []casefile.KeySlot) caseInfoJSON {
	return caseInfoJSON{
		Title:         info.Title,
		CaseNumber:    info.CaseNumber,
		Examiner:      info.Examiner,
		Description:   info.Description,
		Created:       formatTime(info.Created),
		CaseUUID:      info.CaseUUID.String(),
		FormatVersion: info.FormatVersion,
		KeySlots:      keySlotsJSON(slots),
	}
}

// writeJSON writes v as indented JSON; text is not HTML-escaped, so that
// "<" and "&" in a title read as typed.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeInfoText(w io.Writer, info casefile.Info, slots []casefile.KeySlot, headSeq int64, head casefile.Digest) {
	field := func(name, value string) { writeField(w, 16, name, value) }
	field("Title", printable(info.Title, false))
	field("Case number", orNone(printable(info.CaseNumber, false)))
	field("Examiner", printable(info.Examiner, false))
	field("Description", orNone(printable(info.Description, true)))
	field("Created", textTime(info.Created))
	field("Case UUID", info.CaseUUID.String())
	field("Format version", fmt.Sprint(info.FormatVersion))
	field("Custody head", fmt.Sprintf("%d %s", headSeq, head.Short()))
	field("Key slots", fmt.Sprint(len(slots)))
	writeKeySlotTable(w, slots, "  ")
}

// writeField writes one "Name:  value" line of a text report, with the
// value starting in column width+1. Continuation lines of a multi-line value
// line up under the first.
func writeField(w io.Writer, width int, name, value string) {
	value = strings.ReplaceAll(value, "\n", "\n"+strings.Repeat(" ", width))
	fmt.Fprintf(w, "%-*s%s\n", width, name+":", value)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// printable escapes control characters in s (keeping newlines when
// multiline is set), so that text stored in a case cannot move the cursor
// or rewrite the terminal when printed.
func printable(s string, multiline bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' && multiline:
			b.WriteRune(r)
		case r == '\t':
			b.WriteString("  ")
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		case r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			// line separators and bidirectional overrides, which can make
			// text display differently from what it is
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
