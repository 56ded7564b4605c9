package main

import (
	"encoding/hex"
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
			args:    "CASE --name NAME [--role ROLE]... [--contact C]",
			summary: "add an examiner with their own passphrase",
			about: `Open CASE and add the examiner NAME, with the roles given by --role (repeat
the flag or separate roles with commas), the contact details --contact and a
key slot and signing key of their own. The examiner opening the case records
the addition in the custody ledger, in the role given by --acting-role.

The new examiner's passphrase comes from --new-passphrase-file, else
$CUSTODIA_NEW_PASSPHRASE, else it is asked twice on the terminal. Only that
passphrase can act and sign as NAME.

Roles: ` + roleIDs() + `.`,
			run: runExaminerAdd,
		},
		{
			name:    "list",
			args:    "CASE [--json]",
			summary: "list the examiners of a case",
			about: `Open CASE and list its examiners: name, roles, contact details, key slot
("removed" once it was removed), the fingerprint of their signing key (the
first 16 hex digits of its SHA-256) and when they were added.`,
			run: runExaminerList,
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

func runExaminerAdd(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	var ne casefile.NewExaminer
	fs.StringVar(&ne.Name, "name", "", "the new examiner's `NAME` (required)")
	var roles roleList
	fs.Var(&roles, "role", "a `ROLE` of the new examiner; repeat the flag or separate roles with commas")
	fs.StringVar(&ne.Contact, "contact", "", "how to reach the new examiner, `C`, e.g. an e-mail address or phone number")
	// --role gives the new examiner's roles, so the role of the examiner
	// adding them is --acting-role here.
	cf := caseFlags{roleFlag: "acting-role"}
	cf.addOpenFlags(fs)
	cf.addNewPassphraseFlag(fs)
	cf.addReasonFlag(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	path := pos[0]
	ne.Roles = roles
	if strings.TrimSpace(ne.Name) == "" {
		return inv.usagef("--name is required and must not be empty")
	}
	if err := ne.Validate(); err != nil {
		return inv.usagef("%v", err)
	}
	return inv.withCase(path, &cf, func(c *casefile.Case) error {
		readNew, err := inv.newPassphraseSource(&cf.passphraseFlags, path, false)
		if err != nil {
			return err
		}
		pass, err := readNew()
		if err != nil {
			return err
		}
		defer clear(pass)
		ex, err := c.AddExaminer(ne, pass, string(cf.reason))
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "Added examiner %s with key slot %d.\n", printable(ex.Name, false), ex.SlotID)
		fmt.Fprintf(inv.stdout, "Roles:       %s\n", orNone(roleTitles(ex.Roles)))
		fmt.Fprintf(inv.stdout, "Fingerprint: %s\n", ex.Fingerprint())
		return nil
	})
}

func runExaminerList(inv *invocation, args []string) error {
	fs := newFlagSet(inv.cmd)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	var cf caseFlags
	cf.addOpenFlags(fs)
	pos, err := inv.parseN(fs, args, "CASE")
	if err != nil {
		return err
	}
	return inv.withCase(pos[0], &cf, func(c *casefile.Case) error {
		exs, err := c.Examiners()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(inv.stdout, examinersJSON(exs))
		}
		writeExaminerTable(inv.stdout, exs)
		return nil
	})
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
