package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// FormatDerived is the format of an item taken out of another item (a file
// of a file system inside a disk image): its bytes are the file's.
const FormatDerived = "derived"

// ProvenanceTable is the record table of where an item came from when it
// was not acquired from a source (docs/FORMAT.md section 12.6). Each row's
// parent is the item it describes.
const ProvenanceTable = "evidence_provenance"

// Provenance is one evidence_provenance record. Kind "derived" (written
// here) names the parent item, the volume and the file; kind "imported"
// (sealed exports) uses the fields its writer documents.
type Provenance struct {
	Kind string `json:"kind"` // "derived"
	// Parent is the item the file was read from, with the SHA-256 it was
	// ingested with.
	Parent       uuid.UUID `json:"parent"`
	ParentSHA256 string    `json:"parent_sha256"`
	// Volume is the volume's index (ITEM:VOLUME), VolumeStart its first
	// byte in the parent, FileSystem what was read there ("ext4", "NTFS").
	Volume      int    `json:"volume"`
	VolumeStart int64  `json:"volume_start"`
	FileSystem  string `json:"file_system"`
	Path        string `json:"path"`
	Stream      string `json:"stream,omitempty"` // an NTFS alternate data stream; "" the file's data
	Inode       uint64 `json:"inode"`            // ext inode, NTFS MFT entry, FAT entry address (TSK's numbering)
	Seq         uint16 `json:"seq,omitempty"`    // NTFS sequence number
	Deleted     bool   `json:"deleted"`
	Size        int64  `json:"size"`
	// Times are the file system's times of the file (RFC 3339 UTC), where
	// it has them.
	Times map[string]time.Time `json:"times,omitempty"`
	// Runs are where the bytes lie in the parent item (image offsets, not
	// volume offsets); empty for data kept inside file-system metadata
	// (NTFS resident, ext inline). RunsOmitted counts runs beyond the
	// first MaxProvenanceRuns.
	Runs        []ProvenanceRun      `json:"runs,omitempty"`
	RunsOmitted int                  `json:"runs_omitted,omitempty"`
	Recorded    casefile.Attribution `json:"recorded"`
}

// ProvenanceRun is a run of a derived file's bytes in its parent item.
type ProvenanceRun struct {
	Offset      int64 `json:"offset"`       // in the file
	ImageOffset int64 `json:"image_offset"` // in the parent item; -1 for a sparse run
	Length      int64 `json:"length"`
}

// MaxProvenanceRuns bounds the runs one provenance record holds (a badly
// fragmented file can have millions).
const MaxProvenanceRuns = 4096

// IngestDerived seals size bytes read from r (a file inside item
// p.Parent) as a new item named name, hashed and sealed like any item by
// the ingest pipeline, and appends its provenance record in the same
// transaction as the item and its evidence.ingested custody entry, whose
// details name the parent, volume, path and inode. The parent is only read.
func IngestDerived(ctx context.Context, c *casefile.Case, name string, r io.ReaderAt, size int64, p Provenance, opts Options) (casefile.Evidence, error) {
	p.Kind = ProvenanceKindDerived
	if len(p.Runs) > MaxProvenanceRuns {
		p.RunsOmitted, p.Runs = len(p.Runs)-MaxProvenanceRuns, p.Runs[:MaxProvenanceRuns]
	}
	// The path is named for the custody record and kind detection (by the
	// file's own name, its last element).
	spec := sourceSpec{name: name, format: FormatDerived,
		path: fmt.Sprintf("item %s volume %d %s", p.Parent, p.Volume, p.Path)}
	if p.Stream != "" {
		spec.path += ":" + p.Stream
	}
	src := &openedSource{spec: spec, r: io.NewSectionReader(r, 0, size), size: size, meta: map[string]string{
		"derived_from": p.Parent.String(), "volume": fmt.Sprint(p.Volume), "file_system": p.FileSystem,
		"path": p.Path, "inode": fmt.Sprint(p.Inode),
	}}
	if p.Stream != "" {
		src.meta["stream"] = p.Stream
	}
	if p.Deleted {
		src.meta["deleted"] = "true"
	}
	if err := src.peekHead(); err != nil {
		return casefile.Evidence{}, err
	}
	opts.source = src
	opts.records = func(tx *casefile.Tx, id uuid.UUID, details map[string]string) error {
		p.Recorded = tx.Stamp()
		details["derived_from"] = p.Parent.String()
		details["volume"] = fmt.Sprint(p.Volume)
		details["path"] = p.Path
		details["inode"] = fmt.Sprint(p.Inode)
		if p.Stream != "" {
			details["stream"] = p.Stream
		}
		_, err := tx.AppendRevision(ProvenanceTable, id, p)
		return err
	}
	ev, _, err := ingestOne(ctx, c, spec, opts, 0, 1)
	return ev, err
}

// ProvenanceKindDerived is the kind of an evidence_provenance row written
// by AddDerived: a file taken out of another item's file system.
const ProvenanceKindDerived = "derived"

// ProvenanceOf returns the derived-kind provenance records of item id,
// oldest first: none for an item acquired from a source, and none for an
// item imported from a sealed export, whose rows are of kind "imported"
// (read with evidence/export's Provenance).
func ProvenanceOf(c *casefile.Case, id uuid.UUID) ([]Provenance, error) {
	var out []Provenance
	err := c.Read("read the provenance of "+id.String(), func(r casefile.Reader) error {
		rs, err := r.Revisions(ProvenanceTable, id)
		if err != nil {
			return err
		}
		out, err = decodeProvenance(rs)
		return err
	})
	return out, err
}

// AllProvenance is ProvenanceOf for every derived item of c at once, in
// one read: a program that shows many items reads it with their list.
func AllProvenance(c *casefile.Case) (map[uuid.UUID][]Provenance, error) {
	out := map[uuid.UUID][]Provenance{}
	err := c.Read("read the provenance of the items", func(r casefile.Reader) error {
		rs, err := r.Records(ProvenanceTable)
		if err != nil {
			return err
		}
		byItem := map[uuid.UUID][]casefile.Record{}
		for _, rec := range rs {
			byItem[rec.Parent] = append(byItem[rec.Parent], rec)
		}
		for id, recs := range byItem {
			ps, err := decodeProvenance(recs)
			if err != nil {
				return err
			}
			if len(ps) > 0 {
				out[id] = ps
			}
		}
		return nil
	})
	return out, err
}

// decodeProvenance decodes the derived-kind rows of rs, oldest first.
func decodeProvenance(rs []casefile.Record) ([]Provenance, error) {
	var out []Provenance
	for _, rec := range rs {
		var kind struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(rec.Data, &kind); err == nil && kind.Kind != ProvenanceKindDerived {
			continue // another writer's kind, decoded by its package (an imported item's row)
		}
		var p Provenance
		if err := rec.Decode(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// String is one line for a person.
func (p Provenance) String() string {
	path := p.Path
	if p.Stream != "" {
		path += ":" + p.Stream
	}
	s := fmt.Sprintf("%s of item %s, volume %d (%s), inode %d", path, p.Parent, p.Volume, p.FileSystem, p.Inode)
	if p.Deleted {
		s += ", deleted"
	}
	return s
}

// Hasher computes MD5, SHA-1 and SHA-256 of what is written to it, in
// parallel (the hashes ingest uses); Sum ends it.
type Hasher struct{ h *hashStream }

// NewHasher returns a Hasher.
func NewHasher() *Hasher { return &Hasher{h: newHashStream()} }

// Write hashes p (which may be reused afterwards).
func (h *Hasher) Write(p []byte) (int, error) { h.h.write(p); return len(p), nil }

// Sum returns the three hashes; the Hasher must not be written to after.
func (h *Hasher) Sum() casefile.Hashes { return h.h.sum() }
