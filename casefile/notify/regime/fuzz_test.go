package regime

import (
	"testing"
	"time"
)

// fuzzTime maps any int64 into a time between years 1 and 9999.
func fuzzTime(s int64) time.Time {
	const lo, span = -62135596800, 253402300799 + 62135596800
	if s < 0 {
		s = -(s + 1)
	}
	return time.Unix(lo+s%span, 0).UTC()
}

// FuzzClocks: random trigger times, delays and notices never panic, never fail on valid input, and every
// clock's Due is at or after its TriggerAt.
func FuzzClocks(f *testing.F) {
	for _, s := range []string{"2026-11-23T15:00:00Z", "2021-12-29T15:00:00Z", "2026-03-27T09:00:00Z",
		"2026-10-23T08:00:00Z", "2028-01-31T09:00:00Z", "2026-11-18T18:00:00Z"} {
		v, _ := time.Parse(time.RFC3339, s)
		u := v.Unix()
		f.Add(u, u+7200, u+86400, int64(10*86400), u+3*86400, u+5*86400, false, uint8(0))
		f.Add(u, u-7200, u-86400, int64(400*86400), u-86400, u+60*86400, true, uint8(255))
	}
	ids := IDs()
	f.Fuzz(func(t *testing.T, trig, second, delayFrom, delayLen, metAt, at int64, oral bool, mask uint8) {
		t1, t2 := fuzzTime(trig), fuzzTime(second)
		triggers := map[Trigger]time.Time{}
		for i, tr := range Triggers() {
			switch {
			case mask&(1<<i) != 0:
				triggers[tr] = t2
			case i%2 == int(mask>>7):
				triggers[tr] = t1
			}
		}
		from := fuzzTime(delayFrom)
		if delayLen < 0 {
			delayLen = -(delayLen + 1)
		}
		length := time.Duration(1+delayLen%(800*86400)) * time.Second
		delays := []Delay{{From: from, Until: from.Add(length), Oral: oral},
			{From: from.Add(length / 2), Until: from.Add(length * 2)}}
		met := map[string]Met{}
		for i, r := range table {
			if mask&(1<<(i%8)) != 0 {
				for _, o := range r.Obligations {
					met[Key(r.ID, o.ID)] = Met{Notice: "N", At: fuzzTime(metAt)}
				}
			}
		}
		cs, err := Clocks(ids, triggers, delays, met, fuzzTime(at))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range table {
			n += len(r.Obligations)
		}
		if len(cs) != n {
			t.Fatalf("%d clocks, want %d", len(cs), n)
		}
		for _, c := range cs {
			if !c.Due.IsZero() && c.Due.Before(c.TriggerAt) {
				t.Errorf("%s: due %v before trigger %v", c.Key(), c.Due, c.TriggerAt)
			}
			if c.PausedFor < 0 {
				t.Errorf("%s: paused %v", c.Key(), c.PausedFor)
			}
			if r, _ := Lookup(c.Regime); !r.DelayAllowed && (c.PausedFor != 0 || c.Status == Paused) {
				t.Errorf("%s paused though the regime allows no delay", c.Key())
			}
			switch c.Status {
			case NotStarted, Running, Paused, MetStatus, Overdue:
			default:
				t.Errorf("%s: status %q", c.Key(), c.Status)
			}
			if c.Late && c.Status != MetStatus {
				t.Errorf("%s: late but %s", c.Key(), c.Status)
			}
		}
	})
}
