package casefile

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCrashKeepsChangesAndEntriesTogether kills a writing process with
// SIGKILL at random points, many times. After each kill the case must open,
// the chain must verify, every committed change must have its entry and
// every entry its change, and nothing the writer reported as committed may
// be lost.
func TestCrashKeepsChangesAndEntriesTogether(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs subprocesses")
	}
	path := createTestCase(t)
	committed := map[string]bool{} // examiner names the writer saw commit
	rng := rand.New(rand.NewPCG(1, 2))
	const runs = 25
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashWriter$")
		cmd.Env = append(os.Environ(), "CUSTODIA_HELPER_CRASH="+path, fmt.Sprintf("CUSTODIA_HELPER_RUN=%d", run))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1000)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait until the writer has the case open, then let it write for a
		// random while and kill it mid-stream.
		for l := range lines {
			if l == "opened" {
				break
			}
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			if name, ok := strings.CutPrefix(l, "committed "); ok {
				committed[name] = true
			}
		}
		cmd.Wait()

		c, err := Open(path, []byte(testPass), TestOptions())
		if err != nil {
			t.Fatalf("run %d: open after SIGKILL: %v", run, err)
		}
		exs, err := c.Examiners()
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		entries, err := c.Entries()
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		r, err := c.VerifyLedger()
		if err != nil || !r.OK() {
			t.Fatalf("run %d: verify after SIGKILL: %v %v", run, err, r.Problems)
		}
		c.Close()
		rows := map[string]bool{}
		for _, ex := range exs {
			rows[ex.ID.String()] = true
		}
		logged := map[string]bool{}
		for _, e := range entries {
			if e.Action == ActionExaminerAdded {
				logged[e.Target.ID] = true
				if !rows[e.Target.ID] {
					t.Fatalf("run %d: entry %d records examiner %s that does not exist", run, e.Seq, e.Target.ID)
				}
			}
		}
		names := map[string]bool{}
		for _, ex := range exs {
			names[ex.Name] = true
			if ex.Name != testCase.Examiner && !logged[ex.ID.String()] {
				t.Fatalf("run %d: examiner %q exists without its custody entry", run, ex.Name)
			}
		}
		for name := range committed {
			if !names[name] {
				t.Fatalf("run %d: examiner %q was reported committed but is gone", run, name)
			}
		}
	}
	if len(committed) == 0 {
		t.Fatal("the writer never committed anything: the test did not exercise the crash")
	}
	t.Logf("%d runs, %d committed changes survived", runs, len(committed))
}

// TestHelperCrashWriter is the writer killed by the crash test: it adds
// examiners (a change plus its entry) and records views as fast as it can.
func TestHelperCrashWriter(t *testing.T) {
	path := os.Getenv("CUSTODIA_HELPER_CRASH")
	if path == "" {
		t.Skip("subprocess helper")
	}
	c, err := Open(path, []byte(testPass), TestOptions())
	if err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("opened")
	run := os.Getenv("CUSTODIA_HELPER_RUN")
	for i := 0; ; i++ {
		name := fmt.Sprintf("examiner %s-%d", run, i)
		if _, err := c.AddExaminer(NewExaminer{Name: name, Roles: []Role{RoleServiceTeamExpert}}, []byte("p"), "crash test"); err != nil {
			fmt.Println("error", err)
			return
		}
		fmt.Println("committed " + name)
		if _, err := c.Record(Event{Action: "evidence.viewed", Target: Target{Type: TargetEvidence, ID: name}}); err != nil {
			fmt.Println("error", err)
			return
		}
	}
}
