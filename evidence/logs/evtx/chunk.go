package evtx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	vevtx "www.velocidex.com/golang/evtx"
)

// maxRecords bounds the records of one chunk (the decoder's own bound).
const maxRecords = 10240

// decodeChunk turns one chunk (chunkSize bytes, fewer for the last chunk of
// a truncated file) at file offset off into events and warnings.
func decodeChunk(index int, off int64, data []byte, opts logs.Options) decoded {
	var d decoded
	warn := func(at, length int64, format string, args ...any) {
		d.warnings = append(d.warnings, logs.Warning{Offset: at, Length: length, Why: fmt.Sprintf(format, args...)})
	}
	if allZero(data) {
		return d // an unused, zeroed chunk: nothing was ever written here
	}
	buf := data
	if len(data) < chunkSize {
		buf = make([]byte, chunkSize)
		copy(buf, data)
		warn(off, int64(len(data)), "the file ends inside chunk %d (%d of %d bytes): the records before the cut are read", index, len(data), chunkSize)
	}
	var hdr vevtx.ChunkHeader
	_ = binary.Read(bytes.NewReader(buf), binary.LittleEndian, &hdr)
	count := uint64(0)
	if hdr.LastEventRecNumber >= hdr.FirstEventRecNumber {
		count = hdr.LastEventRecNumber - hdr.FirstEventRecNumber + 1
	}
	if string(buf[:8]) != chunkMagic {
		if string(buf[chunkHeader:chunkHeader+4]) != recordMagic {
			warn(off, int64(len(data)), "chunk %d has a bad magic and no record where the first belongs: its %d bytes were skipped", index, len(data))
			return d
		}
		warn(off, chunkHeader, "chunk %d has a bad magic: its records are read anyway, its header's counters ignored", index)
		copy(buf[:8], chunkMagic)
		hdr.FirstEventRecNumber, count = 1, maxRecords
	}
	if count > maxRecords {
		count = maxRecords
	}
	recs, stop := walk(buf, count)
	// Records written after the header was last updated (a dirty chunk):
	// whole records that follow, numbered on, are read too.
	for len(recs) > 0 && uint64(len(recs)) == count && count < maxRecords {
		last := recs[len(recs)-1]
		next := last.off + last.size
		if next+28 > len(buf) || string(buf[next:next+4]) != recordMagic ||
			binary.LittleEndian.Uint64(buf[next+8:]) != last.id+1 {
			break
		}
		size := int(binary.LittleEndian.Uint32(buf[next+4:]))
		if size < 28 || next+size > chunkSize || next+size > len(data) {
			break
		}
		recs = append(recs, span{off: next, size: size, id: last.id + 1, ft: binary.LittleEndian.Uint64(buf[next+16:])})
		count++
	}
	hdr.LastEventRecNumber = hdr.FirstEventRecNumber + uint64(len(recs)) - 1
	if len(recs) == 0 {
		hdr.LastEventRecNumber = hdr.FirstEventRecNumber
	}

	decodedRecs, failed := decodeRecords(buf, hdr, recs)
	for i, s := range recs {
		at := off + int64(s.off)
		if s.off+s.size > len(data) {
			warn(at, int64(len(data)-s.off), "record %d is cut off by the end of the file (%d of its %d bytes are present): not read", s.id, len(data)-s.off, s.size)
			continue
		}
		raw := buf[s.off : s.off+s.size]
		if why, bad := failed[i]; bad {
			e := headerEvent(s, at)
			warn(at, int64(s.size), "record %d could not be decoded (%s): kept with its record id and written time only", s.id, why)
			d.events = append(d.events, e)
			continue
		}
		if i >= len(decodedRecs) || decodedRecs[i] == nil {
			warn(at, int64(s.size), "record %d was not returned by the decoder: kept with its record id and written time only", s.id)
			d.events = append(d.events, headerEvent(s, at))
			continue
		}
		d.events = append(d.events, toEvent(decodedRecs[i].Event, s, at, raw, buf))
	}
	switch {
	case stop == "cut":
		// reported per record above
	case stop != "":
		warn(off, int64(len(data)), "chunk %d: %s; the rest of the chunk was not read", index, stop)
	}
	end := chunkHeader
	if len(recs) > 0 {
		end = recs[len(recs)-1].off + recs[len(recs)-1].size
	}
	if n := slackSignatures(data, end); n > 0 {
		warn(off+int64(end), int64(len(data)-end), "chunk %d holds %d record signatures in its free space (deleted or overwritten records): they are not read", index, n)
	}
	return d
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// decodeRecords runs the decoder over a chunk. The decoder can panic on
// damaged binary XML, or take very long over it (it has no bound on the work
// a garbled template makes); then the first record that makes it fail is
// found by bisection, its body replaced with an end token so that the
// records after it still decode, and the decode repeated (a few times at
// most).
func decodeRecords(buf []byte, hdr vevtx.ChunkHeader, recs []span) ([]*vevtx.EventRecord, map[int]string) {
	failed := map[int]string{}
	if len(recs) == 0 {
		return nil, failed
	}
	work := buf
	for attempt := 0; attempt < 8; attempt++ {
		out, why := timedDecode(work, hdr, len(recs))
		if why == "" {
			return out, failed
		}
		// Find the first failing record: the largest n whose first n decode.
		lo, hi := 0, len(recs)-1 // the first lo records decode; all of them fail
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if _, w := timedDecode(work, hdr, mid); w == "" {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		if _, seen := failed[lo]; seen {
			break
		}
		failed[lo] = why
		// A fresh copy: an abandoned decode may still be reading the old one.
		work = append([]byte(nil), work...)
		work[recs[lo].off+24] = 0x00 // end of binary XML: an empty record
	}
	out, _ := timedDecode(work, hdr, 0)
	for i := range recs {
		if _, ok := failed[i]; !ok && i >= len(out) {
			failed[i] = "too many damaged records in this chunk"
		}
	}
	return out, failed
}

// decodeTimeout bounds one decode of one chunk; a sound chunk takes a few
// milliseconds.
const decodeTimeout = time.Second

// slowDecodes bounds the abandoned decodes still running: when it is full, a
// new one waits for one of them to end, so damaged files slow the parse
// down but cannot pile up work.
var slowDecodes = make(chan struct{}, 2)

// timedDecode is tryDecode with decodeTimeout.
func timedDecode(buf []byte, hdr vevtx.ChunkHeader, n int) ([]*vevtx.EventRecord, string) {
	type result struct {
		out []*vevtx.EventRecord
		why string
	}
	ch := make(chan result, 1)
	go func() {
		out, why := tryDecode(buf, hdr, n)
		ch <- result{out, why}
	}()
	t := time.NewTimer(decodeTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.out, r.why
	case <-t.C:
		slowDecodes <- struct{}{}
		go func() {
			<-ch
			<-slowDecodes
		}()
		return nil, fmt.Sprintf("the decoder did not finish within %v", decodeTimeout)
	}
}

// tryDecode decodes the first n records of the chunk, turning a panic of
// the decoder into a reason.
func tryDecode(buf []byte, hdr vevtx.ChunkHeader, n int) (out []*vevtx.EventRecord, why string) {
	if n == 0 {
		return nil, ""
	}
	defer func() {
		if r := recover(); r != nil {
			out, why = nil, fmt.Sprintf("the decoder failed: %v", r)
		}
	}()
	hdr.LastEventRecNumber = hdr.FirstEventRecNumber + uint64(n) - 1
	c := &vevtx.Chunk{Header: hdr, Offset: 0, Fd: bytes.NewReader(buf)}
	out, _ = c.Parse(0)
	return out, ""
}
