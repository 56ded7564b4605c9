package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/custodia-dfir/custodia/casefile"
)

var keyslotCommand = &command{
	name:    "keyslot",
	summary: "manage the key slots that open a case",
	about: `A case's master key is stored once per key slot, each wrapped with its own
passphrase or recovery key, so several examiners or a recovery key held
offline can open the same case. Each slot belongs to one person (or recovery
key), and the passphrase that opens the case decides who acts and signs the
custody entries. Adding, removing or changing a slot rewrites no other data
and is recorded in the custody ledger.`,
	sub: []*command{
		{
			name:    "list",
			summary: "list the key slots of a case",
			params:  []param{caseParam},
			flags:   []flagDef{jsonFlag},
			opens:   true,
			do:      runKeyslotList,
		},
		{
			name:     "add",
			synopsis: "CASE --label NAME | CASE --recovery [--label LABEL]",
			summary:  "add a passphrase or a recovery key that opens the case",
			about: `Open CASE and add a key slot. Without --recovery the slot is a new examiner's:
--label names them, they hold no roles, and they act and sign under that name;
'custodiactl examiner add' does the same with roles and contact details. The
slot's passphrase comes from --new-passphrase-file, else
$CUSTODIA_NEW_PASSPHRASE, else it is asked twice on the terminal.

With --recovery Custodia generates a recovery key and prints it once on
standard output; store it offline. It opens the case like a passphrase (case,
spaces and dashes do not matter), and whoever uses it acts as "Recovery key:
LABEL".`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "label", usage: "the `NAME` of the person the slot is for (required for a passphrase slot); for a recovery key, where it is kept"},
				{name: "recovery", isBool: true, usage: "generate a recovery key instead of asking for a passphrase"},
				newPassphraseFlag,
			},
			opens: true, changes: true,
			check: checkKeyslotAdd,
			do:    runKeyslotAdd,
		},
		{
			name:    "remove",
			summary: "remove a key slot (never the last one)",
			about: `Open CASE and remove the key slot with the id ID, as shown by 'custodiactl
keyslot list'. The last key slot cannot be removed. Its examiner stays on
record, so their custody entries remain verifiable. Copies of the case file
made before the removal still open with the removed secret.`,
			params: []param{caseParam, {name: "ID", check: slotID}},
			opens:  true, changes: true,
			do: runKeyslotRemove,
		},
	},
}

var passwdCommand = &command{
	name:    "passwd",
	summary: "change the passphrase of the key slot it opens",
	about: `Open CASE with its current passphrase and give the key slot that passphrase
opened a new one. Other key slots keep their passphrases. The new passphrase
comes from --new-passphrase-file, else $CUSTODIA_NEW_PASSPHRASE, else it is
asked twice on the terminal.`,
	params: []param{caseParam},
	flags:  []flagDef{newPassphraseFlag},
	opens:  true, changes: true,
	do: runPasswd,
}

func runKeyslotList(in *call, c *casefile.Case) error {
	slots, err := c.KeySlots()
	if err != nil {
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, keySlotsJSON(slots))
	}
	writeKeySlotTable(in.stdout, slots, "")
	return nil
}

func checkKeyslotAdd(in *call) error {
	recovery := in.on("recovery")
	if recovery && in.given("new-passphrase-file") {
		return in.usagef("--recovery generates its own key; do not give --new-passphrase-file with it")
	}
	if !recovery && strings.TrimSpace(in.text("label")) == "" {
		return in.usagef("--label is required: it names the person the key slot is for, who acts and signs under that name")
	}
	return nil
}

func runKeyslotAdd(in *call, c *casefile.Case) error {
	label := in.text("label")
	if in.on("recovery") {
		slot, key, err := c.AddRecoveryKey(label, in.reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(in.stderr, "Added recovery key slot %d. The recovery key follows; it is shown only this once.\n", slot.ID)
		fmt.Fprintf(in.stderr, "warning: store it offline (printed, in a safe). Anyone who has it can open the case.\n")
		fmt.Fprintln(in.stdout, key)
		return nil
	}
	pass, err := in.newPassphrase(&in.caseFlags.passphraseFlags, in.args[0], false)
	if err != nil {
		return err
	}
	defer clear(pass)
	slot, err := c.AddKeySlot(label, pass, in.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "Added key slot %d (%s).\n", slot.ID, slot.Kind)
	return nil
}

// slotID checks a key slot id typed on the command line.
func slotID(_ *call, s string) (string, error) {
	if id, err := strconv.Atoi(s); err != nil || id < 0 {
		return "", fmt.Errorf("key slot ID must be a number as shown by 'custodiactl keyslot list', not %q", s)
	}
	return s, nil
}

func runKeyslotRemove(in *call, c *casefile.Case) error {
	id, _ := strconv.Atoi(in.args[1]) // checked by slotID
	if err := c.RemoveKeySlot(id, in.reason); err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "Removed key slot %d.\n", id)
	if id == c.UnlockedSlot() {
		fmt.Fprintf(in.stderr, "note: that was the key slot the given passphrase opened; it no longer opens %s\n", in.args[0])
	}
	return nil
}

func runPasswd(in *call, c *casefile.Case) error {
	slots, err := c.KeySlots()
	if err != nil {
		return err
	}
	opened := c.UnlockedSlot()
	for _, s := range slots {
		if s.ID == opened && s.Kind != casefile.SlotPassphrase {
			return withHint(fmt.Errorf("change passphrase: key slot %d was opened with a %s key, which cannot be changed to a chosen passphrase", s.ID, s.Kind),
				"add a passphrase slot with 'custodiactl keyslot add', then remove this slot with 'custodiactl keyslot remove' if it should no longer open the case")
		}
	}
	pass, err := in.newPassphrase(&in.caseFlags.passphraseFlags, in.args[0], false)
	if err != nil {
		return err
	}
	defer clear(pass)
	if err := c.ChangePassphrase(pass, in.reason); err != nil {
		return err
	}
	fmt.Fprintf(in.stdout, "Changed the passphrase of key slot %d.\n", opened)
	return nil
}

// keySlotJSON is the JSON form of a key slot, shared by info and keyslot list.
type keySlotJSON struct {
	ID      int     `json:"id"`
	Kind    string  `json:"kind"`
	Label   string  `json:"label"`
	Created string  `json:"created"`
	KDF     kdfJSON `json:"kdf"`
}

type kdfJSON struct {
	Algorithm string `json:"algorithm"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// keySlotsJSON converts slots; it never returns nil, so JSON shows [] not null.
func keySlotsJSON(slots []casefile.KeySlot) []keySlotJSON {
	out := make([]keySlotJSON, 0, len(slots))
	for _, s := range slots {
		out = append(out, keySlotJSON{
			ID:      s.ID,
			Kind:    string(s.Kind),
			Label:   s.Label,
			Created: formatTime(s.Created),
			KDF:     kdfJSON{Algorithm: "argon2id", Time: s.KDF.Time, MemoryKiB: s.KDF.MemoryKiB, Threads: s.KDF.Threads},
		})
	}
	return out
}

// writeKeySlotTable prints slots as an aligned table, each line prefixed by indent.
func writeKeySlotTable(w io.Writer, slots []casefile.KeySlot, indent string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%sID\tKIND\tLABEL\tCREATED\tKDF\n", indent)
	for _, s := range slots {
		fmt.Fprintf(tw, "%s%d\t%s\t%s\t%s\t%s\n", indent, s.ID, s.Kind, orDash(printable(s.Label, false)),
			textTime(s.Created), kdfText(s.KDF))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// kdfText is a key slot's KDF in the usual Argon2 notation.
func kdfText(k casefile.KDFParams) string {
	mem := fmt.Sprintf("%dKiB", k.MemoryKiB)
	if k.MemoryKiB%1024 == 0 {
		mem = fmt.Sprintf("%dMiB", k.MemoryKiB/1024)
	}
	return fmt.Sprintf("argon2id t=%d m=%s p=%d", k.Time, mem, k.Threads)
}
