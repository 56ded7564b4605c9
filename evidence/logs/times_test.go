package logs

import (
	"testing"
	"time"
)

func TestParseISO(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		in, want string
		zone     bool
	}{
		{"2024-07-01T12:00:00Z", "2024-07-01T12:00:00Z", true},
		{"2024-07-01 12:00:00,5+0200", "2024-07-01T10:00:00.5Z", true},
		{"2024-07-01t12:00:00.1234567891-05", "2024-07-01T17:00:00.123456789Z", true},
		{"2024-07-01T12:00:00", "2024-07-01T10:00:00Z", false},
	} {
		got, zone, err := ParseISO(tc.in, berlin)
		if err != nil || got.UTC().Format(time.RFC3339Nano) != tc.want || zone != tc.zone {
			t.Errorf("%s: %v %v %v, want %s %v", tc.in, got.UTC(), zone, err, tc.want, tc.zone)
		}
	}
	for _, bad := range []string{"2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "yesterday", "2024-07-01T12:00:00+25:00", "2024-07-01T12:00:00."} {
		if _, _, err := ParseISO(bad, nil); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if tm, err := FromUnix("1569808707.2258889"); err != nil || tm.Format(time.RFC3339Nano) != "2019-09-30T01:58:27.2258889Z" {
		t.Errorf("FromUnix: %v %v", tm, err)
	}
	if InRange(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) || InRange(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)) || !InRange(time.Unix(0, 0)) {
		t.Error("InRange")
	}
}

func TestUniqueNames(t *testing.T) {
	f := []Field{{"a", "1"}, {"", "2"}, {"a", "3"}, {"a", "4"}, {"", "5"}}
	uniqueNames(f)
	want := []string{"a", "field", "a#2", "a#3", "field#2"}
	for i, w := range want {
		if f[i].Name != w {
			t.Errorf("field %d named %q, want %q", i, f[i].Name, w)
		}
	}
}
