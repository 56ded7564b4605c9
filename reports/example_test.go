package reports_test

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/reports"
)

// A one-entry ledger written as JSON lines. A real export takes its entries,
// examiners and head from an open case (Case.Entries, Case.Examiners,
// Case.Head); here they are made up, with a signature that verifies.
func ExampleWriteCustodyJSONL() {
	caseID := uuid.MustParse("6f1c1a52-8a4e-4c55-9d0f-2b7d3c9e5a10")
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // a fixed key for the example
	prev := casefile.GenesisHash(caseID)
	hash := casefile.EntryHash(prev, 1, []byte("sealed entry"))
	entry := casefile.CustodyEntry{
		Seq:       1,
		Time:      time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		ActorID:   uuid.MustParse("1d7e0c3a-2b4f-4a6e-8c9d-0e1f2a3b4c5d"),
		Actor:     "Ada Lovelace",
		ActorKey:  key.Public().(ed25519.PublicKey),
		Role:      casefile.RoleForensicEngineer,
		Action:    casefile.ActionCaseCreated,
		Target:    casefile.Target{Type: casefile.TargetCase, ID: caseID.String()},
		Reason:    `Incident "IR-42" declared`,
		Details:   map[string]string{"title": "Breach at Contoso"},
		PrevHash:  prev,
		Hash:      hash,
		Signature: ed25519.Sign(key, casefile.SignedMessage(caseID, hash)),
	}
	err := reports.WriteCustodyJSONL(os.Stdout, reports.CustodyExport{
		Case:    casefile.Info{Title: "Breach at Contoso", CaseUUID: caseID},
		Entries: []casefile.CustodyEntry{entry},
		HeadSeq: 1,
		Head:    hash,
	})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// {"seq":1,"time":"2026-11-26T10:00:00.000Z","actor":"Ada Lovelace","actor_id":"1d7e0c3a-2b4f-4a6e-8c9d-0e1f2a3b4c5d","actor_public_key":"3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29","role":"forensic-engineer","action":"case.created","target_type":"case","target_id":"6f1c1a52-8a4e-4c55-9d0f-2b7d3c9e5a10","reason":"Incident \"IR-42\" declared","hashes":{},"details":{"title":"Breach at Contoso"},"prev_hash":"e26f9768183cd7c515f21ff219f66ce53fc7a33c5c7db21df6d9a02bb11d2757","entry_hash":"5e1d6597656d8c7f0347ddbdbf62a8c6937551f20c118a1cdc6074a3a832688d","signature":"7fa6639ffba072d11360a3979c72791f2b3660dde4d6d7dbeba4e50635737d7bcf4eaac35d3e7b1015962022d6d44bd28388147ec8eb50c39939586646960006"}
}
