package incident

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/google/uuid"
)

func TestFindingEditsKeepRevisions(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	must(c.AddExaminer(casefile.NewExaminer{Name: "Mo", Roles: []casefile.Role{casefile.RoleForensicEngineer}}, []byte("mo"), ""))(t)
	must(c.MoveTo(StageAssess, "triage"))(t)
	f := must(c.AddFinding(FindingContent{Title: "Web shell in /var/www", Description: "first look", Confidence: ConfidenceLow,
		Techniques: []string{"T1505.003", "t1505.003"}}, "seen in the access log"))(t)
	if f.Revision != 1 || f.Stage != StageAssess || f.Created.Examiner != testCase.Examiner || len(f.Techniques) != 1 {
		t.Fatalf("new finding %+v", f)
	}
	if _, err := c.EditFinding(f.ID, f.FindingContent, "no change"); !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), "changes nothing") {
		t.Fatalf("empty edit: %v", err)
	}
	if _, err := c.EditFinding(uuid.New(), f.FindingContent, ""); !errors.Is(err, ErrNoSuchFinding) {
		t.Fatalf("edit of an unknown finding: %v", err)
	}
	v2 := f.FindingContent
	v2.Confidence = ConfidenceMedium
	v2.Description = "confirmed by the access log"
	must(c.EditFinding(f.ID, v2, "access log reviewed"))(t)
	c.Close()

	// Another examiner edits: the finding keeps its author and stage.
	c = openTest(t, path, "mo")
	defer c.Close()
	v3 := v2
	v3.Title = "Web shell in /var/www/upload.php"
	cur := must(c.EditFinding(f.ID, v3, "exact file"))(t)
	if cur.Revision != 3 || cur.Title != v3.Title || cur.Created.Examiner != testCase.Examiner || cur.Updated.Examiner != "Mo" || cur.Stage != StageAssess {
		t.Fatalf("after the edits %+v", cur)
	}
	if got := must(c.Finding(f.ID))(t); got.Revision != 3 || got.Description != v2.Description || got.Confidence != ConfidenceMedium {
		t.Fatalf("Finding = %+v", got)
	}
	hist := must(c.FindingHistory(f.ID))(t)
	if len(hist) != 3 || hist[0].Description != "first look" || hist[0].Confidence != ConfidenceLow || hist[1].Reason != "access log reviewed" ||
		hist[0].Reason != "seen in the access log" ||
		hist[2].Examiner != "Mo" || hist[0].Examiner != testCase.Examiner || hist[2].Revision != 3 {
		t.Fatalf("history %+v", hist)
	}
	all := must(c.Findings())(t)
	if len(all) != 1 || all[0].ID != f.ID || all[0].Revision != 3 {
		t.Fatalf("Findings = %+v", all)
	}
	entries := must(c.Entries())(t)
	last := entries[len(entries)-1]
	if last.Action != ActionFindingEdited || last.Actor != "Mo" || last.Details["changed"] != "title" || last.Details["revision"] != "3" ||
		last.Target != (casefile.Target{Type: TargetFinding, ID: f.ID.String()}) {
		t.Fatalf("edit entry %+v", last)
	}
}

func TestFindingLocationsAndLinks(t *testing.T) {
	c := openTest(t, createTestCase(t), testPass)
	defer c.Close()
	ev := storeBytes(t, c, bytes.Repeat([]byte{0xAB}, 100), "memory.lime")
	ind := must(c.AddIndicator(IndicatorHash, strings.Repeat("A", 64), "dropper", ""))(t)
	ok := func(locs ...EvidenceLocation) FindingContent {
		return FindingContent{Title: "t", Confidence: ConfidenceHigh, Locations: locs}
	}
	must(c.AddFinding(ok(EvidenceLocation{ev.ID, 0, 100}, EvidenceLocation{ev.ID, 99, 100}), ""))(t)
	for _, tc := range []struct {
		loc  EvidenceLocation
		want string
	}{
		{EvidenceLocation{ev.ID, 90, 101}, `evidence location [90, 101) lies outside "memory.lime" (` + ev.ID.String() + `), which holds 100 bytes`},
		{EvidenceLocation{ev.ID, 100, 101}, "lies outside"},
		{EvidenceLocation{ev.ID, 5, 5}, "is not a byte range"},
		{EvidenceLocation{ev.ID, -1, 5}, "is not a byte range"},
		{EvidenceLocation{ev.ID, 10, 2}, "is not a byte range"},
	} {
		_, err := c.AddFinding(ok(tc.loc), "")
		var le *LocationError
		if !errors.As(err, &le) || !errors.Is(err, casefile.ErrInvalid) || !strings.Contains(err.Error(), tc.want) || le.Size != 100 {
			t.Errorf("%v: %v, want a LocationError saying %q", tc.loc, err, tc.want)
		}
	}
	if _, err := c.AddFinding(ok(EvidenceLocation{uuid.New(), 0, 1}), ""); !errors.Is(err, casefile.ErrNoSuchEvidence) {
		t.Errorf("unknown item: %v", err)
	}
	fc := ok()
	fc.Indicators = []uuid.UUID{ind.ID, uuid.New()}
	if _, err := c.AddFinding(fc, ""); !errors.Is(err, ErrNoSuchIndicator) {
		t.Errorf("unknown indicator: %v", err)
	}
	fc.Indicators = []uuid.UUID{ind.ID, ind.ID}
	if f := must(c.AddFinding(fc, ""))(t); len(f.Indicators) != 1 {
		t.Errorf("repeated indicator kept: %v", f.Indicators)
	}
	for tech, valid := range map[string]bool{"T1059": true, "T1059.001": true, " t1566.002 ": true, "T159": false, "T1059.1": false,
		"TA0001": false, "T1059.0011": false, "1059": false, "T1059 ": true, "T1059.001;DROP": false} {
		fc := ok()
		fc.Techniques = []string{tech}
		_, err := c.AddFinding(fc, "")
		if (err == nil) != valid || (err != nil && !strings.Contains(err.Error(), "MITRE ATT&CK")) {
			t.Errorf("technique %q: %v, valid %v", tech, err, valid)
		}
	}
	if _, err := c.AddFinding(FindingContent{Title: "t", Confidence: "certain"}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Errorf("unknown confidence: %v", err)
	}
	if _, err := c.AddFinding(FindingContent{Title: "two\nlines", Confidence: ConfidenceLow}, ""); !errors.Is(err, casefile.ErrInvalid) {
		t.Errorf("title with a newline: %v", err)
	}
}

// TestHostileMarkdownStoredVerbatim: casefile stores what the author wrote,
// byte for byte; making it safe to display is the GUI's and the reports' job.
func TestHostileMarkdownStoredVerbatim(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	hostile := "# Finding\n<script>alert(document.cookie)</script>\n[click](javascript:alert(1))\n" +
		"<img src=x onerror=alert(1)>\n\u202eexe.txt\x00after-NUL\n```\n</textarea>\n```\n" + strings.Repeat("|a", 1000) + "\n"
	f := must(c.AddFinding(FindingContent{Title: `<b onmouseover="x">title</b>`, Description: hostile, Confidence: ConfidenceLow}, ""))(t)
	must(c.UpdatePostMortem(PostMortemContent{Summary: hostile, ProcedureAssessment: hostile}, ""))(t)
	c.Close()
	c = openTest(t, path, testPass)
	defer c.Close()
	got := must(c.Finding(f.ID))(t)
	if got.Description != hostile || got.Title != `<b onmouseover="x">title</b>` {
		t.Fatalf("Markdown changed on the way:\n%q\nwant\n%q", got.Description, hostile)
	}
	pm, ok, err := c.PostMortem()
	if err != nil || !ok || pm.Summary != hostile || pm.ProcedureAssessment != hostile {
		t.Fatalf("post-mortem changed: %v %v", ok, err)
	}
	for _, e := range must(c.Entries())(t) {
		for k, v := range e.Details {
			if strings.Contains(v, "<script>") || len(v) > 200 {
				t.Errorf("entry %d detail %s holds the text itself: %q", e.Seq, k, v)
			}
		}
	}
}
