// Package syslog parses syslog text files: RFC 3164 (BSD) lines, whose
// stamps have no year and no zone; rsyslog lines with RFC 3339 stamps; and
// RFC 5424 lines with structured data. A line that starts with white space
// continues the record before it (multi-line messages, stack traces).
//
// Lines of sshd, cron, sudo and the shadow tools (useradd, groupadd) become
// typed events: an "action" field (login_accepted, login_failed,
// invalid_user, connection_opened, connection_closed, session_opened,
// session_closed, cron_command, sudo_command, ...) with user, src_ip and
// src_port where the line names them.
//
// Year of RFC 3164 stamps: Options.Year when given is the year of the first
// line; otherwise the year of Options.Reference (the item's modification or
// acquisition time), one less when the first line's month is after the
// reference's month. The year then advances when the month goes back by six
// months or more (December to January). A line whose inferred time is more
// than a day after the reference gives one warning: the log may span more
// than a year, and --year fixes it.
package syslog
