package cloud

import (
	"strings"

	"github.com/custodia-dfir/custodia/evidence/logs"
)

// CloudTrail is the AWS CloudTrail parser's registry entry.
var CloudTrail = logs.Parser{
	Name:  "cloudtrail",
	Reads: `AWS CloudTrail: {"Records": [...]} files, arrays, and one record per line`,
	Names: []string{"*cloudtrail*.json", "*_cloudtrail_*"},
	Sniff: func(h *logs.Head) int {
		if has(h, `"eventVersion"`, `"eventSource"`) || has(h, `"eventName"`, `"eventSource"`, `"awsRegion"`) {
			return 95
		}
		return 0
	},
	Parse: parseWith("cloudtrail", func(r *record, e *logs.Event) string {
		actor := r.get("userIdentity.arn", "userIdentity.principalId", "userIdentity.invokedBy", "userIdentity.type")
		user := r.get("userIdentity.userName", "userIdentity.sessionContext.sessionIssuer.userName", "additionalEventData.UserName")
		result, outcome := "Success", "success"
		if code := r.get("errorCode"); code != "" {
			result, outcome = code, "failure"
		} else if rv := r.get("responseElements.ConsoleLogin"); rv != "" {
			result, outcome = rv, outcomeOf(rv)
		}
		e.Add(FieldActor, actor)
		e.Add(logs.FieldUser, user)
		e.Add(logs.FieldSrcIP, r.get("sourceIPAddress"))
		op := r.get("eventName", "insightDetails.eventName")
		e.Add(FieldOperation, op)
		e.Add(FieldService, r.get("eventSource", "insightDetails.eventSource"))
		e.Add(FieldResource, r.get("resources[0].ARN", "resources[0].arn"))
		e.Add(FieldResult, result)
		e.Add(logs.FieldOutcome, outcome)
		e.Add(logs.FieldSource, "aws:"+r.get("awsRegion"))
		e.Message = message(op, with("by ", actor), with("from ", r.get("sourceIPAddress")),
			with("on ", r.get("eventSource")), with("→ ", r.get("errorCode")))
		return "eventTime"
	}),
}

// Azure claim names, as flattened field names.
const (
	claimName  = "identity.claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
	claimUPN   = "identity.claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
	claimEmail = "identity.claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
)

// AzureActivity is the Azure Activity Log parser's registry entry.
var AzureActivity = logs.Parser{
	Name:  "azure-activity",
	Reads: `Azure Activity Log: diagnostic {"records": [...]} exports and Activity Log API / portal JSON`,
	Names: []string{"*activity*.json", "pt1h.json"},
	Sniff: func(h *logs.Head) int {
		switch {
		case has(h, `"operationName"`, `"resourceId"`, `"category"`), has(h, `"operationName"`, `"resourceId"`, `"eventTimestamp"`):
			return 90
		}
		return 0
	},
	Parse: parseWith("azure-activity", func(r *record, e *logs.Event) string {
		actor := r.get(claimName, claimUPN, claimEmail, "identity.claims.upn", "caller", "identity.authorization.evidence.principalId")
		op := r.get("operationName", "operationName.value")
		result := r.get("resultType", "status.value", "resultSignature")
		e.Add(FieldActor, actor)
		if strings.Contains(actor, "@") {
			e.Add(logs.FieldUser, actor)
		}
		e.Add(logs.FieldSrcIP, r.get("callerIpAddress", "httpRequest.clientIpAddress", "identity.claims.ipaddr"))
		e.Add(FieldOperation, op)
		e.Add(FieldService, r.get("category", "category.value"))
		e.Add(FieldResource, r.get("resourceId"))
		e.Add(FieldResult, result)
		e.Add(logs.FieldOutcome, outcomeOf(result))
		e.Add(logs.FieldSeverity, r.get("level"))
		e.Message = message(op, with("by ", actor), with("from ", r.get("callerIpAddress", "httpRequest.clientIpAddress")), with("→ ", result))
		if r.get("time") == "" {
			return "eventTimestamp"
		}
		return "time"
	}),
}

// GCPAudit is the Google Cloud audit log parser's registry entry.
var GCPAudit = logs.Parser{
	Name:  "gcp-audit",
	Reads: "Google Cloud audit logs (Cloud Logging LogEntry JSON: objects, arrays or lines)",
	Names: []string{"*cloudaudit*.json", "*gcp*.json"},
	Sniff: func(h *logs.Head) int {
		switch {
		case has(h, `"protoPayload"`):
			return 92
		case has(h, `"logName"`, `"insertId"`):
			return 85
		}
		return 0
	},
	Parse: parseWith("gcp-audit", func(r *record, e *logs.Event) string {
		actor := r.get("protoPayload.authenticationInfo.principalEmail", "protoPayload.authenticationInfo.principalSubject")
		code := r.get("protoPayload.status.code")
		result, outcome := "Success", "success"
		if code != "" && code != "0" {
			result, outcome = "code "+code, "failure"
			if m := r.get("protoPayload.status.message"); m != "" {
				result += ": " + m
			}
		}
		if r.get("protoPayload.methodName") == "" {
			result, outcome = "", ""
		}
		e.Add(FieldActor, actor)
		e.Add(logs.FieldUser, actor)
		e.Add(logs.FieldSrcIP, r.get("protoPayload.requestMetadata.callerIp", "httpRequest.remoteIp"))
		e.Add(FieldOperation, r.get("protoPayload.methodName"))
		e.Add(FieldService, r.get("protoPayload.serviceName"))
		e.Add(FieldResource, r.get("protoPayload.resourceName"))
		e.Add(FieldResult, result)
		e.Add(logs.FieldOutcome, outcome)
		e.Add(logs.FieldSeverity, r.get("severity"))
		e.Add(logs.FieldSource, r.get("logName"))
		e.Message = message(r.get("protoPayload.methodName", "textPayload", "jsonPayload.message"), with("by ", actor),
			with("from ", r.get("protoPayload.requestMetadata.callerIp")), with("on ", r.get("protoPayload.resourceName")))
		return "timestamp"
	}),
}
