package ewf

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// rawHeader is the compressed data of a header, header2, xheader or xhash section.
type rawHeader struct {
	typ  string
	data []byte
	file string
	off  int64
}

// headerKeys maps the identifiers of header and header2 sections to Header keys.
var headerKeys = map[string]string{
	"a": "description", "c": "case_number", "n": "evidence_number", "e": "examiner", "t": "notes",
	"av": "tool_version", "ov": "os", "m": "acquisition_date", "u": "system_date",
	"md": "model", "sn": "serial", "l": "device_label",
}

// maxValue bounds one header value, in runes.
const maxValue = 4096

// parseHeaders merges the header sections: header2 (UTF-16, so any
// script) over header (a code page) over xheader (EWF-X XML). A damaged
// copy is skipped when another copy of the same type reads; when none
// does, a note says so. Header damage never stops an image from opening:
// it does not affect the media.
func parseHeaders(raws []rawHeader, note func(string, ...any)) map[string]string {
	parsed := map[string]map[string]string{}
	var failed []rawHeader
	for _, r := range raws {
		if parsed[r.typ] != nil {
			continue // a later copy of a type already read
		}
		text, err := inflate(r.data)
		if err != nil {
			failed = append(failed, r)
			continue
		}
		var vals map[string]string
		switch r.typ {
		case "header2":
			vals = parseHeaderText(decodeUTF16(text))
		case "header":
			vals = parseHeaderText(decodeCodePage(text))
		case "xheader":
			vals = parseXHeader(text)
		}
		if vals == nil {
			failed = append(failed, r)
			continue
		}
		parsed[r.typ] = vals
	}
	for _, r := range failed {
		if parsed[r.typ] == nil {
			note("%s: the %s section at offset %d is damaged and no intact copy exists; some case metadata (examiner, case number, dates) is missing", r.file, r.typ, r.off)
			parsed[r.typ] = map[string]string{} // one note per type
		}
	}
	out := map[string]string{}
	for _, typ := range []string{"xheader", "header", "header2"} {
		for k, v := range parsed[typ] {
			if v != "" {
				out[k] = v
			}
		}
	}
	return out
}

// inflate decompresses a zlib-compressed section, checking its Adler-32.
func inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxHeader+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxHeader {
		return nil, fmt.Errorf("decompresses to more than %d bytes", maxHeader)
	}
	return out, nil
}

// parseHeaderText reads the "main" category: a line of tab-separated
// identifiers followed by a line of values. It returns nil when there is none.
func parseHeaderText(text string) map[string]string {
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], "\r")
	}
	for i, l := range lines {
		if l != "main" || i+2 >= len(lines) {
			continue
		}
		ids, vals := strings.Split(lines[i+1], "\t"), strings.Split(lines[i+2], "\t")
		out := map[string]string{}
		for j, id := range ids {
			key, ok := headerKeys[id]
			if !ok || j >= len(vals) {
				continue
			}
			v := clean(vals[j])
			if key == "acquisition_date" || key == "system_date" {
				v = headerDate(v)
			}
			out[key] = v
		}
		return out
	}
	return nil
}

// headerDate turns a header date into RFC 3339 UTC when it is absolute:
// header2 stores Unix seconds; header stores "2006 1 2 15 4 5" in the
// acquiring machine's local time, whose zone is not recorded.
func headerDate(v string) string {
	if v == "" {
		return ""
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 || n > 1<<40 {
			return "" // unset (winen writes 0) or nonsense
		}
		return time.Unix(n, 0).UTC().Format(time.RFC3339)
	}
	f := strings.Fields(v)
	if len(f) == 6 {
		var p [6]int
		for i, s := range f {
			n, err := strconv.Atoi(s)
			if err != nil {
				return v
			}
			p[i] = n
		}
		t := time.Date(p[0], time.Month(p[1]), p[2], p[3], p[4], p[5], 0, time.UTC)
		if t.Year() == p[0] && int(t.Month()) == p[1] && t.Day() == p[2] && t.Hour() == p[3] && t.Minute() == p[4] && t.Second() == p[5] {
			return t.Format("2006-01-02T15:04:05") + " (local time of the acquiring machine; its time zone is not recorded)"
		}
	}
	return v
}

// parseXHeader reads an EWF-X xheader section (XML).
func parseXHeader(text []byte) map[string]string {
	var x struct {
		CaseNumber     string `xml:"case_number"`
		Description    string `xml:"description"`
		Examiner       string `xml:"examiner_name"`
		EvidenceNumber string `xml:"evidence_number"`
		Notes          string `xml:"notes"`
		OS             string `xml:"acquiry_operating_system"`
		Date           string `xml:"acquiry_date"`
		SystemDate     string `xml:"system_date"`
		Software       string `xml:"acquiry_software"`
		Version        string `xml:"acquiry_software_version"`
		Model          string `xml:"model"`
		Serial         string `xml:"serial_number"`
	}
	if err := xml.Unmarshal(bytes.TrimPrefix(text, []byte("\xef\xbb\xbf")), &x); err != nil {
		return nil
	}
	return map[string]string{
		"case_number": clean(x.CaseNumber), "description": clean(x.Description), "examiner": clean(x.Examiner),
		"evidence_number": clean(x.EvidenceNumber), "notes": clean(x.Notes), "os": clean(x.OS),
		"acquisition_date": xmlDate(clean(x.Date)), "system_date": xmlDate(clean(x.SystemDate)),
		"tool": clean(x.Software), "tool_version": clean(x.Version), "model": clean(x.Model), "serial": clean(x.Serial),
	}
}

// xmlDate converts an EWF-X date ("Thu Nov 26 21:01:45 2026 UTC") to
// RFC 3339 when its zone is UTC; other zone abbreviations are ambiguous
// and stay as written.
func xmlDate(v string) string {
	if strings.HasSuffix(v, " UTC") || strings.HasSuffix(v, " GMT") {
		if t, err := time.Parse("Mon Jan _2 15:04:05 2006", v[:len(v)-4]); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return v
}

// parseXHash reads the MD5 and SHA-1 of EWF-X xhash sections.
func parseXHash(raws []rawHeader, note func(string, ...any)) (md5, sha1 string) {
	for _, r := range raws {
		text, err := inflate(r.data)
		var x struct {
			MD5  string `xml:"MD5"`
			SHA1 string `xml:"SHA1"`
		}
		if err == nil {
			err = xml.Unmarshal(bytes.TrimPrefix(text, []byte("\xef\xbb\xbf")), &x)
		}
		if err != nil {
			note("%s: the xhash section at offset %d is damaged (%v); its hashes were not used", r.file, r.off, err)
			continue
		}
		if m := hexDigest(x.MD5, 16); m != "" && md5 == "" {
			md5 = m
		}
		if s := hexDigest(x.SHA1, 20); s != "" && sha1 == "" {
			sha1 = s
		}
	}
	return md5, sha1
}

// hexDigest returns s in lower case when it is n bytes of hex, not all zero.
func hexDigest(s string, n int) string {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != n {
		return ""
	}
	return hexUnlessZero(b)
}

// decodeUTF16 decodes header2 text: UTF-16 with a byte order mark
// (little-endian when there is none).
func decodeUTF16(b []byte) string {
	bigEndian := false
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		b = b[2:]
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		b, bigEndian = b[2:], true
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	return string(utf16.Decode(u))
}

// decodeCodePage decodes header text. Its code page is not recorded;
// ASCII and UTF-8 read as they are, anything else as Latin-1 so no byte is lost.
func decodeCodePage(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// clean drops control characters and bounds the length: header values
// are examiner input from an untrusted file.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > maxValue {
		s = string([]rune(s)[:maxValue]) + "…"
	}
	return strings.TrimSpace(s)
}
