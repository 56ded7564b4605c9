// Package linux parses Linux host logs other than syslog: the audit log
// (parser "auditd"), shell histories (parser "shell_history": bash with
// #epoch lines, zsh extended history), dpkg.log (parser "dpkg"), and the
// binary login records wtmp, utmp and btmp (parser "utmp").
package linux
