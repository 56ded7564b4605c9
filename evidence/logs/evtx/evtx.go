package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Parser is the EVTX parser's registry entry.
var Parser = logs.Parser{
	Name:  "evtx",
	Reads: "Windows XML event logs (.evtx), including dirty, truncated and damaged files",
	Names: []string{"*.evtx"},
	Sniff: func(h *logs.Head) int {
		switch {
		case bytes.HasPrefix(h.Raw, []byte(fileMagic)):
			return 100
		case len(h.Raw) >= headerSize+8 && bytes.Equal(h.Raw[headerSize:headerSize+8], []byte(chunkMagic)):
			return 90 // a damaged file header before good chunks
		}
		return 0
	},
	Parse: Parse,
}

const (
	fileMagic   = "ElfFile\x00"
	chunkMagic  = "ElfChnk\x00"
	recordMagic = "**\x00\x00"
	headerSize  = 4096
	chunkSize   = 0x10000
	chunkHeader = 0x200
)

// Parse reads an EVTX file front to back, one 64 KiB chunk at a time;
// chunks are decoded on up to GOMAXPROCS goroutines and their events
// delivered in file order.
func Parse(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	head := make([]byte, headerSize)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head = head[:n]
	if !bytes.HasPrefix(head, []byte(fileMagic)) {
		// A damaged header is fine when chunks follow; peek at the first.
		first := make([]byte, chunkSize)
		m, _ := io.ReadFull(r, first)
		first = first[:m]
		if n < headerSize || !bytes.HasPrefix(first, []byte(chunkMagic)) {
			return fmt.Errorf("not an EVTX file: it does not start with %q and has no chunk at offset %d: %w", "ElfFile", headerSize, logs.ErrNotFormat)
		}
		if err := sink.Warning(logs.Warning{Offset: 0, Length: headerSize, Why: "the file header is damaged (no ElfFile magic): its chunks are read anyway"}); err != nil {
			return err
		}
		r = io.MultiReader(bytes.NewReader(first), r)
	}
	return chunks(ctx, r, opts, sink)
}

// A decoded chunk, ready to hand to the sink in order.
type decoded struct {
	events   []logs.Event
	warnings []logs.Warning
}

// chunks runs the read → decode (parallel) → deliver (in order) pipeline.
func chunks(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	type job struct {
		index int
		off   int64
		buf   []byte
		out   chan decoded
	}
	jobs := make(chan job, workers)
	order := make(chan chan decoded, workers*2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- decodeChunk(j.index, j.off, j.buf, opts)
			}
		})
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		off := int64(headerSize)
		for index := 0; ; index++ {
			buf := make([]byte, chunkSize)
			n, err := io.ReadFull(r, buf)
			if n == 0 {
				if err != nil && !errors.Is(err, io.EOF) {
					readErr <- err
				}
				return
			}
			out := make(chan decoded, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{index, off, buf[:n], out}:
			case <-ctx.Done():
				return
			}
			off += int64(n)
			if err != nil {
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					readErr <- err
				}
				return
			}
		}
	}()
	var sinkErr error
	for out := range order {
		d := <-out
		if sinkErr != nil {
			continue
		}
		// Warnings about a chunk come before its events when they concern
		// the chunk as a whole (offset at or before its first event).
		wi := 0
		for _, e := range d.events {
			for wi < len(d.warnings) && d.warnings[wi].Offset <= e.Offset && sinkErr == nil {
				sinkErr = sink.Warning(d.warnings[wi])
				wi++
			}
			if sinkErr == nil {
				sinkErr = sink.Event(e)
			}
		}
		for ; wi < len(d.warnings) && sinkErr == nil; wi++ {
			sinkErr = sink.Warning(d.warnings[wi])
		}
		if sinkErr != nil {
			cancel()
		}
	}
	wg.Wait()
	if sinkErr != nil {
		return sinkErr
	}
	select {
	case err := <-readErr:
		return err
	default:
	}
	return nil
}

// A record as the walk over a chunk finds it.
type span struct {
	off  int // in the chunk
	size int
	id   uint64
	ft   uint64
}

// walk lists the records of a chunk the way the decoder steps through
// them: from the first at 0x200, each record's size leading to the next,
// for the record numbers the header gives (or until a record magic fails).
func walk(buf []byte, count uint64) (recs []span, stop string) {
	off := chunkHeader
	for i := uint64(0); i < count; i++ {
		if off+24 > len(buf) {
			if off < len(buf) || len(buf) < chunkSize {
				return recs, "cut"
			}
			return recs, ""
		}
		if string(buf[off:off+4]) != recordMagic {
			return recs, ""
		}
		size := int(binary.LittleEndian.Uint32(buf[off+4:]))
		if size < 28 || off+size > chunkSize {
			return recs, fmt.Sprintf("the record at chunk offset %d has an impossible size of %d bytes", off, size)
		}
		recs = append(recs, span{off: off, size: size, id: binary.LittleEndian.Uint64(buf[off+8:]), ft: binary.LittleEndian.Uint64(buf[off+16:])})
		if off+size > len(buf) {
			return recs, "cut"
		}
		off += size
	}
	return recs, ""
}

// slackSignatures counts record magics after the last record (free space).
func slackSignatures(buf []byte, from int) int {
	if from >= len(buf) {
		return 0
	}
	return bytes.Count(buf[from:], []byte(recordMagic))
}
