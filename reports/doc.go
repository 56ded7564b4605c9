// Package reports produces Custodia's outputs from a case: intelligence,
// post-mortem and chain-of-custody reports, customer and regulator notification
// drafts, and sealed evidence exports. Not built yet.
//
// Like casefile and evidence, it imports no Fyne package and builds with
// CGO_ENABLED=0.
package reports
