package syslog

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// BenchmarkSyslog parses 100k auth.log lines (parse only, no sealing or
// indexing) and reports lines/s.
func BenchmarkSyslog(b *testing.B) {
	var buf bytes.Buffer
	const lines = 100_000
	for i := range lines {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&buf, "Mar %2d 10:%02d:%02d web01 sshd[%d]: Accepted publickey for alice from 10.0.%d.%d port %d ssh2: RSA SHA256:abc\n", i%28+1, i%60, i%60, 1000+i%5000, i%250, i%200, 1024+i%60000)
		case 1:
			fmt.Fprintf(&buf, "Mar %2d 10:%02d:%02d web01 sshd[%d]: Failed password for invalid user admin from 203.0.113.%d port %d ssh2\n", i%28+1, i%60, i%60, 1000+i%5000, i%250, 1024+i%60000)
		case 2:
			fmt.Fprintf(&buf, "Mar %2d 10:%02d:%02d web01 CRON[%d]: (root) CMD (/usr/lib/php/sessionclean)\n", i%28+1, i%60, i%60, 2000+i%5000)
		default:
			fmt.Fprintf(&buf, "Mar %2d 10:%02d:%02d web01 kernel: [%d.%06d] audit: type=1400 audit(1700000000.123:%d): apparmor=\"DENIED\"\n", i%28+1, i%60, i%60, i, i, i)
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		_, err := logs.RunReader(context.Background(), Parser, bytes.NewReader(data), logs.Options{Year: 2024},
			logs.Funcs{OnEvent: func(logs.Event) error { n++; return nil }})
		if err != nil || n != lines {
			b.Fatalf("%d events (%v)", n, err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
