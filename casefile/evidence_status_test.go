package casefile

import (
	"errors"
	"strings"
	"testing"
)

func TestWithdrawAndReinstateEvidence(t *testing.T) {
	path := createTestCase(t)
	c := openTest(t, path, testPass)
	defer c.Close()
	a := storeBytes(t, c, []byte(strings.Repeat("wrong disk ", 500)), "wrong.dd")
	b := storeBytes(t, c, []byte("the right one"), "right.dd")

	if _, err := c.WithdrawEvidence(a.ID, " "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("withdraw without a reason: %v", err)
	}
	if _, err := c.ReinstateEvidence(a.ID, "never withdrawn"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "wrong.dd is not withdrawn") {
		t.Fatalf("reinstate an item in force: %v", err)
	}
	ev, err := c.WithdrawEvidence(a.ID, "imaged the wrong disk (serial 1234)")
	if err != nil {
		t.Fatal(err)
	}
	if ev.InForce() || ev.Withdrawal.Reason != "imaged the wrong disk (serial 1234)" || ev.Withdrawal.Examiner != testCase.Examiner ||
		!ev.Withdrawal.At.Equal(TestTime) {
		t.Fatalf("withdrawn item %+v", ev.Withdrawal)
	}
	if _, err := c.WithdrawEvidence(a.ID, "again"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "withdrawn already") {
		t.Fatalf("withdraw twice: %v", err)
	}
	// Listed, with its badge; the other item is unaffected; its bytes still read.
	all, err := c.ListEvidence()
	if err != nil || len(all) != 2 || all[0].Withdrawal == nil || all[1].Withdrawal != nil {
		t.Fatalf("list %+v, %v", all, err)
	}
	if got := readAll(t, c, a.ID); string(got) != strings.Repeat("wrong disk ", 500) {
		t.Fatal("a withdrawn item no longer reads back")
	}
	if one, err := c.Evidence(a.ID); err != nil || one.Withdrawal == nil {
		t.Fatalf("Evidence(a) = %+v, %v", one.Withdrawal, err)
	}
	if _, err := c.WithdrawEvidence(b.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	if ev, err = c.ReinstateEvidence(a.ID, "the serial was misread; it is the right disk"); err != nil || !ev.InForce() {
		t.Fatalf("reinstate: %+v %v", ev, err)
	}
	c.Close()

	c = openTest(t, path, testPass)
	all, err = c.ListEvidence()
	if err != nil || all[0].Withdrawal != nil || all[1].Withdrawal == nil || all[1].Withdrawal.Reason != "duplicate" {
		t.Fatalf("after reopen: %+v %+v, %v", all[0].Withdrawal, all[1].Withdrawal, err)
	}
	es, _ := c.Entries()
	var got []string
	for _, e := range es {
		if e.Action == ActionEvidenceWithdrawn || e.Action == ActionEvidenceReinstated {
			got = append(got, string(e.Action)+" "+e.Details["name"]+": "+e.Reason)
		}
	}
	want := "evidence.withdrawn wrong.dd: imaged the wrong disk (serial 1234)|evidence.withdrawn right.dd: duplicate|" +
		"evidence.reinstated wrong.dd: the serial was misread; it is the right disk"
	if strings.Join(got, "|") != want {
		t.Fatalf("ledger\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("ledger: %v %v", err, r.Problems)
	}
}
