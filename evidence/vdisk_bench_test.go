package evidence

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// BenchmarkIngestVirtualDisk measures, in one run and on the same image
// read from the page cache, Custodia's ingest of a dynamic VHD and of a
// QCOW2 holding a generated disk-like image (writeDiskLike: 45% zeros, 30%
// random, 25% text) against what an examiner does without it: qemu-img
// convert -O raw, then dc3dd with MD5, SHA-1 and SHA-256. qemu-img cannot
// write to a pipe (it resizes its output file), so the two are timed one
// after the other: x_qemu_dc3dd compares the ingest with the slower of the
// two steps, which is what the two piped into each other would take at
// best, each on a core of its own (the bar: at least 1.3);
// x_qemu_then_dc3dd compares it with their sum. Rates are MB/s of the
// virtual disk; ingest_CPU_ms/MB and dc3dd_CPU_ms/MB are the processor
// time each spent per MB (user and system, all threads), which another
// load on the machine changes less than it changes the rates.
// CUSTODIA_BENCH_MB sets a size other than 2 GiB.
func BenchmarkIngestVirtualDisk(b *testing.B) {
	for _, tc := range []struct {
		name, qemu, ext string
		opts            []string
	}{
		{"vhd-dynamic", "vpc", "vhd", []string{"-o", "subformat=dynamic,force_size=on"}},
		{"qcow2", "qcow2", "qcow2", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			needQemu(b)
			if _, err := exec.LookPath("dc3dd"); err != nil {
				b.Skip("dc3dd not installed (Debian: apt-get install dc3dd)")
			}
			size := benchSize()
			dir := b.TempDir()
			src := filepath.Join(dir, "source.img")
			writeDiskLike(b, src, size)
			img := filepath.Join(dir, "disk."+tc.ext)
			qemu(b, append(append([]string{"convert", "-f", "raw", "-O", tc.qemu}, tc.opts...), src, img)...)
			os.Remove(src)
			mb := float64(size) / 1e6
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, "peer.raw")
				warm(b, img)
				convertSec := timeCmd(b, "qemu-img", "convert", "-f", tc.qemu, "-O", "raw", img, out)
				warm(b, out)
				dd := exec.Command("dc3dd", "if="+out, "hash=md5", "hash=sha1", "hash=sha256", "of=/dev/null")
				start := time.Now()
				if o, err := dd.CombinedOutput(); err != nil {
					b.Fatalf("dc3dd: %v\n%s", err, o)
				}
				ddSec := time.Since(start).Seconds()
				ddCPU := (dd.ProcessState.UserTime() + dd.ProcessState.SystemTime()).Seconds()
				os.Remove(out)

				c := testCase(b)
				warm(b, img)
				debug.FreeOSMemory()
				resetPeakRSS()
				cpu0 := processCPU()
				start = time.Now()
				evs, err := Ingest(context.Background(), c, img, Options{})
				if err != nil {
					b.Fatal(err)
				}
				ingestSec := time.Since(start).Seconds()
				ingestCPU := processCPU() - cpu0
				peakMiB := peakRSSMiB()
				if evs[0].Meta.Size != size {
					b.Fatalf("ingested %d bytes of a %d-byte disk", evs[0].Meta.Size, size)
				}
				c.Close()

				ours := mb / ingestSec
				b.ReportMetric(ours, "ingest_MB/s")
				b.ReportMetric(mb/convertSec, "qemu_convert_MB/s")
				b.ReportMetric(mb/ddSec, "dc3dd_MB/s")
				b.ReportMetric(ours/(mb/max(convertSec, ddSec)), "x_qemu_dc3dd")
				b.ReportMetric(ours/(mb/(convertSec+ddSec)), "x_qemu_then_dc3dd")
				b.ReportMetric(1000*ingestCPU/mb, "ingest_CPU_ms/MB")
				b.ReportMetric(1000*ddCPU/mb, "dc3dd_CPU_ms/MB")
				b.ReportMetric(peakMiB, "ingest_peak_RSS_MiB")
			}
		})
	}
}

// processCPU is the processor time this process has used, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
