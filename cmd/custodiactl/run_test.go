package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
)

// TestProductionKDF runs custodiactl as shipped (productionEnv) and checks
// that the key slot it writes has the production Argon2id cost, whatever
// the environment holds: the test KDF is not reachable from a command line.
func TestProductionKDF(t *testing.T) {
	if testing.Short() {
		t.Skip("derives two production-cost keys (256 MiB each)")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "prod.custodia")
	vars := map[string]string{
		"CUSTODIA_PASSPHRASE": "production passphrase",
		"CUSTODIA_KDF":        "test", // not a setting: nothing reads it
	}
	runProd := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		e := productionEnv()
		e.stdin, e.stdout, e.stderr = strings.NewReader(""), &stdout, &stderr
		e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
		e.openTerminal = func(*env) (terminal, error) { return nil, errNoTerminal }
		if code := run(args, e); code != 0 {
			t.Fatalf("custodiactl %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	runProd("init", path, "--title", "T", "--examiner", "E")
	var info struct {
		KeySlots []keySlotJSON `json:"key_slots"`
	}
	if err := json.Unmarshal([]byte(runProd("info", path, "--json")), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.KeySlots) != 1 {
		t.Fatalf("got %d key slots, want 1", len(info.KeySlots))
	}
	got, want := info.KeySlots[0].KDF, casefile.DefaultKDF
	if got.Time != want.Time || got.MemoryKiB != want.MemoryKiB || got.Threads != want.Threads {
		t.Errorf("key slot KDF = %+v, want the production cost %+v", got, want)
	}
}
