// Package hunt finds indicators of compromise in a case: it proposes the
// indicators that occur in the timeline's events (Extract), and sweeps the
// incident's recorded indicators over every event and the raw bytes of
// every item (Sweep), recording each sweep in the case.
//
// Event text and item bytes are outside input: every scan is bounded (text
// per value, distinct proposals, stored hits) and the text scanner is
// fuzzed (FuzzExtractText).
package hunt

import (
	"context"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/google/uuid"
	"golang.org/x/net/publicsuffix"
)

// Kinds of proposed indicators: what was recognized, finer than the
// incident's indicator type it is recorded as.
const (
	KindIPv4   = "ipv4"
	KindIPv6   = "ipv6"
	KindDomain = "domain"
	KindURL    = "url"
	KindEmail  = "email"
	KindMD5    = "md5"
	KindSHA1   = "sha1"
	KindSHA256 = "sha256"
	KindSID    = "sid"  // a Windows security identifier, recorded as type other
	KindUser   = "user" // a user name from a typed event's user field, recorded as type other
)

// Bounds of an extraction.
const (
	MaxTextScan  = 64 << 10 // bytes of one message or field value scanned
	MaxProposals = 10_000   // distinct values proposed; more are counted, not listed
	maxUserLen   = 256
)

// A Found is one indicator recognized in a text.
type Found struct {
	Kind  string
	Type  incident.IndicatorType
	Value string // as incident.NormalizeIndicator normalizes it
}

var (
	reURL    = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s"'<>\x00-\x1f\x7f]+`)
	reEmail  = regexp.MustCompile(`(?i)\b[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,10}[a-z]{2,63}\b`)
	reIPv4   = regexp.MustCompile(`\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b`)
	reIPv6   = regexp.MustCompile(`(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}`)
	reDomain = regexp.MustCompile(`(?i)\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,10}[a-z]{2,63}\b`)
	reSID    = regexp.MustCompile(`\bS-1-[0-9]{1,14}(?:-[0-9]{1,14}){1,14}\b`)
)

// fileExtensions are top-level domains that are also common file name
// extensions: a name of two labels ending in one (install.sh, notes.md,
// photos.zip) is taken for a file name, not a domain.
var fileExtensions = map[string]bool{"sh": true, "py": true, "pl": true, "rs": true, "md": true, "zip": true, "mov": true,
	"ps": true, "cc": true, "cs": true, "so": true, "ai": true, "am": true, "in": true, "ms": true, "mk": true, "tv": true,
	"ml": true, "nu": true, "sb": true, "st": true, "to": true, "ws": true, "bz": true, "gz": true, "cx": true}

// userFields are the field names (lower case) whose value is a user name in
// typed events (sshd, cron, Windows logons, cloud audit logs).
var userFields = map[string]bool{"user": true, "username": true, "user_name": true, "target_user": true, "targetusername": true,
	"subjectusername": true, "src_user": true, "dst_user": true, "account": true, "account_name": true, "actor": true}

// ExtractText returns the indicators in text, in the order found (the
// same value may repeat). field, when not empty, is the name of the field
// the text is the value of: a user field's value is a user name. At most
// MaxTextScan bytes of text are read.
//
// The rules, chosen against false positives:
//   - IPv4: four dotted decimals that net/netip accepts (no part above 255,
//     no leading zeros), not part of a longer dotted run (1.2.3.4.5 is a
//     version); 0.0.0.0 is left out.
//   - IPv6: what net/netip accepts with "::" or eight groups (12:30:45 and
//     MAC addresses are not); :: is left out.
//   - Domains: two or more labels whose public suffix is an ICANN one in
//     the Public Suffix List (golang.org/x/net/publicsuffix), with a label
//     before it: setup.exe, a.b.local and 1.2.3.4 are not domains; two
//     labels ending in a suffix that is also a common file extension
//     (install.sh) are not either; a domain right after @ is the e-mail's.
//   - URLs: http, https and ftp with a host; trailing punctuation dropped.
//   - E-mail addresses: local@domain, the domain as above.
//   - Hashes: a run of exactly 32, 40 or 64 hex digits between
//     non-alphanumerics, with at least one letter and one digit.
//   - Windows SIDs: S-1-… with two to fifteen numbers.
//   - User names: the whole value of a user field (user, target_user,
//     TargetUserName, SubjectUserName, actor, …) but "-" and empty.
func ExtractText(text, field string) []Found {
	if len(text) > MaxTextScan {
		text = text[:MaxTextScan]
	}
	var out []Found
	add := func(kind string, t incident.IndicatorType, v string) {
		if n, err := incident.NormalizeIndicator(t, v); err == nil {
			out = append(out, Found{Kind: kind, Type: t, Value: n})
		}
	}
	if f := strings.ToLower(field); userFields[f] {
		if u := strings.TrimSpace(text); u != "" && u != "-" && len(u) <= maxUserLen && !strings.ContainsAny(u, "\n\r\t") {
			add(KindUser, incident.IndicatorOther, u)
		}
	}
	if strings.Contains(text, "://") {
		for _, m := range reURL.FindAllString(text, -1) {
			m = strings.TrimRight(m, ".,;:!?)]}'\"")
			if strings.Contains(m, "://") && !strings.HasSuffix(m, "://") {
				add(KindURL, incident.IndicatorURL, m)
			}
		}
	}
	if strings.IndexByte(text, '@') >= 0 {
		for _, m := range reEmail.FindAllString(text, -1) {
			if _, d, _ := strings.Cut(m, "@"); isDomain(d) {
				add(KindEmail, incident.IndicatorEmail, m)
			}
		}
	}
	if strings.IndexByte(text, '.') >= 0 {
		for _, ix := range reIPv4.FindAllStringIndex(text, -1) {
			if dottedRun(text, ix[0], ix[1]) {
				continue
			}
			if a, err := netip.ParseAddr(text[ix[0]:ix[1]]); err == nil && !a.IsUnspecified() {
				add(KindIPv4, incident.IndicatorIP, a.String())
			}
		}
		for _, ix := range reDomain.FindAllStringIndex(text, -1) {
			if ix[0] > 0 && text[ix[0]-1] == '@' || ix[1] < len(text) && text[ix[1]] == '-' {
				continue
			}
			if d := strings.ToLower(text[ix[0]:ix[1]]); isDomain(d) {
				add(KindDomain, incident.IndicatorDomain, d)
			}
		}
	}
	if strings.Count(text, ":") >= 2 {
		for _, ix := range reIPv6.FindAllStringIndex(text, -1) {
			m := text[ix[0]:ix[1]]
			if ix[0] > 0 && isWordByte(text[ix[0]-1]) || ix[1] < len(text) && (isWordByte(text[ix[1]]) || text[ix[1]] == '.') {
				continue
			}
			if !strings.Contains(m, "::") && strings.Count(m, ":") != 7 {
				continue
			}
			if a, err := netip.ParseAddr(m); err == nil && a.Is6() && !a.IsUnspecified() {
				add(KindIPv6, incident.IndicatorIP, a.String())
			}
		}
	}
	for _, h := range hexRuns(text) {
		kind := map[int]string{32: KindMD5, 40: KindSHA1, 64: KindSHA256}[len(h)]
		add(kind, incident.IndicatorHash, h)
	}
	if strings.Contains(text, "S-1-") {
		for _, m := range reSID.FindAllString(text, -1) {
			add(KindSID, incident.IndicatorOther, m)
		}
	}
	return out
}

func isWordByte(b byte) bool { return isAlnum(int(b)) || b == '_' }

// dottedRun reports whether text[i:j] is part of a longer run of dotted
// numbers (a version such as 1.2.3.4.5).
func dottedRun(text string, i, j int) bool {
	if i >= 2 && text[i-1] == '.' && isDigit(int(text[i-2])) {
		return true
	}
	return j+1 < len(text) && text[j] == '.' && isDigit(int(text[j+1]))
}

// isDomain applies the domain rules of ExtractText to d.
func isDomain(d string) bool {
	d = strings.ToLower(d)
	suffix, icann := publicsuffix.PublicSuffix(d)
	if !icann || suffix == d || !strings.HasSuffix(d, "."+suffix) {
		return false
	}
	labels := strings.Count(d, ".") + 1
	tld := d[strings.LastIndexByte(d, '.')+1:]
	return !(labels == 2 && fileExtensions[tld])
}

// hexRuns returns the runs of 32, 40 or 64 hex digits of text that stand
// alone (between non-alphanumerics) and hold a letter and a digit, in
// lower case.
func hexRuns(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		if !isHexDigit(int(text[i])) || (i > 0 && isAlnum(int(text[i-1]))) {
			i++
			continue
		}
		j := i
		letter, digit := false, false
		for j < len(text) && isHexDigit(int(text[j])) {
			letter = letter || !isDigit(int(text[j]))
			digit = digit || isDigit(int(text[j]))
			j++
		}
		if n := j - i; (n == 32 || n == 40 || n == 64) && letter && digit && (j == len(text) || !isAlnum(int(text[j]))) {
			out = append(out, strings.ToLower(text[i:j]))
		}
		i = j
	}
	return out
}

// A Proposal is an indicator found in events and not yet recorded.
type Proposal struct {
	Found
	Count  int64  // occurrences
	Events int64  // events it occurs in
	First  string // the first event it occurs in
}

// Extraction is the result of Extract.
type Extraction struct {
	Proposals []Proposal // most frequent first, then by type and value
	Events    int64      // events read
	// Recorded counts the distinct values found that the incident records
	// already: they are not proposed.
	Recorded int
	// Dropped counts distinct values beyond MaxProposals, not listed.
	Dropped int64
	// LongTexts counts the messages and field values longer than
	// MaxTextScan, of which only the first MaxTextScan bytes were read.
	LongTexts int64
}

type foundKey struct {
	t incident.IndicatorType
	v string
}

// Extract reads the events of the current timeline (of item only, when not
// uuid.Nil; events of withdrawn items are left out) and proposes the
// indicators found in their messages and field values that the incident
// does not record yet. progress, when not nil, is called now and then with
// the events read and the total.
func Extract(ctx context.Context, c *casefile.Case, item uuid.UUID, progress func(done, total int64)) (Extraction, error) {
	var x Extraction
	recorded, err := incident.Of(c).Indicators()
	if err != nil {
		return x, err
	}
	skip, err := withdrawnItems(c)
	if err != nil {
		return x, err
	}
	have := map[foundKey]bool{}
	for _, ind := range recorded {
		have[foundKey{ind.Type, ind.Value}] = true
	}
	s := timeline.Of(c)
	total, err := s.Count()
	if err != nil {
		return x, err
	}
	evs := s.All()
	if item != uuid.Nil {
		if skip[item] {
			ev, _ := c.Evidence(item)
			return x, timeline.ErrWithdrawnItem.Errorf("%s is withdrawn: its events are not searched", ev.Meta.Name)
		}
		if _, err := c.Evidence(item); err != nil {
			return x, err
		}
		evs = s.Events(item)
	}
	props := map[foundKey]*Proposal{}
	seenRecorded := map[foundKey]bool{}
	inEvent := map[foundKey]bool{}
	for e, err := range evs {
		if err != nil {
			return x, err
		}
		if skip[e.Item] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return x, err
		}
		x.Events++
		if progress != nil && x.Events%10000 == 0 {
			progress(x.Events, total)
		}
		clear(inEvent)
		texts := append(make([]timeline.Field, 0, len(e.Fields)+1), timeline.Field{Name: "", Value: e.Message})
		for _, f := range append(texts, e.Fields...) {
			if len(f.Value) > MaxTextScan {
				x.LongTexts++
			}
			for _, fd := range ExtractText(f.Value, f.Name) {
				k := foundKey{fd.Type, fd.Value}
				if have[k] {
					seenRecorded[k] = true
					continue
				}
				p := props[k]
				if p == nil {
					if len(props) >= MaxProposals {
						if !inEvent[k] {
							x.Dropped++ // counted once per event, as an upper bound of the values left out
						}
						inEvent[k] = true
						continue
					}
					p = &Proposal{Found: fd, First: e.ID}
					props[k] = p
				}
				p.Count++
				if !inEvent[k] {
					inEvent[k] = true
					p.Events++
				}
			}
		}
	}
	x.Recorded = len(seenRecorded)
	for _, p := range props {
		x.Proposals = append(x.Proposals, *p)
	}
	slices.SortFunc(x.Proposals, func(a, b Proposal) int {
		if a.Count != b.Count {
			return int(min(max(b.Count-a.Count, -1), 1))
		}
		if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	if progress != nil {
		progress(x.Events, total)
	}
	return x, nil
}

// withdrawnItems returns the items that are withdrawn.
func withdrawnItems(c *casefile.Case) (map[uuid.UUID]bool, error) {
	evs, err := c.ListEvidence()
	out := map[uuid.UUID]bool{}
	for _, ev := range evs {
		if !ev.InForce() {
			out[ev.ID] = true
		}
	}
	return out, err
}
