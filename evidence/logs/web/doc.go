// Package web parses web server logs: Apache and NGINX access logs in the
// common, combined and virtual-host variants (parser "access"), and IIS W3C
// extended logs, whose columns the #Fields directive names (parser "iis").
//
// Shared field names: src_ip (the client), user, method, path, query,
// protocol, status, bytes, referer, user_agent, vhost, dst_ip and dst_port
// where the log has them. An access log line's time carries its own offset
// ([29/Dec/2019:00:09:47 +1000]). IIS writes W3C times in UTC; other W3C
// producers (the Windows Firewall) write local time, so the item's source
// zone applies to them.
package web
