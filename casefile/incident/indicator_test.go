package incident

import (
	"errors"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

func TestIndicatorValidation(t *testing.T) {
	md5, sha1, sha256 := strings.Repeat("a", 32), strings.Repeat("B", 40), strings.Repeat("0f", 32)
	for _, tc := range []struct {
		typ   IndicatorType
		in    string
		want  string // normalized; "" means refused
		error string // part of the refusal
	}{
		{IndicatorIP, "203.0.113.9", "203.0.113.9", ""},
		{IndicatorIP, " 2001:DB8::0:1 ", "2001:db8::1", ""},
		{IndicatorIP, "198.51.100.17/24", "198.51.100.0/24", ""},
		{IndicatorIP, "::ffff:192.0.2.1", "::ffff:192.0.2.1", ""},
		{IndicatorIP, "256.1.1.1", "", "not an IP address"},
		{IndicatorIP, "10.0.0.1/33", "", "not an IP address or CIDR prefix"},
		{IndicatorIP, "evil.example.com", "", "not an IP address"},
		{IndicatorDomain, "Evil.Example.COM.", "evil.example.com", ""},
		{IndicatorDomain, "xn--80ak6aa92e.com", "xn--80ak6aa92e.com", ""},
		{IndicatorDomain, "a-b.c-d.example", "a-b.c-d.example", ""},
		{IndicatorDomain, "localhost", "", "not a domain name"},
		{IndicatorDomain, "-bad.example.com", "", "not a domain name"},
		{IndicatorDomain, "bad-.example.com", "", "not a domain name"},
		{IndicatorDomain, "under_score.example.com", "", "not a domain name"},
		{IndicatorDomain, "203.0.113.9", "", "not a domain name"},
		{IndicatorDomain, "evil.example.com/path", "", "not a domain name"},
		{IndicatorDomain, strings.Repeat("a", 64) + ".com", "", "not a domain name"},
		{IndicatorDomain, strings.Repeat("abcdefghi.", 26) + "com", "", "not a domain name"},
		{IndicatorURL, "https://evil.example.com/a?b=c#d", "https://evil.example.com/a?b=c#d", ""},
		{IndicatorURL, "hxxp://evil.example.com", "hxxp://evil.example.com", ""},
		{IndicatorURL, "evil.example.com/path", "", "not an absolute URL"},
		{IndicatorURL, "/relative/path", "", "not an absolute URL"},
		{IndicatorURL, "http://[::1", "", "not a URL"},
		{IndicatorEmail, "attacker@evil.example.com", "attacker@evil.example.com", ""},
		{IndicatorEmail, "Mallory <mallory@evil.example>", "mallory@evil.example", ""},
		{IndicatorEmail, "not-an-address", "", "not an e-mail address"},
		{IndicatorHash, md5, md5, ""},
		{IndicatorHash, sha1, strings.ToLower(sha1), ""},
		{IndicatorHash, sha256, sha256, ""},
		{IndicatorHash, strings.Repeat("a", 33), "", "32 (MD5), 40 (SHA-1) or 64 (SHA-256)"},
		{IndicatorHash, strings.Repeat("g", 32), "", "not a hash"},
		{IndicatorHash, strings.Repeat("a", 128), "", "not a hash"},
		{IndicatorFilePath, `C:\Users\Public\svch0st.exe`, `C:\Users\Public\svch0st.exe`, ""},
		{IndicatorFilePath, "/tmp/.x/kworker", "/tmp/.x/kworker", ""},
		{IndicatorFilePath, "/tmp/a\nb", "", "control character"},
		{IndicatorOther, "Global\\MutexRT7", "Global\\MutexRT7", ""},
		{IndicatorOther, "  ", "", "required"},
		{IndicatorOther, "caf\xe9", "", "not valid UTF-8"},
		{IndicatorOther, strings.Repeat("x", MaxIndicatorLen+1), "", "too long"},
		{"mutex", "x", "", "unknown indicator type"},
	} {
		got, err := NormalizeIndicator(tc.typ, tc.in)
		switch {
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("%s %q = %q, %v; want %q", tc.typ, tc.in, got, err, tc.want)
		case tc.want == "" && (!errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), tc.error)):
			t.Errorf("%s %q: %v, want casefile.ErrInvalid saying %q", tc.typ, tc.in, err, tc.error)
		}
	}
}

func TestAddIndicator(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	a := must(c.AddIndicator(IndicatorDomain, "Evil.Example.com", "C2 domain", "beacons every 60 s"))(t)
	if _, err := c.AddIndicator(IndicatorDomain, "evil.example.com.", "", ""); !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "recorded already") {
		t.Fatalf("duplicate indicator: %v", err)
	}
	must(c.AddIndicator(IndicatorHash, strings.Repeat("AB", 20), "", ""))(t)
	all := must(c.Indicators())(t)
	if len(all) != 2 || all[0].ID != a.ID || all[0].Value != "evil.example.com" || all[0].Examiner != testCase.Examiner || all[1].Value != strings.Repeat("ab", 20) ||
		all[0].Reason != "beacons every 60 s" {
		t.Fatalf("indicators %+v", all)
	}
	entries := must(c.Entries())(t)
	if last := entries[len(entries)-1]; last.Action != ActionIndicatorAdded || last.Details["algorithm"] != "sha1" || last.Target.Type != TargetIndicator {
		t.Fatalf("entry %+v", last)
	}
}
