package app

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/custodia-dfir/custodia/casefile"
)

// humanSize writes a byte count in binary units, as custodiactl does:
// "512 B", "3.0 MiB", "1.2 GiB".
func humanSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	for _, unit := range []string{"KiB", "MiB", "GiB", "TiB", "PiB"} {
		v /= 1024
		if v < 1024 || unit == "PiB" {
			return fmt.Sprintf("%.1f %s", v, unit)
		}
	}
	return "" // not reached
}

// byteCount writes an exact byte count with thousands separators, and the
// binary-unit size beside it when that is shorter to read:
// "3,145,728 bytes (3.0 MiB)".
func byteCount(n int64) string {
	s := groupDigits(n) + " bytes"
	if n == 1 {
		s = "1 byte"
	}
	if n >= 1024 {
		s += " (" + humanSize(n) + ")"
	}
	return s
}

// groupDigits writes n with commas between groups of three digits.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// clockText writes a duration as h:mm:ss, or m:ss under an hour: "0:03".
func clockText(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// kindTitle names an evidence kind as people write it.
func kindTitle(k casefile.EvidenceKind) string {
	switch k {
	case casefile.KindDisk:
		return "Disk image"
	case casefile.KindLog:
		return "Log"
	case casefile.KindMemory:
		return "Memory dump"
	case casefile.KindOther:
		return "Other"
	case "":
		return notSet
	}
	return string(k)
}

// formatTitle names a source format as people write it.
func formatTitle(f string) string {
	switch f {
	case "file":
		return "File"
	case "split-raw":
		return "Split raw image"
	case "block-device":
		return "Block device"
	case "e01":
		return "Expert Witness (E01)"
	case "vhd":
		return "Virtual disk (VHD)"
	case "vhdx":
		return "Virtual disk (VHDX)"
	case "vmdk":
		return "Virtual disk (VMDK)"
	case "qcow2":
		return "Virtual disk (QCOW2)"
	case "raw":
		return "Raw image"
	case "":
		return notSet
	}
	return f
}

// shown makes a string that came from evidence (a file name, a path, a
// description read from an image) safe to put on screen: control
// characters and the invisible formatting characters that can reorder or
// hide text (bidirectional overrides, zero-width marks) become U+FFFD, so a
// hostile name cannot disguise itself as another.
func shown(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// shownLine is shown on one line, for a table cell or a title.
func shownLine(s string) string {
	return oneLine(shown(s))
}

// toolVersion is the version of this build of Custodia, as the Go tool
// recorded it, or "(devel)". Ingests record it with each item.
func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
