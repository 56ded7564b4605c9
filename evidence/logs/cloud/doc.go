// Package cloud parses the audit logs of the cloud platforms an incident
// usually touches: AWS CloudTrail, the Azure Activity Log, Google Cloud
// audit logs (Cloud Logging LogEntry), and the Microsoft 365 Unified Audit
// Log (JSON records or the CSV export with its AuditData column).
//
// Each record becomes one event with every value flattened to a field (as
// package jsonl does) and, first, the fields an examiner asks about named
// the same across platforms:
//
//	actor      who acted: an ARN, UPN, e-mail address or principal id
//	user       the account name where the record gives one
//	src_ip     the address the call came from (src_port when the record has one)
//	operation  what was done: eventName, operationName, methodName, Operation
//	service    the service called: eventSource, category, serviceName, Workload
//	resource   what it was done to: a resource ARN, resourceId, resourceName, ObjectId
//	result     the platform's result text: "Success" or an error code
//	outcome    "success" or "failure" where the result says
//
// Times are the records' own (eventTime, time, timestamp, CreationTime), in
// UTC; CreationTime of the Unified Audit Log has no zone but is UTC by
// Microsoft's definition, so the item's source zone is not applied to it.
//
// The record layouts read: a {"Records": [...]} or {"records": [...]}
// document, a top-level array, one record per line, or pretty-printed
// records one after another.
package cloud
