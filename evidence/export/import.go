package export

import (
	"context"
	"fmt"
	"os"
	"strings"

	"filippo.io/age"
	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/google/uuid"
)

// ProvenanceKindImported is the kind of an evidence_provenance row for an
// item imported from a sealed export (docs/FORMAT.md section 12.7); items
// taken out of another item are kind "derived".
const ProvenanceKindImported = "imported"

// Provenance is the data of an evidence_provenance row of kind "imported":
// where the item (the row's parent) came from and who vouched for it.
type Provenance struct {
	Kind           string               `json:"kind"` // "imported"
	Recorded       casefile.Attribution `json:"recorded"`
	ExportID       uuid.UUID            `json:"export_id"`
	SourceCase     uuid.UUID            `json:"source_case"`
	SourceItem     uuid.UUID            `json:"source_item"`
	SourceHeadSeq  int64                `json:"source_head_seq"`
	SourceHeadHash string               `json:"source_head_hash"`
	Sender         string               `json:"sender"`            // the exporting examiner's name
	SenderKey      string               `json:"sender_key"`        // minisign key id
	SenderPubKey   string               `json:"sender_public_key"` // Ed25519, hex
	TrustedComment string               `json:"trusted_comment"`
	Signature      string               `json:"signature"` // SHA256SUMS.minisig as received
	SumsSHA256     string               `json:"sums_sha256"`
	File           string               `json:"file"` // the item's path in the bundle
	Bundle         string               `json:"bundle"`
}

// ImportOptions tune Import.
type ImportOptions struct {
	Identities Identities
	SignerKey  string // as VerifyOptions
	Reason     string
	Tool       string
	Progress   evidence.Progress
}

// Imported is what Import added to the case.
type Imported struct {
	Verification *Verification
	Items        []casefile.Evidence
	Entry        casefile.CustodyEntry // export.imported
}

// Import verifies the bundle in dir with the identities and, only if it
// verifies completely, ingests each item into c with its recorded name,
// kind and description (the ingest recomputes the three hashes, which must
// equal the manifest's, or the item is rolled back), then records one
// export.imported entry with an evidence_provenance row per item. Nothing
// is written into c from a bundle that does not verify.
func Import(ctx context.Context, dir string, c *casefile.Case, opts ImportOptions) (*Imported, error) {
	if opts.Identities.IsZero() {
		return nil, fmt.Errorf("import: %w: an import needs the identity the bundle was encrypted to", ErrIdentity)
	}
	if err := casefile.CheckReason(opts.Reason); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if err := c.Suspect(); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	v, err := Verify(ctx, dir, VerifyOptions{Identities: opts.Identities, SignerKey: opts.SignerKey, AllHashes: true, Progress: opts.Progress})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if err := v.Err(); err != nil {
		return &Imported{Verification: v}, fmt.Errorf("import: %w; nothing was written into the case", err)
	}
	m := v.Manifest
	root, err := os.OpenRoot(v.Dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	sig, err := readRoot(root, FileSignature)
	if err != nil {
		return nil, err
	}
	out := &Imported{Verification: v}
	var provs []Provenance
	for _, it := range m.Items {
		ev, err := importItem(ctx, c, root, v, it, opts)
		if err != nil {
			return out, fmt.Errorf("import %s: %w", it.Name, err)
		}
		out.Items = append(out.Items, ev)
		provs = append(provs, Provenance{Kind: ProvenanceKindImported, ExportID: m.ExportID, SourceCase: m.Case.UUID, SourceItem: it.ID,
			SourceHeadSeq: m.Case.HeadSeq, SourceHeadHash: m.Case.HeadHash, Sender: m.Examiner.Name, SenderKey: v.SignerKey,
			SenderPubKey: m.Examiner.PublicKey, TrustedComment: v.TrustedComment, Signature: string(sig), SumsSHA256: v.SumsSHA256,
			File: it.File, Bundle: v.Dir})
	}
	ids := make([]string, len(out.Items))
	for i, ev := range out.Items {
		ids[i] = ev.ID.String()
	}
	out.Entry, err = c.Change("import export", func(tx *casefile.Tx) (casefile.Event, error) {
		for i := range provs {
			provs[i].Recorded = tx.Stamp()
			if _, err := tx.AppendRevision(tblProvenance, out.Items[i].ID, provs[i]); err != nil {
				return casefile.Event{}, err
			}
		}
		return casefile.Event{Action: ActionExportImported, Target: casefile.Target{Type: casefile.TargetCase, ID: tx.CaseID().String()},
			Reason: opts.Reason, Hashes: map[string]string{"sha256sums": v.SumsSHA256},
			Details: map[string]string{"export_id": m.ExportID.String(), "source_case": m.Case.UUID.String(), "sender": m.Examiner.Name,
				"sender_key": v.SignerKey, "items": strings.Join(ids, " "), "bundle": v.Dir}}, nil
	})
	if err != nil {
		return out, fmt.Errorf("import: record provenance: %w (the items are in the case, each with the export named in its acquisition facts)", err)
	}
	return out, nil
}

func importItem(ctx context.Context, c *casefile.Case, root *os.Root, v *Verification, it Item, opts ImportOptions) (casefile.Evidence, error) {
	f, err := root.Open(it.EncryptedFile)
	if err != nil {
		return casefile.Evidence{}, err
	}
	defer f.Close()
	r, err := age.Decrypt(f, opts.Identities.list...)
	if err != nil {
		return casefile.Evidence{}, fmt.Errorf("%w: %v", ErrNotVerified, err)
	}
	kind, auto, err := evidence.ParseKind(it.Kind)
	if err != nil || auto {
		return casefile.Evidence{}, fmt.Errorf("%w: %s: kind %q", ErrNotVerified, FileManifest, it.Kind)
	}
	m := v.Manifest
	return evidence.IngestStream(ctx, c, evidence.StreamSource{
		Name: it.Name, Path: v.Dir + "/" + it.EncryptedFile, Format: it.Format, Size: it.Size, R: r,
		Adjust: func(meta *casefile.EvidenceMeta) error {
			want := casefile.Hashes{MD5: it.MD5, SHA1: it.SHA1, SHA256: it.SHA256}
			if meta.Hashes != want {
				return fmt.Errorf("%w: %s decrypted to MD5 %s, SHA-1 %s, SHA-256 %s; the manifest says %s, %s, %s", ErrNotVerified,
					it.EncryptedFile, meta.Hashes.MD5, meta.Hashes.SHA1, meta.Hashes.SHA256, it.MD5, it.SHA1, it.SHA256)
			}
			meta.Description, meta.TimeZone = it.Description, it.TimeZone
			acq := map[string]string{}
			for k, val := range it.Acquisition {
				acq["exported."+k] = val
			}
			acq["imported_from_export"] = m.ExportID.String()
			acq["source_case"] = m.Case.UUID.String()
			acq["source_item"] = it.ID.String()
			acq["source_path"] = it.SourcePath
			acq["source_host"] = it.Host
			acq["ingested_at_source"] = it.IngestedAt
			acq["ingested_by_at_source"] = it.IngestedBy
			acq["sender"] = m.Examiner.Name
			acq["sender_key"] = v.SignerKey
			acq["kind_detection"] = "as recorded in the sealed export"
			acq["mime_type"] = meta.Acquisition["mime_type"]
			meta.Acquisition = acq
			return nil
		},
	}, evidence.Options{Kind: kind, Reason: opts.Reason, Tool: opts.Tool, Progress: opts.Progress})
}
