package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/export"
	"github.com/custodia-dfir/custodia/reports"
	"github.com/google/uuid"
)

// envExportPassphrase holds the passphrase of a passphrase bundle for
// unattended use (export create --passphrase, verify and import).
const envExportPassphrase = "CUSTODIA_EXPORT_PASSPHRASE"

var exportPassphraseFileFlag = flagDef{name: "export-passphrase-file",
	usage: "with --passphrase: read the bundle's passphrase from `FILE`; default $" + envExportPassphrase + ", else ask on the terminal"}

var exportCommand = &command{
	name:    "export",
	summary: "sealed evidence exports: create, verify and import",
	about: `A sealed export is a folder (or one .tar of it) that a recipient — a legal
advisor, another team — verifies and opens offline with the standard tools
age, minisign and coreutils, or with Custodia: each item's exact bytes
age-encrypted to the recipients, the case's facts about them in an encrypted
case.tar.age, and SHA256SUMS signed with the exporting examiner's own custody
key as a minisign key. docs/EXPORT.md specifies it and gives the commands.`,
	sub: []*command{
		{
			name:    "create",
			summary: "write a sealed evidence export of a case's items",
			about: `Open CASE and write a sealed export of its items (every item not withdrawn,
or those named by --item) to DIR, a new folder, or with --tar to DIR as one
new .tar file. Each item is streamed out of the case, re-hashed (SHA-256)
and age-encrypted; an item whose bytes differ from its record stops the
export. The bundle is written as DIR.partial and renamed to DIR only when
complete and signed, so an interrupted export leaves nothing at DIR.

Recipients: age public keys (--recipient age1…, repeatable), files of them
(--recipients-file), a new key pair whose identity file Custodia writes to
--new-identity FILE for you to hand over, or one passphrase (--passphrase).

The export is recorded as an export.created entry with the SHA-256 of
SHA256SUMS, which is printed: send it and the signer key id to the
recipients by another channel.`,
			params: []param{caseParam},
			flags: []flagDef{
				{name: "o", required: true, why: "name the new folder (or .tar) of the bundle", usage: "write the bundle to `DIR`, which must not exist"},
				{name: "tar", isBool: true, usage: "write the bundle as one .tar file instead of a folder"},
				{name: "item", repeat: true, usage: "export the item `ID` (repeatable; default every item not withdrawn)"},
				{name: "recipient", repeat: true, usage: "encrypt to the age public key `AGE1…` (repeatable)"},
				{name: "recipients-file", repeat: true, usage: "encrypt to every age public key in `FILE` (one a line, # comments)"},
				{name: "new-identity", usage: "create a key pair for a recipient and write its identity to `FILE` (must not exist)"},
				{name: "passphrase", isBool: true, usage: "encrypt to one passphrase (age scrypt) instead of keys"},
				exportPassphraseFileFlag,
				{name: "report", repeat: true, usage: "add the report `FILE` under case/reports/ (repeatable)"},
				jsonFlag,
			},
			opens: true, changes: true,
			records: export.ActionExportCreated,
			check:   checkExportCreate,
			do:      runExportCreate,
		},
		{
			name:    "verify",
			summary: "check a received sealed export",
			about: `Check the bundle in folder DIR and name every problem (missing file, extra
file, bad signature, another key, modified file, truncated or modified .age,
wrong identity, inner hash mismatch, unsafe tar entry). Without an identity
it checks the signature of SHA256SUMS by signer.pub and every file against
SHA256SUMS; with --identity FILE (or --passphrase) it also decrypts
case.tar.age and every item in memory and checks every inner hash. Give
--signer-key with the key id the sender told you separately. Exits 1 when
the bundle does not verify. Nothing is written anywhere.`,
			params: []param{{name: "DIR", why: "missing DIR: name the bundle's folder"}},
			flags: []flagDef{
				{name: "identity", usage: "decrypt with the age identity `FILE` and check every inner hash"},
				{name: "passphrase", isBool: true, usage: "decrypt a passphrase bundle"},
				exportPassphraseFileFlag,
				{name: "signer-key", usage: "the minisign key `ID` (16 hex digits) the sender gave you; signer.pub must be it"},
				{name: "all-hashes", isBool: true, usage: "with an identity, also recompute each item's MD5 and SHA-1"},
				jsonFlag,
			},
			check: checkExportIdentity,
			do:    runExportVerify,
		},
		{
			name:    "import",
			summary: "verify a received sealed export and load its items into a case",
			about: `Verify the bundle in DIR completely (as export verify --identity
--all-hashes) and, only if it verifies, ingest each item into the case named
by --into with its recorded name, kind and description. The ingest
recomputes MD5, SHA-1 and SHA-256, which must equal the manifest's. Each
item's provenance — the export id, the sender, their signature and key id —
is recorded with it, in one export.imported entry. Nothing is written into
the case from a bundle that does not verify.`,
			params: []param{{name: "DIR", why: "missing DIR: name the bundle's folder"}},
			flags: []flagDef{
				{name: "into", required: true, why: "name the case to import into", usage: "import into the case `CASE`"},
				{name: "identity", usage: "decrypt with the age identity `FILE`"},
				{name: "passphrase", isBool: true, usage: "decrypt a passphrase bundle"},
				exportPassphraseFileFlag,
				{name: "signer-key", usage: "the minisign key `ID` the sender gave you; signer.pub must be it"},
				jsonFlag,
			},
			opens: true, caseFlag: "into", changes: true,
			records: export.ActionExportImported,
			check:   checkExportIdentity,
			do:      runExportImport,
		},
	},
}

func checkExportCreate(in *call) error {
	if out := in.text("o"); fileExists(out) || fileExists(out+".partial") {
		return existingFile("export to", out)
	}
	keys := in.given("recipient") || in.given("recipients-file") || in.given("new-identity")
	switch {
	case in.on("passphrase") && keys:
		return in.usagef("--passphrase encrypts to one passphrase alone; do not give --recipient, --recipients-file or --new-identity with it")
	case !in.on("passphrase") && !keys:
		return in.usagef("name the recipients: --recipient AGE1…, --recipients-file FILE, --new-identity FILE or --passphrase")
	case in.given("export-passphrase-file") && !in.on("passphrase"):
		return in.usagef("--export-passphrase-file goes with --passphrase")
	}
	if id := in.text("new-identity"); id != "" && fileExists(id) {
		return existingFile("write the identity to", id)
	}
	for _, s := range in.texts("recipient") {
		if _, err := export.ParseRecipients([]string{s}, nil); err != nil {
			msg, _, _ := casefile.Explain(err)
			return in.usagef("%s", msg)
		}
	}
	return nil
}

func checkExportIdentity(in *call) error {
	switch {
	case in.given("identity") && in.on("passphrase"):
		return in.usagef("give --identity FILE or --passphrase, not both")
	case in.given("export-passphrase-file") && !in.on("passphrase"):
		return in.usagef("--export-passphrase-file goes with --passphrase")
	case in.cmd.name == "import" && !in.given("identity") && !in.on("passphrase"):
		return in.usagef("an import decrypts the bundle: give --identity FILE (or --passphrase)")
	}
	return nil
}

// exportPassphrase reads a bundle's passphrase: --export-passphrase-file,
// else $CUSTODIA_EXPORT_PASSPHRASE, else the terminal (twice for a new one).
func (in *call) exportPassphrase(twice bool) (string, error) {
	if f := in.text("export-passphrase-file"); f != "" {
		b, err := readPassphraseFile("--export-passphrase-file", f)
		return string(b), err
	}
	if p, ok := in.fromEnv(envExportPassphrase); ok {
		return string(p), nil
	}
	t, err := in.openTerminal(in.env)
	if err != nil {
		return "", withHint(fmt.Errorf("no passphrase for the bundle%s and %w", in.emptyVars(envExportPassphrase), err),
			"put it in a file and add --export-passphrase-file FILE, or set "+envExportPassphrase+", or run the command in a terminal")
	}
	defer t.Close()
	p, err := t.readSecret("Passphrase of the bundle: ")
	if err != nil {
		return "", err
	}
	if twice {
		again, err := t.readSecret("Repeat it: ")
		if err != nil {
			return "", err
		}
		if string(again) != string(p) {
			return "", withHint(errors.New("the two passphrases typed do not match"), "type the same passphrase twice; nothing was exported")
		}
	}
	return string(p), nil
}

func (in *call) exportIdentities() (export.Identities, error) {
	if f := in.text("identity"); f != "" {
		return export.IdentityFile(f)
	}
	if in.on("passphrase") {
		p, err := in.exportPassphrase(false)
		if err != nil {
			return export.Identities{}, err
		}
		return export.PassphraseIdentity(p)
	}
	return export.Identities{}, nil
}

func exportTool() reports.Tool { return reports.Tool{Name: "custodiactl", Version: versionString()} }

func runExportCreate(in *call, c *casefile.Case) error {
	var items []uuid.UUID
	for _, ref := range in.texts("item") {
		ev, err := findEvidence(c, ref)
		if err != nil {
			return err
		}
		items = append(items, ev.ID)
	}
	var rcpt export.Recipients
	var err error
	newPub := ""
	if in.on("passphrase") {
		p, perr := in.exportPassphrase(true)
		if perr != nil {
			return perr
		}
		if rcpt, err = export.PassphraseRecipient(p); err != nil {
			return err
		}
	} else {
		if in.given("recipient") || in.given("recipients-file") {
			if rcpt, err = export.ParseRecipients(in.texts("recipient"), in.texts("recipients-file")); err != nil {
				return err
			}
		}
		if id := in.text("new-identity"); id != "" {
			var fresh export.Recipients
			if fresh, newPub, err = export.NewIdentity(id, in.now().UTC().Format("2006-01-02T15:04:05Z")); err != nil {
				return err
			}
			rcpt = rcpt.Join(fresh)
		}
	}
	prog := in.progress("exporting")
	var res export.Result
	err = in.interruptible(func(ctx context.Context) (err error) {
		res, err = export.Create(ctx, c, export.Options{Dest: in.text("o"), Tar: in.on("tar"), Items: items, Recipients: rcpt,
			Reports: in.texts("report"), Reason: in.reason, Tool: exportTool(), Now: in.now, Progress: prog.sink()})
		return err
	})
	prog.clear()
	switch {
	case errors.Is(err, context.Canceled):
		return withHint(errors.New("export cancelled"), "the partial bundle was removed; nothing was recorded")
	case err != nil:
		return err
	}
	if in.on("json") {
		return writeJSON(in.stdout, map[string]any{"path": res.Path, "export_id": res.ExportID, "sha256sums": res.SumsSHA256,
			"signer_key": res.SignerKey, "items": res.Items, "new_identity_recipient": newPub, "entry": res.Entry.Seq,
			"commands": export.Commands(in.on("passphrase"))})
	}
	w := in.stdout
	fmt.Fprintf(w, "exported: %s to %s\n", plural(len(res.Items), "item", "items"), res.Path)
	writeField(w, 12, "export", res.ExportID.String())
	writeField(w, 12, "sha256sums", res.SumsSHA256+" (the fingerprint: send it to the recipients separately)")
	writeField(w, 12, "signer key", res.SignerKey+" (minisign; send it too)")
	if newPub != "" {
		writeField(w, 12, "identity", in.text("new-identity")+" for "+newPub+" (hand it to the recipient, not with the bundle)")
	}
	fmt.Fprintln(w, "a recipient checks and opens it, in the bundle's folder:")
	for _, cmd := range export.Commands(in.on("passphrase")) {
		fmt.Fprintln(w, "  "+cmd)
	}
	return nil
}

func runExportVerify(in *call, _ *casefile.Case) error {
	ids, err := in.exportIdentities()
	if err != nil {
		return err
	}
	prog := in.progress("verifying")
	var v *export.Verification
	err = in.interruptible(func(ctx context.Context) (err error) {
		v, err = export.Verify(ctx, in.args[0], export.VerifyOptions{Identities: ids, SignerKey: in.text("signer-key"),
			AllHashes: in.on("all-hashes"), Progress: prog.sink()})
		return err
	})
	prog.clear()
	if err != nil {
		return err
	}
	return reportExport(in, v)
}

func reportExport(in *call, v *export.Verification) error {
	if in.on("json") {
		probs := v.Problems
		if probs == nil {
			probs = []export.Problem{}
		}
		if err := writeJSON(in.stdout, map[string]any{"dir": v.Dir, "ok": v.OK(), "problems": probs, "signer_key": v.SignerKey,
			"trusted_comment": v.TrustedComment, "sha256sums": v.SumsSHA256, "files": v.Files, "decrypted": v.Decrypted}); err != nil {
			return err
		}
	} else {
		w := in.stdout
		fmt.Fprintf(w, "bundle: %s\n", v.Dir)
		writeField(w, 12, "sha256sums", orDash(v.SumsSHA256)+" (compare with the fingerprint the sender gave you)")
		writeField(w, 12, "signer key", orDash(v.SignerKey))
		if f := v.Fields; f != nil {
			writeField(w, 12, "export", printable(f["export"], false))
			writeField(w, 12, "case", printable(f["case"], false))
			writeField(w, 12, "head", printable(f["head"], false))
			writeField(w, 12, "signed", printable(f["time"], false))
		}
		if v.Decrypted {
			fmt.Fprint(w, "checked: signature, every file against SHA256SUMS, and, decrypted in memory, the manifest and every inner hash\n")
		} else {
			fmt.Fprint(w, "checked: signature and every file against SHA256SUMS; nothing decrypted (give --identity to check the inner hashes)\n")
		}
		for _, p := range v.Problems {
			fmt.Fprintln(w, printable(p.String(), false))
		}
		if v.OK() {
			fmt.Fprint(w, "result: verified\n")
		} else {
			fmt.Fprintf(w, "result: %s\n", problems(len(v.Problems)))
		}
	}
	if v.OK() {
		return nil
	}
	return withHint(fmt.Errorf("the bundle does not verify (%s)", problems(len(v.Problems))),
		"do not rely on it: ask the sender for a new copy, and compare the SHA256SUMS fingerprint and signer key id with what they sent you separately")
}

func runExportImport(in *call, c *casefile.Case) error {
	ids, err := in.exportIdentities()
	if err != nil {
		return err
	}
	prog := in.progress("importing")
	var im *export.Imported
	err = in.interruptible(func(ctx context.Context) (err error) {
		im, err = export.Import(ctx, in.args[0], c, export.ImportOptions{Identities: ids, SignerKey: in.text("signer-key"),
			Reason: in.reason, Tool: exportTool().Name + " " + versionString(), Progress: prog.sink()})
		return err
	})
	prog.clear()
	if im != nil && im.Verification != nil && !im.Verification.OK() {
		rerr := reportExport(in, im.Verification)
		if !in.on("json") {
			fmt.Fprint(in.stdout, "nothing was written into the case\n")
		}
		return rerr
	}
	if err != nil {
		return err
	}
	w := in.stdout
	m := im.Verification.Manifest
	if in.on("json") {
		return writeJSON(w, map[string]any{"export_id": m.ExportID, "sender": m.Examiner.Name, "signer_key": im.Verification.SignerKey,
			"items": im.Items, "entry": im.Entry.Seq})
	}
	fmt.Fprintf(w, "imported: %s of export %s from %s (key %s)\n", plural(len(im.Items), "item", "items"), m.ExportID,
		printable(m.Examiner.Name, false), im.Verification.SignerKey)
	for _, ev := range im.Items {
		fmt.Fprintf(w, "  %s  %s  sha256 %s\n", shortID(ev), printable(ev.Meta.Name, false), ev.Meta.Hashes.SHA256)
	}
	return nil
}
