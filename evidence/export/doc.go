// Package export makes, verifies and imports sealed evidence exports: a
// folder (or one .tar of it) that a recipient checks and opens offline with
// the Debian packages age, minisign and coreutils alone, or with Custodia.
// docs/EXPORT.md is the contract; this package implements it.
//
// A bundle holds each item's exact bytes age-encrypted to the recipients
// (evidence/NNN-<name>.age, streamed: memory is bounded whatever the item's
// size, and no plaintext touches the disk), an age-encrypted tar of the
// case's facts about them (case.tar.age: manifest, hash lists, CASE/UCO,
// DFXML, the custody entries), README.txt, SHA256SUMS over all of that and
// its minisign signature by the exporting examiner's own custody key.
//
// The package sits above evidence (it streams items out of a case and
// ingests them into another) and reports (custody JSON lines and CASE/UCO):
// it is the one core package that imports both; neither imports it.
package export
