package casefile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"
)

// Snapshots are derived data: a blob a domain can always compute again from
// its records (today the timeline's in-memory search index, serialized), kept
// in the case so that the next open does not have to. docs/FORMAT.md 12.5
// specifies them. A snapshot is
//
//   - sealed under its own subkey ("search-index"), in parts of SnapshotPart
//     bytes each compressed with zstd, every part's AAD naming the snapshot's
//     name, its UUID and the part's number, so parts of two snapshots cannot
//     be mixed or reordered;
//   - described by a sealed manifest (part 0) with the plaintext's size and
//     SHA-256 and the domain's "covers" text: what exactly the snapshot was
//     derived from, which the domain compares with its records before
//     trusting the snapshot;
//   - replaced in place: PutSnapshot deletes the snapshot of the same name
//     in the transaction that writes the new one (the table is not a record
//     table and has no append-only trigger), so the file does not grow by a
//     snapshot per change;
//   - not a custody entry: it records no fact of the case, and a reader that
//     ignores it loses nothing but time.

// SnapshotPart is the plaintext size of one sealed part of a snapshot.
const SnapshotPart = 4 << 20

// maxSnapshotSize bounds the plaintext a snapshot may claim (a manifest is
// authenticated, but a bound costs nothing): 64 GiB.
const maxSnapshotSize = 64 << 30

const tblSnapshots = "derived_snapshots"

// ErrNoSnapshotTable means the case's format is older than the one that
// keeps snapshots (version 6) and nothing was written to it yet.
var ErrNoSnapshotTable = NewKind("casefile", "the case keeps no snapshots yet",
	"the case is upgraded at its next change; the index is rebuilt at open until then")

// SnapshotInfo describes a stored snapshot.
type SnapshotInfo struct {
	Name   string
	ID     uuid.UUID
	Covers string // what the snapshot was derived from, in the domain's words
	Size   int64  // plaintext bytes
	SHA256 string // of the plaintext, hex
	Parts  int
	Stored int64 // sealed bytes of the parts in the file
	Made   time.Time
}

type snapshotManifest struct {
	Name     string    `json:"name"`
	ID       uuid.UUID `json:"snapshot"`
	Covers   string    `json:"covers"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Parts    int       `json:"parts"`
	PartSize int       `json:"part_size"`
	Made     string    `json:"made"`
}

func (c *Case) snapshotSealer() (*sealer, error) {
	k, err := deriveSubkey(c.mk, c.id, purposeIndex)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	return newSealer(k, c.id)
}

// snapshotRow is the row identifier of a part in its AAD (FORMAT.md 12.5).
func snapshotRow(name string, id uuid.UUID, part int) string {
	return name + "/" + id.String() + "/" + strconv.Itoa(part)
}

// PutSnapshot stores data as the snapshot called name, replacing the one
// stored before, with covers saying what it was derived from. Parts are
// compressed and sealed on every core before the case's lock is taken; the
// rows are written in one transaction. Nothing is written into a case that
// failed verification, and no custody entry is appended.
func (c *Case) PutSnapshot(name, covers string, data []byte) (SnapshotInfo, error) {
	return c.PutSnapshotFrom(name, covers, int64(len(data)), bytes.NewReader(data))
}

// PutSnapshotFrom is PutSnapshot with the data read from r: exactly size
// bytes, read part by part while the parts before are compressed and
// sealed on the other cores. Only the parts in flight and the sealed parts
// are held, never the whole plaintext. r is read without the case's lock.
func (c *Case) PutSnapshotFrom(name, covers string, size int64, r io.Reader) (SnapshotInfo, error) {
	if name == "" || size <= 0 || size > maxSnapshotSize {
		return SnapshotInfo{}, invalidf("a snapshot needs a name and 1 byte to 64 GiB of data, not %d bytes", size)
	}
	c.mu.Lock()
	if err := c.usable(); err != nil {
		c.mu.Unlock()
		return SnapshotInfo{}, err
	}
	if c.suspect != nil {
		c.mu.Unlock()
		return SnapshotInfo{}, fmt.Errorf("store snapshot: %w", c.suspect)
	}
	if !c.hasTablesOf(6) {
		c.mu.Unlock()
		return SnapshotInfo{}, ErrNoSnapshotTable.Errorf("format version %d", c.info.FormatVersion)
	}
	s, err := c.snapshotSealer()
	now := c.now()
	c.mu.Unlock()
	if err != nil {
		return SnapshotInfo{}, err
	}
	m := snapshotManifest{Name: name, ID: uuid.New(), Covers: covers, Size: size,
		Parts: int((size + SnapshotPart - 1) / SnapshotPart), PartSize: SnapshotPart, Made: FormatTime(now)}
	parts := make([][]byte, m.Parts)
	enc, _ := codecs()
	workers := min(runtime.GOMAXPROCS(0), m.Parts)
	type piece struct {
		i    int
		data []byte
	}
	next := make(chan piece)
	free := make(chan []byte, workers+1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sealErr error
	for range workers {
		wg.Go(func() {
			for p := range next {
				z := enc.EncodeAll(p.data, make([]byte, 0, len(p.data)/4))
				sealed, err := s.seal(tblSnapshots, snapshotRow(name, m.ID, p.i+1), "sealed", z)
				if err != nil {
					mu.Lock()
					sealErr = err
					mu.Unlock()
				}
				parts[p.i] = sealed
				select {
				case free <- p.data[:cap(p.data)]:
				default:
				}
			}
		})
	}
	h := sha256.New()
	var readErr error
	for i := range m.Parts {
		n := int(min(SnapshotPart, size-int64(i)*SnapshotPart))
		var buf []byte
		select {
		case buf = <-free:
		default:
			buf = make([]byte, SnapshotPart)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			readErr = fmt.Errorf("store snapshot %s: part %d: %w", name, i+1, err)
			break
		}
		h.Write(buf)
		next <- piece{i, buf}
	}
	close(next)
	wg.Wait()
	if readErr != nil {
		return SnapshotInfo{}, readErr
	}
	if sealErr != nil {
		return SnapshotInfo{}, sealErr
	}
	m.SHA256 = hex.EncodeToString(h.Sum(nil))
	mj, err := json.Marshal(m)
	if err != nil {
		return SnapshotInfo{}, err
	}
	head, err := s.seal(tblSnapshots, snapshotRow(name, m.ID, 0), "sealed", mj)
	if err != nil {
		return SnapshotInfo{}, err
	}
	info := SnapshotInfo{Name: name, ID: m.ID, Covers: covers, Size: m.Size, SHA256: m.SHA256, Parts: m.Parts, Made: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return SnapshotInfo{}, err
	}
	if c.suspect != nil {
		return SnapshotInfo{}, fmt.Errorf("store snapshot: %w", c.suspect)
	}
	ctx := context.Background()
	err = c.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+tblSnapshots+` WHERE name = ?`, name); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO `+tblSnapshots+` (name, part, snapshot_uuid, sealed) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		if _, err := st.ExecContext(ctx, name, 0, m.ID.String(), head); err != nil {
			return err
		}
		for i, p := range parts {
			if _, err := st.ExecContext(ctx, name, i+1, m.ID.String(), p); err != nil {
				return err
			}
			info.Stored += int64(len(p))
		}
		return nil
	})
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("store snapshot %s: %w", name, err)
	}
	return info, nil
}

// DeleteSnapshot removes the snapshot called name, if there is one.
func (c *Case) DeleteSnapshot(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if c.suspect != nil || !c.hasTablesOf(6) {
		return nil
	}
	ctx := context.Background()
	return c.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM `+tblSnapshots+` WHERE name = ?`, name)
		return err
	})
}

// ErrBadSnapshot means a stored snapshot failed to authenticate,
// decompress or match its manifest. A snapshot is derived data: the domain
// ignores it, says so, and derives the data again.
var ErrBadSnapshot = NewKind("casefile", "the stored snapshot is damaged",
	"it is ignored and rebuilt from the case's records; if this repeats, verify the case")

// SnapshotManifest returns the manifest of the snapshot called name
// without reading its parts; ok is false when there is none.
func (c *Case) SnapshotManifest(name string) (info SnapshotInfo, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return SnapshotInfo{}, false, err
	}
	if !c.hasTablesOf(6) {
		return SnapshotInfo{}, false, nil
	}
	m, ok, err := c.snapshotManifest(context.Background(), name)
	if !ok || err != nil {
		return SnapshotInfo{}, ok, err
	}
	return m.info(), true, nil
}

func (m snapshotManifest) info() SnapshotInfo {
	t, _ := parseStoredTime(m.Made)
	return SnapshotInfo{Name: m.Name, ID: m.ID, Covers: m.Covers, Size: m.Size, SHA256: m.SHA256, Parts: m.Parts, Made: t}
}

// snapshotManifest reads and opens part 0. The caller holds c.mu.
func (c *Case) snapshotManifest(ctx context.Context, name string) (snapshotManifest, bool, error) {
	var id string
	var head []byte
	err := c.db.QueryRowContext(ctx, `SELECT snapshot_uuid, sealed FROM `+tblSnapshots+` WHERE name = ? AND part = 0`, name).Scan(&id, &head)
	if errors.Is(err, sql.ErrNoRows) {
		return snapshotManifest{}, false, nil
	}
	if err != nil {
		return snapshotManifest{}, false, mapSQLiteError(err)
	}
	sid, err := parseStoredUUID(id)
	if err != nil {
		return snapshotManifest{}, true, ErrBadSnapshot.Errorf("%s: its snapshot UUID %q: %v", name, id, err)
	}
	s, err := c.snapshotSealer()
	if err != nil {
		return snapshotManifest{}, true, err
	}
	mj, err := s.open(tblSnapshots, snapshotRow(name, sid, 0), "sealed", head)
	if err != nil {
		return snapshotManifest{}, true, ErrBadSnapshot.Errorf("%s: manifest: %v", name, err)
	}
	var m snapshotManifest
	if err := json.Unmarshal(mj, &m); err != nil {
		return snapshotManifest{}, true, ErrBadSnapshot.Errorf("%s: manifest: %v", name, err)
	}
	if m.Name != name || m.ID != sid || m.Size < 1 || m.Size > maxSnapshotSize || m.PartSize != SnapshotPart ||
		int64(m.Parts) != (m.Size+SnapshotPart-1)/SnapshotPart {
		return snapshotManifest{}, true, ErrBadSnapshot.Errorf("%s: the manifest does not describe this snapshot (%d bytes in %d parts of %d)",
			name, m.Size, m.Parts, m.PartSize)
	}
	return m, true, nil
}

// Snapshot reads the snapshot called name: every part authenticated and
// decompressed into exactly its share of the manifest's size (never more),
// and the whole checked against the manifest's SHA-256. ok is false when
// there is none; a damaged one is an error of kind ErrBadSnapshot. The
// plaintext is only in memory.
func (c *Case) Snapshot(name string) (info SnapshotInfo, data []byte, ok bool, err error) {
	c.mu.Lock()
	if err := c.usable(); err != nil {
		c.mu.Unlock()
		return SnapshotInfo{}, nil, false, err
	}
	if !c.hasTablesOf(6) {
		c.mu.Unlock()
		return SnapshotInfo{}, nil, false, nil
	}
	ctx := context.Background()
	m, ok, err := c.snapshotManifest(ctx, name)
	if !ok || err != nil {
		c.mu.Unlock()
		return SnapshotInfo{}, nil, ok, err
	}
	s, err := c.snapshotSealer()
	if err != nil {
		c.mu.Unlock()
		return SnapshotInfo{}, nil, true, err
	}
	// Read the sealed parts under the lock, open them on every core after.
	sealed := make([][]byte, m.Parts)
	rows, err := c.db.QueryContext(ctx, `SELECT part, snapshot_uuid, sealed FROM `+tblSnapshots+` WHERE name = ? AND part > 0 ORDER BY part`, name)
	if err != nil {
		c.mu.Unlock()
		return SnapshotInfo{}, nil, true, mapSQLiteError(err)
	}
	n := 0
	var stored int64
	for rows.Next() {
		var part int
		var id string
		var b []byte
		if err := rows.Scan(&part, &id, &b); err != nil {
			rows.Close()
			c.mu.Unlock()
			return SnapshotInfo{}, nil, true, mapSQLiteError(err)
		}
		if part < 1 || part > m.Parts || id != m.ID.String() || sealed[part-1] != nil {
			rows.Close()
			c.mu.Unlock()
			return SnapshotInfo{}, nil, true, ErrBadSnapshot.Errorf("%s: part %d of snapshot %s is not one of the %d parts of %s", name, part, id, m.Parts, m.ID)
		}
		sealed[part-1] = b
		stored += int64(len(b))
		n++
	}
	err = rows.Err()
	rows.Close()
	c.mu.Unlock()
	if err != nil {
		return SnapshotInfo{}, nil, true, mapSQLiteError(err)
	}
	if n != m.Parts {
		return SnapshotInfo{}, nil, true, ErrBadSnapshot.Errorf("%s: %d of its %d parts are stored", name, n, m.Parts)
	}
	info = m.info()
	data = make([]byte, m.Size)
	_, dec := codecs()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad error
	next := make(chan int, m.Parts)
	for i := range m.Parts {
		next <- i
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), m.Parts) {
		wg.Go(func() {
			for i := range next {
				lo, hi := i*SnapshotPart, min((i+1)*SnapshotPart, int(m.Size))
				err := openSnapshotPart(s, dec, snapshotRow(name, m.ID, i+1), sealed[i], data[lo:hi])
				sealed[i] = nil
				if err != nil {
					mu.Lock()
					bad = ErrBadSnapshot.Errorf("%s: part %d: %v", name, i+1, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if bad != nil {
		return SnapshotInfo{}, nil, true, bad
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != m.SHA256 {
		return SnapshotInfo{}, nil, true, ErrBadSnapshot.Errorf("%s: its SHA-256 is not the manifest's", name)
	}
	info.Stored = stored
	return info, data, true, nil
}

// openSnapshotPart authenticates one part and decompresses it into dst,
// which must be exactly its plaintext: a part that decodes to more or less
// is refused (the decoder stops at dst's capacity).
func openSnapshotPart(s *sealer, dec *zstd.Decoder, row string, sealed, dst []byte) error {
	z, err := s.open(tblSnapshots, row, "sealed", sealed)
	if err != nil {
		return err
	}
	out, err := dec.DecodeAll(z, dst[:0:len(dst)])
	if err != nil {
		return err
	}
	if len(out) != len(dst) {
		return fmt.Errorf("it decompresses to %d bytes, not %d", len(out), len(dst))
	}
	if len(dst) > 0 && &out[0] != &dst[0] {
		return errors.New("it decompresses beyond its size")
	}
	return nil
}
