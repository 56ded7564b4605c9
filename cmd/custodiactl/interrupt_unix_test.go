//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestIngestInterrupted presses Ctrl-C during an ingest, with a real
// SIGINT to this process: the item in progress is rolled back, leaving no
// row and no chunk, the item ingested before it stays, and the command
// exits 1 saying so.
func TestIngestInterrupted(t *testing.T) {
	dir := t.TempDir()
	casePath := filepath.Join(dir, "case.custodia")
	small := filepath.Join(dir, "small.log")
	if err := os.WriteFile(small, []byte("first line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Large enough that the first progress update comes long before the
	// end: the pipeline reports after each 8 MiB it stores.
	big := filepath.Join(dir, "big.img")
	writeRandomFile(t, big, 64<<20)

	vars := map[string]string{"CUSTODIA_PASSPHRASE": "analytical engine"}
	newEnv := func(stdout, stderr io.Writer) *env {
		e := testEnv()
		e.stdin, e.stdout, e.stderr = strings.NewReader(""), stdout, stderr
		e.lookupEnv = func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
		return e
	}
	runOK := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(args, newEnv(&stdout, &stderr)); code != 0 {
			t.Fatalf("custodiactl %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String()
	}
	runOK("init", casePath, "--title", "T", "--examiner", "Ada Lovelace")

	// Keep this process alive whatever the timing: a SIGINT that arrived
	// while no one listened would end the test binary.
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, os.Interrupt)
	defer signal.Stop(caught)

	// The command sees a terminal on stderr and draws progress. When it
	// first shows big.img, the "person" presses Ctrl-C and the pipeline
	// waits until the command's context has seen the signal.
	var stdout bytes.Buffer
	var cancelled <-chan struct{}
	stderr := &triggerWriter{trigger: "ingesting big.img", fire: func() {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Error(err)
		}
		select {
		case <-cancelled:
		case <-time.After(10 * time.Second):
			t.Error("SIGINT did not cancel the ingest within 10s")
		}
	}}
	e := newEnv(&stdout, stderr)
	e.isTerminal = func(io.Writer) bool { return true }
	e.interruptible = func() (context.Context, context.CancelFunc) {
		ctx, stop := interruptible()
		cancelled = ctx.Done()
		return ctx, stop
	}
	code := run([]string{"ingest", casePath, small, big, "--reason", "triage"}, e)
	errText := stderr.String()
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\nstderr: %q", code, exitFailure, errText)
	}
	if !stderr.fired() {
		t.Fatalf("no progress line for big.img was drawn; stderr: %q", errText)
	}
	for _, want := range []string{
		"\ringesting small.log  11 B / 11 B",
		"\ringesting big.img  ",
		" / 64.0 MiB  ",
		"\rerror: ingest cancelled\n" + // the progress line was cleared first
			"hint: the item in progress was rolled back; the item already ingested stays in the case\n",
	} {
		if !strings.Contains(strings.ReplaceAll(errText, " \r", "\r"), want) {
			t.Errorf("stderr lacks %q:\n%q", want, errText)
		}
	}
	if out := stdout.String(); !strings.Contains(out, "name:   small.log\n") || strings.Contains(out, "big.img") {
		t.Errorf("stdout = %q, want the block of small.log only", out)
	}

	// The case holds small.log only, and its ledger one ingest.
	var items []evidenceJSON
	if err := json.Unmarshal([]byte(runOK("evidence", "list", casePath, "--json")), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Name != "small.log" {
		t.Fatalf("items after the interrupted ingest: %+v, want small.log only", items)
	}
	if n := strings.Count(runOK("ledger", "show", casePath), " evidence.ingested "); n != 1 {
		t.Errorf("%d evidence.ingested entries, want 1", n)
	}
	runOK("ledger", "verify", casePath)

	// Nothing of big.img is left in the file.
	db, err := sql.Open("sqlite", casePath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, chunks int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM evidence_chunks)`).Scan(&rows, &chunks); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || chunks != 1 {
		t.Errorf("the case holds %d evidence rows and %d chunks, want 1 and 1 (small.log)", rows, chunks)
	}
}

// triggerWriter collects what is written to it and calls fire, once, from
// the Write that first contains trigger, before that Write returns.
type triggerWriter struct {
	trigger string
	fire    func()

	mu   sync.Mutex
	buf  bytes.Buffer
	done bool
}

func (w *triggerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && bytes.Contains(p, []byte(w.trigger)) {
		w.done = true
		w.fire()
	}
	return len(p), nil
}

func (w *triggerWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *triggerWriter) fired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done
}

// writeRandomFile writes size reproducible pseudo-random bytes to path;
// random data does not compress, so every chunk is full work.
func writeRandomFile(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.NewChaCha8(sha256.Sum256([]byte(path))), size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
