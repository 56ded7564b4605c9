package hunt

import (
	"os"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile/incident"
)

// FuzzExtractText: any text gives indicators that normalize to themselves
// and, but for IPv6 (which netip rewrites), occur in the text; never a
// panic. Seeded from the lines of real logs the timeline parses.
func FuzzExtractText(f *testing.F) {
	for _, s := range []string{
		"Feb 21 02:14:07 web01 sshd[4242]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2",
		`203.0.113.7 - - [21/Feb/2026:02:14:07 +0000] "GET http://evil.example.com/shell.php?c=id HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
		`{"eventName":"ConsoleLogin","sourceIPAddress":"2001:db8::7","userIdentity":{"arn":"arn:aws:iam::123456789012:user/bob@corp.example.org"}}`,
		"S-1-5-21-1004336348-1177238915-682003330-512 d41d8cd98f00b204e9800998ecf8427e version 10.0.19041.1",
		"setup.exe install.sh 1.2.3.4.5 fe80::1%eth0 ::ffff:10.0.0.1",
	} {
		f.Add(s, "")
	}
	f.Add("root", "user")
	// Lines of the real samples the log parsers are tested on (their
	// READMEs say where each comes from).
	for _, name := range []string{"../../evidence/logs/syslog/testdata/beats_system_auth_test.log",
		"../../evidence/logs/cloud/testdata/otel_aws_cloudtrail_log.json", "../../evidence/logs/cloud/testdata/otel_gcp_auditlog_activity.json",
		"../../evidence/logs/cloud/testdata/otel_azure_activity_administrative.json", "../../testdata/evidence/auth.log"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatalf("seed %s: %v", name, err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if i == 40 {
				break
			}
			f.Add(line, "")
		}
	}
	f.Fuzz(func(t *testing.T, text, field string) {
		scanned := text
		if len(scanned) > MaxTextScan {
			scanned = scanned[:MaxTextScan]
		}
		for _, fd := range ExtractText(text, field) {
			n, err := incident.NormalizeIndicator(fd.Type, fd.Value)
			if err != nil || n != fd.Value {
				t.Fatalf("%+v does not normalize to itself: %q, %v", fd, n, err)
			}
			if fd.Kind != KindIPv6 && fd.Kind != KindUser && !strings.Contains(strings.ToLower(scanned), strings.ToLower(fd.Value)) {
				t.Fatalf("%+v is not in the text", fd)
			}
		}
	})
}

// FuzzStream: a matcher fed the same bytes in two pieces finds what it
// finds in one.
func FuzzStream(f *testing.F) {
	f.Add([]byte("x 10.0.0.5 a.EVIL.com notevil.com"), 7)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		m := newMatcher(sweepPatterns([]SweptIndicator{{Type: incident.IndicatorIP, Value: "10.0.0.5"},
			{Type: incident.IndicatorDomain, Value: "evil.com"}, {Type: incident.IndicatorURL, Value: "http://x/"}}))
		var one, two []hit
		s := m.newStream(func(h hit) { one = append(one, h) })
		s.write(data)
		s.close()
		if len(data) > 0 {
			cut = ((cut % len(data)) + len(data)) % len(data)
		} else {
			cut = 0
		}
		s = m.newStream(func(h hit) { two = append(two, h) })
		s.write(data[:cut])
		s.write(data[cut:])
		s.close()
		if len(one) != len(two) {
			t.Fatalf("one piece %v, two pieces %v", one, two)
		}
		for i := range one {
			if one[i] != two[i] {
				t.Fatalf("one piece %v, two pieces %v", one, two)
			}
		}
	})
}
