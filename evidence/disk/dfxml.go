package disk

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/evidence/fs"
	"github.com/custodia-dfir/custodia/evidence/volume"
)

// DFXMLOptions chooses what WriteDFXML adds.
type DFXMLOptions struct {
	Hash    bool   // MD5, SHA-1 and SHA-256 of every file's data (reads every byte)
	Version string // the Custodia version, for <creator>
}

// WriteDFXML writes a DFXML 1.x document (https://github.com/dfxml-working-group)
// describing every file of volume v: one <fileobject> per entry, deleted
// ones included (alloc 0), with its times, inode, size, byte runs (image
// offsets: img_offset is in the item, fs_offset in the volume) and, with
// opts.Hash, its hashes. Names and paths are escaped XML; characters XML
// cannot hold become U+FFFD.
func (im *Image) WriteDFXML(ctx context.Context, w io.Writer, f fs.FS, v volume.Volume, opts DFXMLOptions, onProblem func(string)) (int, error) {
	bw := bufio.NewWriter(w)
	esc := func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	fmt.Fprintf(bw, "<?xml version='1.0' encoding='UTF-8'?>\n<dfxml xmlns='http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML' xmlns:dc='http://purl.org/dc/elements/1.1/' version='1.2.0'>\n")
	fmt.Fprintf(bw, "  <creator version='1.0'>\n    <program>Custodia</program>\n    <version>%s</version>\n  </creator>\n", esc(opts.Version))
	fmt.Fprintf(bw, "  <source>\n    <image_filename>%s</image_filename>\n    <image_size>%d</image_size>\n    <hashdigest type='sha256'>%s</hashdigest>\n    <evidence_id>%s</evidence_id>\n  </source>\n",
		esc(im.Item.Meta.Name), im.Item.Meta.Size, im.Item.Meta.Hashes.SHA256, im.Item.ID)
	fmt.Fprintf(bw, "  <volume offset='%d'>\n    <partition_offset>%d</partition_offset>\n    <ftype_str>%s</ftype_str>\n", v.Start, v.Start, esc(f.Type()))
	n := 0
	ts := func(tag string, t *time.Time) {
		if t != nil {
			fmt.Fprintf(bw, "      <%s>%s</%s>\n", tag, t.UTC().Format(time.RFC3339Nano), tag)
		}
	}
	err := fs.Walk(f, f.Root(), true, true, func(e *fs.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		streams := []string{""}
		for _, s := range e.Streams {
			if s.Name != "" {
				streams = append(streams, s.Name)
			}
		}
		for _, stream := range streams {
			name, size := e.Path, e.Size
			if stream != "" {
				name += ":" + stream
				for _, s := range e.Streams {
					if s.Name == stream {
						size = s.Size
					}
				}
			}
			fmt.Fprintf(bw, "    <fileobject>\n      <filename>%s</filename>\n      <partition>%d</partition>\n", esc(strings.TrimPrefix(name, "/")), v.Index)
			typ := map[string]string{fs.TypeFile: "r", fs.TypeDir: "d", fs.TypeLink: "l"}[e.Type]
			if typ == "" {
				typ = "-"
			}
			alloc := 1
			if e.Deleted {
				alloc = 0
			}
			fmt.Fprintf(bw, "      <name_type>%s</name_type>\n      <filesize>%d</filesize>\n      <alloc>%d</alloc>\n      <inode>%d</inode>\n", typ, size, alloc, e.Inode)
			if e.Mode != 0 {
				fmt.Fprintf(bw, "      <mode>%d</mode>\n      <uid>%d</uid>\n      <gid>%d</gid>\n", e.Mode, e.UID, e.GID)
			}
			ts("mtime", e.M)
			ts("ctime", e.C)
			ts("atime", e.A)
			ts("crtime", e.B)
			if e.Type == fs.TypeFile || stream != "" {
				file, err := f.Open(e, stream)
				if err == nil {
					if runs := fs.Clip(file.Runs(), file.Size()); len(runs) > 0 {
						fmt.Fprintf(bw, "      <byte_runs>\n")
						for i, r := range runs {
							if i >= evidence.MaxProvenanceRuns {
								fmt.Fprintf(bw, "        <!-- %d more runs -->\n", len(runs)-i)
								break
							}
							if r.Sparse {
								fmt.Fprintf(bw, "        <byte_run file_offset='%d' fill='0' len='%d'/>\n", r.Offset, r.Length)
								continue
							}
							fmt.Fprintf(bw, "        <byte_run file_offset='%d' fs_offset='%d' img_offset='%d' len='%d'/>\n", r.Offset, r.Disk, v.Start+r.Disk, r.Length)
						}
						fmt.Fprintf(bw, "      </byte_runs>\n")
					}
					if opts.Hash {
						h := evidence.NewHasher()
						if _, err := copyCtx(ctx, h, io.NewSectionReader(file, 0, file.Size())); err != nil {
							if ctx.Err() != nil {
								return ctx.Err()
							}
							if onProblem != nil {
								onProblem(fmt.Sprintf("%s: not hashed: %v", name, err))
							}
						} else {
							s := h.Sum()
							fmt.Fprintf(bw, "      <hashdigest type='md5'>%s</hashdigest>\n      <hashdigest type='sha1'>%s</hashdigest>\n      <hashdigest type='sha256'>%s</hashdigest>\n", s.MD5, s.SHA1, s.SHA256)
						}
					}
				}
			}
			fmt.Fprintf(bw, "    </fileobject>\n")
			n++
		}
		return nil
	}, onProblem)
	fmt.Fprintf(bw, "  </volume>\n</dfxml>\n")
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}
