package syslog

import (
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// typed adds the fields of the lines an examiner asks about first: logins
// (sshd), scheduled commands (cron), privilege use (sudo) and account
// changes (useradd, groupadd).
func typed(e *logs.Event, prog, msg string) {
	switch strings.ToLower(prog) {
	case "sshd", "sshd-session":
		sshd(e, msg)
	case "cron", "crond", "/usr/sbin/cron", "anacron":
		cron(e, msg)
	case "sudo":
		sudo(e, msg)
	case "useradd", "groupadd", "userdel", "groupdel", "usermod", "passwd", "chpasswd":
		shadow(e, msg)
	default:
		pam(e, msg)
	}
}

// words is a tiny cursor over a message's space-separated words.
type words struct{ w []string }

func (c *words) next() string {
	if len(c.w) == 0 {
		return ""
	}
	s := c.w[0]
	c.w = c.w[1:]
	return s
}

func (c *words) peek() string {
	if len(c.w) == 0 {
		return ""
	}
	return c.w[0]
}

func (c *words) eat(s string) bool {
	if c.peek() == s {
		c.w = c.w[1:]
		return true
	}
	return false
}

// ipPort reads "IP port PORT" (the port part optional).
func (c *words) ipPort(e *logs.Event) {
	e.Add(logs.FieldSrcIP, c.next())
	if c.eat("port") {
		e.Add(logs.FieldSrcPort, strings.TrimSuffix(c.next(), ":"))
	}
}

func sshd(e *logs.Event, msg string) {
	c := &words{strings.Fields(msg)}
	set := func(action, outcome string) {
		e.Add(logs.FieldAction, action)
		e.Add(logs.FieldOutcome, outcome)
	}
	switch {
	case strings.HasPrefix(msg, "Accepted "):
		c.next()
		set("login_accepted", "success")
		e.Add("auth_method", c.next())
		if c.eat("for") {
			e.Add(logs.FieldUser, c.next())
		}
		if c.eat("from") {
			c.ipPort(e)
		}
		c.eat("ssh2")
		c.eat("ssh2:")
		if rest := strings.Join(c.w, " "); rest != "" {
			e.Add("ssh_signature", rest)
		}
	case strings.HasPrefix(msg, "Failed "):
		c.next()
		set("login_failed", "failure")
		e.Add("auth_method", c.next())
		c.eat("for")
		if c.eat("invalid") && c.eat("user") {
			e.Add("invalid_user", "true")
		}
		e.Add(logs.FieldUser, c.next())
		if c.eat("from") {
			c.ipPort(e)
		}
	case strings.HasPrefix(msg, "Invalid user "):
		c.next()
		c.next()
		set("invalid_user", "failure")
		if c.peek() != "from" {
			e.Add(logs.FieldUser, c.next())
		}
		if c.eat("from") {
			c.ipPort(e)
		}
	case strings.HasPrefix(msg, "Connection from "):
		c.next()
		c.next()
		set("connection_opened", "")
		c.ipPort(e)
		if c.eat("on") {
			e.Add(logs.FieldDstIP, c.next())
			if c.eat("port") {
				e.Add(logs.FieldDstPort, c.next())
			}
		}
	case strings.HasPrefix(msg, "Connection closed by "), strings.HasPrefix(msg, "Disconnected from "),
		strings.HasPrefix(msg, "Connection reset by "):
		first := c.next()
		c.next() // "closed", "from", "reset"
		if first == "Connection" {
			c.next() // "by"
		}
		set("connection_closed", "")
		switch {
		case c.eat("authenticating"), c.eat("user"):
			c.eat("user")
			e.Add(logs.FieldUser, c.next())
		case c.eat("invalid"):
			c.eat("user")
			e.Add("invalid_user", "true")
			e.Add(logs.FieldUser, c.next())
		}
		c.ipPort(e)
		if c.eat("[preauth]") {
			e.Add("preauth", "true")
		}
	case strings.HasPrefix(msg, "Received disconnect from "):
		c.next()
		c.next()
		c.next()
		set("disconnect_received", "")
		c.ipPort(e)
	case strings.HasPrefix(msg, "Did not receive identification string from "):
		for range 6 {
			c.next()
		}
		set("no_identification", "failure")
		c.ipPort(e)
	default:
		pam(e, msg)
	}
}

// pam reads pam_unix session lines: "pam_unix(sshd:session): session opened
// for user root(uid=0) by (uid=0)" and "... session closed for user root".
func pam(e *logs.Event, msg string) {
	if !strings.HasPrefix(msg, "pam_unix(") {
		return
	}
	_, rest, ok := strings.Cut(msg, "): ")
	if !ok {
		return
	}
	for _, k := range []struct{ prefix, action string }{
		{"session opened for user ", "session_opened"},
		{"session closed for user ", "session_closed"},
	} {
		if after, ok := strings.CutPrefix(rest, k.prefix); ok {
			user, _, _ := strings.Cut(after, " ")
			if i := strings.IndexByte(user, '('); i > 0 {
				user = user[:i]
			}
			e.Add(logs.FieldAction, k.action)
			e.Add(logs.FieldUser, user)
			return
		}
	}
	if after, ok := strings.CutPrefix(rest, "authentication failure;"); ok {
		e.Add(logs.FieldAction, "auth_failure")
		e.Add(logs.FieldOutcome, "failure")
		for _, kv := range strings.Fields(after) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "user":
				e.Add(logs.FieldUser, v)
			case "rhost":
				e.Add(logs.FieldSrcIP, v)
			case "ruser":
				e.Add("remote_user", v)
			}
		}
	}
}

// cron reads "(root) CMD (command)".
func cron(e *logs.Event, msg string) {
	if !strings.HasPrefix(msg, "(") {
		pam(e, msg)
		return
	}
	user, rest, ok := strings.Cut(msg[1:], ") ")
	if !ok {
		return
	}
	e.Add(logs.FieldUser, user)
	if cmd, ok := strings.CutPrefix(rest, "CMD ("); ok {
		e.Add(logs.FieldAction, "cron_command")
		e.Add("command", strings.TrimSuffix(cmd, ")"))
	}
}

// sudo reads "user : TTY=pts/0 ; PWD=/home ; USER=root ; COMMAND=/bin/ls",
// with an error text before TTY= when sudo refused.
func sudo(e *logs.Event, msg string) {
	user, rest, ok := strings.Cut(msg, " : ")
	if !ok {
		pam(e, msg)
		return
	}
	e.Add(logs.FieldUser, strings.TrimSpace(user))
	e.Add(logs.FieldAction, "sudo_command")
	outcome := "success"
	var errs []string
	for _, part := range strings.Split(rest, " ; ") {
		k, v, ok := strings.Cut(part, "=")
		switch {
		case ok && k == "TTY":
			e.Add("tty", v)
		case ok && k == "PWD":
			e.Add("pwd", v)
		case ok && k == "USER":
			e.Add("target_user", v)
		case ok && k == "COMMAND":
			e.Add("command", v)
		case !ok || strings.Contains(k, " "):
			errs = append(errs, strings.TrimSpace(part))
			outcome = "failure"
		}
	}
	e.Add("sudo_error", strings.Join(errs, "; "))
	e.Add(logs.FieldOutcome, outcome)
}

// shadow reads "new user: name=apache, UID=48, GID=48, home=..., shell=..."
// and "new group: name=apache, GID=48".
func shadow(e *logs.Event, msg string) {
	kind, rest, ok := strings.Cut(msg, ": ")
	if !ok {
		return
	}
	switch kind {
	case "new user":
		e.Add(logs.FieldAction, "user_added")
	case "new group":
		e.Add(logs.FieldAction, "group_added")
	case "delete user":
		e.Add(logs.FieldAction, "user_deleted")
	case "group added to /etc/group", "group added to /etc/gshadow":
		e.Add(logs.FieldAction, "group_added")
	default:
		return
	}
	for _, kv := range strings.Split(rest, ", ") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, "'")
		switch strings.ToLower(k) {
		case "name":
			if kind == "new group" || strings.HasPrefix(kind, "group") {
				e.Add("group", v)
			} else {
				e.Add(logs.FieldUser, v)
			}
		case "uid":
			e.Add("uid", v)
		case "gid":
			e.Add("gid", v)
		case "home":
			e.Add("home", v)
		case "shell":
			e.Add("shell", v)
		}
	}
}
