package disk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	efs "github.com/custodia-dfir/custodia/evidence/fs"
)

// The file-system bars (docs/PERFORMANCE.md): fs ls -r over an image of at
// least 100 000 files at 1× or more TSK's fls -r entries/s on the same
// image in the same run (ours read from the sealed case, fls from the
// plain file), and fs cat of a 1 GiB file at 400 MB/s or more.
// FS_BENCH_FILES and FS_BENCH_CAT_MIB make them smaller.

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func benchCase(b testing.TB, img string) (*casefile.Case, casefile.Evidence) {
	b.Helper()
	c, err := casefile.Create(filepath.Join(b.TempDir(), "case.custodia"), []byte("pass"), casefile.NewCase{Title: "bench", Examiner: "Ed"}, casefile.TestOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	items, err := evidence.Ingest(context.Background(), c, img, evidence.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return c, items[0]
}

func BenchmarkFSListVsFls(b *testing.B) {
	for _, tool := range []string{"mke2fs", "fls"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is not installed", tool)
		}
	}
	files := envInt("FS_BENCH_FILES", 100_000)
	dir := b.TempDir()
	src := filepath.Join(dir, "src")
	per := 1000
	for i := 0; i < files; i++ {
		d := filepath.Join(src, fmt.Sprintf("d%03d", i/per))
		if i%per == 0 {
			os.MkdirAll(d, 0o755)
		}
		fh, err := os.Create(filepath.Join(d, fmt.Sprintf("file-%06d.txt", i)))
		if err != nil {
			b.Fatal(err)
		}
		fh.Close()
	}
	img := filepath.Join(dir, "many.img")
	if out, err := exec.Command("mke2fs", "-q", "-F", "-t", "ext4", "-N", strconv.Itoa(files+1000), "-d", src, img, strconv.Itoa(files/1000*2+64)+"M").CombinedOutput(); err != nil {
		b.Fatalf("mke2fs: %v %s", err, out)
	}
	os.RemoveAll(src)
	c, item := benchCase(b, img)
	b.ResetTimer()
	var ours, theirs time.Duration
	var n, m int
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		im, err := Open(c, item.ID)
		if err != nil {
			b.Fatal(err)
		}
		f, _, err := im.FS(0)
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		if err := efs.Walk(f, f.Root(), true, false, func(*efs.Entry) error { n++; return nil }, nil); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(t0)

		t0 = time.Now()
		cmd := exec.Command("fls", "-r", "-p", img)
		out, _ := cmd.StdoutPipe()
		cmd.Start()
		m = 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			m++
		}
		cmd.Wait()
		theirs += time.Since(t0)
	}
	b.StopTimer()
	if n < files {
		b.Fatalf("listed %d entries of %d files", n, files)
	}
	ourRate := float64(n) * float64(b.N) / ours.Seconds()
	flsRate := float64(m) * float64(b.N) / theirs.Seconds()
	b.ReportMetric(float64(n), "entries")
	b.ReportMetric(ourRate, "custodia_entries/s")
	b.ReportMetric(flsRate, "fls_entries/s")
	b.ReportMetric(ourRate/flsRate, "x_fls")
}

func BenchmarkFSCat(b *testing.B) {
	if _, err := exec.LookPath("mke2fs"); err != nil {
		b.Skip("mke2fs is not installed")
	}
	mib := envInt("FS_BENCH_CAT_MIB", 1024)
	dir := b.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(src, 0o755)
	fh, _ := os.Create(filepath.Join(src, "big.bin"))
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for i := 0; i < mib; i++ {
		rng.Read(buf)
		fh.Write(buf)
	}
	fh.Close()
	img := filepath.Join(dir, "big.img")
	if out, err := exec.Command("mke2fs", "-q", "-F", "-t", "ext4", "-d", src, img, strconv.Itoa(mib+mib/8+32)+"M").CombinedOutput(); err != nil {
		b.Fatalf("mke2fs: %v %s", err, out)
	}
	os.RemoveAll(src)
	c, item := benchCase(b, img)
	im, err := Open(c, item.ID)
	if err != nil {
		b.Fatal(err)
	}
	f, v, _ := im.FS(0)
	e, err := Find(f, "/big.bin")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(e.Size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := im.Cat(context.Background(), f, v, e, "", 0, -1, io.Discard, ""); err != nil || n != e.Size {
			b.Fatalf("%d bytes: %v", n, err)
		}
	}
	b.StopTimer()
	// The peer: icat of the same file from the plain image.
	if _, err := exec.LookPath("icat"); err == nil {
		t0 := time.Now()
		var out bytes.Buffer
		cmd := exec.Command("icat", img, strconv.FormatUint(e.Inode, 10))
		stdout, _ := cmd.StdoutPipe()
		cmd.Start()
		k, _ := io.Copy(io.Discard, stdout)
		cmd.Wait()
		_ = out
		b.ReportMetric(float64(k)/time.Since(t0).Seconds()/1e6, "icat_MB/s")
	}
}

// BenchmarkFSListHugeDir lists one directory of FS_BENCH_DIR_FILES (10^6
// by default) empty files, made by mke2fs -d and read from the case, and
// reports the heap the listing holds (the most seen while it runs, sampled
// every 10 000 entries, above what was in use before it) and the process's
// peak RSS (VmHWM, which includes the ingest before it).
func BenchmarkFSListHugeDir(b *testing.B) {
	if _, err := exec.LookPath("mke2fs"); err != nil {
		b.Skip("mke2fs is not installed")
	}
	files := envInt("FS_BENCH_DIR_FILES", 1_000_000)
	dir := b.TempDir()
	img, err := loopDirImage(dir, files)
	if err != nil {
		b.Logf("the image is made with mke2fs -d (slow for 10^6 files): %v", err)
		img = mke2fsDirImage(b, dir, files)
	}
	c, item := benchCase(b, img)
	var ms runtime.MemStats
	b.ResetTimer()
	var n, deleted int
	var peak, bigInode uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		im, err := Open(c, item.ID)
		if err != nil {
			b.Fatal(err)
		}
		f, _, err := im.FS(0)
		if err != nil {
			b.Fatal(err)
		}
		e, err := Find(f, "/big")
		if err != nil {
			b.Fatal(err)
		}
		n, deleted, bigInode = 0, 0, e.Inode
		if err := efs.Walk(f, e, false, true, func(x *efs.Entry) error {
			if x.Deleted {
				deleted++
				return nil
			}
			if n++; n%10_000 == 0 {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > base && ms.HeapInuse-base > peak {
					peak = ms.HeapInuse - base
				}
			}
			return nil
		}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n != files {
		b.Fatalf("listed %d entries of %d", n, files)
	}
	// TSK's fls lists the same folder (by its inode) from the plain image;
	// it is slow on one huge htree folder, so it is bounded and our
	// figures are reported whatever it does.
	if _, err := exec.LookPath("fls"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(envInt("FS_BENCH_FLS_MINUTES", 20))*time.Minute)
		t0 := time.Now()
		out, err := exec.CommandContext(ctx, "fls", img, strconv.FormatUint(bigInode, 10)).Output()
		took := time.Since(t0)
		timedOut := ctx.Err() == context.DeadlineExceeded
		cancel()
		switch {
		case timedOut:
			b.Logf("fls did not list the folder in %v; no ratio", took.Round(time.Second))
		case err != nil:
			b.Fatalf("fls: %v", err)
		default:
			m := bytes.Count(out, []byte("\n"))
			flsDeleted := bytes.Count(out, []byte(" * "))
			// Allocated regular files: "r/r N:\tname" lines; fls also
			// lists slack bytes that are no names ("-/r 1435:\t^"), which
			// this reader leaves out.
			flsFiles := 0
			for _, l := range bytes.Split(out, []byte("\n")) {
				if bytes.HasPrefix(l, []byte("r/r ")) && !bytes.Contains(l, []byte(" * ")) {
					flsFiles++
				}
			}
			flsRate := float64(m) / took.Seconds()
			b.ReportMetric(flsRate, "fls_entries/s")
			b.ReportMetric(float64(n+deleted)*float64(b.N)/b.Elapsed().Seconds()/flsRate, "x_fls")
			b.ReportMetric(float64(flsDeleted), "fls_deleted")
			if flsFiles != files {
				b.Errorf("fls lists %d allocated files, want %d", flsFiles, files)
			}
		}
	}
	b.ReportMetric(float64(n), "entries")
	b.ReportMetric(float64(deleted), "deleted")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(peak)/(1<<20), "heap_MiB")
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(st), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				b.ReportMetric(float64(kb)/1024, "peak_RSS_MiB")
			}
		}
	}
}

// loopDirImage makes an ext4 image with one folder /big of files empty
// files the fast way: the kernel creates them in the image mounted on a
// loop device (needs root and loop devices; a minute for 10^6 files,
// where mke2fs -d takes over twenty).
func loopDirImage(dir string, files int) (string, error) {
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("not root: no loop mount")
	}
	img := filepath.Join(dir, "huge.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, int64(files/1000+64)<<20+int64(files)*300); err != nil {
		return "", err
	}
	if out, err := exec.Command("mke2fs", "-q", "-F", "-t", "ext4", "-O", "large_dir", "-N", strconv.Itoa(files+1000), img).CombinedOutput(); err != nil {
		return "", fmt.Errorf("mke2fs: %v %s", err, out)
	}
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		return "", fmt.Errorf("mount -o loop: %v %s", err, out)
	}
	mounted := true
	defer func() {
		if mounted {
			exec.Command("umount", mnt).Run()
		}
	}()
	big := filepath.Join(mnt, "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		return "", err
	}
	for i := 0; i < files; i++ {
		fh, err := os.Create(filepath.Join(big, fmt.Sprintf("f%07d", i)))
		if err != nil {
			return "", err
		}
		fh.Close()
	}
	mounted = false
	if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
		return "", fmt.Errorf("umount: %v %s", err, out)
	}
	return img, nil
}

// mke2fsDirImage makes the image of loopDirImage with mke2fs -d.
func mke2fsDirImage(b *testing.B, dir string, files int) string {
	src := filepath.Join(dir, "src", "big")
	os.MkdirAll(src, 0o755)
	for i := 0; i < files; i++ {
		fh, err := os.Create(filepath.Join(src, fmt.Sprintf("f%07d", i)))
		if err != nil {
			b.Fatal(err)
		}
		fh.Close()
	}
	img := filepath.Join(dir, "huge.img")
	mib := files/1000*3/2 + 64
	if out, err := exec.Command("mke2fs", "-q", "-F", "-t", "ext4", "-N", strconv.Itoa(files+1000), "-d", filepath.Dir(src), img, strconv.Itoa(mib)+"M").CombinedOutput(); err != nil {
		b.Fatalf("mke2fs: %v %s", err, out)
	}
	os.RemoveAll(filepath.Dir(src))
	return img
}
