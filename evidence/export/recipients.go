package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
)

// Recipients is who a bundle is encrypted to: age X25519 public keys, or
// one passphrase (age's scrypt recipient, which age allows only alone).
type Recipients struct {
	list  []age.Recipient
	names []string // as recorded: the age1… keys, or "passphrase (age scrypt)"
}

// PassphraseName is how a passphrase recipient is named in the manifest
// and the ledger (never the passphrase itself).
const PassphraseName = "passphrase (age scrypt)"

// Names returns the recipients as recorded.
func (r Recipients) Names() []string { return append([]string(nil), r.names...) }

// Len returns the number of recipients.
func (r Recipients) Len() int { return len(r.list) }

// maxRecipientsFile bounds a recipients or identity file.
const maxRecipientsFile = 1 << 20

// ParseRecipients collects the recipients given inline (age1… strings)
// and in files (one key a line; '#' comments and blank lines ignored).
// Anything that is not an age X25519 public key is ErrRecipient naming it
// (and its line).
func ParseRecipients(inline []string, files []string) (Recipients, error) {
	var r Recipients
	seen := map[string]bool{}
	add := func(s, where string) error {
		s = strings.TrimSpace(s)
		rec, err := age.ParseX25519Recipient(s)
		if err != nil {
			shown := s
			if len(shown) > 80 {
				shown = shown[:80] + "…"
			}
			if strings.HasPrefix(s, "AGE-SECRET-KEY-") {
				shown = "AGE-SECRET-KEY-… (a secret identity; give its public key, which age-keygen -y prints)"
			}
			return fmt.Errorf("%w: %s%q", ErrRecipient, where, shown)
		}
		if !seen[s] {
			seen[s] = true
			r.list = append(r.list, rec)
			r.names = append(r.names, s)
		}
		return nil
	}
	for _, s := range inline {
		if err := add(s, ""); err != nil {
			return Recipients{}, err
		}
	}
	for _, f := range files {
		data, err := readSmall(f, maxRecipientsFile)
		if err != nil {
			return Recipients{}, fmt.Errorf("%w: recipients file %s: %v", ErrRecipient, f, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 4096), maxRecipientsFile)
		n, line := 0, 0
		for sc.Scan() {
			line++
			l := strings.TrimSpace(sc.Text())
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if err := add(l, fmt.Sprintf("%s line %d: ", f, line)); err != nil {
				return Recipients{}, err
			}
			n++
		}
		if n == 0 {
			return Recipients{}, fmt.Errorf("%w: recipients file %s holds no key", ErrRecipient, f)
		}
	}
	if len(r.list) == 0 {
		return Recipients{}, fmt.Errorf("%w: no recipient given", ErrRecipient)
	}
	return r, nil
}

// PassphraseRecipient encrypts to one passphrase with age's scrypt.
func PassphraseRecipient(passphrase string) (Recipients, error) {
	if len(passphrase) < 8 {
		return Recipients{}, fmt.Errorf("%w: a passphrase of at least 8 characters is needed", ErrRecipient)
	}
	rec, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return Recipients{}, fmt.Errorf("%w: %v", ErrRecipient, err)
	}
	return Recipients{list: []age.Recipient{rec}, names: []string{PassphraseName}}, nil
}

// Join adds the recipients of o to r (a passphrase cannot be joined).
func (r Recipients) Join(o Recipients) Recipients {
	for i, n := range o.names {
		if !containsString(r.names, n) {
			r.list = append(r.list, o.list[i])
			r.names = append(r.names, n)
		}
	}
	return r
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NewIdentity creates an age X25519 key pair for a recipient, writes the
// identity file (the format age-keygen writes, mode 0600) to path — a new
// file, never overwritten — and returns the recipient.
func NewIdentity(path string, now string) (Recipients, string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return Recipients{}, "", err
	}
	pub := id.Recipient().String()
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", now, pub, id.String())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Recipients{}, "", fmt.Errorf("%w: identity file: %v", ErrDestination, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		os.Remove(path)
		return Recipients{}, "", fmt.Errorf("%w: identity file: %v", ErrDestination, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return Recipients{}, "", fmt.Errorf("%w: identity file: %v", ErrDestination, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return Recipients{}, "", fmt.Errorf("%w: identity file: %v", ErrDestination, err)
	}
	return Recipients{list: []age.Recipient{id.Recipient()}, names: []string{pub}}, pub, nil
}

// Identities is what opens a bundle: age identities from a file, or a
// passphrase.
type Identities struct {
	list []age.Identity
}

// IdentityFile reads an age identity file (AGE-SECRET-KEY-1… lines).
func IdentityFile(path string) (Identities, error) {
	data, err := readSmall(path, maxRecipientsFile)
	if err != nil {
		return Identities{}, fmt.Errorf("%w: %s: %v", ErrIdentity, path, err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return Identities{}, fmt.Errorf("%w: %s: %v", ErrIdentity, path, err)
	}
	return Identities{list: ids}, nil
}

// PassphraseIdentity opens a passphrase bundle.
func PassphraseIdentity(passphrase string) (Identities, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return Identities{}, fmt.Errorf("%w: %v", ErrIdentity, err)
	}
	return Identities{list: []age.Identity{id}}, nil
}

// IsZero reports whether no identity was given.
func (i Identities) IsZero() bool { return len(i.list) == 0 }

func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
