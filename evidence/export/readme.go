package export

import (
	"fmt"
	"strings"
)

// VerifyCommands are the commands README.txt gives a recipient, run from
// the bundle's folder, with their identity file in key.txt (docs/EXPORT.md;
// TestStandardToolsVerifyBundle runs exactly these). A passphrase bundle
// drops "-i key.txt": age asks for the passphrase.
var VerifyCommands = []string{
	`minisign -Vm SHA256SUMS -p signer.pub`,
	`sha256sum -c --strict SHA256SUMS`,
	`age -d -i key.txt case.tar.age | tar x`,
	`for f in evidence/*.age; do age -d -i key.txt -o "${f%.age}" "$f"; done`,
	`sha256sum -c --strict case/SHA256SUMS`,
}

// Commands returns VerifyCommands for a bundle to these recipients.
func Commands(passphrase bool) []string {
	if !passphrase {
		return append([]string(nil), VerifyCommands...)
	}
	out := make([]string, len(VerifyCommands))
	for i, c := range VerifyCommands {
		out[i] = strings.ReplaceAll(c, "-i key.txt ", "")
	}
	return out
}

// readmeText is README.txt. It names the sender and their key id, but
// nothing of the case: names and hashes are inside case.tar.age.
func readmeText(m Manifest, keyID, sender string) []byte {
	pass := len(m.Recipients) == 1 && m.Recipients[0] == PassphraseName
	var b strings.Builder
	fmt.Fprintf(&b, `SEALED EVIDENCE EXPORT
======================

This folder is a sealed evidence export made with Custodia (%s).

  Export id:       %s
  Made:            %s
  Sent by:         %s
  Signer key id:   %s  (minisign; also in signer.pub)

Everything about the case - the items' names, hashes, custody record - is
encrypted: it is in case.tar.age. Each evidence item's exact original bytes
are in evidence/*.age, encrypted with age to the recipients below.

`, m.Tool, m.ExportID, m.Created, oneLine(sender), keyID)
	if pass {
		b.WriteString("Encrypted to: one passphrase (age scrypt); the sender gives it to you separately.\n\n")
	} else {
		b.WriteString("Encrypted to these age recipients (public keys):\n")
		for _, r := range m.Recipients {
			b.WriteString("  " + r + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString(`BEFORE YOU OPEN IT, compare two values with what the sender told you by
another channel (telephone, a letter): the signer key id above, and the
SHA-256 fingerprint of SHA256SUMS, which this command prints:

  sha256sum SHA256SUMS

CHECK AND OPEN IT with the standard tools age, minisign and coreutils
(Debian/Ubuntu: apt-get install age minisign), from this folder`)
	if pass {
		b.WriteString(":\n\n")
	} else {
		b.WriteString(", with\nyour age identity file in key.txt:\n\n")
	}
	for i, c := range Commands(pass) {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, c)
	}
	b.WriteString(`
  1. checks the sender's signature of SHA256SUMS; its trusted comment names
     the case, the export id, the custody ledger head and the time;
  2. checks every file of the bundle against SHA256SUMS;
  3. decrypts case/: manifest.json (every item with its name, size, MD5,
     SHA-1, SHA-256 and acquisition facts), SHA256SUMS, SHA1SUMS and MD5SUMS
     of the decrypted items, custody.jsonld (CASE/UCO), evidence.dfxml,
     ledger.jsonl (the custody entries about the items) and reports/;
  4. decrypts each item next to its .age file;
  5. checks the decrypted items' SHA-256 (sha1sum -c case/SHA1SUMS and
     md5sum -c case/MD5SUMS check the other two).

Every command must succeed. If one fails, do not rely on the bundle: ask the
sender for a new one.

With Custodia: custodiactl export verify . --identity key.txt
and, to load it into a case of your own:
custodiactl export import . --identity key.txt --into YOUR.custodia
`)
	return []byte(b.String())
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
