package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
)

var examinerCommand = &command{
	name:    "examiner",
	summary: "manage the people who act on a case",
	about: `Everyone who acts on a case is an examiner, with roles, contact details, a
key slot of their own and an Ed25519 signing key. The passphrase that opens
the case decides which examiner acts: their name and role go into every
custody entry they make, signed with their key. An examiner whose key slot
was removed stays on record, so their entries remain verifiable.`,
	sub: []*command{
		{
			name:    "add",
			summary: "add an examiner with their own passphrase",
			about: `Open CASE and add the examiner NAME, with the roles given by --role (repeat
the flag or separate roles with commas), the contact details --contact and a
key slot and signing key of their own. The examiner opening the case records
the addition in the custody ledger, in the role given by --acting-role.

The new examiner's passphrase comes from --new-passphrase-file, else
$CUSTODIA_NEW_PASSPHRASE, else it is asked twice on the terminal. Only that
passphrase can act and sign as NAME.

Roles: ` + roleIDs() + `.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "name", required: true, usage: "the new examiner's `NAME`"},
				{name: "role", repeat: true, value: func() flag.Value { return new(roleList) },
					usage: "a `ROLE` of the new examiner, or several separated by commas"},
				{name: "contact", usage: "how to reach the new examiner, `C`, e.g. an e-mail address or phone number"},
				newPassphraseFlag,
			},
			opens: true, changes: true,
			// --role gives the new examiner's roles, so the role of the
			// examiner adding them is --acting-role here.
			actingRole: "acting-role",
			check:      checkExaminerAdd,
			do:         runExaminerAdd,
		},
		{
			name:    "list",
			summary: "list the examiners of a case",
			about: `Open CASE and list its examiners: name, roles, contact details, key slot
("removed" once it was removed), the fingerprint of their signing key (the
first 16 hex digits of its SHA-256) and when they were added.`,
			params: []param{caseParam},
			flags:  []flagDef{jsonFlag},
			opens:  true,
			do:     runExaminerList,
		},
	},
}

// roleIDs lists the ids of every role, for help texts.
func roleIDs() string {
	ids := make([]string, len(casefile.Roles))
	for i, r := range casefile.Roles {
		ids[i] = string(r)
	}
	return strings.Join(ids, ", ")
}

// newExaminer is the examiner 'examiner add' adds, as its flags describe them.
func newExaminer(in *call) casefile.NewExaminer {
	return casefile.NewExaminer{Name: in.text("name"), Roles: valueOf[[]casefile.Role](in, "role"), Contact: in.text("contact")}
}

func checkExaminerAdd(in *call) error {
	if err := newExaminer(in).Validate(); err != nil {
		return in.usagef("%s", problem(err))
	}
	return nil
}

func runExaminerAdd(in *call, c *casefile.Case) error {
	pass, err := in.newPassphrase(&in.caseFlags.passphraseFlags, in.args[0], false)
	if err != nil {
		return err
	}
	defer clear(pass)
	ex, err := c.AddExaminer(newExaminer(in), pass, in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "Added examiner %s with key slot %d.\n", printable(ex.Name, false), ex.SlotID)
	fmt.Fprintf(in.stdout, "Roles:       %s\n", orNone(roleTitles(ex.Roles)))
	fmt.Fprintf(in.stdout, "Fingerprint: %s\n", ex.Fingerprint())
	return nil
}

func runExaminerList(in *call, c *casefile.Case) error {
	exs, err := c.Examiners()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, examinersJSON(exs))
	}
	writeExaminerTable(in.stdout, exs)
	return nil
}

// roleTitles is roles as people write them, e.g. "Forensic Engineer, Legal Advisor".
func roleTitles(roles []casefile.Role) string {
	t := make([]string, len(roles))
	for i, r := range roles {
		t[i] = r.Title()
	}
	return strings.Join(t, ", ")
}

func writeExaminerTable(w io.Writer, exs []casefile.Examiner) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "NAME\tROLES\tCONTACT\tKEY SLOT\tFINGERPRINT\tCREATED\n")
	for _, ex := range exs {
		slot := "removed"
		if ex.Active {
			slot = fmt.Sprint(ex.SlotID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", printable(ex.Name, false), orDash(roleTitles(ex.Roles)),
			orDash(printable(ex.Contact, false)), slot, ex.Fingerprint(), textTime(ex.Created))
	}
	tw.Flush()
}

// examinerJSON is the JSON form of an examiner; its field names are a
// stable interface for scripts.
type examinerJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Roles       []string `json:"roles"` // role ids
	Contact     string   `json:"contact"`
	KeySlot     *int     `json:"key_slot"` // null once the slot was removed
	Active      bool     `json:"active"`
	PublicKey   string   `json:"public_key"` // Ed25519, hex
	Fingerprint string   `json:"fingerprint"`
	Created     string   `json:"created"`
}

// examinersJSON converts exs; it never returns nil, so JSON shows [] not null.
func examinersJSON(exs []casefile.Examiner) []examinerJSON {
	out := make([]examinerJSON, 0, len(exs))
	for _, ex := range exs {
		roles := make([]string, len(ex.Roles))
		for i, r := range ex.Roles {
			roles[i] = string(r)
		}
		j := examinerJSON{
			ID: ex.ID.String(), Name: ex.Name, Roles: roles, Contact: ex.Contact, Active: ex.Active,
			PublicKey: hex.EncodeToString(ex.PublicKey), Fingerprint: ex.Fingerprint(), Created: formatTime(ex.Created),
		}
		if ex.Active {
			j.KeySlot = &ex.SlotID
		}
		out = append(out, j)
	}
	return out
}
