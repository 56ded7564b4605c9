package export

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/casetest"
	"github.com/custodia-dfir/custodia/evidence"
)

func benchSize() int64 {
	if v, err := strconv.Atoi(os.Getenv("CUSTODIA_BENCH_MB")); err == nil && v > 0 {
		return int64(v) << 20
	}
	return 2 << 30
}

// BenchmarkExportVsAge measures, in one run on the same random item (2 GiB,
// or CUSTODIA_BENCH_MB), export create against the pipeline a person would
// run on the extracted plaintext, `age -r KEY < plain > x.age && sha256sum
// x.age`, and export verify --identity against `age -d -i key x.age |
// sha256sum`, all from the page cache. Custodia's side runs in a child
// process so that its peak RSS (getrusage) is that of the export alone.
// It reports MB/s for each, the ratios the issue sets bars for (create ≥
// 1.2×, verify ≥ 2×), and the peak RSS in MiB.
func BenchmarkExportVsAge(b *testing.B) {
	for _, tool := range []string{"age", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s not installed (Debian: apt-get install age; `make setup` installs it)", tool)
		}
	}
	size := benchSize()
	dir := b.TempDir()
	plain := filepath.Join(dir, "plain")
	f, _ := os.Create(plain)
	buf := make([]byte, 4<<20)
	for done := int64(0); done < size; done += int64(len(buf)) {
		rand.Read(buf)
		f.Write(buf[:min(int64(len(buf)), size-done)])
	}
	f.Close()
	casePath := filepath.Join(dir, "bench.custodia")
	c, err := casefile.Create(casePath, []byte(casetest.Passphrase), casefile.NewCase{Title: "bench", Examiner: "Ada"}, casefile.TestOptions())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := evidence.Ingest(context.Background(), c, plain, evidence.Options{Reason: "bench"}); err != nil {
		b.Fatal(err)
	}
	c.Close()
	key := filepath.Join(dir, "key.txt")
	rc, pub, err := NewIdentity(key, "bench")
	if err != nil {
		b.Fatal(err)
	}
	_ = rc
	mb := float64(size) / 1e6
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		os.Remove(filepath.Join(dir, "x.age"))
		warm(b, plain)
		peerEnc := timeShell(b, fmt.Sprintf("age -r %s < %s > %s/x.age && sha256sum %s/x.age >/dev/null", pub, plain, dir, dir))
		peerDec := timeShell(b, fmt.Sprintf("age -d -i %s %s/x.age | sha256sum >/dev/null", key, dir))
		dest := filepath.Join(dir, fmt.Sprintf("bundle-%d", i))
		warm(b, casePath) // both sides read from the page cache (ingest let go of the case's pages)
		createSec, createRSS := child(b, "create", casePath, dest, pub)
		verifySec, verifyRSS := child(b, "verify", casePath, dest, key)
		os.RemoveAll(dest)
		b.ReportMetric(mb/peerEnc, "age+sha256sum-MB/s")
		b.ReportMetric(mb/createSec, "create-MB/s")
		b.ReportMetric(peerEnc/createSec, "create-speedup")
		b.ReportMetric(mb/peerDec, "age-d|sha256sum-MB/s")
		b.ReportMetric(mb/verifySec, "verify-MB/s")
		b.ReportMetric(peerDec/verifySec, "verify-speedup")
		b.ReportMetric(float64(createRSS)/1024, "create-peak-RSS-MiB")
		b.ReportMetric(float64(verifyRSS)/1024, "verify-peak-RSS-MiB")
	}
}

func timeShell(b *testing.B, script string) float64 {
	syscall.Sync() // no writeback of an earlier step's files during this one
	start := time.Now()
	if out, err := exec.Command("bash", "-c", "set -eo pipefail; "+script).CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", script, err, out)
	}
	return time.Since(start).Seconds()
}

// child runs TestBenchChild in a new process and returns the seconds the
// operation took (as it measured them) and its peak RSS in KiB.
func child(b *testing.B, op, casePath, dest, arg string) (float64, int64) {
	syscall.Sync()
	// Through a shell that forks: a process started straight from this one
	// (vfork, sharing its memory until exec) would report this process's
	// peak RSS as its own.
	cmd := exec.Command("bash", "-c", `"$0" "$@"; exit $?`, os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CUSTODIA_BENCH_CHILD="+strings.Join([]string{op, casePath, dest, arg}, "\n"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", op, err, out)
	}
	var sec float64
	var rss int64
	for _, l := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(l, "seconds="); ok {
			sec, _ = strconv.ParseFloat(s, 64)
		}
		if s, ok := strings.CutPrefix(l, "maxrss="); ok {
			rss, _ = strconv.ParseInt(s, 10, 64)
		}
	}
	if sec == 0 || rss == 0 {
		b.Fatalf("%s: no time or RSS in\n%s", op, out)
	}
	return sec, rss
}

// warm reads paths into the page cache.
func warm(b *testing.B, paths ...string) {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, f)
		f.Close()
	}
}

// TestBenchChild is BenchmarkExportVsAge's child process; it does nothing
// in a normal test run.
func TestBenchChild(t *testing.T) {
	spec := os.Getenv("CUSTODIA_BENCH_CHILD")
	if spec == "" {
		t.Skip("only run by BenchmarkExportVsAge")
	}
	p := strings.Split(spec, "\n")
	op, casePath, dest, arg := p[0], p[1], p[2], p[3]
	var start time.Time
	switch op {
	case "create":
		c, err := casefile.Open(casePath, []byte(casetest.Passphrase), casefile.TestOptions())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rc, err := ParseRecipients([]string{arg}, nil)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		if _, err := Create(context.Background(), c, Options{Dest: dest, Recipients: rc, Tool: testTool}); err != nil {
			t.Fatal(err)
		}
	case "verify":
		ids, err := IdentityFile(arg)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		v, err := Verify(context.Background(), dest, VerifyOptions{Identities: ids})
		if err != nil || !v.OK() {
			t.Fatal(err, v.Problems)
		}
	}
	sec := time.Since(start).Seconds()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("seconds=%f\nmaxrss=%d\n", sec, ru.Maxrss)
}

// BenchmarkCreate is export create alone, in process (for profiles):
// CUSTODIA_BENCH_MB of random data, one item.
func BenchmarkCreate(b *testing.B) {
	size := benchSize()
	dir := b.TempDir()
	plain := filepath.Join(dir, "plain")
	f, _ := os.Create(plain)
	buf := make([]byte, 4<<20)
	for done := int64(0); done < size; done += int64(len(buf)) {
		rand.Read(buf)
		f.Write(buf[:min(int64(len(buf)), size-done)])
	}
	f.Close()
	c, err := casefile.Create(filepath.Join(dir, "b.custodia"), []byte(casetest.Passphrase), casefile.NewCase{Title: "bench", Examiner: "Ada"}, casefile.TestOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := evidence.Ingest(context.Background(), c, plain, evidence.Options{Reason: "bench"}); err != nil {
		b.Fatal(err)
	}
	os.Remove(plain)
	if os.Getenv("CUSTODIA_BENCH_REOPEN") != "" {
		c.Close()
		if c, err = casefile.Open(filepath.Join(dir, "b.custodia"), []byte(casetest.Passphrase), casefile.TestOptions()); err != nil {
			b.Fatal(err)
		}
		warm(b, filepath.Join(dir, "b.custodia"))
	}
	rc, _, _ := NewIdentity(filepath.Join(dir, "key.txt"), "bench")
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dest := filepath.Join(dir, fmt.Sprint("x", i))
		if _, err := Create(context.Background(), c, Options{Dest: dest, Recipients: rc, Tool: testTool}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dest)
		b.StartTimer()
	}
}
