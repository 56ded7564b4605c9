package linux

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// Utmp is the wtmp/utmp/btmp parser's registry entry.
var Utmp = logs.Parser{
	Name:  "utmp",
	Reads: "Linux login records: wtmp, utmp and btmp (384-byte glibc records)",
	Names: []string{"wtmp*", "utmp*", "btmp*"},
	Sniff: func(h *logs.Head) int {
		if len(h.Raw) < utmpSize {
			return 0
		}
		for i := 0; i+utmpSize <= len(h.Raw) && i < 4*utmpSize; i += utmpSize {
			if !plausible(h.Raw[i : i+utmpSize]) {
				return 0
			}
		}
		return 75
	},
	Parse: parseUtmp,
}

const utmpSize = 384

var utmpTypes = []string{"EMPTY", "RUN_LVL", "BOOT_TIME", "NEW_TIME", "OLD_TIME", "INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS", "DEAD_PROCESS", "ACCOUNTING"}

func plausible(b []byte) bool {
	typ := binary.LittleEndian.Uint16(b)
	sec := binary.LittleEndian.Uint32(b[340:])
	return typ <= 9 && binary.LittleEndian.Uint16(b[2:]) == 0 && (sec == 0 || sec > 315532800 && sec < 4102444800) && printable(b[8:40])
}

func printable(b []byte) bool {
	for _, c := range cstr(b) {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func parseUtmp(ctx context.Context, r io.Reader, opts logs.Options, sink logs.Sink) error {
	btmp := strings.Contains(strings.ToLower(opts.Name), "btmp")
	buf := make([]byte, utmpSize)
	for off := int64(0); ; off += utmpSize {
		n, err := io.ReadFull(r, buf)
		if n == 0 && (errors.Is(err, io.EOF)) {
			return nil
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return sink.Warning(logs.Warning{Offset: off, Length: int64(n), Why: fmt.Sprintf(
				"%d bytes at the end are a partial record (a record is %d bytes): not read", n, utmpSize)})
		}
		if err != nil {
			return err
		}
		if e, why := utmpRecord(buf, off, btmp, opts); why != "" {
			if err := sink.Warning(logs.Warning{Offset: off, Length: utmpSize, Why: why}); err != nil {
				return err
			}
		} else if e != nil {
			if err := sink.Event(*e); err != nil {
				return err
			}
		}
	}
}

func utmpRecord(b []byte, off int64, btmp bool, opts logs.Options) (*logs.Event, string) {
	typ := binary.LittleEndian.Uint16(b)
	if typ == 0 && allZero(b) {
		return nil, "" // an empty slot
	}
	if typ > 9 {
		return nil, fmt.Sprintf("not a login record: type %d is unknown (0 to 9 are)", typ)
	}
	pid := int32(binary.LittleEndian.Uint32(b[4:]))
	line, id, user, host := cstr(b[8:40]), cstr(b[40:44]), cstr(b[44:76]), cstr(b[76:332])
	exitTerm, exitCode := binary.LittleEndian.Uint16(b[332:]), binary.LittleEndian.Uint16(b[334:])
	session := int32(binary.LittleEndian.Uint32(b[336:]))
	sec, usec := binary.LittleEndian.Uint32(b[340:]), binary.LittleEndian.Uint32(b[344:])
	addr := b[348:364]
	e := &logs.Event{Offset: off, Length: utmpSize, TimestampDesc: logs.DescRecorded}
	t := time.Unix(int64(sec), int64(usec)*1000).UTC()
	e.SetTime(t, strconv.FormatUint(uint64(sec), 10)+"."+fmt.Sprintf("%06d", usec), opts, false)
	name := utmpTypes[typ]
	action := strings.ToLower(name)
	switch typ {
	case 7:
		e.TimestampDesc, action = logs.DescLogin, "login"
		if btmp {
			e.TimestampDesc, action = "Failed Login", "login_failed"
		}
	case 8:
		e.TimestampDesc, action = logs.DescLogout, "logout"
	case 2:
		e.TimestampDesc, action = logs.DescBoot, "boot"
	case 1:
		if user == "shutdown" {
			action = "shutdown"
		}
	}
	e.Add("type", name)
	e.Add(logs.FieldAction, action)
	e.Add(logs.FieldPID, strconv.Itoa(int(pid)))
	e.Add("line", line)
	e.Add("id", id)
	e.Add(logs.FieldUser, user)
	e.Add("remote_host", host)
	var ip net.IP
	if allZero(addr[4:]) {
		ip = net.IP(addr[:4])
	} else {
		ip = net.IP(addr)
	}
	if !allZero(addr) {
		e.Add(logs.FieldSrcIP, ip.String())
	}
	if exitTerm != 0 || exitCode != 0 {
		e.Add("exit", fmt.Sprintf("%d/%d", exitTerm, exitCode))
	}
	if session != 0 {
		e.Add("session", strconv.Itoa(int(session)))
	}
	e.Message = strings.TrimSpace(fmt.Sprintf("%s %s %s %s", action, user, line, host))
	return e, ""
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
