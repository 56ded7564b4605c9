// Package assets holds the files Custodia embeds in its binaries: for now the
// application icon. It imports no GUI package; the GUI wraps the bytes in a
// Fyne resource itself.
package assets

import _ "embed"

// Icon is the application icon: a 512x512 PNG.
//
//go:embed icon.png
var Icon []byte
