package regime_test

import (
	"fmt"
	"time"

	"github.com/custodia-dfir/custodia/casefile/notify/regime"
)

// The notification store passes what the case recorded; the clocks come back in table order.
func ExampleClocks() {
	aware := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) // Monday of Thanksgiving week
	triggers := map[regime.Trigger]time.Time{regime.Awareness: aware, regime.Materiality: aware}
	met := map[string]regime.Met{regime.Key("gdpr", "authority"): {Notice: "N-1", At: aware.Add(80 * time.Hour)}}
	clocks, err := regime.Clocks([]string{"sec-8k", "gdpr"}, triggers, nil, met, aware.Add(96*time.Hour))
	if err != nil {
		panic(err)
	}
	for _, c := range clocks {
		due := "no fixed due"
		if !c.Due.IsZero() {
			due = c.Due.Format(time.RFC3339) + " (" + c.DueLocal + ")"
		}
		fmt.Printf("%s %s late=%v %s\n", c.Key(), c.Status, c.Late, due)
	}
	// Output:
	// gdpr/authority met late=true 2026-11-26T15:00:00Z (Thu 2026-11-26 16:00:00 +01:00 Europe/Brussels)
	// gdpr/data-subjects running late=false no fixed due
	// sec-8k/item-1.05 running late=false 2026-11-30T22:30:00Z (Mon 2026-11-30 17:30:00 -05:00 America/New_York)
}

func ExampleSuggest() {
	fmt.Println(regime.Suggest([]string{"FR", "US-NY", "SG"}))
	// Output: [gdpr nis2 hipaa nydfs sg-pdpa]
}
