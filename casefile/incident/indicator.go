package incident

import (
	"encoding/hex"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// IndicatorType is the kind of an indicator of compromise.
type IndicatorType string

// Indicator types.
const (
	IndicatorIP       IndicatorType = "ip"        // IPv4 or IPv6 address, or a CIDR prefix
	IndicatorDomain   IndicatorType = "domain"    // DNS name
	IndicatorURL      IndicatorType = "url"       // absolute URL with a scheme
	IndicatorEmail    IndicatorType = "email"     // e-mail address
	IndicatorHash     IndicatorType = "hash"      // MD5, SHA-1 or SHA-256, hex
	IndicatorFilePath IndicatorType = "file-path" // Windows or POSIX path
	IndicatorOther    IndicatorType = "other"     // anything else: a mutex name, a registry key, a user agent…
)

// IndicatorTypes lists the indicator types.
var IndicatorTypes = []IndicatorType{IndicatorIP, IndicatorDomain, IndicatorURL, IndicatorEmail, IndicatorHash, IndicatorFilePath, IndicatorOther}

// Indicator is one indicator identified in the incident: what "led to
// detection of the incident" or was found while investigating it.
type Indicator struct {
	ID    uuid.UUID     `json:"-"`
	Type  IndicatorType `json:"type"`
	Value string        `json:"value"` // normalized by NormalizeIndicator
	Note  string        `json:"note"`
	// Reason is why it was recorded, as in its custody entry; empty in
	// indicators recorded before format version 4.
	Reason string `json:"reason,omitempty"`
	casefile.Attribution
}

// domainRE is a DNS name of at least two labels of letters, digits and
// inner hyphens; the last label is alphabetic or an IDNA "xn--" label.
var domainRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$`)

// NormalizeIndicator checks value as an indicator of type t and returns it
// in canonical form: IP addresses and prefixes as net/netip prints them,
// domains and hashes in lower case without a trailing dot, e-mail addresses
// without a display name. URLs, paths and other values are kept as given
// (only surrounding space is trimmed). Errors wrap ErrInvalid and say what
// is wrong.
func NormalizeIndicator(t IndicatorType, value string) (string, error) {
	v := strings.TrimSpace(value)
	if err := casefile.CheckLine(string(t)+" indicator", v, true, MaxIndicatorLen); err != nil {
		return "", err
	}
	switch t {
	case IndicatorIP:
		if strings.Contains(v, "/") {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return "", casefile.Invalidf("%q is not an IP address or CIDR prefix: %v", v, err)
			}
			return p.Masked().String(), nil
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "", casefile.Invalidf("%q is not an IP address: %v", v, err)
		}
		return a.String(), nil
	case IndicatorDomain:
		d := strings.TrimSuffix(strings.ToLower(v), ".")
		if len(d) > 253 || !domainRE.MatchString(d) {
			return "", casefile.Invalidf("%q is not a domain name (labels of letters, digits and inner hyphens, at least two, e.g. evil.example.com)", v)
		}
		return d, nil
	case IndicatorURL:
		u, err := url.Parse(v)
		if err != nil {
			return "", casefile.Invalidf("%q is not a URL: %v", v, err)
		}
		if u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
			return "", casefile.Invalidf("%q is not an absolute URL: it needs a scheme and a host, e.g. https://evil.example.com/path", v)
		}
		return v, nil
	case IndicatorEmail:
		a, err := mail.ParseAddress(v)
		if err != nil {
			return "", casefile.Invalidf("%q is not an e-mail address: %v", v, err)
		}
		return a.Address, nil
	case IndicatorHash:
		h := strings.ToLower(v)
		if _, err := hex.DecodeString(h); err != nil || (len(h) != 32 && len(h) != 40 && len(h) != 64) {
			return "", casefile.Invalidf("%q is not a hash: give 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hex digits", v)
		}
		return h, nil
	case IndicatorFilePath, IndicatorOther:
		return v, nil
	}
	return "", casefile.Invalidf("unknown indicator type %q; types are ip, domain, url, email, hash, file-path, other", t)
}

// hashAlgorithm names the algorithm of a normalized hash indicator by its length.
func hashAlgorithm(h string) string {
	switch len(h) {
	case 32:
		return "md5"
	case 40:
		return "sha1"
	}
	return "sha256"
}

// AddIndicator validates, normalizes and records an indicator. The same
// type and value cannot be recorded twice. Refused while the incident is
// closed.
func (s *Store) AddIndicator(t IndicatorType, value, note, reason string) (Indicator, error) {
	v, err := NormalizeIndicator(t, value)
	if err != nil {
		return Indicator{}, fmt.Errorf("add indicator: %w", err)
	}
	if err := casefile.CheckText("note", note, false, casefile.MaxTextLen); err != nil {
		return Indicator{}, fmt.Errorf("add indicator: %w", err)
	}
	var ind Indicator
	err = s.write("add indicator", func(tx *casefile.Tx) (casefile.Event, error) {
		if _, err := requireOpen(tx, "before adding indicators"); err != nil {
			return casefile.Event{}, err
		}
		all, err := indicators(tx)
		if err != nil {
			return casefile.Event{}, err
		}
		if i := slices.IndexFunc(all, func(x Indicator) bool { return x.Type == t && x.Value == v }); i >= 0 {
			return casefile.Event{}, casefile.Invalidf("%s indicator %s is recorded already (%s)", t, casefile.Brief(v), all[i].ID)
		}
		if err := casefile.CheckList("indicators", len(all)+1); err != nil {
			return casefile.Event{}, err
		}
		ind = Indicator{ID: uuid.New(), Type: t, Value: v, Note: note, Reason: reason, Attribution: tx.Stamp()}
		if _, err := tx.Append(tblIndicators, ind.ID, ind); err != nil {
			return casefile.Event{}, err
		}
		details := map[string]string{"type": string(t), "value": casefile.Brief(v)}
		if t == IndicatorHash {
			details["algorithm"] = hashAlgorithm(v)
		}
		return casefile.Event{Action: ActionIndicatorAdded, Target: casefile.Target{Type: TargetIndicator, ID: ind.ID.String()}, Reason: reason, Details: details}, nil
	})
	return ind, err
}

// Indicators returns the incident's indicators, oldest first.
func (s *Store) Indicators() ([]Indicator, error) {
	var out []Indicator
	err := s.c.Read("read indicators", func(r casefile.Reader) error {
		var err error
		out, err = indicators(r)
		return err
	})
	return out, err
}

func indicators(r casefile.Reader) ([]Indicator, error) {
	rows, err := r.Records(tblIndicators)
	if err != nil {
		return nil, err
	}
	out, err := casefile.DecodeRecords[Indicator](rows)
	for i := range out {
		out[i].ID = rows[i].ID
	}
	return out, err
}
