package casefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestRecordTablesMatchSchema: every table of the schema with the record
// shape is a record table, and every record table exists with that shape.
func TestRecordTablesMatchSchema(t *testing.T) {
	path := createTestCase(t)
	db := rawDB(t, path)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var shaped []string
	for _, tbl := range tables {
		cols, err := db.Query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, tbl)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cols.Next() {
			var n string
			cols.Scan(&n)
			names = append(names, n)
		}
		cols.Close()
		if strings.Join(names, ",") == "seq,row_uuid,parent_uuid,body" {
			shaped = append(shaped, tbl)
		}
	}
	want := slices.Sorted(slices.Values(recordTables))
	if strings.Join(shaped, " ") != strings.Join(want, " ") {
		t.Fatalf("tables of the record shape:\n%v\nrecordTables:\n%v", shaped, want)
	}
}

func TestRecordPrimitive(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	const flat, revs = "incident_stages", "finding_revisions"
	type body struct {
		N int    `json:"n"`
		S string `json:"s"`
	}
	rec := uuid.New()
	var ids []uuid.UUID
	entry, err := c.Change("fill", func(tx *Tx) (Event, error) {
		for i := 1; i <= 5; i++ {
			r, err := tx.Append(flat, uuid.New(), body{N: i})
			if err != nil {
				return Event{}, err
			}
			if r.Seq != int64(i) || r.Rev != 0 || r.Parent != uuid.Nil {
				return Event{}, fmt.Errorf("row %d = %+v", i, r)
			}
			ids = append(ids, r.ID)
		}
		for i := 1; i <= 3; i++ {
			r, err := tx.AppendRevision(revs, rec, body{N: i, S: "rev"})
			if err != nil {
				return Event{}, err
			}
			if r.Rev != i || r.Parent != rec {
				return Event{}, fmt.Errorf("revision %d = %+v", i, r)
			}
		}
		// The transaction reads its own rows.
		if n, err := tx.Count(flat); err != nil || n != 5 {
			return Event{}, fmt.Errorf("count in the transaction = %d, %v", n, err)
		}
		return Event{Action: "test.filled", Target: Target{Type: TargetRecord, ID: rec.String()}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if entry.Action != "test.filled" || entry.Actor != testCase.Examiner {
		t.Fatalf("entry %+v", entry)
	}
	err = c.Read("check", func(r Reader) error {
		all, err := r.Records(flat)
		if err != nil || len(all) != 5 {
			return fmt.Errorf("records: %d, %v", len(all), err)
		}
		page, err := r.Page(flat, 2, 2)
		if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
			return fmt.Errorf("page after 2: %+v, %v", page, err)
		}
		if _, err := r.Page(flat, 0, 0); !errors.Is(err, ErrInvalid) {
			return fmt.Errorf("page of 0 rows: %v", err)
		}
		row, ok, err := r.Row(flat, ids[3])
		var b body
		if err != nil || !ok || row.Seq != 4 || row.Decode(&b) != nil || b.N != 4 {
			return fmt.Errorf("row 4 = %+v %v %v", row, ok, err)
		}
		if _, ok, err := r.Row(flat, uuid.New()); ok || err != nil {
			return fmt.Errorf("row of an unknown id: %v %v", ok, err)
		}
		last, ok, err := r.Last(revs)
		if err != nil || !ok || last.Rev != 3 || last.Parent != rec {
			return fmt.Errorf("last revision %+v %v %v", last, ok, err)
		}
		hist, err := r.Revisions(revs, rec)
		if err != nil || len(hist) != 3 {
			return fmt.Errorf("revisions %d %v", len(hist), err)
		}
		if none, err := r.Revisions(revs, uuid.New()); len(none) != 0 || err != nil {
			return fmt.Errorf("revisions of an unknown record: %v %v", none, err)
		}
		if _, err := r.Records("examiners"); !errors.Is(err, ErrNotARecordTable) {
			return fmt.Errorf("records of examiners: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A failing change writes nothing: neither rows nor a custody entry.
	head, _ := c.Head()
	_, err = c.Change("fail", func(tx *Tx) (Event, error) {
		if _, err := tx.Append(flat, uuid.New(), body{N: 99}); err != nil {
			return Event{}, err
		}
		return Event{}, invalidf("refused after writing")
	})
	if !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "fail: ") {
		t.Fatalf("failed change: %v", err)
	}
	if h, _ := c.Head(); h != head {
		t.Fatalf("head moved from %d to %d", head, h)
	}
	n, err := recordCount(c, flat)
	if err != nil || n != 5 {
		t.Fatalf("%d rows after a failed change, %v", n, err)
	}

	// A decoder is strict: an unknown member is damage, named with its row.
	_, err = c.Change("odd", func(tx *Tx) (Event, error) {
		_, err := tx.Append(flat, uuid.New(), map[string]any{"n": 1, "surprise": true})
		return Event{Action: "test.odd", Target: Target{Type: TargetRecord, ID: "x"}}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Read("decode", func(r Reader) error {
		rec, _, err := r.Last(flat)
		if err != nil {
			return err
		}
		var b body
		return rec.Decode(&b)
	})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "incident_stages/") {
		t.Fatalf("decoding an unknown member: %v", err)
	}
}

func recordCount(c *Case, table string) (n int64, err error) {
	err = c.Read("count", func(r Reader) error {
		n, err = r.Count(table)
		return err
	})
	return n, err
}

// TestGrantRoleRefreshesActor: a change that grants the acting examiner a
// role lets them act in it at once.
func TestGrantRoleRefreshesActor(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	if c.Actor().HasRole(RoleLegalAdvisor) {
		t.Fatal("the creator is a legal advisor already")
	}
	_, err := c.Change("grant", func(tx *Tx) (Event, error) {
		ex, err := tx.FindExaminer(strings.ToUpper(testCase.Examiner))
		if err != nil {
			return Event{}, err
		}
		if _, err := tx.GrantRole(ex, RoleLegalAdvisor); err != nil {
			return Event{}, err
		}
		return Event{Action: "test.granted", Target: Target{Type: TargetExaminer, ID: ex.ID.String()}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Actor().HasRole(RoleLegalAdvisor) {
		t.Fatal("the actor's roles were not refreshed")
	}
	if err := c.SetRole(RoleLegalAdvisor); err != nil {
		t.Fatal(err)
	}
}

// TestEnvelopeJSON: the sealed body of a row is byte for byte what
// json.Marshal writes for its envelope (the file's format does not change
// with the shortcut that writes it without scanning the data again), and
// Encoded data is sealed as given.
func TestEnvelopeJSON(t *testing.T) {
	for _, env := range []rowEnvelope{
		{Seq: 1, Data: []byte(`{"a":1}`)},
		{Seq: 42, Parent: uuid.New().String(), Rev: 3, Data: []byte(`{"s":"\u003cb\u003e \"q\" é","n":[1,2]}`)},
		{Seq: 7, Parent: uuid.New().String(), Data: []byte(`[]`)},
	} {
		want, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		if got := env.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("appendJSON\n%s\njson.Marshal\n%s", got, want)
		}
	}
	for _, bad := range []string{``, `{"a":1}` + "\n", `"text"`, `{`, `1`} {
		if _, err := EncodeJSON([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Fatalf("EncodeJSON(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	type body struct {
		N int    `json:"n"`
		S string `json:"s"`
	}
	data, _ := json.Marshal(body{N: 5, S: "<tag> & more"})
	enc, err := EncodeJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	parent := uuid.New()
	var viaValue, viaEncoded Record
	if _, err := c.Change("fill", func(tx *Tx) (Event, error) {
		if viaValue, err = tx.AppendRevision("finding_revisions", parent, body{N: 5, S: "<tag> & more"}); err != nil {
			return Event{}, err
		}
		viaEncoded, err = tx.AppendRevision("finding_revisions", parent, enc)
		return Event{Action: "test.filled", Target: Target{Type: TargetRecord, ID: parent.String()}}, err
	}); err != nil {
		t.Fatal(err)
	}
	if string(viaEncoded.Data) != string(viaValue.Data) || viaEncoded.ContentHash() != viaValue.ContentHash() {
		t.Fatalf("encoded %s, marshalled %s", viaEncoded.Data, viaValue.Data)
	}
	var revs []Record
	if err := c.Read("check", func(r Reader) (err error) {
		revs, err = r.Revisions("finding_revisions", parent)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || string(revs[1].Data) != string(data) || revs[1].Rev != 2 {
		t.Fatalf("read back %+v", revs)
	}
}
