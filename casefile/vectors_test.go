package casefile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/crypto/chacha20poly1305"
)

// The test vectors live in one place, docs/FORMAT.md Appendix A, and this
// test reads them from there: a vector the code no longer produces, a
// vector nobody checks, or a byte count that does not match its value
// fails it.

const formatDoc = "../docs/FORMAT.md"

// docVector is one labelled value of a code block of Appendix A.
type docVector struct {
	label string // the text before the value, e.g. "records subkey"
	value string // the value with white space removed: hex digits, or JSON text
}

// readFormatDoc returns docs/FORMAT.md.
func readFormatDoc(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(formatDoc)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// appendixVectors returns the labelled values of the code blocks of
// Appendix A of doc and the appendix's text (which names the inputs). In a block,
// a line that starts in column 1 begins a value: its label, then, after
// two or more spaces, the start of the value if it is on the same line.
// Indented lines continue the value; an indented line in parentheses is a
// comment.
func appendixVectors(doc string) ([]docVector, string, error) {
	_, appendix, ok := strings.Cut(doc, "\n## Appendix A")
	if !ok {
		return nil, "", errors.New("docs/FORMAT.md has no Appendix A")
	}
	if i := strings.Index(appendix, "\n## "); i >= 0 {
		appendix = appendix[:i]
	}
	var out []docVector
	inline := regexp.MustCompile(`^(.*?\S)\s{2,}([0-9a-f]{16,})$`)
	parts := strings.Split(appendix, "```")
	for i := 1; i < len(parts); i += 2 {
		for _, line := range strings.Split(parts[i], "\n")[1:] {
			switch {
			case strings.TrimSpace(line) == "":
			case line[0] != ' ':
				v := docVector{label: line}
				if m := inline.FindStringSubmatch(line); m != nil {
					v = docVector{label: m[1], value: m[2]}
				}
				out = append(out, v)
			default:
				s := strings.TrimSpace(line)
				if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
					continue
				}
				if len(out) == 0 {
					return nil, "", fmt.Errorf("Appendix A: continuation line before any label: %q", line)
				}
				out[len(out)-1].value += s
			}
		}
	}
	return out, appendix, nil
}

func seqBytes(from byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = from + byte(i)
	}
	return b
}

func TestAppendixAVectors(t *testing.T) {
	// The default-cost KEK takes about a second and 256 MiB: once, not under -short.
	for _, p := range appendixProblems(t, readFormatDoc(t), !testing.Short()) {
		t.Error(p)
	}
}

// TestAppendixACheckFails shows that the check above can fail: a changed
// digit, a wrong byte count, a vector nobody checks and a missing one are
// each reported.
func TestAppendixACheckFails(t *testing.T) {
	doc := readFormatDoc(t)
	for _, tc := range []struct{ name, old, new, want string }{
		{"digit", "e7a8a41446d7f3eb", "e7a8a41446d7f3ec", "Appendix A: ledger subkey\n doc:  e7a8a41446d7f3ec"},
		{"byte count", "746f64795f6c65646765720001310005656e747279\n", "746f64795f6c65646765720001310005656e7472\n",
			`"entry AAD, custody_ledger / 1 / entry (53 bytes)" says 53 bytes but its value has 52`},
		{"json", `"actor":"Dana Quartermain"`, `"actor":"Dana Quartermain "`, "Appendix A: entry 1 JSON (466 bytes)\n doc:"},
		{"unchecked", "genesis hash    3c3b", "genesis hash (v2)    3c3b", `no test checks "genesis hash (v2)"`},
		{"missing", "fingerprint     24f6ed6acbfe1009\n", "", `Appendix A has no vector "fingerprint"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(doc, tc.old) {
				t.Fatalf("docs/FORMAT.md no longer holds %q", tc.old)
			}
			ps := appendixProblems(t, strings.Replace(doc, tc.old, tc.new, 1), false)
			if !slices.ContainsFunc(ps, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Fatalf("changing %q to %q: problems %q, want one with %q", tc.old, tc.new, ps, tc.want)
			}
		})
	}
}

// appendixProblems recomputes every vector of Appendix A of doc with the
// package's own functions and lists each difference; the default-cost KEK
// only with defaultKDF.
func appendixProblems(t *testing.T, doc string, defaultKDF bool) []string {
	t.Helper()
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	vectors, prose, err := appendixVectors(doc)
	if err != nil {
		return []string{err.Error()}
	}

	// The inputs, as the appendix's prose names them.
	caseID := uuid.MustParse("3f2504e0-4f89-41d3-9a0c-0305e82c3301")
	slotID := uuid.MustParse("c9a646d3-9c61-4cb7-bfcd-ee2522c8f633")
	exID := uuid.MustParse("7d444840-9dc0-11d1-b245-5ffdce74fad2")
	evID := uuid.MustParse("9b2d7c4e-6a1f-4e3b-8c5d-2f0a1b3c4d5e")
	const recordRow = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
	mk, seed, salt, dk := seqBytes(0x00, 32), seqBytes(0x20, 32), seqBytes(0x80, 16), seqBytes(0x60, 32)
	pass := []byte("correct horse battery staple")
	for _, in := range []string{"case UUID `" + caseID.String() + "`", "MK = `000102…1f`", "seed = `202122…3f`",
		"slot UUID\n`" + slotID.String() + "`", "examiner UUID `" + exID.String() + "`", "salt =\n`808182…8f`",
		"passphrase `correct horse battery staple`", "evidence UUID `" + evID.String() + "`", "DK = `606162…7f`"} {
		if !strings.Contains(prose, in) {
			fail("Appendix A no longer names the input %q this test uses", in)
		}
	}

	sub := func(purpose string) []byte {
		k, err := deriveSubkey(mk, caseID, purpose)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	seal := func(purpose string) *sealer {
		s, err := newSealer(sub(purpose), caseID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rec, led := seal(purposeRecords), seal(purposeLedger)

	slot := &slotRow{uuid: slotID, examiner: exID, kind: SlotPassphrase, kdf: TestKDF}
	if err := slot.wrapWith(caseID, pass, slotPayload{mk: mk, seed: seed}, salt, seqBytes(0xa0, 24)); err != nil {
		t.Fatal(err)
	}
	if p, ok := slot.unwrap(caseID, pass); !ok || !bytes.Equal(p.mk, mk) || !bytes.Equal(p.seed, seed) {
		fail("the wrapped key of the vectors does not unwrap to MK ‖ seed")
	}

	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	entry := entryBody{Seq: 1, Time: "2026-11-26T10:00:00Z", Case: caseID, ActorID: exID, Actor: "Dana Quartermain",
		ActorKey: hex.EncodeToString(pub), Role: string(RoleForensicEngineer), Action: string(ActionCaseCreated),
		Target:  Target{Type: TargetCase, ID: caseID.String()},
		Details: map[string]string{"case_number": "IR-2026-0042", "format_version": "1", "title": "Exfiltration via VPN"}}
	entryJSON := mustMarshal(t, entry)
	sealedEntry := led.sealWithNonce(seqBytes(0xc0, 24), "custody_ledger", "1", "entry", entryJSON)
	genesis := GenesisHash(caseID)
	hash := EntryHash(genesis, 1, sealedEntry)
	msg := SignedMessage(caseID, hash)

	wrapKey := sub(purposeEvidence)
	wrapAEAD, err := chacha20poly1305.NewX(wrapKey)
	if err != nil {
		t.Fatal(err)
	}
	dataKey := wrapDataKey(wrapAEAD, caseID, evID, seqBytes(0x90, 24), dk)
	c := &Case{id: caseID, mk: mk}
	cc, err := c.chunkCipherFor(evID, dataKey, DefaultChunkSize)
	if err != nil {
		t.Fatalf("the data_key of the vectors does not unwrap: %v", err)
	}
	text := bytes.Repeat([]byte("custodia "), 8)
	compressed, err := cc.sealWithNonce(0, text, true, seqBytes(0xb0, 24))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := cc.sealWithNonce(0, seqBytes(0x00, 16), true, seqBytes(0xb0, 24))
	if err != nil {
		t.Fatal(err)
	}
	if compressed.Flags != 3 || compressed.PlainLen != 72 || raw.Flags != 2 || raw.PlainLen != 16 {
		fail("chunk flags/plain_len: compressed %d/%d, raw %d/%d; the appendix says 3/72 and 2/16",
			compressed.Flags, compressed.PlainLen, raw.Flags, raw.PlainLen)
	}
	enc, dec := codecs()
	frame := enc.EncodeAll(text, nil)
	if got, err := dec.DecodeAll(frame, make([]byte, 0, len(text))); err != nil || !bytes.Equal(got, text) {
		fail("the zstd frame does not decode to the plaintext: %v", err)
	}

	nfcPass := []byte("e\u0301\xffa\u0308")

	want := map[string][]byte{
		"records subkey":                  sub(purposeRecords),
		"ledger subkey":                   sub(purposeLedger),
		"search-index":                    sub(purposeIndex),
		"KEK, t=1 m=64 p=1 (test cost)":   deriveKEK(pass, salt, TestKDF),
		"KEK, t=3 m=262144 p=2 (default)": nil, // computed below only with defaultKDF
		"slot AAD, kind passphrase, t=1 m=64 p=1 (116 bytes)":                     slotAAD(caseID, slot),
		"wrapped_key, KEK t=1, nonce a0 a1 … b7, plaintext MK ‖ seed (104 bytes)": slot.wrapped,
		"record AAD, case_info / " + recordRow + " / title (83 bytes)":            recordAAD(caseID, "case_info", recordRow, "title"),
		`sealed "Exfiltration via VPN", records key, nonce 40 41 … 57 (61 bytes)`: rec.sealWithNonce(seqBytes(0x40, 24),
			"case_info", recordRow, "title", []byte("Exfiltration via VPN")),
		"entry 1 JSON (466 bytes)":                               entryJSON,
		"entry AAD, custody_ledger / 1 / entry (53 bytes)":       recordAAD(caseID, "custody_ledger", "1", "entry"),
		"sealed entry, ledger key, nonce c0 c1 … d7 (507 bytes)": sealedEntry,
		"genesis hash":              genesis[:],
		"entry_hash":                hash[:],
		"signed message (73 bytes)": msg,
		"public key":                pub,
		"fingerprint":               mustHex(t, fingerprint(pub)),
		"signature":                 ed25519.Sign(priv, msg),
		`ledger_head.sealed, ledger key, nonce e0 e1 … f7, text "1:f640…a67f" (107 bytes)`: led.sealWithNonce(seqBytes(0xe0, 24),
			"ledger_head", "1", "sealed", []byte(headValue(1, hash))),
		"evidence-key-wrap subkey": wrapKey,
		"data_key AAD, evidence / " + evID.String() + " / data_key (85 bytes)":                    recordAAD(caseID, "evidence", evID.String(), "data_key"),
		"evidence.data_key, wrap subkey, nonce 90 91 … a7, plaintext DK (72 bytes)":               dataKey,
		"meta AAD, evidence / 9b2d7c4e-… / meta (81 bytes; seal with the records key as in 4.1)":  recordAAD(caseID, "evidence", evID.String(), "meta"),
		"zstd frame from Custodia's encoder (25 bytes; any decoder returns the 72 bytes)":         frame,
		"chunk AAD, idx 0, last 1, compressed 1, plain_len 72 (63 bytes)":                         chunkAAD(caseID, evID, 0, 3, 72),
		"evidence_chunks.data, DK, nonce b0 b1 … c7, payload = the zstd frame (65 bytes)":         compressed.Data,
		"chunk AAD, idx 0, last 1, compressed 0, plain_len 16 (63 bytes)":                         chunkAAD(caseID, evID, 0, 2, 16),
		"evidence_chunks.data, DK, nonce b0 b1 … c7, payload = the 16 plaintext bytes (56 bytes)": raw.Data,
		"chunk AAD for a middle chunk: idx 1, last 0, compressed 1, plain_len 1048576 (63 bytes)": chunkAAD(caseID, evID, 1, 1, 1048576),
		"passphrase with an invalid byte (7 bytes)":                                               nfcPass,
		"its NFC normalisation (5 bytes)":                                                         normalizePassphrase(nfcPass),
		"KEK of it, t=1 m=64 p=1":                                                                 deriveKEK(nfcPass, salt, TestKDF),
	}
	if defaultKDF {
		want["KEK, t=3 m=262144 p=2 (default)"] = deriveKEK(pass, salt, DefaultKDF)
	}
	// Lines that state facts without a value of their own.
	facts := []string{
		`chunk 0, compressed: plaintext "custodia " × 8 (72 bytes)`,
		"flags 3 (last, compressed), plain_len 72",
		"chunk 0, raw: plaintext 000102…0f (16 bytes); its zstd frame is 25 bytes, not smaller, so it is stored raw",
		"flags 2 (last), plain_len 16",
	}
	if n := len(enc.EncodeAll(seqBytes(0, 16), nil)); n != 25 {
		fail("the zstd frame of 000102…0f is %d bytes; the appendix says 25", n)
	}

	byteCount := regexp.MustCompile(`\((\d+) bytes`)
	seen := map[string]bool{}
	for _, v := range vectors {
		if v.value == "" {
			if !slices.Contains(facts, v.label) {
				fail("Appendix A: %q has no value and is not a known statement", v.label)
			}
			seen[v.label] = true
			continue
		}
		exp, ok := want[v.label]
		if !ok {
			fail("Appendix A: no test checks %q", v.label)
			continue
		}
		seen[v.label] = true
		var got []byte
		if v.label == "entry 1 JSON (466 bytes)" {
			got = []byte(v.value)
			var back entryBody
			if err := decodeStrict(got, &back); err != nil || back.Actor != entry.Actor || back.Case != caseID || back.Details["title"] != "Exfiltration via VPN" {
				fail("the entry JSON of Appendix A does not decode strictly: %v", err)
			}
		} else if got, err = hex.DecodeString(v.value); err != nil {
			fail("Appendix A: %q is not hex: %v", v.label, err)
			continue
		}
		if m := byteCount.FindStringSubmatch(v.label); m != nil {
			if n, _ := strconv.Atoi(m[1]); n != len(got) {
				fail("Appendix A: %q says %d bytes but its value has %d", v.label, n, len(got))
			}
		}
		if exp == nil {
			continue // the default-cost KEK, not computed
		}
		if !bytes.Equal(got, exp) {
			fail("Appendix A: %s\n doc:  %x\n code: %x", v.label, got, exp)
		}
	}
	for label := range want {
		if !seen[label] {
			fail("Appendix A has no vector %q", label)
		}
	}
	for _, f := range facts {
		if !seen[f] {
			fail("Appendix A no longer says %q", f)
		}
	}
	return problems
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
