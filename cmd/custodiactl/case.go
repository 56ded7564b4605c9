package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
)

var initCommand = &command{
	name:    "init",
	summary: "create a new encrypted case file",
	about: `Create a new, encrypted case file at CASE, which must not exist yet. Its
name should end in ` + casefile.Extension + `; another name is accepted with a note.

The examiner creating the case becomes its first examiner, with the roles
given by --role (default forensic-engineer and security-incident-manager:
the creator investigates, and leads until they assign the lead) and key slot
1. Their passphrase opens that slot and signs their custody entries. It comes from
--new-passphrase-file or --passphrase-file, else $CUSTODIA_NEW_PASSPHRASE or
$CUSTODIA_PASSPHRASE, else it is asked twice on the terminal.

Entry 1 of the custody ledger records the creation, with --reason.

Prints the new case's UUID and path.`,
	params: []param{caseParam},
	flags: []flagDef{
		{name: "title", required: true, usage: "the case `TITLE`"},
		{name: "examiner", required: true, usage: "the `NAME` of the examiner creating the case, who acts and signs as NAME"},
		{name: "role", repeat: true, value: func() flag.Value { return new(roleList) },
			usage: "a `ROLE` of the creating examiner, or several separated by commas; the first is the role they act in (default forensic-engineer,security-incident-manager)"},
		{name: "case-number", usage: "the case `NUMBER`, e.g. IR-2026-0042"},
		{name: "description", usage: "a free-text `TEXT` describing the case"},
		{name: "contact", usage: "how to reach the creating examiner, `C`, e.g. an e-mail address or phone number"},
		// --passphrase-file names the new case's passphrase here, so that
		// one file serves init and later commands.
		{name: "passphrase-file", shared: true, usage: "read the new case's passphrase from `FILE`, like --new-passphrase-file"},
		newPassphraseFlag,
	},
	changes: true,
	check:   checkInit,
	do:      runInit,
}

var infoCommand = &command{
	name:    "info",
	summary: "show a case's details, key slots and custody head",
	about: `Open CASE and show its title, case number, examiner, description, creation
time (RFC 3339, UTC), case UUID, format version, the head of its custody
ledger (the last entry's number and hash; JSON gives the full hash) and its
key slots. Everything but the structure of a case file is encrypted, so this
needs the passphrase.`,
	params: []param{caseParam},
	flags:  []flagDef{jsonFlag},
	opens:  true,
	do:     runInfo,
}

// caseParam is the first argument of every command that opens a case.
var caseParam = param{name: "CASE"}

// jsonFlag is --json, for a command that can print JSON.
var jsonFlag = flagDef{name: "json", isBool: true, usage: "print JSON instead of text"}

// newCase is the case init creates, as its flags describe it.
func newCase(in *call) casefile.NewCase {
	return casefile.NewCase{
		Title: in.text("title"), CaseNumber: in.text("case-number"), Description: in.text("description"),
		Examiner: in.text("examiner"), ExaminerRoles: valueOf[[]casefile.Role](in, "role"),
		ExaminerContact: in.text("contact"), Reason: in.reason,
	}
}

// checkInit checks everything typed on the command line before a person
// is asked for a passphrase: a bad value is a usage error.
func checkInit(in *call) error {
	nc := newCase(in)
	if err := nc.Validate(); err != nil {
		return in.usagef("%s", problem(err))
	}
	creator := casefile.NewExaminer{Name: nc.Examiner, Roles: nc.ExaminerRoles, Contact: nc.ExaminerContact}
	if err := creator.Validate(); err != nil {
		return in.usagef("%s", problem(err))
	}
	if in.given("passphrase-file") && in.given("new-passphrase-file") {
		return in.usagef("give the passphrase with --passphrase-file or --new-passphrase-file, not both")
	}
	// casefile.Create refuses an existing file too; checking first spares
	// the person typing a passphrase twice for nothing.
	if _, err := os.Lstat(in.args[0]); err == nil {
		return fmt.Errorf("create case %s: %w", in.args[0], casefile.ErrExists)
	}
	return nil
}

func runInit(in *call, _ *casefile.Case) error {
	path := in.args[0]
	if !strings.HasSuffix(path, casefile.Extension) {
		fmt.Fprintf(in.stderr, "note: %s does not end in %s; Custodia's open dialog lists only %s files\n",
			path, casefile.Extension, casefile.Extension)
	}
	pf := &passphraseFlags{file: in.text("passphrase-file"), newFile: in.text("new-passphrase-file")}
	pass, err := in.newPassphrase(pf, path, true)
	if err != nil {
		return err
	}
	defer clear(pass)
	// casefile's errors already name the operation and the path.
	c, err := casefile.Create(path, pass, newCase(in), in.caseOpts)
	if err != nil {
		return err
	}
	info := c.Info()
	if err := c.Close(); err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "Case UUID:  %s\nPath:       %s\n", info.CaseUUID, c.Path())
	return nil
}

func runInfo(in *call, c *casefile.Case) error {
	slots, err := c.KeySlots()
	if err != nil {
		return err
	}
	seq, head := c.Head()
	if in.on("json") {
		j := caseJSON(c.Info(), slots)
		j.CustodyHead = headJSON{Seq: seq, Hash: head.String()}
		return writeJSON(in.stdout, j)
	}
	writeInfoText(in.stdout, c.Info(), slots, seq, head)
	return nil
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
