package export

import (
	"bytes"
	"encoding/xml"
	"strconv"

	"github.com/custodia-dfir/custodia/reports"
)

// dfxml is case/evidence.dfxml: one DFXML 1.2 fileobject per exported
// item, with its decrypted path, size and the three recorded hashes.
func dfxml(m Manifest, tool reports.Tool) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<dfxml xmlns="http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML" xmlns:dc="http://purl.org/dc/elements/1.1/" version="1.2.0">` + "\n")
	b.WriteString("  <metadata>\n    <dc:type>Sealed evidence export</dc:type>\n    <dc:identifier>")
	esc(&b, "urn:uuid:"+m.ExportID.String())
	b.WriteString("</dc:identifier>\n  </metadata>\n  <creator>\n    <program>")
	esc(&b, tool.Name)
	b.WriteString("</program>\n    <version>")
	esc(&b, tool.Version)
	b.WriteString("</version>\n  </creator>\n")
	for _, it := range m.Items {
		b.WriteString("  <fileobject>\n    <filename>")
		esc(&b, it.File)
		b.WriteString("</filename>\n    <filesize>" + strconv.FormatInt(it.Size, 10) + "</filesize>\n")
		b.WriteString(`    <hashdigest type="md5">` + it.MD5 + "</hashdigest>\n")
		b.WriteString(`    <hashdigest type="sha1">` + it.SHA1 + "</hashdigest>\n")
		b.WriteString(`    <hashdigest type="sha256">` + it.SHA256 + "</hashdigest>\n")
		b.WriteString("    <original_fileobject>\n      <filename>")
		esc(&b, it.Name)
		b.WriteString("</filename>\n    </original_fileobject>\n  </fileobject>\n")
	}
	b.WriteString("</dfxml>\n")
	return b.Bytes()
}

func esc(b *bytes.Buffer, s string) { xml.EscapeText(b, []byte(s)) }
