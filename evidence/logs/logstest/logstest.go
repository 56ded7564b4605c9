// Package logstest holds the helpers that the log parsers' tests share: run a
// parser over bytes and collect what it gives, check every event's offsets
// against the bytes, find the shared real samples, and a fuzz body.
package logstest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Output is what one parse gave.
type Output struct {
	Events   []logs.Event
	Warnings []logs.Warning
	Result   logs.Result
	Err      error
}

// Run parses data with p through logs.RunReader, as the registry does.
func Run(p logs.Parser, data []byte, opts logs.Options) Output {
	var out Output
	sink := logs.Funcs{
		OnEvent:   func(e logs.Event) error { out.Events = append(out.Events, e); return nil },
		OnWarning: func(w logs.Warning) error { out.Warnings = append(out.Warnings, w); return nil },
	}
	if opts.Size == 0 {
		opts.Size = int64(len(data))
	}
	out.Result, out.Err = logs.RunReader(context.Background(), p, bytes.NewReader(data), opts, sink)
	return out
}

// MustRun is Run that fails the test on an error and checks the offsets.
func MustRun(t testing.TB, p logs.Parser, data []byte, opts logs.Options) Output {
	t.Helper()
	out := Run(p, data, opts)
	if out.Err != nil {
		t.Fatalf("%s: %v", p.Name, out.Err)
	}
	CheckEvents(t, data, out)
	return out
}

// CheckEvents checks what every parser promises: offsets and lengths inside
// the stream, events in item order, unique field names, parser set, times
// in UTC, and counts that match the Result.
func CheckEvents(t testing.TB, data []byte, out Output) {
	t.Helper()
	size := int64(len(data))
	if out.Result.Stream != "" {
		size = out.Result.Bytes
	}
	var last int64 = -1
	for i, e := range out.Events {
		if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > size {
			t.Fatalf("event %d: offset %d length %d outside the %d-byte stream", i, e.Offset, e.Length, size)
		}
		if e.Offset < last {
			t.Fatalf("event %d at offset %d comes after one at %d", i, e.Offset, last)
		}
		last = e.Offset
		if e.Parser == "" {
			t.Fatalf("event %d has no parser", i)
		}
		if !e.Time.IsZero() && e.Time.Location() != time.UTC {
			t.Fatalf("event %d time %v is not UTC", i, e.Time)
		}
		seen := map[string]bool{}
		for _, f := range e.Fields {
			if f.Name == "" || seen[f.Name] {
				t.Fatalf("event %d: field name %q empty or repeated in %v", i, f.Name, e.Fields)
			}
			seen[f.Name] = true
		}
	}
	if int64(len(out.Events)) != out.Result.Events {
		t.Fatalf("result counts %d events, sink got %d", out.Result.Events, len(out.Events))
	}
}

// Record returns the bytes an event points at.
func Record(data []byte, e logs.Event) []byte { return data[e.Offset : e.Offset+e.Length] }

// Fields returns an event's fields as a map, for compact assertions.
func Fields(e logs.Event) map[string]string {
	m := make(map[string]string, len(e.Fields))
	for _, f := range e.Fields {
		m[f.Name] = f.Value
	}
	return m
}

// SamplesDir returns the shared folder of real third-party samples
// (../shared/samples beside the repository), or skips the test when this
// clone has none.
func SamplesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test: cannot find ../shared/samples")
		}
		dir = parent
	}
	s := filepath.Join(filepath.Dir(dir), "shared", "samples")
	if _, err := os.Stat(s); err != nil {
		t.Skipf("the shared real samples are not beside this clone (%s): skipped", s)
	}
	return s
}

// Sample reads one shared sample by its path under samples/ (e.g.
// "logs/vr_access.log"), skipping the test when it is absent.
func Sample(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(SamplesDir(t), rel))
	if err != nil {
		t.Skipf("sample %s: %v", rel, err)
	}
	return b
}

// Fuzz is the body of every parser's fuzz target: any input must parse
// without a panic or an error other than logs.ErrNotFormat, with every event
// inside the input.
func Fuzz(t *testing.T, p logs.Parser, data []byte) {
	out := Run(p, data, logs.Options{Year: 2024, MaxRecord: 4096})
	if out.Err != nil && !errors.Is(out.Err, logs.ErrNotFormat) {
		t.Fatalf("%s: unexpected error %v", p.Name, out.Err)
	}
	if out.Err == nil {
		CheckEvents(t, data, out)
	}
}

// RepeatEVTX builds an EVTX file of at least n records by repeating the
// chunks of sample behind its header, with the header's chunk count, last
// chunk and CRC set so that libevtx (which trusts the header) reads every
// chunk too; records is how many records it holds (from the chunk
// headers' record numbers). The benchmarks' way to reach 100k records from a real file.
func RepeatEVTX(tb testing.TB, sample []byte, n int) (data []byte, records int) {
	const headerSize, chunkSize = 4096, 0x10000
	tb.Helper()
	chunks := sample[headerSize:]
	if len(chunks) == 0 || len(chunks)%chunkSize != 0 {
		tb.Fatalf("RepeatEVTX: %d bytes after the header, not whole chunks", len(chunks))
	}
	perFile := 0
	for off := 0; off < len(chunks); off += chunkSize {
		// The chunk header's last event record number minus its first, plus one.
		first := binary.LittleEndian.Uint64(chunks[off+8:])
		last := binary.LittleEndian.Uint64(chunks[off+16:])
		perFile += int(last - first + 1)
	}
	var b bytes.Buffer
	b.Write(sample[:headerSize])
	copies := 0
	for count := 0; count < n; count += perFile {
		b.Write(chunks)
		copies++
	}
	out := b.Bytes()
	total := copies * (len(chunks) / chunkSize)
	binary.LittleEndian.PutUint64(out[16:], uint64(total-1))
	binary.LittleEndian.PutUint16(out[42:], uint16(total))
	binary.LittleEndian.PutUint32(out[124:], crc32.ChecksumIEEE(out[:120]))
	return out, copies * perFile
}
