package timeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

// The index's view of annotations: which events of the current timeline
// are starred, tagged or commented, for the query language (starred:true,
// tag:NAME, comment:TEXT) and for the events Search returns. Orphans
// (annotations of an earlier parse that no current event takes) belong to
// no event and are not searchable; Store.Annotations lists them.
//
// The annotations live beside the events, in tables ann and ann_tags of
// the in-memory database, keyed by item and ordinal (not rowid, which
// ReplaceItem changes), and in a map for Search. Build loads them;
// ReplaceItem reloads them (a re-parse moves ordinals); after an
// annotation change, call ReloadAnnotations.

const annSchema = `
CREATE TABLE IF NOT EXISTS ann (
	item    TEXT NOT NULL,
	ordinal INTEGER NOT NULL,
	starred INTEGER NOT NULL,
	ctext   TEXT NOT NULL, -- the comments, lower case, one per line
	PRIMARY KEY (item, ordinal)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ann_tags (
	item    TEXT NOT NULL,
	ordinal INTEGER NOT NULL,
	tag     TEXT NOT NULL COLLATE NOCASE
);
CREATE INDEX IF NOT EXISTS ann_tags_tag ON ann_tags (tag);
DELETE FROM ann;
DELETE FROM ann_tags;
`

// evKey names an event of the index by item and ordinal.
type evKey struct {
	item    uuid.UUID
	ordinal int64
}

// ReloadAnnotations reads the annotations of s again and brings the
// index's up to date: call it after a change of annotations (Store.Star,
// Tag, …). On an error the index keeps the annotations it had.
func (ix *Index) ReloadAnnotations(ctx context.Context, s *Store) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.db == nil {
		return errIndexClosed
	}
	return ix.reloadAnnotations(ctx, s)
}

func (ix *Index) reloadAnnotations(ctx context.Context, s *Store) (err error) {
	// The last annotation row, read first: the index then reflects at
	// least that row, and the cover of its snapshot (snapshot.go) says so.
	var last int64
	if err := s.c.Read("read annotations", func(r casefile.Reader) error {
		rec, ok, err := r.Last(tblAnnotations)
		if ok {
			last = rec.Seq
		}
		return err
	}); err != nil {
		return err
	}
	all, err := s.Annotations()
	if err != nil {
		return err
	}
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return searchError(err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, annSchema); err != nil {
		return searchError(err)
	}
	m := map[evKey]Annotations{}
	for _, a := range all {
		if a.Orphan || a.Empty() {
			continue
		}
		var ct strings.Builder
		for _, c := range a.Comments {
			ct.WriteString(strings.ToLower(c.Text))
			ct.WriteByte('\n')
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ann (item, ordinal, starred, ctext) VALUES (?, ?, ?, ?)`,
			a.Item.String(), a.Ordinal, a.Starred, ct.String()); err != nil {
			return searchError(err)
		}
		for _, t := range a.Tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ann_tags (item, ordinal, tag) VALUES (?, ?, ?)`, a.Item.String(), a.Ordinal, t); err != nil {
				return searchError(err)
			}
		}
		m[evKey{a.Item, a.Ordinal}] = a.Annotations
	}
	if err := tx.Commit(); err != nil {
		return searchError(err)
	}
	if last != ix.annotations {
		ix.annotations, ix.stored = last, "" // the snapshot the case holds no longer matches
	}
	ix.ann = m
	return nil
}

// attachAnnotations fills the annotations of events Search found.
func (ix *Index) attachAnnotations(evs []Event) {
	if len(ix.ann) == 0 {
		return
	}
	for i := range evs {
		if a, ok := ix.ann[evKey{evs[i].Item, evs[i].Ordinal}]; ok {
			evs[i].Annotations = a
		}
	}
}

// nAnnot is a query node on annotations: starred:true|false, tag:NAME
// (or tag:prefix*), comment:TEXT (comments holding TEXT, case-insensitive).
const nAnnot nodeKind = 100

// annotationFields are the field names the query language reserves for
// annotations.
var annotationFields = map[string]bool{"starred": true, "tag": true, "comment": true}

// annotation reads an annotation expression of a query.
func (p *parser) annotation(name, val string, prefix bool, pos int) (*node, error) {
	n := &node{kind: nAnnot, name: name, text: val, prefix: prefix, pos: pos}
	switch name {
	case "starred":
		switch strings.ToLower(val) {
		case "true":
			n.text = "true"
		case "false":
			n.text = "false"
		default:
			return nil, p.errf(pos, "field starred: %q is not true or false; write starred:true or starred:false", val)
		}
		if prefix {
			return nil, p.errf(pos, "field starred: is true or false, never a prefix")
		}
	case "tag":
		t, err := NormalizeTag(val)
		if err != nil {
			msg := err.Error()
			if ce := (*casefile.Error)(nil); errors.As(err, &ce) {
				msg = ce.Detail
			}
			return nil, p.errf(pos, "field tag: %s", msg)
		}
		n.text = t
	case "comment":
		n.text = strings.ToLower(val)
	}
	return n, nil
}

// annotSQL writes an annotation node as an SQL condition on events e.
func (n *node) annotSQL(b *strings.Builder, args *[]any) {
	const via = `e.rowid IN (SELECT ev.rowid FROM %s a JOIN items i ON i.uuid = a.item JOIN events ev ON ev.item = i.n AND ev.ordinal = a.ordinal WHERE %s)`
	switch n.name {
	case "starred":
		if n.text == "false" {
			b.WriteString("NOT ")
		}
		fmt.Fprintf(b, via, "ann", "a.starred = 1")
	case "tag":
		if n.prefix {
			fmt.Fprintf(b, via, "ann_tags", `a.tag LIKE ? ESCAPE '\'`)
			*args = append(*args, likePrefix(n.text))
		} else {
			fmt.Fprintf(b, via, "ann_tags", "a.tag = ?")
			*args = append(*args, n.text)
		}
	case "comment":
		fmt.Fprintf(b, via, "ann", `a.ctext LIKE ? ESCAPE '\'`)
		*args = append(*args, "%"+strings.TrimSuffix(likePrefix(n.text), "%")+"%")
	}
}
