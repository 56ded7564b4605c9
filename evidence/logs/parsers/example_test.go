package parsers_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/parsers"
)

// Parse detects the format, streams the events with their byte ranges, and
// reports the lines it could not read. Half of these lines are not syslog,
// so the content alone is not conclusive and the name decides.
func ExampleParse() {
	item := "Feb 21 21:54:44 web01 sshd[3402]: Accepted password for alice from 10.0.0.5 port 50022 ssh2\n" +
		"this line is not syslog\n"
	res, err := parsers.Parse(context.Background(), strings.NewReader(item), logs.Options{Name: "auth.log", Year: 2024},
		logs.Funcs{
			OnEvent: func(e logs.Event) error {
				user, _ := e.Get("user")
				ip, _ := e.Get("src_ip")
				fmt.Println(e.Time.Format("2006-01-02T15:04:05Z"), e.Offset, e.Length, user, ip)
				return nil
			},
			OnWarning: func(w logs.Warning) error { fmt.Println("warning:", w); return nil },
		})
	fmt.Println(res.Parser, res.Detected, res.Events, res.Warnings, err)
	// Output:
	// 2024-02-21T21:54:44Z 0 91 alice 10.0.0.5
	// warning: line 2 (offset 92): not a syslog line: it starts "this line is not syslog" (expected a "Mmm dd hh:mm:ss" or RFC 3339 time, or "<PRI>")
	// syslog name 1 1 <nil>
}
