package casefile

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// A ledger entry as Custodia writes it (Appendix A's entry 1).
const sampleEntry = `{"seq":1,"time":"2026-11-26T10:00:00Z","case":"3f2504e0-4f89-41d3-9a0c-0305e82c3301",` +
	`"actor_id":"7d444840-9dc0-11d1-b245-5ffdce74fad2","actor":"Dana Quartermain",` +
	`"actor_key":"29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7",` +
	`"role":"forensic-engineer","action":"case.created",` +
	`"target":{"type":"case","id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301"},"reason":"",` +
	`"details":{"case_number":"IR-2026-0042","format_version":"1","title":"Exfiltration via VPN"}}`

// An evidence description as Custodia writes it (the example of 7.4).
const sampleMeta = `{"name":"disk.dd","kind":"disk","format":"file","source_path":"/cases/ir-42/disk.dd","size":3000000,` +
	`"hashes":{"md5":"68c517658cf5f082f444cad681ec953a","sha1":"8f3e770a36aab8b85a1baf21c579d8718f92c511",` +
	`"sha256":"587820f16f906d9a5a5050902e17e13e04365590458d55604eaffe34cfaa54d8"},` +
	`"ingested_at":"2026-11-26T21:05:30.249Z","ingested_by":"Dana Quartermain","time_zone":"Europe/Berlin",` +
	`"host":"ws-17","tool":"custodiactl 0.1.0","acquisition":{"kind_detection":"file name .dd","mime_type":"application/octet-stream"}}`

const sampleVerification = `{"at":"2026-11-27T08:00:00.5Z","by":"Dana Quartermain","ok":true,` +
	`"detail":"every chunk authenticated; SHA-256 recomputed and matches the value recorded at ingest (MD5 and SHA-1 not recomputed)",` +
	`"hashes":{"md5":"","sha1":"","sha256":"587820f16f906d9a5a5050902e17e13e04365590458d55604eaffe34cfaa54d8"},"recomputed":["sha256"]}`

func TestDecodeStrictAcceptsWhatCustodiaWrites(t *testing.T) {
	var e entryBody
	if err := decodeStrict([]byte(sampleEntry), &e); err != nil {
		t.Fatal(err)
	}
	if e.Seq != 1 || e.ActorID != uuid.MustParse("7d444840-9dc0-11d1-b245-5ffdce74fad2") || e.Details["title"] != "Exfiltration via VPN" || e.Hashes != nil {
		t.Fatalf("entry decoded as %+v", e)
	}
	var m EvidenceMeta
	if err := decodeStrict([]byte(sampleMeta), &m); err != nil {
		t.Fatal(err)
	}
	if m.Size != 3000000 || m.IngestedAt.Format(timeLayoutMilli) != "2026-11-26T21:05:30.249Z" || m.Acquisition["mime_type"] != "application/octet-stream" {
		t.Fatalf("meta decoded as %+v", m)
	}
	var v Verification
	if err := decodeStrict([]byte(sampleVerification), &v); err != nil || !v.OK || v.Recomputed[0] != "sha256" {
		t.Fatalf("verification: %v %+v", err, v)
	}
	// White space between tokens is allowed; writers write none.
	var roles []Role
	if err := decodeStrict([]byte(" [ \"forensic-engineer\" ,\n\"legal-advisor\" ] \n"), &roles); err != nil || len(roles) != 2 {
		t.Fatalf("roles: %v %v", err, roles)
	}
	// Every value json.Marshal writes for these types is accepted again.
	for _, v := range []any{entryBody{Details: map[string]string{"a\u2028<&>": "\x01\"\\"}}, EvidenceMeta{Warnings: []string{"é"}}, Verification{}, []Role(nil)} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkStrict(b, reflect.TypeOf(v)); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
}

const timeLayoutMilli = "2006-01-02T15:04:05.000Z07:00"

// TestDecodeStrictRefuses pins the exact refusal for each thing
// encoding/json would have accepted (and for syntax errors).
func TestDecodeStrictRefuses(t *testing.T) {
	entry := func(from, to string) string {
		if !strings.Contains(sampleEntry, from) {
			t.Fatalf("sample entry has no %q", from)
		}
		return strings.Replace(sampleEntry, from, to, 1)
	}
	meta := func(from, to string) string {
		if !strings.Contains(sampleMeta, from) {
			t.Fatalf("sample meta has no %q", from)
		}
		return strings.Replace(sampleMeta, from, to, 1)
	}
	cases := []struct {
		name, in string
		into     any
		want     string
	}{
		{"wrongly cased member", entry(`"seq":1`, `"SEQ":1`), new(entryBody),
			`"SEQ" is not a member: member names are case-sensitive, this one is "seq"`},
		{"wrongly cased nested member", entry(`"type":"case"`, `"Type":"case"`), new(entryBody),
			`member target: "Type" is not a member: member names are case-sensitive, this one is "type"`},
		{"duplicate member", entry(`"actor":"Dana Quartermain"`, `"actor":"Dana Quartermain","actor":"Mallory"`), new(entryBody),
			`"actor" appears twice`},
		{"duplicate key", entry(`"format_version":"1"`, `"format_version":"1","format_version":"3"`), new(entryBody),
			`member details: the key "format_version" appears twice`},
		{"unknown member", entry(`"reason":""`, `"reason":"","signature":"x"`), new(entryBody),
			`"signature" is not a member here (unknown members are refused)`},
		{"missing member", entry(`"role":"forensic-engineer",`, ``), new(entryBody),
			`the required member "role" is missing`},
		{"null string", entry(`"reason":""`, `"reason":null`), new(entryBody),
			`member reason: is null, want a string`},
		{"null object", entry(`"target":{"type":"case","id":"3f2504e0-4f89-41d3-9a0c-0305e82c3301"}`, `"target":null`), new(entryBody),
			`member target: is null, want an object`},
		{"null integer", entry(`"seq":1`, `"seq":null`), new(entryBody),
			`member seq: is null, want an integer`},
		{"null map value", entry(`"format_version":"1"`, `"format_version":null`), new(entryBody),
			`member details["format_version"]: is null, want a string`},
		{"number for string", entry(`"format_version":"1"`, `"format_version":1`), new(entryBody),
			`member details["format_version"]: is a number, want a string`},
		{"string for number", entry(`"seq":1`, `"seq":"1"`), new(entryBody),
			`member seq: is a string, want an integer`},
		{"negative zero", meta(`"size":3000000`, `"size":-0`), new(EvidenceMeta),
			`member size: -0 is a negative zero, not an integer in canonical form`},
		{"fraction", meta(`"size":3000000`, `"size":3000000.0`), new(EvidenceMeta),
			`member size: 3000000.0 is not an integer (no fraction or exponent)`},
		{"exponent", meta(`"size":3000000`, `"size":3e6`), new(EvidenceMeta),
			`member size: 3e6 is not an integer (no fraction or exponent)`},
		{"out of range", meta(`"size":3000000`, `"size":9223372036854775808`), new(EvidenceMeta),
			`member size: 9223372036854775808 is out of range`},
		{"leading zero", meta(`"size":3000000`, `"size":03000000`), new(EvidenceMeta),
			`invalid JSON at byte 93: expecting "," or "}", found '3'`},
		{"boolean for string", meta(`"kind":"disk"`, `"kind":true`), new(EvidenceMeta),
			`member kind: is a boolean, want a string`},
		{"time with offset", meta(`"ingested_at":"2026-11-26T21:05:30.249Z"`, `"ingested_at":"2026-11-26T22:05:30.249+01:00"`), new(EvidenceMeta),
			`member ingested_at: "2026-11-26T22:05:30.249+01:00" is not a time in the stored form YYYY-MM-DDTHH:MM:SS[.fraction]Z (UTC, 1 to 9 fraction digits without trailing zeros)`},
		{"time with trailing zero", meta(`"ingested_at":"2026-11-26T21:05:30.249Z"`, `"ingested_at":"2026-11-26T21:05:30.2490Z"`), new(EvidenceMeta),
			`member ingested_at: "2026-11-26T21:05:30.2490Z" is not a time in the stored form`},
		{"null time", meta(`"ingested_at":"2026-11-26T21:05:30.249Z"`, `"ingested_at":null`), new(EvidenceMeta),
			`member ingested_at: is null, want a time`},
		{"upper-case UUID", entry(`"actor_id":"7d444840-9dc0-11d1-b245-5ffdce74fad2"`, `"actor_id":"7D444840-9DC0-11D1-B245-5FFDCE74FAD2"`), new(entryBody),
			`member actor_id: UUID "7D444840-9DC0-11D1-B245-5FFDCE74FAD2" is not in its canonical form (lower-case, hyphenated, 36 characters)`},
		{"braced UUID", entry(`"case":"3f2504e0-4f89-41d3-9a0c-0305e82c3301"`, `"case":"{3f2504e0-4f89-41d3-9a0c-0305e82c3301}"`), new(entryBody),
			`member case: UUID "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}" is not in its canonical form`},
		{"nested list element", meta(`"acquisition"`, `"container":[{"path":"a.001","size":1,"hashes":{"md5":"","sha1":"","sha256":""}},{"path":"a.002","size":-0,"hashes":{"md5":"","sha1":"","sha256":""}}],"acquisition"`), new(EvidenceMeta),
			`member container[1].size: -0 is a negative zero, not an integer in canonical form`},
		{"null list element", `["forensic-engineer",null]`, new([]Role), `member [1]: is null, want a string`},
		{"object for list", `{"forensic-engineer":true}`, new([]Role), `is an object, want a list`},
		{"invalid UTF-8", entry(`"actor":"Dana Quartermain"`, "\"actor\":\"Dana \xff\""), new(entryBody),
			`member actor: a string is not valid UTF-8`},
		{"lone surrogate", entry(`"actor":"Dana Quartermain"`, `"actor":"Dana \ud800"`), new(entryBody),
			`member actor: a string holds a lone high surrogate \ud800`},
		{"lone low surrogate", entry(`"actor":"Dana Quartermain"`, `"actor":"\udc00"`), new(entryBody),
			`member actor: a string holds a lone low surrogate \udc00`},
		{"control character", entry(`"actor":"Dana Quartermain"`, "\"actor\":\"Dana\tQ\""), new(entryBody),
			`a control character inside a string`},
		{"trailing data", sampleEntry + ` {}`, new(entryBody), `there is more data after the JSON value, at byte 467`},
		{"top-level null", `null`, new(EvidenceMeta), `is null, want an object`},
		{"empty", ``, new(EvidenceMeta), `the JSON text ends early, expecting an object`},
		{"not JSON", `x`, new(EvidenceMeta), `invalid JSON at byte 0: expecting an object, found 'x'`},
		{"truncated", sampleEntry[:100], new(entryBody), `the JSON text ends early`},
		{"deep nesting", strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100), new(any), `nested more than 64 levels deep`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := decodeStrict([]byte(tc.in), tc.into)
			if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrCorrupt containing %q", err, tc.want)
			}
		})
	}
}

// TestDecodeStrictNullLists pins what a null list means: absent, null and
// [] are the same empty list, for optional and required lists alike.
func TestDecodeStrictNullLists(t *testing.T) {
	for _, in := range []string{`null`, `[]`} {
		var roles []Role
		if err := decodeStrict([]byte(in), &roles); err != nil || len(roles) != 0 {
			t.Errorf("roles %s: %v %v", in, err, roles)
		}
	}
	for _, recomputed := range []string{``, `,"recomputed":null`, `,"recomputed":[]`} {
		in := `{"at":"2026-11-27T08:00:00Z","by":"D","ok":false,"detail":"x","hashes":{"md5":"","sha1":"","sha256":""}` + recomputed + `}`
		var v Verification
		if err := decodeStrict([]byte(in), &v); err != nil || len(v.Recomputed) != 0 {
			t.Errorf("verification with %q: %v %v", recomputed, err, v.Recomputed)
		}
	}
	for _, hashes := range []string{`,"hashes":null`, `,"hashes":{}`} {
		var e entryBody
		if err := decodeStrict([]byte(strings.Replace(sampleEntry, `,"reason":""`, `,"reason":""`+hashes, 1)), &e); err != nil || len(e.Hashes) != 0 {
			t.Errorf("entry with %q: %v %v", hashes, err, e.Hashes)
		}
	}
}

func TestDecodeStrictProgrammingErrors(t *testing.T) {
	var n int
	if err := decodeStrict([]byte(`1`), n); err == nil || errors.Is(err, ErrCorrupt) {
		t.Errorf("non-pointer: %v", err)
	}
	var m map[int]string
	if err := decodeStrict([]byte(`{"1":"a"}`), &m); !errors.Is(err, errStrictType) || errors.Is(err, ErrCorrupt) {
		t.Errorf("int map key: %v", err)
	}
	var s struct {
		N int `json:"n,string"`
	}
	if err := decodeStrict([]byte(`{"n":"1"}`), &s); !errors.Is(err, errStrictType) {
		t.Errorf(",string option: %v", err)
	}
}

// TestStrictStructFields follows encoding/json's rules for embedded
// structs: promoted fields, the shallower one winning, "-" skipped, and a
// field under an embedded pointer optional.
func TestStrictStructFields(t *testing.T) {
	type Inner struct {
		A string `json:"a"`
		B string `json:"b,omitempty"`
		C string `json:"c"`
	}
	type PtrInner struct {
		P string `json:"p"`
	}
	type Outer struct {
		Inner
		*PtrInner
		C      string `json:"c"` // shadows Inner.C
		Skip   string `json:"-"`
		hidden string
		Plain  int
	}
	var o Outer
	if err := decodeStrict([]byte(`{"a":"x","c":"y","Plain":2}`), &o); err != nil || o.A != "x" || o.C != "y" || o.Inner.C != "" || o.Plain != 2 {
		t.Fatalf("%v %+v", err, o)
	}
	for in, want := range map[string]string{
		`{"c":"y","Plain":2}`:                  `the required member "a" is missing`,
		`{"a":"x","c":"y","Plain":2,"-":"z"}`:  `"-" is not a member here`,
		`{"a":"x","c":"y","Plain":2,"Skip":1}`: `"Skip" is not a member here`,
		`{"a":"x","c":"y","plain":2}`:          `"plain" is not a member: member names are case-sensitive, this one is "Plain"`,
	} {
		if err := decodeStrict([]byte(in), &o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", in, err, want)
		}
	}
	_ = o.hidden
}

func TestParseStoredTime(t *testing.T) {
	for s, want := range map[string]string{
		"2026-11-26T10:00:00Z":           "2026-11-26 10:00:00 +0000 UTC",
		"2026-11-26T10:00:00.5Z":         "2026-11-26 10:00:00.5 +0000 UTC",
		"2026-11-26T10:00:00.123Z":       "2026-11-26 10:00:00.123 +0000 UTC",
		"2026-11-26T10:00:00.123456789Z": "2026-11-26 10:00:00.123456789 +0000 UTC",
		"0001-01-01T00:00:00Z":           "0001-01-01 00:00:00 +0000 UTC", // a zero time.Time, as omitted dates are written
		"2024-02-29T23:59:59.999Z":       "2024-02-29 23:59:59.999 +0000 UTC",
		"0000-01-01T00:00:00Z":           "0000-01-01 00:00:00 +0000 UTC",
		"9999-12-31T23:59:59.999999999Z": "9999-12-31 23:59:59.999999999 +0000 UTC",
	} {
		got, err := parseStoredTime(s)
		if err != nil || got.String() != want || got.Location() != time.UTC {
			t.Errorf("%s: %v %v, want %s", s, got, err, want)
		}
	}
	for _, s := range []string{
		"2026-11-26T11:00:00+01:00",       // another offset
		"2026-11-26T10:00:00+00:00",       // UTC, not spelled Z
		"2026-11-26T10:00:00-00:00",       // unknown offset
		"2026-11-26T10:00:00.500Z",        // trailing zeros
		"2026-11-26T10:00:00.0Z",          // a zero fraction
		"2026-11-26T10:00:00.Z",           // an empty fraction
		"2026-11-26T10:00:00,5Z",          // a comma
		"2026-11-26T10:00:00.1234567891Z", // ten digits
		"2026-11-26t10:00:00z",            // lower case
		"2026-11-26 10:00:00Z",            // a space
		"2026-11-26T10:00Z",               // no seconds
		"2026-11-26T10:00:60Z",            // a leap second
		"2026-02-29T10:00:00Z",            // not a leap year
		"2026-11-26T24:00:00Z",            // hour 24
		"2026-11-26",                      // a date
		"+2026-11-26T10:00:00Z",           // a signed year
		"2026-11-26T10:00:00Z ",           // trailing space
		"",
	} {
		if got, err := parseStoredTime(s); err == nil {
			t.Errorf("%q accepted as %v", s, got)
		}
	}
}

func TestParseStoredUUID(t *testing.T) {
	const id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	if got, err := parseStoredUUID(id); err != nil || got.String() != id {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := parseStoredUUID("00000000-0000-0000-0000-000000000000"); err != nil {
		t.Fatalf("the nil UUID (an unowned repair item's owner_id) is refused: %v", err)
	}
	for _, s := range []string{
		"3F2504E0-4F89-41D3-9A0C-0305E82C3301", "{" + id + "}", "urn:uuid:" + id, strings.ReplaceAll(id, "-", ""),
		" " + id, "3f2504e0-4f89-41d3-9a0c-0305e82c330", "not a uuid",
	} {
		if _, err := parseStoredUUID(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// FuzzDecodeStrict feeds sealed JSON of every kind Custodia stores (seeded
// from real samples: the entry of Appendix A, the description of 7.4, a
// verification, roles) to decodeStrict. It must never panic; a value it
// accepts must also satisfy encoding/json, and what encoding/json writes
// back for it must be accepted again.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{sampleEntry, sampleMeta, sampleVerification, `["forensic-engineer","legal-advisor"]`, `[]`, `null`,
		`{"seq":1,"data":{"a":[1,2,{"b":null}]}}`, "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "3F2504E0-4f89-41d3-9a0c-0305e82c3301"} {
		f.Add([]byte(s))
	}
	if doc, err := os.ReadFile(formatDoc); err == nil {
		if _, rest, ok := strings.Cut(string(doc), "```json\n"); ok {
			if js, _, ok := strings.Cut(rest, "\n```"); ok {
				f.Add([]byte(strings.ReplaceAll(js, "\n ", "")))
			}
		}
	}
	types := []reflect.Type{reflect.TypeFor[entryBody](), reflect.TypeFor[EvidenceMeta](), reflect.TypeFor[Verification](),
		reflect.TypeFor[[]Role](), reflect.TypeFor[rowEnvelope](), reflect.TypeFor[any]()}
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := uuid.Parse(string(data))
		if canonical := err == nil && id.String() == string(data); isCanonicalUUID(data) != canonical {
			t.Fatalf("isCanonicalUUID(%q) = %v, but uuid.Parse and String say %v", data, !canonical, canonical)
		}
		for _, typ := range types {
			v := reflect.New(typ)
			err := checkStrict(data, typ)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%v: refusal is not ErrCorrupt: %v", typ, err)
				}
				continue
			}
			if err := json.Unmarshal(data, v.Interface()); err != nil {
				t.Fatalf("%v: accepted %q, which encoding/json refuses: %v", typ, data, err)
			}
			back, err := json.Marshal(v.Elem().Interface())
			if err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			if err := checkStrict(back, typ); err != nil {
				t.Fatalf("%v: accepted %q, but not %q written back: %v", typ, data, back, err)
			}
		}
	})
}

// BenchmarkDecodeStrictEntry measures the strict decoding of one ledger
// entry (checked, then unmarshalled) beside encoding/json alone, the cost
// verification pays per entry.
func BenchmarkDecodeStrictEntry(b *testing.B) {
	data := []byte(sampleEntry)
	b.Run("strict", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var e entryBody
			if err := decodeStrict(data, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var e entryBody
			if err := json.Unmarshal(data, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
