package casefile

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"
)

// Tests that pin the format where docs/FORMAT.md and the code had to be
// made to agree (issue 11, "Pin the format").

// reseal replaces a sealed value of the closed case at path: it seals pt
// with the case's own key (records, or ledger for the custody tables) for
// table/row/column and writes it with plain SQLite. What opens then is
// authentic; only its content is in question.
func reseal(t *testing.T, path, table, row, column, keyColumn string, pt []byte) {
	t.Helper()
	c := openTest(t, path, testPass)
	s := c.rec
	if table == "custody_ledger" || table == "ledger_head" {
		s = c.led
	}
	sealed, err := s.seal(table, row, column, pt)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rawExec(t, path, `DROP TRIGGER IF EXISTS custody_ledger_no_update`)
	rawExec(t, path, `UPDATE `+table+` SET `+column+` = ? WHERE `+keyColumn+` = ?`, sealed, row)
}

// §1.3: what a reader does with a file shorter than the 100-byte header.
func TestFileShorterThanTheHeader(t *testing.T) {
	real, err := os.ReadFile(createTestCase(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		content []byte
		want    error
		msg     string
	}{
		{"zero bytes", nil, ErrNotACase, "not a Custodia case file: the file is empty"},
		{"one byte of the magic", []byte("S"), ErrTruncated, "only 1 bytes, shorter than a database header"},
		{"ten bytes of the magic", []byte("SQLite for"), ErrTruncated, "only 10 bytes, shorter than a database header"},
		{"the whole magic", []byte("SQLite format 3\x00"), ErrTruncated, "only 16 bytes, shorter than a database header"},
		{"99 bytes of a case", real[:99], ErrTruncated, "only 99 bytes, shorter than a database header"},
		{"the magic and other bytes", append([]byte("SQLite format 3\x00"), "anything at all"...), ErrTruncated, "only 31 bytes"},
		{"short other content", []byte("hello\n"), ErrNotACase, "not a Custodia case file: no SQLite header"},
		{"a magic that differs", []byte("SQLite format 4\x00"), ErrNotACase, "no SQLite header"},
		{"a prefix that differs", []byte("SQLite_"), ErrNotACase, "no SQLite header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+Extension)
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, []byte(testPass), TestOptions())
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Open: %v, want %v containing %q", err, tc.want, tc.msg)
			}
			if _, err := VerifyLedgerWithoutKey(path); !errors.Is(err, tc.want) {
				t.Fatalf("VerifyLedgerWithoutKey: %v, want %v", err, tc.want)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, tc.content) {
				t.Fatal("the file was changed")
			}
		})
	}
}

// §3.2 / §3.5: a key slot's salt is exactly 16 bytes, checked before any
// derivation; another length is damage, not a wrong passphrase.
func TestKeySlotSaltLength(t *testing.T) {
	for _, n := range []int{0, 15, 17, 32} {
		path := createTestCase(t)
		rawExec(t, path, `UPDATE key_slots SET salt = ?`, bytes.Repeat([]byte{0x80}, n))
		_, err := Open(path, []byte(testPass), TestOptions())
		if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("salt of %d bytes: %v, want ErrCorrupt", n, err)
		}
		if want := "key slot 1 has a " + strconv.Itoa(n) + "-byte salt, not 16 bytes"; !strings.Contains(err.Error(), want) {
			t.Fatalf("salt of %d bytes: %v, want it to say %q", n, err, want)
		}
	}
}

// §4.3: a clear UUID column in any spelling but the canonical one is
// refused, before its text or its 16 bytes reach an AAD. Before, an
// upper-case case or slot UUID opened (their AADs bind the 16 bytes), and
// the others failed as if tampered with (theirs bind the text).
func TestStoredUUIDsMustBeCanonical(t *testing.T) {
	upper := `upper(%s)`
	braced := `'{' || %s || '}'`
	for _, tc := range []struct {
		name, table, column, spelling, want string
	}{
		{"case header", "case_header", "case_uuid", upper, "case header: UUID "},
		{"case header braced", "case_header", "case_uuid", braced, "case header: UUID \"{"},
		{"key slot", "key_slots", "slot_uuid", upper, "key slot 1 has a malformed UUID: UUID "},
		{"key slot owner", "key_slots", "examiner_uuid", upper, "key slot 1 has a malformed examiner UUID: UUID "},
		{"examiner", "examiners", "examiner_uuid", upper, "examiner UUID: UUID "},
		{"case record", "case_info", "row_uuid", upper, "case_info row UUID: UUID "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := createTestCase(t)
			col := tc.column
			rawExec(t, path, `UPDATE `+tc.table+` SET `+col+` = `+strings.ReplaceAll(tc.spelling, "%s", col))
			_, err := Open(path, []byte(testPass), TestOptions())
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrAuthFailed) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "is not in its canonical form (lower-case, hyphenated, 36 characters)") {
				t.Fatalf("err = %v, want ErrCorrupt saying %q", err, tc.want)
			}
		})
	}
	t.Run("keyless", func(t *testing.T) {
		path := createTestCase(t)
		rawExec(t, path, `UPDATE case_header SET case_uuid = upper(case_uuid)`)
		if _, err := VerifyLedgerWithoutKey(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "case header: UUID ") {
			t.Fatalf("err = %v, want ErrCorrupt naming the case header", err)
		}
	})
	t.Run("evidence", func(t *testing.T) {
		path := createTestCase(t)
		c := openTest(t, path, testPass)
		storeBytes(t, c, []byte("some content"), "item")
		c.Close()
		rawExec(t, path, `UPDATE evidence SET evidence_uuid = upper(evidence_uuid)`)
		c = openTest(t, path, testPass)
		defer c.Close()
		_, err := c.ListEvidence()
		if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrAuthFailed) || !strings.Contains(err.Error(), "evidence UUID: UUID ") {
			t.Fatalf("err = %v, want ErrCorrupt naming the evidence UUID", err)
		}
	})
}

// §4.4 / §6.6: a stored time is read in exactly the form it is written.
// Before, any RFC 3339 text was taken: another offset, trailing zeros.
func TestStoredTimesMustBeInTheStoredForm(t *testing.T) {
	t.Run("examiner created", func(t *testing.T) {
		path := createTestCase(t)
		c := openTest(t, path, testPass)
		id := c.Actor().ID.String()
		c.Close()
		reseal(t, path, "examiners", id, "created", "examiner_uuid", []byte("2026-11-26T11:00:00+01:00"))
		_, err := Open(path, []byte(testPass), TestOptions())
		if want := `examiners/` + id + ` created: "2026-11-26T11:00:00+01:00" is not a time in the stored form`; !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want ErrCorrupt containing %q", err, want)
		}
	})
	t.Run("case created", func(t *testing.T) {
		path := createTestCase(t)
		var row string
		db := rawDB(t, path)
		if err := db.QueryRow(`SELECT row_uuid FROM case_info`).Scan(&row); err != nil {
			t.Fatal(err)
		}
		db.Close()
		reseal(t, path, "case_info", row, "created", "row_uuid", []byte("2026-11-26T10:00:00.000Z"))
		_, err := Open(path, []byte(testPass), TestOptions())
		if want := `case_info/` + row + ` created: "2026-11-26T10:00:00.000Z" is not a time in the stored form`; !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want ErrCorrupt containing %q", err, want)
		}
	})
	t.Run("ledger entry", func(t *testing.T) {
		path := createTestCase(t)
		entry := firstEntryJSON(t, path)
		reseal(t, path, "custody_ledger", "1", "entry", "seq", bytes.Replace(entry, []byte(`"2026-11-26T10:00:00Z"`), []byte(`"2026-11-26T05:00:00-05:00"`), 1))
		c := openTest(t, path, testPass)
		defer c.Close()
		es, err := c.Entries()
		if err != nil {
			t.Fatal(err)
		}
		if want := `member time: "2026-11-26T05:00:00-05:00" is not a time in the stored form`; !strings.Contains(es[0].Unreadable, want) {
			t.Fatalf("entry 1 listed as %q, want unreadable with %q", es[0].Unreadable, want)
		}
		r, err := c.VerifyLedger()
		if err != nil {
			t.Fatal(err)
		}
		if !hasProblem(r, 1, ProblemUnreadable, `the entry's time: "2026-11-26T05:00:00-05:00" is not a time in the stored form`) {
			t.Fatalf("problems %v, want entry 1 unreadable for its time", r.Problems)
		}
	})
}

// firstEntryJSON returns the plaintext of custody entry 1 of the case at path.
func firstEntryJSON(t *testing.T, path string) []byte {
	t.Helper()
	c := openTest(t, path, testPass)
	defer c.Close()
	var sealed []byte
	if err := c.db.QueryRow(`SELECT entry FROM custody_ledger WHERE seq = 1`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	pt, err := c.led.open("custody_ledger", "1", "entry", sealed)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

func hasProblem(r *LedgerReport, seq int64, kind ProblemKind, detail string) bool {
	for _, p := range r.Problems {
		if p.Seq == seq && p.Kind == kind && strings.Contains(p.Detail, detail) {
			return true
		}
	}
	return false
}

// §6.1 / §6.6 / §7.4 / §7.5: sealed JSON is decoded strictly, wherever it
// is read. Each of these opened before.
func TestSealedJSONIsDecodedStrictly(t *testing.T) {
	t.Run("ledger entry with a duplicate member", func(t *testing.T) {
		path := createTestCase(t)
		entry := firstEntryJSON(t, path)
		forged := bytes.Replace(entry, []byte(`"actor":"Dana Quartermain"`), []byte(`"actor":"Dana Quartermain","actor":"Mallory"`), 1)
		reseal(t, path, "custody_ledger", "1", "entry", "seq", forged)
		c := openTest(t, path, testPass)
		defer c.Close()
		es, err := c.Entries()
		if err != nil {
			t.Fatal(err)
		}
		if want := `casefile: case file is damaged: custody entry 1: "actor" appears twice`; es[0].Unreadable != want || es[0].Actor != "" {
			t.Fatalf("entry 1 listed as actor %q, unreadable %q; want unreadable %q", es[0].Actor, es[0].Unreadable, want)
		}
		r, err := c.VerifyLedger()
		if err != nil {
			t.Fatal(err)
		}
		if !hasProblem(r, 1, ProblemUnreadable, `the sealed entry is authentic but not a custody entry: "actor" appears twice`) {
			t.Fatalf("problems %v, want entry 1 unreadable for its duplicate member", r.Problems)
		}
	})
	t.Run("ledger entry with a wrongly cased member", func(t *testing.T) {
		path := createTestCase(t)
		entry := firstEntryJSON(t, path)
		reseal(t, path, "custody_ledger", "1", "entry", "seq", bytes.Replace(entry, []byte(`"seq":1`), []byte(`"Seq":1`), 1))
		c := openTest(t, path, testPass)
		defer c.Close()
		r, err := c.VerifyLedger()
		if err != nil {
			t.Fatal(err)
		}
		if !hasProblem(r, 1, ProblemUnreadable, `"Seq" is not a member: member names are case-sensitive, this one is "seq"`) {
			t.Fatalf("problems %v", r.Problems)
		}
	})
	t.Run("evidence size negative zero", func(t *testing.T) {
		path := createTestCase(t)
		c := openTest(t, path, testPass)
		ev := storeBytes(t, c, nil, "empty item")
		c.Close()
		meta, err := json.Marshal(ev.Meta)
		if err != nil {
			t.Fatal(err)
		}
		reseal(t, path, "evidence", ev.ID.String(), "meta", "evidence_uuid", bytes.Replace(meta, []byte(`"size":0`), []byte(`"size":-0`), 1))
		c = openTest(t, path, testPass)
		defer c.Close()
		_, err = c.Evidence(ev.ID)
		if want := "evidence/" + ev.ID.String() + " meta: member size: -0 is a negative zero"; !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want ErrCorrupt containing %q", err, want)
		}
	})
	t.Run("verification with a wrongly cased member", func(t *testing.T) {
		path := createTestCase(t)
		c := openTest(t, path, testPass)
		ev := storeBytes(t, c, []byte("content"), "item")
		c.Close()
		v := `{"at":"2026-11-26T10:00:00Z","by":"Dana Quartermain","OK":true,"detail":"forged","hashes":{"md5":"","sha1":"","sha256":""}}`
		reseal(t, path, "evidence", ev.ID.String(), "verification", "evidence_uuid", []byte(v))
		c = openTest(t, path, testPass)
		defer c.Close()
		_, err := c.Evidence(ev.ID)
		if want := `verification: "OK" is not a member: member names are case-sensitive, this one is "ok"`; !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want ErrCorrupt containing %q", err, want)
		}
	})
	t.Run("examiner roles", func(t *testing.T) {
		for roles, want := range map[string]string{
			`["forensic-engineer",null]`:  `roles: member [1]: is null, want a string`,
			`{"forensic-engineer":true}`:  `roles: is an object, want a list`,
			`["forensic-engineer"] ["x"]`: `roles: there is more data after the JSON value`,
		} {
			path := createTestCase(t)
			c := openTest(t, path, testPass)
			id := c.Actor().ID.String()
			c.Close()
			reseal(t, path, "examiners", id, "roles", "examiner_uuid", []byte(roles))
			if _, err := Open(path, []byte(testPass), TestOptions()); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
				t.Errorf("roles %s: err = %v, want ErrCorrupt containing %q", roles, err, want)
			}
		}
		// A null list is an empty one.
		path := createTestCase(t)
		c := openTest(t, path, testPass)
		id := c.Actor().ID.String()
		c.Close()
		reseal(t, path, "examiners", id, "roles", "examiner_uuid", []byte(`null`))
		c = openTest(t, path, testPass)
		defer c.Close()
		if got := c.Actor().Roles; len(got) != 0 {
			t.Fatalf("roles null read as %v", got)
		}
	})
}

// rleFrame builds a zstd frame (RFC 8878) of RLE blocks that decodes to n
// copies of b, with its content size declared in the header or not: a
// decompression bomb of a few bytes per 128 KiB.
func rleFrame(n int, b byte, declare bool) []byte {
	out := []byte{0x28, 0xb5, 0x2f, 0xfd}
	if declare {
		out = append(out, 0xc0, 0x38) // 8-byte content size, window 128 KiB
		out = binary.LittleEndian.AppendUint64(out, uint64(n))
	} else {
		out = append(out, 0x00, 0x38) // no content size, window 128 KiB
	}
	for n > 0 {
		size := min(n, 128<<10)
		n -= size
		last := 0
		if n == 0 {
			last = 1
		}
		h := uint32(size)<<3 | 1<<1 | uint32(last) // Block_Size, Block_Type RLE, Last_Block
		out = append(out, byte(h), byte(h>>8), byte(h>>16), b)
	}
	return out
}

// §7.3 / §7.6: a chunk's payload may hold several zstd frames; the reader
// stops at plain_len and refuses a chunk that decompresses to more,
// without allocating what it expands to.
func TestChunkDecompressionIsBounded(t *testing.T) {
	// The hand-built frames are real zstd: a decoder without limits reads them.
	free, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, declare := range []bool{false, true} {
		got, err := free.DecodeAll(rleFrame(300<<10, 'z', declare), nil)
		if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{'z'}, 300<<10)) {
			t.Fatalf("rleFrame(declare %v) is not a valid frame: %v", declare, err)
		}
	}
	free.Close()

	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	plain := bytes.Repeat([]byte("evidence "), DefaultChunkSize/9+1)[:DefaultChunkSize]
	w, err := c.BeginEvidence(DefaultChunkSize)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := w.SealChunk(0, plain, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Store([]SealedChunk{sc}); err != nil {
		t.Fatal(err)
	}
	ev, err := w.Commit(EvidenceMeta{Name: "text", Kind: KindOther, Format: "file", Size: int64(len(plain))}, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.OpenEvidence(ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := codecs()
	half := DefaultChunkSize / 2
	for _, tc := range []struct {
		name    string
		payload []byte
		want    string // "" when the chunk reads back
	}{
		{"two frames of plain_len", append(enc.EncodeAll(plain[:half], nil), enc.EncodeAll(plain[half:], nil)...), ""},
		{"a skippable frame between", append(append(enc.EncodeAll(plain[:half], nil), 0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'),
			enc.EncodeAll(plain[half:], nil)...), ""},
		{"a frame and one byte more", append(enc.EncodeAll(plain, nil), enc.EncodeAll([]byte{'!'}, nil)...),
			"decompresses to more than its 1048576 bytes"},
		{"a frame of half", enc.EncodeAll(plain[:half], nil), "holds 524288 bytes, not 1048576"},
		{"a bomb with no declared size", rleFrame(64<<20, 0, false), "decompresses to more than its 1048576 bytes"},
		{"a bomb with its size declared", rleFrame(64<<20, 0, true), "decompresses to more than its 1048576 bytes"},
		{"a valid frame, then a bomb", append(enc.EncodeAll(plain[:half], nil), rleFrame(64<<20, 0, false)...),
			"decompresses to more than its 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nonce := make([]byte, chacha20poly1305.NonceSizeX)
			rand.Read(nonce)
			data := r.cc.aead.Seal(nonce, nonce, tc.payload, chunkAAD(c.id, ev.ID, 0, ChunkCompressed|ChunkLast, DefaultChunkSize))
			if _, err := c.db.Exec(`UPDATE evidence_chunks SET flags = ?, data = ? WHERE idx = 0`, ChunkCompressed|ChunkLast, data); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, err := r.Chunk(0)
			runtime.ReadMemStats(&after)
			if tc.want == "" {
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("chunk 0: %v, want the %d bytes back", err, len(plain))
				}
			} else {
				if n := after.TotalAlloc - before.TotalAlloc; n > 4*DefaultChunkSize {
					t.Errorf("refusing the chunk allocated %d bytes; plain_len is %d", n, DefaultChunkSize)
				}
				var ce *ChunkError
				if !errors.As(err, &ce) || ce.Index != 0 || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("chunk 0: %v, want a ChunkError saying %q", err, tc.want)
				}
			}
			// The full pass of verification and extraction refuses it the same way.
			err = r.ScanChunks(t.Context(), func(sc SealedChunk) error {
				b, err := r.OpenChunk(sc)
				if err == nil && !bytes.Equal(b, plain) {
					err = errors.New("wrong bytes")
				}
				return err
			})
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("ScanChunks: %v, want %q", err, tc.want)
			}
		})
	}
}

// §3.2: NFC on a secret with bytes that are not UTF-8. Each invalid byte
// stays as it is, where it is, and is a boundary: the valid runs between
// them are normalised each on their own, so nothing composes or reorders
// across it.
func TestPassphraseNFCKeepsInvalidBytes(t *testing.T) {
	for in, want := range map[string]string{
		"e\u0301\xffa\u0308":  "\u00e9\xff\u00e4",  // the vector of Appendix A
		"e\xff\u0301":         "e\xff\u0301",       // no composition across 0xff
		"\xff\u0301":          "\xff\u0301",        // a combining mark after it stays
		"a\u0302\xff\u0323":   "\u00e2\xff\u0323",  // nor reordering across it
		"e\xe2\x82\u0301":     "e\xe2\x82\u0301",   // a truncated sequence is two invalid bytes
		"\xed\xa0\x80":        "\xed\xa0\x80",      // an encoded surrogate is invalid
		"Cafe\u0301 na\u0308": "Caf\u00e9 n\u00e4", // valid UTF-8 as before
	} {
		if got := normalizePassphrase([]byte(in)); string(got) != want {
			t.Errorf("NFC(%x) = %x, want %x", in, got, want)
		}
	}
	// A case created with the decomposed passphrase opens with the composed
	// one, and not when the invalid byte is elsewhere.
	path := filepath.Join(t.TempDir(), "case"+Extension)
	c, err := Create(path, []byte("e\u0301\xffa\u0308"), testCase, TestOptions())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c = openTest(t, path, "\u00e9\xff\u00e4")
	c.Close()
	if _, err := Open(path, []byte("\u00e9\u00e4\xff"), TestOptions()); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("with the invalid byte moved: %v, want ErrWrongPassphrase", err)
	}
}

// nfcByRuns is the rule of FORMAT.md 3.2 written out: split at every byte
// that does not start a valid UTF-8 sequence, normalise each valid run to
// NFC, keep the invalid bytes.
func nfcByRuns(b []byte) []byte {
	var out, run []byte
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = append(append(out, norm.NFC.Bytes(run)...), b[0])
			run = run[:0]
		} else {
			run = append(run, b[:n]...)
		}
		b = b[n:]
	}
	return append(out, norm.NFC.Bytes(run)...)
}

// FuzzNormalizePassphrase checks that the normalisation every existing key
// slot was derived with (x/text's NFC over the whole secret) is the rule
// the spec states.
func FuzzNormalizePassphrase(f *testing.F) {
	for _, s := range []string{"e\u0301\xffa\u0308", "correct horse battery staple", "passe\u0301phrase", "\xffa\u0323\u0302\xc3",
		"\u1100\u1161\xff\u11a8", "\u0f73\xff\u0f71\u0f72"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := normalizePassphrase(b), nfcByRuns(b); !bytes.Equal(got, want) {
			t.Fatalf("NFC(%x) = %x, the rule of 3.2 gives %x", b, got, want)
		}
	})
}
