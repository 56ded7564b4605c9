package export

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/reports"
	"github.com/google/uuid"
	sha256 "github.com/minio/sha256-simd"
)

// Options say what to export, to whom and where.
type Options struct {
	// Dest is the bundle: a new folder, or with Tar a new .tar file.
	Dest string
	Tar  bool
	// Items are the evidence items to export; none means every item not
	// withdrawn.
	Items      []uuid.UUID
	Recipients Recipients
	// Reports are files the examiner adds under case/reports/ (at most
	// MaxReportSize bytes each).
	Reports  []string
	Reason   string
	Tool     reports.Tool
	Now      func() time.Time // nil: time.Now
	Progress evidence.Progress
}

// MaxReportSize bounds a report file added to a bundle: case.tar.age is
// made in memory.
const MaxReportSize = 64 << 20

// Result is what Create made and recorded.
type Result struct {
	Path       string // the bundle, absolute
	ExportID   uuid.UUID
	SumsSHA256 string // SHA-256 of SHA256SUMS: the fingerprint to send separately
	SignerKey  string // minisign key id, 16 hex digits
	Items      []Item
	Entry      casefile.CustodyEntry // export.created
}

// ExportRecord is the data of an evidence_exports row (docs/FORMAT.md
// section 12.8).
type ExportRecord struct {
	ExportID   uuid.UUID            `json:"export_id"`
	Recorded   casefile.Attribution `json:"recorded"`
	Path       string               `json:"path"`
	Tar        bool                 `json:"tar"`
	Recipients []string             `json:"recipients"`
	Items      []ExportedItem       `json:"items"`
	Reports    []Report             `json:"reports"`
	SumsSHA256 string               `json:"sums_sha256"`
	SignerKey  string               `json:"signer_key"`
	HeadSeq    int64                `json:"head_seq"`
	HeadHash   string               `json:"head_hash"`
	Reason     string               `json:"reason"`
}

// ExportedItem is one item of an ExportRecord.
type ExportedItem struct {
	ID            uuid.UUID `json:"id"`
	SHA256        string    `json:"sha256"`
	File          string    `json:"file"`
	EncryptedFile string    `json:"encrypted_file"`
	EncryptedSHA  string    `json:"encrypted_sha256"`
}

// Create writes a sealed export of c's items (docs/EXPORT.md) and records
// it: one export.created entry and one evidence_exports row. Each item's
// plaintext is re-hashed (SHA-256) while it streams out of the case and
// compared with its record; a mismatch, like any error, removes what was
// written, so nothing at opts.Dest ever looks like a bundle unless it is
// complete and on the record.
func Create(ctx context.Context, c *casefile.Case, opts Options) (res Result, err error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	at := now().UTC().Truncate(time.Millisecond)
	if opts.Recipients.Len() == 0 {
		return res, fmt.Errorf("export: %w: no recipient given", ErrRecipient)
	}
	if err := casefile.CheckReason(opts.Reason); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	if opts.Tool.Name == "" {
		opts.Tool.Name = "Custodia"
	}
	dest, err := filepath.Abs(opts.Dest)
	if err != nil || opts.Dest == "" {
		return res, fmt.Errorf("export: %w: name the bundle's folder", ErrDestination)
	}
	items, err := chooseItems(c, opts.Items)
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	reps, repData, err := readReports(opts.Reports)
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	entries, exs, headSeq, head, err := c.LedgerSnapshot()
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	actor := c.Actor()
	signerKey := casefile.MinisignKeyIDText(casefile.MinisignKeyID(actor.PublicKey))
	exportID := uuid.New()

	var s sink
	if opts.Tar {
		s, err = newTarSink(dest, at)
	} else {
		s, err = newDirSink(dest)
	}
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			s.abort()
		}
	}()

	info := c.Info()
	m := Manifest{
		Format: ManifestFormat, ExportID: exportID, Created: rfc3339(at),
		Case: ManifestCase{UUID: info.CaseUUID, Title: info.Title, CaseNumber: info.CaseNumber, HeadSeq: headSeq, HeadHash: head.String()},
		Examiner: ManifestSigner{ID: actor.ID, Name: actor.Name, Role: string(c.ActingRole()),
			PublicKey: hex.EncodeToString(actor.PublicKey), MinisignID: signerKey},
		Recipients: opts.Recipients.Names(), Reason: opts.Reason, Tool: strings.TrimSpace(opts.Tool.Name + " " + opts.Tool.Version),
		Reports: reps,
	}
	outer := map[string]string{} // bundle file → SHA-256 of its bytes

	// README and signer.pub first: small, and in a tar the reader meets
	// them before the evidence.
	pub, err := casefile.MinisignPublicKey(actor.PublicKey)
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	pubText, _ := pub.MarshalText()
	pubText = append(pubText, '\n')

	var total int64
	for _, ev := range items {
		total += ev.Meta.Size
	}
	prog := newProgress(opts.Progress, total, len(items))
	var exported []ExportedItem
	for i, ev := range items {
		base := fmt.Sprintf("%03d-%s", i+1, SafeName(ev.Meta.Name))
		it := itemOf(ev, DirEvidence+"/"+base)
		m.Items = append(m.Items, it)
	}
	readme := readmeText(m, signerKey, actor.Name)
	for _, f := range []struct {
		name string
		data []byte
	}{{FileReadme, readme}, {FileSignerPub, pubText}} {
		if err := writeSmall(s, f.name, f.data); err != nil {
			return res, fmt.Errorf("export: %w", err)
		}
		outer[f.name] = sha256Hex(f.data)
	}

	for i, ev := range items {
		it := m.Items[i]
		prog.item(ev.Meta.Name, i+1)
		ctSum, err := encryptItem(ctx, c, ev, it.EncryptedFile, s, opts.Recipients, prog)
		if err != nil {
			return res, fmt.Errorf("export %s: %w", ev.Meta.Name, err)
		}
		outer[it.EncryptedFile] = ctSum
		exported = append(exported, ExportedItem{ID: ev.ID, SHA256: it.SHA256, File: it.File, EncryptedFile: it.EncryptedFile, EncryptedSHA: ctSum})
	}

	caseTar, err := buildCaseTar(m, repData, entries, exs, info, opts.Tool, at, items)
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	sealed, err := encryptSmall(caseTar, opts.Recipients)
	clear(caseTar)
	if err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	if err := writeSmall(s, FileCaseTar, sealed); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	outer[FileCaseTar] = sha256Hex(sealed)

	sums := sumsFile(outer)
	sumsSHA := sha256Hex(sums)
	sig, _, err := c.SignMinisign(bytes.NewReader(sums), trustedComment(info.CaseUUID, exportID, headSeq, head.String(), at),
		"signature from Custodia examiner key "+signerKey)
	if err != nil {
		return res, fmt.Errorf("export: sign %s: %w", FileSums, err)
	}
	if err := writeSmall(s, FileSums, sums); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	if err := writeSmall(s, FileSignature, sig); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	if err := s.finish(); err != nil {
		return res, fmt.Errorf("export: %w", err)
	}
	done = true

	rec := ExportRecord{ExportID: exportID, Path: dest, Tar: opts.Tar, Recipients: opts.Recipients.Names(), Items: exported,
		Reports: nonNilReports(reps), SumsSHA256: sumsSHA, SignerKey: signerKey, HeadSeq: headSeq, HeadHash: head.String(), Reason: opts.Reason}
	ids := make([]string, len(exported))
	for i, e := range exported {
		ids[i] = e.ID.String()
	}
	entry, err := c.Change("export", func(tx *casefile.Tx) (casefile.Event, error) {
		rec.Recorded = tx.Stamp()
		if _, err := tx.Append(tblExports, exportID, rec); err != nil {
			return casefile.Event{}, err
		}
		return casefile.Event{Action: ActionExportCreated, Target: casefile.Target{Type: casefile.TargetRecord, ID: exportID.String()},
			Reason: opts.Reason, Hashes: map[string]string{"sha256sums": sumsSHA},
			Details: map[string]string{"export_id": exportID.String(), "destination": dest, "items": strings.Join(ids, " "),
				"recipients": strings.Join(opts.Recipients.Names(), " "), "signer_key": signerKey,
				"head_seq": fmt.Sprint(headSeq), "head_hash": head.String()}}, nil
	})
	if err != nil {
		// An export the ledger does not know of must not exist.
		os.RemoveAll(dest)
		return res, fmt.Errorf("export: record: %w", err)
	}
	return Result{Path: dest, ExportID: exportID, SumsSHA256: sumsSHA, SignerKey: signerKey, Items: m.Items, Entry: entry}, nil
}

func nonNilReports(r []Report) []Report {
	if r == nil {
		return []Report{}
	}
	return r
}

func chooseItems(c *casefile.Case, ids []uuid.UUID) ([]casefile.Evidence, error) {
	if len(ids) == 0 {
		all, err := c.ListEvidence()
		if err != nil {
			return nil, err
		}
		var out []casefile.Evidence
		for _, ev := range all {
			if ev.Withdrawal == nil {
				out = append(out, ev)
			}
		}
		if len(out) == 0 {
			return nil, casefile.Invalidf("the case holds no evidence item in force to export")
		}
		return out, nil
	}
	var out []casefile.Evidence
	seen := map[uuid.UUID]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		ev, err := c.Evidence(id)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

func itemOf(ev casefile.Evidence, file string) Item {
	acq := ev.Meta.Acquisition
	if acq == nil {
		acq = map[string]string{}
	}
	return Item{ID: ev.ID, Name: ev.Meta.Name, Kind: string(ev.Meta.Kind), Format: ev.Meta.Format, Description: ev.Meta.Description,
		Size: ev.Meta.Size, MD5: ev.Meta.Hashes.MD5, SHA1: ev.Meta.Hashes.SHA1, SHA256: ev.Meta.Hashes.SHA256,
		IngestedAt: rfc3339(ev.Meta.IngestedAt), IngestedBy: ev.Meta.IngestedBy, SourcePath: ev.Meta.SourcePath,
		Host: ev.Meta.Host, TimeZone: ev.Meta.TimeZone, Acquisition: acq, File: file, EncryptedFile: file + ".age"}
}

func readReports(paths []string) ([]Report, [][]byte, error) {
	var reps []Report
	var data [][]byte
	names := map[string]bool{}
	for _, p := range paths {
		b, err := readSmall(p, MaxReportSize)
		if err != nil {
			return nil, nil, casefile.Invalidf("report %s: %v (a report is a file of at most %d MiB)", p, err, MaxReportSize>>20)
		}
		name := SafeName(filepath.Base(p))
		for n := 2; names[name]; n++ {
			name = fmt.Sprintf("%d-%s", n, SafeName(filepath.Base(p)))
		}
		names[name] = true
		reps = append(reps, Report{Name: filepath.Base(p), File: DirReports + "/" + name, Size: int64(len(b)), SHA256: sha256Hex(b)})
		data = append(data, b)
	}
	return reps, data, nil
}

// encryptItem streams one item out of the case into an age file of the
// bundle: chunks opened on all cores, the plaintext hashed with SHA-256 on
// its own goroutine, age encryption on this one, the ciphertext hashed and
// written on two more. It returns the ciphertext's SHA-256, and fails if the
// plaintext's differs from the record.
func encryptItem(ctx context.Context, c *casefile.Case, ev casefile.Evidence, name string, s sink, rs Recipients, prog *progress) (string, error) {
	r, err := c.OpenEvidence(ev.ID)
	if err != nil {
		return "", err
	}
	var hdr bytes.Buffer
	sw := &switchWriter{w: &hdr}
	aw, err := age.Encrypt(sw, rs.list...)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrRecipient, err)
	}
	// age wrote its header and nonce; the nonce is part of agePayloadSize.
	size := int64(hdr.Len()) - 16 + agePayloadSize(ev.Meta.Size)
	f, err := s.create(name, size)
	if err != nil {
		return "", err
	}
	hw := newHashingWriter(f)
	if _, err := hw.Write(hdr.Bytes()); err != nil {
		hw.close()
		f.Close()
		return "", err
	}
	sw.w = hw
	pt := newAsyncSHA256()
	var n int64
	err = evidence.Stream(ctx, r, func(_ int64, plain []byte) error {
		release := refCount(2, func() { r.Release(plain) })
		pt.write(plain, release)
		_, err := aw.Write(plain)
		release()
		n += int64(len(plain))
		prog.add(int64(len(plain)))
		return err
	})
	if err == nil {
		err = aw.Close()
	}
	ptSum := pt.sum()
	ctSum, werr := hw.close()
	cerr := f.Close()
	switch {
	case err != nil:
		return "", err
	case werr != nil:
		return "", werr
	case cerr != nil:
		return "", cerr
	case n != ev.Meta.Size:
		return "", fmt.Errorf("%w: read %d of its %d bytes", ErrMismatch, n, ev.Meta.Size)
	case ptSum != ev.Meta.Hashes.SHA256:
		return "", fmt.Errorf("%w: its bytes' SHA-256 %s is not the recorded %s", ErrMismatch, ptSum, ev.Meta.Hashes.SHA256)
	}
	return ctSum, nil
}

func writeSmall(s sink, name string, data []byte) error {
	w, err := s.create(name, int64(len(data)))
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return fmt.Errorf("%w: write %s: %v", ErrDestination, name, err)
	}
	return w.Close()
}

func encryptSmall(data []byte, rs Recipients) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs.list...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRecipient, err)
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sumsFile is SHA256SUMS: one line per file in byte order of the names.
func sumsFile(sums map[string]string) []byte {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(sumLine(sums[n], n))
	}
	return []byte(b.String())
}

// buildCaseTar makes the tar of case/ in memory: deterministic (entries in
// a fixed order, owner 0, the export's time).
func buildCaseTar(m Manifest, repData [][]byte, entries []casefile.CustodyEntry, exs []casefile.Examiner, info casefile.Info,
	tool reports.Tool, at time.Time, items []casefile.Evidence) ([]byte, error) {
	if m.Items == nil {
		m.Items = []Item{}
	}
	if m.Reports == nil {
		m.Reports = []Report{}
	}
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	man = append(man, '\n')
	var s256, s1, m5 strings.Builder
	for _, it := range m.Items {
		s256.WriteString(sumLine(it.SHA256, it.File))
		s1.WriteString(sumLine(it.SHA1, it.File))
		m5.WriteString(sumLine(it.MD5, it.File))
	}
	for _, r := range m.Reports {
		s256.WriteString(sumLine(r.SHA256, r.File))
	}
	// The custody entries about the exported items.
	ids := map[string]bool{}
	for _, ev := range items {
		ids[ev.ID.String()] = true
	}
	var about []casefile.CustodyEntry
	for _, e := range entries {
		if e.Unreadable == "" && e.Target.Type == casefile.TargetEvidence && ids[e.Target.ID] {
			about = append(about, e)
		}
	}
	x := reports.CustodyExport{Case: info, Examiners: exs, Entries: about, Tool: tool, Generated: at}
	if len(about) > 0 {
		x.HeadSeq, x.Head = about[len(about)-1].Seq, about[len(about)-1].Hash
	}
	var ledger, ld bytes.Buffer
	if err := reports.WriteCustodyJSONL(&ledger, x); err != nil {
		return nil, err
	}
	if err := reports.WriteCustodyCASE(&ld, x); err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{FileManifest, man},
		{FileCaseSHA256, []byte(s256.String())},
		{FileCaseSHA1, []byte(s1.String())},
		{FileCaseMD5, []byte(m5.String())},
		{FileCustodyLD, ld.Bytes()},
		{FileDFXML, dfxml(m, tool)},
		{FileLedger, ledger.Bytes()},
	}
	for i, r := range m.Reports {
		files = append(files, struct {
			name string
			data []byte
		}{r.File, repData[i]})
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := []string{DirCase + "/"}
	if len(m.Reports) > 0 {
		dirs = append(dirs, DirReports+"/")
	}
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: at, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Size: int64(len(f.data)), Mode: 0o644, ModTime: at, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
