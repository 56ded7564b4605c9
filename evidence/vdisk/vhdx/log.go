package vhdx

import (
	"encoding/binary"
	"fmt"

	"github.com/custodia-dfir/custodia/evidence/vdisk/internal/container"
)

const (
	sector4k       = 4 * kib
	entryHeaderLen = 64
	descriptorLen  = 32
)

// logEntry is a valid log entry.
type logEntry struct {
	pos     int64 // offset in the log
	length  int64
	seq     uint64
	tail    int64
	flushed uint64
	last    uint64
	writes  []container.Write
}

// circular reads the log as the ring it is.
type circular []byte

// at returns n bytes at pos, wrapping around the end.
func (c circular) at(pos, n int64) []byte {
	L := int64(len(c))
	pos %= L
	if pos+n <= L {
		return c[pos : pos+n]
	}
	b := make([]byte, 0, n)
	b = append(b, c[pos:]...)
	return append(b, c[:n-(L-pos)]...)
}

// parseEntry decodes and checks the log entry at pos, or returns nil.
func parseEntry(log circular, pos int64, guid GUID) *logEntry {
	L := int64(len(log))
	le := binary.LittleEndian
	h := log.at(pos, entryHeaderLen)
	if string(h[:4]) != "loge" || guidAt(h[32:]) != guid {
		return nil
	}
	e := &logEntry{pos: pos, length: int64(le.Uint32(h[8:])), tail: int64(le.Uint32(h[12:])), seq: le.Uint64(h[16:]), flushed: le.Uint64(h[48:]), last: le.Uint64(h[56:])}
	count := int64(le.Uint32(h[24:]))
	if e.length < sector4k || e.length%sector4k != 0 || e.length > L || e.tail%sector4k != 0 || e.tail >= L || e.seq == 0 {
		return nil
	}
	descSectors := (entryHeaderLen + descriptorLen*count + sector4k - 1) / sector4k
	if descSectors > e.length/sector4k {
		return nil
	}
	body := log.at(pos, e.length)
	if crc(body, 4) != le.Uint32(h[4:]) {
		return nil
	}
	data := descSectors * sector4k
	for i := range count {
		d := body[entryHeaderLen+descriptorLen*i:]
		off := le.Uint64(d[16:])
		if le.Uint64(d[24:]) != e.seq || off%sector4k != 0 || off > maxDiskSize*2 {
			return nil
		}
		switch string(d[:4]) {
		case "zero":
			n := le.Uint64(d[8:])
			if n%sector4k != 0 || n > maxDiskSize*2 {
				return nil
			}
			e.writes = append(e.writes, container.Write{Off: int64(off), Zero: int64(n)})
		case "desc":
			if data+sector4k > e.length {
				return nil
			}
			s := body[data : data+sector4k]
			if string(s[:4]) != "data" || le.Uint32(s[4:]) != uint32(e.seq>>32) || le.Uint32(s[4092:]) != uint32(e.seq) {
				return nil
			}
			w := make([]byte, sector4k)
			copy(w[:8], d[8:16])   // leading bytes
			copy(w[8:4092], s[8:]) // the sector's data
			copy(w[4092:], d[4:8]) // trailing bytes
			e.writes = append(e.writes, container.Write{Off: int64(off), Data: w})
			data += sector4k
		default:
			return nil
		}
	}
	if data != e.length {
		return nil
	}
	return e
}

// replayLog finds the log's active sequence and returns its writes in
// order, the file size the log gives, and a sentence for the record. The
// file is not written.
func replayLog(f *container.File, h Header) ([]container.Write, int64, string, error) {
	if h.LogLength == 0 || h.LogLength%mib != 0 || h.LogOffset%mib != 0 || h.LogOffset < mib || !f.Contains(int64(h.LogOffset), int64(h.LogLength)) {
		return nil, 0, "", f.Corrupt(header1At, "the header says the log must be replayed, but places it (%d bytes at offset %d) outside the file (%d bytes) or unaligned", h.LogLength, h.LogOffset, f.Size())
	}
	if h.LogLength > maxLog {
		return nil, 0, "", f.Fail(container.ErrUnsupported, header1At, "the log to replay is %d bytes, more than the %d this reader replays in memory", h.LogLength, maxLog).
			WithHint("open the disk once in Hyper-V or with qemu-img check -r all on a copy to replay the log, then ingest the copy")
	}
	raw := make([]byte, h.LogLength)
	if err := f.ReadFull(raw, int64(h.LogOffset), "the log"); err != nil {
		return nil, 0, "", err
	}
	log := circular(raw)
	L := int64(len(raw))
	entries := make([]*logEntry, L/sector4k)
	for i := range entries {
		entries[i] = parseEntry(log, int64(i)*sector4k, h.LogGUID)
	}
	// The active sequence: consecutive valid entries from the tail of its
	// last entry, with the highest sequence number.
	var best []*logEntry
	for start, first := range entries {
		if first == nil {
			continue
		}
		seq := []*logEntry{first}
		covered := first.length
		for cur := first; ; {
			if cur.tail == int64(start)*sector4k && (best == nil || cur.seq > best[len(best)-1].seq) {
				best = append([]*logEntry(nil), seq...)
			}
			next := entries[((cur.pos+cur.length)%L)/sector4k]
			if next == nil || next.seq != cur.seq+1 || covered+next.length > L {
				break
			}
			seq = append(seq, next)
			covered += next.length
			cur = next
		}
	}
	if best == nil {
		return nil, 0, "the header says the log must be replayed, but the log holds no complete sequence of entries: nothing was replayed", nil
	}
	last := best[len(best)-1]
	if last.flushed > uint64(f.Size()) {
		return nil, 0, "", f.Corrupt(int64(h.LogOffset)+last.pos, "the log's last entry says the file was %d bytes when it was written, but it is %d bytes: the file is truncated", last.flushed, f.Size())
	}
	size := max(f.Size(), int64(min(last.last, maxDiskSize*2)))
	var writes []container.Write
	for _, e := range best {
		for _, w := range e.writes {
			if w.End() > size {
				return nil, 0, "", f.Corrupt(int64(h.LogOffset)+e.pos, "log entry %d writes past the file's end (%d bytes)", e.seq, size)
			}
			writes = append(writes, w)
		}
	}
	return writes, size, fmt.Sprintf("replayed in memory: %d log entries (sequence %d to %d), %d writes", len(best), best[0].seq, last.seq, len(writes)), nil
}
