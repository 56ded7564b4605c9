// Command custodiactl is the headless command-line interface to Custodia case
// files: it creates cases, shows their details, manages their examiners and
// key slots, ingests, verifies, extracts, shows and withdraws evidence,
// shows, verifies and exports their chain of custody, and runs the incident
// through its lifecycle: classification, severity and priority, roles,
// indicators, findings, actions, mitigations, the notification decision,
// the post-mortem and its repair items.
// It builds with CGO_ENABLED=0 and shares every rule with the GUI through the
// casefile package; this command only parses arguments and prints results.
package main

import (
	"os"
	// Time zones given with 'ingest --timezone' are checked against the
	// IANA database; embedding it makes the check the same on every system,
	// including those without /usr/share/zoneinfo (Windows, slim containers).
	_ "time/tzdata"

	"github.com/custodia-dfir/custodia/casefile"
)

func main() {
	os.Exit(run(os.Args[1:], productionEnv()))
}

// productionEnv is the environment of a real run: the process's streams
// and environment variables, the user's terminal, and casefile's production
// clock and key derivation cost.
func productionEnv() *env {
	return &env{
		stdin:         os.Stdin,
		stdout:        os.Stdout,
		stderr:        os.Stderr,
		lookupEnv:     os.LookupEnv,
		caseOpts:      casefile.Options{},
		openTerminal:  openTerminal,
		isTerminal:    isTerminal,
		interruptible: interruptible,
	}
}
