// Package evidence is Custodia's ingest pipeline: it reads disk images, logs and
// memory dumps, hashes every byte (MD5, SHA-1, SHA-256) in one pass, and parses
// artifacts for the timeline. Not built yet.
//
// Like casefile and reports, it imports no Fyne package and builds with
// CGO_ENABLED=0.
package evidence
