package evidence

import (
	"context"
	"errors"
	"io/fs"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/evidence/ewf"
)

// Hint returns a sentence telling a person what to do about an error from
// this package (falling back to casefile.Hint), or "" when there is
// nothing useful to add. The CLI and the GUI both show it.
func Hint(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "the item in progress was rolled back and the cancellation recorded; items that were complete stay in the case"
	case errors.Is(err, fs.ErrPermission):
		return "Custodia only reads sources; make the file readable for your account (or run as a user who may read the device)"
	case errors.Is(err, ewf.ErrMissingSegment):
		return "put every segment file (.E01, .E02, …) in the same folder, then ingest the .E01 again"
	case errors.Is(err, ewf.ErrChecksum):
		return "the E01 image is damaged; ingest it from the original acquisition media, or re-acquire"
	case errors.Is(err, ErrUnsupported), errors.Is(err, ewf.ErrUnsupported):
		return "convert the image to raw (dd) or E01 with the tool that made it, then ingest that"
	case errors.Is(err, ErrSource):
		return "check the path, that the source is complete and that nothing writes to it during the ingest; a source that changes cannot be hashed reliably"
	case errors.Is(err, ErrDestination):
		return "choose a new file name in a folder you can write to, on a disk with enough space"
	}
	return casefile.Hint(err)
}
