package disk

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/fs"
	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/volume"
	"github.com/google/uuid"
)

// ParserName is the timeline parser of file-system times
// (`custodiactl timeline parse CASE ITEM --parser filesystem`).
const ParserName = "filesystem"

// The timestamp descriptions of file-system times, as plaso's filestat
// parser names them.
const (
	DescModified = "Content Modification Time"  // M: mtime
	DescAccessed = "Last Access Time"           // A: atime
	DescChanged  = "Metadata Modification Time" // C: ctime (ext inode change, NTFS $MFT entry change)
	DescCreated  = "Creation Time"              // B: crtime
)

func init() {
	evidence.RegisterItemParser(evidence.ItemParser{
		Name: ParserName,
		Reads: "the file systems inside a disk item (ext2/3/4, FAT, NTFS): every entry's M, A, C and B times, " +
			"deleted entries included; chosen with --parser only",
		Parse: parseFileSystems,
	})
}

// parseFileSystems turns the times of every entry of every file system in
// item id into events, one per time the entry has: M, A, C and B in that
// order, and for NTFS the $FILE_NAME times after the $STANDARD_INFORMATION
// ones (field time_source). Each event points at the first byte run of the
// file's data in the item (offset into the item, length of the run), so
// 'evidence cat --offset --length' and the hex view land on the file; an
// entry without data in a run of its own (a resident NTFS file, an empty
// file, a deleted entry whose data is gone) points nowhere (0, 0). What
// cannot be read (a damaged directory, a cycle) is a warning; a volume
// whose file system does not open is a warning too.
func parseFileSystems(ctx context.Context, c *casefile.Case, id uuid.UUID, sink logs.Sink) (logs.Result, error) {
	im, err := Open(c, id)
	if err != nil {
		return logs.Result{}, err
	}
	res := logs.Result{Parser: ParserName, Bytes: im.Item.Meta.Size}
	warn := func(off int64, why string) error {
		res.Warnings++
		return sink.Warning(logs.Warning{Offset: off, Why: why})
	}
	zone := im.Item.Meta.TimeZone
	opened := 0
	for _, v := range im.Table.Volumes {
		if v.FileSystem == "" || v.Container {
			continue
		}
		f, _, err := im.FS(v.Index)
		if err != nil {
			if err := warn(v.Start, err.Error()); err != nil {
				return res, err
			}
			continue
		}
		opened++
		n := 0
		var sinkErr error
		err = fs.Walk(f, f.Root(), true, true, func(e *fs.Entry) error {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			k, err := entryEvents(f, v, e, zone, sink)
			res.Events += k
			return err
		}, func(problem string) {
			if sinkErr == nil {
				sinkErr = warn(v.Start, fmt.Sprintf("volume %d: %s", v.Index, problem))
			}
		})
		if err == nil {
			err = sinkErr
		}
		if err != nil {
			return res, err
		}
	}
	if opened == 0 {
		return res, fmt.Errorf("%w: %s holds no file system this version reads ('custodiactl fs volumes' names what was found)", ErrNoFS, im.Item.Meta.Name)
	}
	return res, nil
}

// entryEvents sends the events of one entry and returns how many.
func entryEvents(f fs.FS, v volume.Volume, e *fs.Entry, zone string, sink logs.Sink) (int64, error) {
	var off, length int64
	if file, err := f.Open(e, ""); err == nil {
		for _, r := range fs.Clip(file.Runs(), file.Size()) {
			if !r.Sparse && r.Length > 0 {
				off, length = v.Start+r.Disk, r.Length
				break
			}
		}
	}
	base := []logs.Field{{Name: "path", Value: e.Path}, {Name: "name", Value: e.Name},
		{Name: "inode", Value: strconv.FormatUint(e.Inode, 10)}, {Name: "size", Value: strconv.FormatInt(e.Size, 10)},
		{Name: "file_type", Value: e.Type}, {Name: "file_system", Value: f.Type()}, {Name: "volume", Value: strconv.Itoa(v.Index)}}
	if e.Deleted {
		base = append(base, logs.Field{Name: "deleted", Value: "true"})
	}
	msg := e.Path + " (" + e.Type
	if e.Deleted {
		msg += ", deleted"
	}
	msg += ")"
	// FAT writes local times: they were read in the item's time zone.
	local := len(f.Type()) >= 3 && f.Type()[:3] == "FAT"
	var n int64
	emit := func(t *time.Time, desc, source string) error {
		if t == nil {
			return nil
		}
		ev := logs.Event{TimeText: t.UTC().Format(time.RFC3339Nano), TimeZone: "UTC", TimestampDesc: desc,
			Offset: off, Length: length, Message: msg, Parser: ParserName,
			Fields: append([]logs.Field(nil), base...)}
		if local {
			ev.TimeText = t.Format("2006-01-02 15:04:05")
			ev.TimeZone, ev.TimeZoneAssumed = "UTC", true
			if zone != "" {
				ev.TimeZone = zone
			}
		}
		if y := t.UTC().Year(); y >= 1678 && y <= 2261 {
			ev.Time = t.UTC()
		}
		if source != "" {
			ev.Fields = append(ev.Fields, logs.Field{Name: "time_source", Value: source})
		}
		n++
		return sink.Event(ev)
	}
	for _, ts := range []struct {
		t      *fs.Times
		source string
	}{{&e.Times, ""}, {e.FN, "$FILE_NAME"}} {
		if ts.t == nil {
			continue
		}
		src := ts.source
		if src == "" && e.FN != nil {
			src = "$STANDARD_INFORMATION"
		}
		for _, x := range []struct {
			t    *time.Time
			desc string
		}{{ts.t.M, DescModified}, {ts.t.A, DescAccessed}, {ts.t.C, DescChanged}, {ts.t.B, DescCreated}} {
			if err := emit(x.t, x.desc, src); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
