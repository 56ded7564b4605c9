package casefile_test

// The generator of the committed format-version-5 fixture cases
// (testdata/cases/v5*, whose README says how and when they were made). It
// was run once:
//
//	go test ./casefile -run TestWriteFixture -count=1 -v -args -out ../testdata/cases
//
// Without -out it is skipped. It never overwrites a file: the fixtures are
// what version-5 cases look like, compat_test.go pins their SHA-256, and a
// case written again is a different file (new UUID, keys, nonces and
// signatures). TestCommittedFixtures (compat_test.go) checks what it wrote:
//
//	go test ./casefile -run TestCommittedFixtures -count=1 -args -fixture-dir DIR
//
// It is the version-4 generator (testdata/cases/v4-generator.go.txt, itself
// a port of testdata/cases/v3-generator.go.txt) on the API of format
// version 5, writing the same case plus what version 5 added: the timeline
// (package casefile/timeline). Log items are parsed with evidence.ParseItem,
// each with a reason: the auth.log item and the folder's auth.log.1 of the
// main case, auth.log.1 parsed again with another time zone so that a
// replaced parse exists, and the log item of the dismissed case.
// The expected values are read back by compat_test.go's readEverything, so
// the writer and the checker share one encoding. When format version 6
// comes, this file moves to testdata/cases/v5-generator.go.txt, kept as text
// as the older generators were.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/casefile/timeline"
	"github.com/custodia-dfir/custodia/evidence"
	"github.com/custodia-dfir/custodia/reports"
	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
)

var fixtureOut = flag.String("out", "",
	"TestWriteFixture: write the fixture cases of this format version into this folder (never over an existing file)")

// fixtureCommit is the commit whose tree, with the uncommitted changes of
// issue 11, wrote the fixtures (README.md of testdata/cases says which).
const fixtureCommit = "1bed095c62cb7b5bbc27a528fbf4cce0a2292ef2"

// fixtureCommand is how the fixtures were made.
const fixtureCommand = "go test ./casefile -run TestWriteFixture -count=1 -v -args -out ../testdata/cases"

// fixtureTool is the tool recorded in the items and exports the generator makes.
const fixtureTool = "custodia fixture generator (format version 5, commit 1bed095 with the uncommitted changes of issue 11)"

// The secrets of the fixtures. Priya's current passphrase holds a
// non-ASCII letter (U+00E5) so that the NFC rule for passphrases is pinned:
// its NFD spelling must open the case too.
const (
	passDana      = "dana: amber lantern over the quiet harbour"
	passPriyaOld  = "priya: first passphrase, changed on day one"
	passPriyaNew  = "priya: kobberkjele på nordtrappa 7"
	passSam       = "sam: temporary contractor passphrase"
	passLee       = "lee: false positive, closed from assess"
	nameDana      = "Dana Quartermain"
	namePriya     = "Priya Natarajan"
	nameSam       = "Sam Contractor"
	nameLee       = "Lee Okafor"
	recoveryLabel = "offline safe"
)

// fixtureClock is the generator's clock: every reading advances it by one
// minute from casefile.TestTime, so every recorded time is distinct,
// ordered and the same on every run.
type fixtureClock struct{ now time.Time }

// read is the clock function: it advances the clock and returns it.
func (k *fixtureClock) read() time.Time { k.now = k.now.Add(time.Minute); return k.now }

// options returns test options (TestKDF) on the ticking clock, acting in role.
func (k *fixtureClock) options(examiner string, role casefile.Role) casefile.Options {
	o := casefile.TestOptions()
	o.Clock = k.read
	o.Examiner, o.Role = examiner, role
	return o
}

// gen carries the state of one fixture being written.
type gen struct {
	t     *testing.T
	path  string // the case file
	src   string // the folder of evidence sources and extraction targets
	clock *fixtureClock
}

// open opens the fixture as the examiner whose secret pass is, acting in
// role, and returns the case and its incident store.
func (g *gen) open(pass, examiner string, role casefile.Role) (*casefile.Case, *incident.Store) {
	g.t.Helper()
	c, err := casefile.Open(g.path, []byte(pass), g.clock.options(examiner, role))
	if err != nil {
		g.t.Fatalf("open as %s (%s): %v", examiner, role, err)
	}
	return c, incident.Of(c)
}

// closeCase closes c, failing the test if the close fails.
func closeCase(t *testing.T, c *casefile.Case) {
	t.Helper()
	must(t, c.Close())
}

// at is a fixed instant on the fixture's day (casefile.TestTime's), UTC.
func at(hhmm string) time.Time {
	t, err := time.Parse(time.DateOnly+" 15:04", casefile.TestTime.Format(time.DateOnly)+" "+hhmm)
	if err != nil {
		panic(err)
	}
	return t
}

// day is 00:00 UTC of a calendar day "2006-01-02", as repair due days are held.
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// ---- evidence sources -------------------------------------------------

// randomBytes returns n bytes from a PCG stream with a fixed seed: the same
// on every run, and incompressible.
func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x637573746f646961))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// textBytes returns n bytes of log-like text, compressible.
func textBytes(n int, host string) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "Nov 26 %02d:%02d:%02d %s kernel: [%6d.%03d] fixture line %d of the v5 case\n",
			8+i/3600%2, i/60%60, i%60, host, 1000+i, i%1000, i)
	}
	return b[:n]
}

// readTestdata reads a sample of the repository's testdata/evidence.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	return read(t, filepath.Join("..", "testdata", "evidence", name))
}

// writeSource writes an evidence source file, making its folder.
func writeSource(t *testing.T, path string, b []byte) string {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, b, 0o644))
	return path
}

// diskImage is a small raw disk: the repository's MBR sample, zeros, then
// random and text sectors, so that with 4 KiB chunks some chunks are stored
// compressed and some raw.
func diskImage(t *testing.T, size int, seed uint64, host string) []byte {
	b := make([]byte, 4096)
	copy(b, readTestdata(t, "mbr.img"))
	b = append(b, randomBytes(4096, seed)...)
	b = append(b, textBytes(4096, host)...)
	for len(b) < size {
		b = append(b, randomBytes(1024, seed+uint64(len(b)))...)
		b = append(b, textBytes(1024, host)...)
	}
	return b[:size]
}

// ewfacquire images src as an E01 the way evidence/ewf's tests do,
// unattended, and returns the first segment.
func ewfacquire(t *testing.T, src, target string) string {
	t.Helper()
	if _, err := exec.LookPath("ewfacquire"); err != nil {
		t.Fatal("ewfacquire is not on PATH: install the Debian package ewf-tools; the fixture needs a real E01")
	}
	args := []string{"-u", "-q", "-t", target, "-c", "deflate:fast", "-b", "16", "-d", "sha1",
		"-C", "IR-2026-0042", "-E", "EV-5", "-D", "laptop disk, fixture image", "-e", nameDana, "-N", "imaged for the format-version-5 fixture",
		src}
	out, err := exec.Command("ewfacquire", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ewfacquire %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return target + ".E01"
}

// ---- the main fixture -------------------------------------------------

// items names the main fixture's evidence items.
type items struct {
	disk, log, memory, other, e01, split, folderAuth, folderEmpty, folderSyslog casefile.Evidence
	wrongHost, forwarded                                                        casefile.Evidence // new in version 4
}

// ingest ingests path with the fixture's tool name, one seal worker and
// 4 KiB chunks (unless opts says otherwise) and checks the item count.
func (g *gen) ingest(c *casefile.Case, path string, opts evidence.Options, want int) evidence.Report {
	g.t.Helper()
	opts.Tool = fixtureTool
	opts.Workers = 1
	if opts.ChunkSize == 0 {
		opts.ChunkSize = 4096
	}
	r := get(evidence.IngestWithReport(context.Background(), c, path, opts))(g.t)
	if len(r.Items) != want {
		g.t.Fatalf("ingest %s: %d items, want %d", path, len(r.Items), want)
	}
	return r
}

// parse parses log item ev into the timeline with evidence.ParseItem (opts
// must carry a reason), checks that it was recorded as its current parse,
// replacing the one before if any, with events, and returns it.
func (g *gen) parse(c *casefile.Case, ev casefile.Evidence, opts evidence.ParseOptions) timeline.Parse {
	g.t.Helper()
	tl := timeline.Of(c)
	before := get(tl.History(ev.ID))(g.t)
	p := get(evidence.ParseItem(context.Background(), c, ev.ID, opts))(g.t)
	if p.Events == 0 || p.Reason != opts.Reason || p.Parser == "none" {
		g.t.Fatalf("parse of %s: %+v, want events and the reason %q", ev.Meta.Name, p, opts.Reason)
	}
	wantReplaces := uuid.Nil
	if len(before) > 0 {
		wantReplaces = before[len(before)-1].ID
	}
	cur, ok := get3(tl.Current(ev.ID))(g.t)
	if !ok || cur.ID != p.ID || p.Replaces != wantReplaces || len(get(tl.History(ev.ID))(g.t)) != len(before)+1 {
		g.t.Fatalf("parse of %s: current %+v (%v), want %s replacing %s", ev.Meta.Name, cur, ok, p.ID, wantReplaces)
	}
	return p
}

// get3 is get for a call with two results and an error.
func get3[T, U any](v T, u U, err error) func(testing.TB) (T, U) {
	return func(t testing.TB) (T, U) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, u
	}
}

// keepDuplicate is a DuplicateFunc that keeps the copy with reason.
func keepDuplicate(reason string) evidence.DuplicateFunc {
	return func(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) { return true, reason }
}

// dropDuplicate is a DuplicateFunc that rolls the copy back with reason.
func dropDuplicate(reason string) evidence.DuplicateFunc {
	return func(context.Context, casefile.EvidenceMeta, []casefile.Evidence) (bool, string) { return false, reason }
}

// writeMain writes the main fixture: two examiners, a recovery key, a
// removed key slot, a passphrase change, one item of each kind and format,
// withdrawn, reinstated and duplicate items, and the whole incident through
// every kind of stage move.
func writeMain(t *testing.T, g *gen) (recoveryKey string) {
	// Day one, Dana: the case, its people and the evidence.
	dana, err := casefile.Create(g.path, []byte(passDana), casefile.NewCase{
		Title:      "Customer rows copied out through the VPN concentrator",
		CaseNumber: "IR-2026-0042",
		Examiner:   nameDana,
		Description: "Format-version-5 fixture case: every record type of that version, written by its own code. " +
			"Ünïcödé and an emoji 🔐 stay as written.",
		ExaminerRoles:   []casefile.Role{casefile.RoleForensicEngineer},
		ExaminerContact: "dana.quartermain@example.org, +47 400 00 001",
		Reason:          "SOC escalation, ticket 4711",
	}, g.clock.options("", ""))
	must(t, err)
	inc := incident.Of(dana)
	get(dana.AddExaminer(casefile.NewExaminer{Name: namePriya, Roles: []casefile.Role{casefile.RoleOnCallResponder},
		Contact: "priya.natarajan@example.org"}, []byte(passPriyaOld), "on call this week"))(t)
	_, recoveryKey, err = dana.AddRecoveryKey(recoveryLabel, "recovery key printed and locked in the safe")
	must(t, err)
	get(dana.AddKeySlot(nameSam, []byte(passSam), "contractor helps with imaging for two days"))(t)
	must(t, inc.SetDetection(incident.Detection{Source: incident.DetectionMonitorSignature, Detail: "IDS signature 2024217 on vpn-gw-03"},
		"first alert"))
	must(t, inc.SetExercise(incident.ExerciseTabletop, "the SOC took the alert for this quarter's tabletop drill"))

	var it items
	src := g.src
	disk := writeSource(t, filepath.Join(src, "vpn-gw-03.img"), diskImage(t, 14000, 1, "vpn-gw-03"))
	it.disk = g.ingest(dana, disk, evidence.Options{Description: "raw image of vpn-gw-03's boot disk (excerpt)", TimeZone: "UTC",
		Reason: "imaged by the SOC"}, 1).Items[0]
	authLog := append(readTestdata(t, "auth.log"), textBytes(6000, "web01")...)
	it.log = g.ingest(dana, writeSource(t, filepath.Join(src, "auth.log"), authLog),
		evidence.Options{TimeZone: "Europe/Berlin", Reason: "copied from web01"}, 1).Items[0]
	lime := append(readTestdata(t, "lime.head")[:32], append(randomBytes(2048, 3), textBytes(2048, "web01")...)...)
	it.memory = g.ingest(dana, writeSource(t, filepath.Join(src, "web01.lime"), lime),
		evidence.Options{Description: "LiME capture of web01 (4 KiB range)", Reason: "memory of web01 before reboot"}, 1).Items[0]
	eml := []byte("From: SOC <soc@example.org>\r\nTo: ir@example.org\r\nSubject: Ticket 4711: egress anomaly on vpn-gw-03\r\n" +
		"Date: Thu, 26 Nov 2026 09:50:00 +0000\r\n\r\n" + strings.Repeat("Egress volume to 203.0.113.9 is 40x the baseline.\r\n", 12))
	it.other = g.ingest(dana, writeSource(t, filepath.Join(src, "soc-ticket-4711.eml"), eml),
		evidence.Options{Kind: casefile.KindOther, Description: "the SOC's escalation e-mail", Reason: "the escalation as received"}, 1).Items[0]
	laptopRaw := writeSource(t, filepath.Join(src, "e01-work", "laptop.raw"), diskImage(t, 24576, 5, "laptop-17"))
	e01 := ewfacquire(t, laptopRaw, filepath.Join(src, "laptop"))
	must(t, os.Remove(laptopRaw))
	it.e01 = g.ingest(dana, e01, evidence.Options{Description: "laptop of the VPN admin, imaged with ewfacquire", TimeZone: "Europe/Oslo",
		Reason: "acquired by the on-site team"}, 1).Items[0]
	if n := len(it.e01.Meta.Container); n != 1 {
		t.Fatalf("the E01 item records %d segment files, want 1", n)
	}
	usb := diskImage(t, 10240, 7, "usb-stick")
	writeSource(t, filepath.Join(src, "usb.001"), usb[:4096])
	writeSource(t, filepath.Join(src, "usb.002"), usb[4096:8192])
	writeSource(t, filepath.Join(src, "usb.003"), usb[8192:])
	it.split = g.ingest(dana, filepath.Join(src, "usb.001"), evidence.Options{Description: "USB stick found in the server room, split raw",
		Reason: "handed over by facilities"}, 1).Items[0]
	if n := len(it.split.Meta.Container); n != 3 || it.split.Meta.Container[2].Hashes.SHA256 == "" {
		t.Fatalf("the split image records %d segment files (%+v), want 3 with their hashes", n, it.split.Meta.Container)
	}

	// The folder ingest reads the three logs and skips, on the record, a
	// symbolic link (not followed) and a socket.
	folder := filepath.Join(src, "var-log")
	writeSource(t, filepath.Join(folder, "auth.log.1"), textBytes(1500, "web01"))
	writeSource(t, filepath.Join(folder, "empty.log"), nil)
	writeSource(t, filepath.Join(folder, "syslog"), textBytes(5000, "web01"))
	must(t, os.Symlink("syslog", filepath.Join(folder, "current")))
	sock, err := net.Listen("unix", filepath.Join(folder, "collector.sock"))
	must(t, err)
	fr := g.ingest(dana, folder, evidence.Options{TimeZone: "UTC", Reason: "web01:/var/log as collected"}, 3)
	must(t, sock.Close())
	it.folderAuth, it.folderEmpty, it.folderSyslog = fr.Items[0], fr.Items[1], fr.Items[2]
	wantSkipped := []evidence.Skipped{
		{Path: filepath.Join(folder, "collector.sock"), Reason: "socket: no content to read"},
		{Path: filepath.Join(folder, "current"), Reason: "symbolic link to a file, not followed", Target: "syslog"},
	}
	if !slices.Equal(fr.Skipped, wantSkipped) {
		t.Fatalf("folder ingest skipped %+v, want %+v", fr.Skipped, wantSkipped)
	}

	// Version 4: a log of the wrong host, withdrawn below; the escalation
	// e-mail again, as forwarded, kept as a duplicate with a reason; and a
	// third copy that the examiner does not keep (rolled back, recorded).
	it.wrongHost = g.ingest(dana, writeSource(t, filepath.Join(src, "printer01", "cups-error.log"), textBytes(2500, "printer01")),
		evidence.Options{TimeZone: "UTC", Description: "CUPS error log of printer01", Reason: "collected with the web01 logs"}, 1).Items[0]
	fwd := g.ingest(dana, writeSource(t, filepath.Join(src, "forwarded", "soc-ticket-4711.eml"), eml),
		evidence.Options{Kind: casefile.KindOther, Description: "the escalation e-mail as the CISO forwarded it", Reason: "forwarded by the CISO",
			Duplicate: keepDuplicate("the CISO's forward is kept to show the forward did not alter the e-mail")}, 1)
	it.forwarded = fwd.Items[0]
	if d := it.forwarded.Meta.Duplicate; d == nil || !slices.Equal(d.Of, []uuid.UUID{it.other.ID}) || len(fwd.Duplicates) != 1 || !fwd.Duplicates[0].Kept {
		t.Fatalf("the forwarded e-mail is not recorded as a kept duplicate of %s: %+v, %+v", it.other.ID, d, fwd.Duplicates)
	}
	drop := g.ingest(dana, writeSource(t, filepath.Join(src, "shared-inbox", "soc-ticket-4711.eml"), eml),
		evidence.Options{Kind: casefile.KindOther, Reason: "exported from the shared inbox",
			Duplicate: dropDuplicate("a third copy of the same e-mail adds nothing")}, 0)
	if len(drop.Duplicates) != 1 || drop.Duplicates[0].Kept {
		t.Fatalf("the third copy: %+v, want one duplicate rolled back", drop.Duplicates)
	}

	// An ingest cancelled before it started is rolled back and recorded.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := evidence.Ingest(ctx, dana, disk, evidence.Options{ChunkSize: 4096, Workers: 1, Reason: "second copy"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ingest: %v, want context.Canceled", err)
	}

	// Every item verified once: the disk with all hashes, the others in one
	// run (as "verify all" does), then the split image with its source.
	v := get(evidence.Verify(context.Background(), dana, it.disk.ID, evidence.VerifyOptions{AllHashes: true}, nil))(t)
	if !v.OK {
		t.Fatalf("verify %s: %+v", it.disk.Meta.Name, v)
	}
	rest := []uuid.UUID{it.log.ID, it.memory.ID, it.other.ID, it.e01.ID, it.folderAuth.ID, it.folderEmpty.ID, it.folderSyslog.ID,
		it.wrongHost.ID, it.forwarded.ID}
	verified := 0
	for res, err := range evidence.VerifyItems(context.Background(), dana, rest, evidence.VerifyOptions{}, "", nil) {
		must(t, err)
		if !res.OK() {
			t.Fatalf("verify %s: %+v", res.Item.Meta.Name, res.Verification)
		}
		verified++
	}
	for res, err := range evidence.VerifyItems(context.Background(), dana, []uuid.UUID{it.split.ID}, evidence.VerifyOptions{},
		filepath.Join(src, "usb.001"), nil) {
		must(t, err)
		if !res.OK() || res.Source == nil {
			t.Fatalf("verify %s with its source: %+v %+v", res.Item.Meta.Name, res.Verification, res.Source)
		}
		verified++
	}
	if verified != len(rest)+1 {
		t.Fatalf("verified %d items, want %d", verified, len(rest)+1)
	}
	w := get(dana.WithdrawEvidence(it.wrongHost.ID, "collected from printer01 by mistake: outside the warrant, which names web01, vpn-gw-03 and the admin's laptop"))(t)
	if w.Withdrawal == nil || w.InForce() {
		t.Fatalf("withdrawn item %+v", w)
	}
	// Version 5: the timeline of two logs, each parse with its reason.
	g.parse(dana, it.log, evidence.ParseOptions{Reason: "timeline of web01's auth.log for the triage"})
	g.parse(dana, it.folderAuth, evidence.ParseOptions{Reason: "timeline of web01's rotated auth.log"})
	get(inc.MoveTo(incident.StageAssess, "triage by the forensic engineer on duty"))(t)
	closeCase(t, dana)

	// Sam, whose slot is removed later, looks at the partition table.
	sam, _ := g.open(passSam, nameSam, "")
	var mbr bytes.Buffer
	if n := get(evidence.Cat(context.Background(), sam, it.disk.ID, 0, 512, &mbr, "check the partition table before imaging the rest"))(t); n != 512 {
		t.Fatalf("cat: %d bytes", n)
	}
	closeCase(t, sam)

	// Dana assesses.
	dana, inc = g.open(passDana, nameDana, "")
	slots := get(dana.KeySlots())(t)
	samSlot := slots[slices.IndexFunc(slots, func(s casefile.KeySlot) bool { return s.Label == nameSam })].ID
	must(t, dana.RemoveKeySlot(samSlot, "contract ended"))
	// Version 5: the rotated auth.log parsed again in another time zone;
	// the first parse stays, replaced.
	first := get(timeline.Of(dana).Event(timeline.EventID(it.folderAuth.ID, 1)))(t)
	g.parse(dana, it.folderAuth, evidence.ParseOptions{TimeZone: "Europe/Berlin",
		Reason: "web01 writes its logs in Europe/Berlin, as its auth.log item notes; the folder ingest recorded UTC"})
	if e := get(timeline.Of(dana).Event(first.ID))(t); !e.Time.Equal(first.Time.Add(-time.Hour)) || e.TimeZone != "Europe/Berlin" {
		t.Fatalf("re-parsed in Europe/Berlin, the first event reads %s %s, want an hour before %s", e.Time, e.TimeZone, first.Time)
	}
	must(t, os.MkdirAll(filepath.Join(src, "extract"), 0o700))
	get(evidence.Extract(context.Background(), dana, it.memory.ID, filepath.Join(src, "extract", "web01.lime"),
		"for the memory analysis workstation", nil))(t)
	get(dana.WithdrawEvidence(it.forwarded.ID, "a duplicate of the SOC's e-mail: one copy is enough for the reports"))(t)
	must(t, inc.SetDetection(incident.Detection{Source: incident.DetectionMonitorAnomaly, DetectedAt: at("08:00"),
		Detail: "egress anomaly alert 4711 on vpn-gw-03"}, "the anomaly alert came first; the signature only followed"))
	must(t, inc.SetExercise(incident.ExerciseNone, "not a drill: the drill is scheduled for December"))
	must(t, inc.RecordAwareness(at("09:50"), "SOC escalation call"))
	must(t, inc.SetSummary("Rows of the customer database may have left through vpn-gw-03 to 203.0.113.9.", "first assessment"))
	must(t, inc.Classify(incident.ClassificationNotSecurityIncident, "looks like the nightly backup job sending to a new target"))
	must(t, inc.Classify(incident.ClassificationUndetermined, "the backup team has no job writing to 203.0.113.9"))
	get(inc.SetSeverity(0, incident.SeverityCriteria{Privacy: incident.PrivacyPossible, Impact: "possible copy of customer rows",
		Scope: "one VPN concentrator", AffectedTenants: incident.TenantsUnknown, Regions: []string{"eu-north"}, Services: []string{"vpn"},
		Details: "transfer seen, content unknown"}, "customer data may be at risk"))(t)
	get(inc.SetSeverity(incident.SeverityMedium, incident.SeverityCriteria{Privacy: incident.PrivacyPossible, Impact: "possible copy of customer rows",
		Scope: "one VPN concentrator", AffectedTenants: 1, Regions: []string{"eu-north"}, Services: []string{"vpn", "backup"}},
		"only one tenant's subnet is routed there; lowered until the content is known"))(t)
	get(inc.SetPriority(0, incident.PriorityFactors{Functional: incident.FunctionalLow, Informational: incident.InformationalNone,
		Recoverability: incident.RecoveryRegular}, "service runs; nothing known to be lost"))(t)
	must(t, inc.AddRelatedIncident(incident.RelatedIncident{CaseNumber: "IR-2026-0017", Note: "same concentrator, October"}, "same device"))
	must(t, inc.AddRelatedIncident(incident.RelatedIncident{CaseNumber: "IR-2025-0311", Note: "suspected same actor"}, "same destination range"))
	must(t, inc.RemoveRelatedIncident("ir-2025-0311", "the actor attribution was withdrawn"))
	must(t, inc.SetNextSteps([]string{"Identify the data sent to 203.0.113.9", "Image the VPN admin's laptop", "Brief customer support"}, "triage plan"))
	get(inc.DecideNotification(incident.NotificationNotRequired, "no customer data known to be involved (first assessment)"))(t)
	get(inc.AssignRole(casefile.RoleSecurityIncidentManager, "priya natarajan", "on call takes the incident"))(t)
	get(inc.AssignRole(casefile.RoleForensicEngineer, nameDana, "I keep the forensics"))(t)
	must(t, inc.Classify(incident.ClassificationSecurityIncident, "rows of customer table 'accounts' in the transfer (Table 1: exfiltration of customer data)"))
	must(t, inc.CheckMove(incident.StageDiagnose))
	closeCase(t, dana)

	// Priya, Security Incident Manager by that assignment, diagnoses and stabilises.
	priya, inc := g.open(passPriyaOld, namePriya, casefile.RoleSecurityIncidentManager)
	must(t, priya.ChangePassphrase([]byte(passPriyaNew), "initial passphrase was read out on a call"))
	get(inc.MoveTo(incident.StageDiagnose, "assessment complete: security incident"))(t)
	must(t, inc.RecordAwareness(at("09:20"), "the SOC shift lead knew at 09:20 (ticket history)"))
	get(inc.SetSeverity(0, incident.SeverityCriteria{Privacy: incident.PrivacyConfirmed, Impact: "customer rows copied",
		Scope: "three tenants in eu-north", AffectedTenants: 3, Regions: []string{"eu-north"}, Services: []string{"vpn", "accounts-db"},
		Details: "12 400 rows of 'accounts'", Regulations: []string{"GDPR", "PCI DSS"}}, "confirmed copy of customer data"))(t)
	get(inc.SetPriority(incident.PriorityHigh, incident.PriorityFactors{Functional: incident.FunctionalLow,
		Informational: incident.InformationalProprietary, Recoverability: incident.RecoverySupplemented}, "proprietary data left; customer data not yet sure"))(t)
	get(inc.SetPriority(0, incident.PriorityFactors{Functional: incident.FunctionalMedium, Informational: incident.InformationalPrivacy,
		Recoverability: incident.RecoveryExtended}, "customer data confirmed"))(t)
	must(t, inc.SetSummary("12 400 customer rows of three tenants were copied to 203.0.113.9 through vpn-gw-03 with a stolen admin credential.",
		"diagnosis"))
	ind := map[incident.IndicatorType]incident.Indicator{}
	for _, x := range []struct {
		typ                 incident.IndicatorType
		value, note, reason string
	}{
		{incident.IndicatorIP, "203.0.113.9", "exfiltration destination", "in the egress alert"},
		{incident.IndicatorDomain, "Exfil.Example.NET.", "resolves to the destination", "passive DNS of 203.0.113.9"},
		{incident.IndicatorURL, "https://exfil.example.net/upload?id=42", "upload endpoint in the proxy log", "from the proxy log"},
		{incident.IndicatorEmail, "Mallory <mallory@example.net>", "phishing sender", "sender of the phishing mail to the VPN admin"},
		{incident.IndicatorHash, strings.ToUpper(it.memory.Meta.Hashes.SHA256), "the memory capture (as a hash indicator)", "to find copies of the capture"},
		{incident.IndicatorFilePath, "/tmp/.x/rsync", "dropped copy of rsync", "found on web01"},
		{incident.IndicatorOther, "User-Agent: curl/8.5.0", "client of the upload", "from the proxy log"},
	} {
		ind[x.typ] = get(inc.AddIndicator(x.typ, x.value, x.note, x.reason))(t)
	}
	get(inc.AddIndicator(incident.IndicatorIP, "198.51.100.0/24", "the actor's range", "threat intel"))(t)
	f1 := get(inc.AddFinding(incident.FindingContent{Title: "Bulk transfer to 203.0.113.9",
		Description: "Rows **copied** at 02:14 over an rsync session.\n\n- 12 400 rows\n- table `accounts`",
		Confidence:  incident.ConfidenceLow,
		Locations:   []incident.EvidenceLocation{{Evidence: it.log.ID, Start: 0, End: 92}, {Evidence: it.disk.ID, Start: 4096, End: 4608}},
		Indicators:  []uuid.UUID{ind[incident.IndicatorIP].ID, ind[incident.IndicatorDomain].ID},
		Techniques:  []string{"t1048.003", "T1078"}}, "the transfer in the auth.log and on the disk"))(t)
	f2 := get(inc.AddFinding(incident.FindingContent{Title: "Root shell through sudo", Description: "sudo to /bin/bash as root.",
		Confidence: incident.ConfidenceMedium,
		Locations:  []incident.EvidenceLocation{{Evidence: it.log.ID, Start: 92, End: 185}, {Evidence: it.folderSyslog.ID, Start: 100, End: 300}},
		Indicators: []uuid.UUID{ind[incident.IndicatorFilePath].ID, ind[incident.IndicatorHash].ID}, Techniques: []string{"T1548.003"}},
		"how the actor got root"))(t)
	f1c := f1.FindingContent
	f1c.Confidence = incident.ConfidenceMedium
	f1c.Locations = append(f1c.Locations, incident.EvidenceLocation{Evidence: it.memory.ID, Start: 32, End: 2080})
	f1c.Techniques = append(f1c.Techniques, "T1041")
	get(inc.EditFinding(f1.ID, f1c, "the memory capture shows the rsync process"))(t)
	get(inc.RecordAction(incident.NewResponseAction{Description: "Imaged vpn-gw-03 and the VPN admin's laptop", PerformedAt: at("07:30"),
		Evidence: []uuid.UUID{it.disk.ID, it.e01.ID}, Reason: "written down after the fact"}))(t)
	get(inc.RecordAction(incident.NewResponseAction{Description: "Collected /var/log of web01",
		Evidence: []uuid.UUID{it.folderAuth.ID, it.folderEmpty.ID, it.folderSyslog.ID}, Reason: "collection"}))(t)
	for _, a := range []struct {
		role     casefile.Role
		examiner string
	}{
		{casefile.RoleOnCallResponder, namePriya},          // held already: not granted
		{casefile.RoleCommunicationsManager, nameDana},     // granted
		{casefile.RoleServiceTeamExpert, namePriya},        // granted
		{casefile.RoleCustomerSupportEngineer, nameDana},   // granted, released below
		{casefile.RoleExecutiveIncidentManager, namePriya}, // granted
		{casefile.RoleLegalAdvisor, nameDana},              // granted
	} {
		get(inc.AssignRole(a.role, a.examiner, "staffing the v-team"))(t)
	}
	get(inc.ReleaseRole(casefile.RoleCustomerSupportEngineer, nameDana, "the support desk took over customer contact"))(t)
	get(inc.DecideNotification(incident.NotificationInProgress, "customer data confirmed; drafting the notice"))(t)
	get(inc.MoveTo(incident.StageStabilize, "contain the exfiltration"))(t)
	get(inc.RecordMitigation(incident.NewMitigation{Description: "Blocked 203.0.113.9 and 198.51.100.0/24 at the edge",
		Approvals: []incident.Approval{{Capacity: incident.ApprovalIncidentManager, Name: namePriya},
			{Capacity: incident.ApprovalServiceOwner, Name: "Ola Nordmann"}, {Capacity: incident.ApprovalExecutive, Name: "Erika Exec"}},
		CausedOutage: true, OutageDetail: "VPN down 12 minutes for eu-north", PerformedAt: at("11:05"), Reason: "joint decision on the bridge call"}))(t)
	get(inc.RecordMitigation(incident.NewMitigation{Description: "Disabled the VPN admin's account",
		Approvals: []incident.Approval{{Capacity: incident.ApprovalIncidentManager, Name: namePriya}}, Reason: "credential known stolen"}))(t)
	get(inc.MoveTo(incident.StageDiagnose, "a second destination appears in the proxy log"))(t)
	f2c := f2.FindingContent
	f2c.Description = "sudo to /bin/bash as root, then rsync from /tmp/.x."
	get(inc.EditFinding(f2.ID, f2c, "tied the shell to the copy"))(t)
	must(t, inc.SetNextSteps([]string{"Rotate every VPN credential", "Notify the three tenants"}, "after containment"))
	get(inc.MoveTo(incident.StageStabilize, "second destination blocked"))(t)
	r1 := get(inc.AddRepairItem(incident.NewRepairItem{Description: "Alert on VPN egress above 1 GiB/h", Owner: namePriya, Due: day("2026-12-10"),
		Reason: "post-mortem action 1"}))(t)
	r2 := get(inc.AddRepairItem(incident.NewRepairItem{Description: "Rotate service account credentials quarterly", Reason: "post-mortem action 2"}))(t)
	r3 := get(inc.AddRepairItem(incident.NewRepairItem{Description: "Send sudo logs to the central SIEM", Owner: nameDana, Due: day("2026-12-04"),
		Reason: "post-mortem action 3"}))(t)
	get(inc.UpdatePostMortem(incident.PostMortemContent{Summary: "Draft: a stolen VPN admin credential let the actor copy rows.",
		Lapses: []incident.Lapse{{Category: incident.LapseTechnical, Description: "no egress volume alerting", EngineeringFollowUp: "netops, NET-12"}}},
		"first draft"))(t)
	// Version 4's close guard wants a final notification decision too: two guards fail.
	var me *incident.MoveError
	if _, err := inc.MoveTo(incident.StageClose, "too early"); !errors.As(err, &me) || !me.Failed(incident.GuardRepairOwners) ||
		!me.Failed(incident.GuardNotification) || len(me.Guards) != 2 {
		t.Fatalf("close with an unowned repair item and the notice in progress: %v", err)
	}
	get(inc.AssignRepairItem(r2.ID, nameDana, "identity team lead"))(t)
	get(inc.SetRepairDue(r2.ID, day("2026-12-15"), "agreed with the identity team"))(t)
	get(inc.SetRepairStatus(r2.ID, incident.RepairInProgress, "rotation script being written"))(t)
	pm := incident.PostMortemContent{
		Summary: "A VPN admin's credential, phished on 2026-11-20, let the actor open a shell on web01 and copy 12 400 customer rows to 203.0.113.9.",
		Lapses: []incident.Lapse{
			{Category: incident.LapseTechnical, Description: "no egress volume alerting", EngineeringFollowUp: "netops, NET-12"},
			{Category: incident.LapseCommunications, Description: "the SOC paged the wrong on-call rotation"},
			{Category: incident.LapseProcedural, Description: "admin accounts were not in the quarterly rotation"},
			{Category: incident.LapseManualError, Description: "the alert was closed as a drill by mistake"},
			{Category: incident.LapseProcessFlaw, Description: "drills and real alerts share one queue"},
		},
		ProcedureAssessment: "Containment took 3 h; the SOP had no step for **egress** blocking.",
		SOPUpdates:          []string{"Add an egress-blocking step to Stabilize", "Separate the drill queue from the alert queue"},
	}
	get(inc.UpdatePostMortem(pm, "review meeting"))(t)
	closeCase(t, priya)

	// Dana, as Communications Manager: law enforcement delays the notice.
	dana, inc = g.open(passDana, nameDana, casefile.RoleCommunicationsManager)
	get(inc.DecideNotification(incident.NotificationDelayedByLawEnforcement,
		"delayed at the direction of the national cybercrime unit until 2026-12-10, reference 2026/4471"))(t)
	closeCase(t, dana)

	// Dana, as Legal Advisor, puts the forwarded copy back in force.
	dana, _ = g.open(passDana, nameDana, casefile.RoleLegalAdvisor)
	if ev := get(dana.ReinstateEvidence(it.forwarded.ID, "keep both copies in force: together they show the forward did not alter the e-mail"))(t); !ev.InForce() {
		t.Fatalf("reinstated item %+v", ev)
	}
	closeCase(t, dana)

	// Priya closes, reopens on new facts, and closes again.
	priya, inc = g.open(passPriyaNew, namePriya, casefile.RoleSecurityIncidentManager)
	get(inc.MoveTo(incident.StageClose, "post-mortem reviewed, repairs owned"))(t)
	get(inc.Reopen("a tenant reports a third destination"))(t)
	get(inc.AddFinding(incident.FindingContent{Title: "Third destination 198.51.100.23", Confidence: incident.ConfidenceHigh,
		Locations:  []incident.EvidenceLocation{{Evidence: it.e01.ID, Start: 8192, End: 8704}},
		Indicators: []uuid.UUID{ind[incident.IndicatorOther].ID}, Techniques: []string{"T1567"}}, "reported by the tenant"))(t)
	f1c.Confidence = incident.ConfidenceHigh
	f1c.Title = "Bulk transfer to 203.0.113.9 and 198.51.100.23"
	get(inc.EditFinding(f1.ID, f1c, "the third destination got the same rows"))(t)
	get(inc.RecordAction(incident.NewResponseAction{Description: "Asked the tenant for their firewall log", Evidence: []uuid.UUID{it.other.ID},
		Reason: "to confirm the third destination"}))(t)
	// Version 4: the decisions of the bridge call, five changes in one
	// transaction and one custody entry (incident.updated).
	must(t, inc.Apply("decisions of the bridge call after the tenant's report",
		incident.SeverityChange{Severity: incident.SeverityCritical, Criteria: incident.SeverityCriteria{Privacy: incident.PrivacyConfirmed,
			Impact: "customer rows copied to two destinations", Scope: "four tenants in eu-north", AffectedTenants: 4, Regions: []string{"eu-north"},
			Services: []string{"vpn", "accounts-db"}, Details: "12 400 rows of 'accounts', 900 more of a fourth tenant", Regulations: []string{"GDPR", "PCI DSS"}},
			Rationale: "a fourth tenant's rows went to the third destination"},
		incident.PriorityChange{Factors: incident.PriorityFactors{Functional: incident.FunctionalMedium, Informational: incident.InformationalPrivacy,
			Recoverability: incident.RecoveryNotRecoverable}, Rationale: "copied data cannot be recalled"},
		incident.SummaryChange{Summary: "13 300 customer rows of four tenants were copied to 203.0.113.9 and 198.51.100.23 through vpn-gw-03 with a stolen admin credential.",
			Reason: "the fourth tenant"},
		incident.RelateChange{Related: incident.RelatedIncident{CaseNumber: "IR-2026-0051", Note: "the fourth tenant's own incident"}, Reason: "same rows"},
		incident.NextStepsChange{Steps: []string{"Rotate every VPN credential", "Notify the four tenants", "Ask 198.51.100.23's provider to preserve logs"},
			Reason: "after the tenant's report"},
	))
	get(inc.MoveTo(incident.StageStabilize, "third destination blocked"))(t)
	pm.Summary += " A third destination, 198.51.100.23, received the same rows."
	get(inc.UpdatePostMortem(pm, "after the reopening"))(t)
	get(inc.SetRepairDue(r1.ID, day("2026-12-08"), "moved up after the reopening"))(t)
	get(inc.MoveTo(incident.StageClose, "closed again"))(t)
	get(inc.SetRepairStatus(r3.ID, incident.RepairDone, "SIEM receives sudo logs since today"))(t)
	closeCase(t, priya)

	// After the close: the delayed notice goes out.
	dana, inc = g.open(passDana, nameDana, casefile.RoleCommunicationsManager)
	get(inc.DecideNotification(incident.NotificationSent, "notified the four tenants' administrators by e-mail"))(t)
	closeCase(t, dana)

	// The recovery key verifies the ledger (an entry signed by the recovery identity).
	rec, _ := g.open(recoveryKey, "", "")
	if r := get(rec.VerifyLedger())(t); !r.OK() || !r.Recorded {
		t.Fatalf("ledger: %+v", r)
	}
	closeCase(t, rec)

	// Dana exports the ledger (as `custodiactl ledger export` does) and verifies it last.
	dana, _ = g.open(passDana, nameDana, "")
	must(t, os.MkdirAll(filepath.Join(src, "export"), 0o700))
	get(reports.ExportCustody(dana, "jsonl", filepath.Join(src, "export", "custody.jsonl"),
		reports.Tool{Name: "custodia fixture generator", Version: "1bed095"}, g.clock.read(), "for the regulator"))(t)
	if r := get(dana.VerifyLedger())(t); !r.OK() || !r.Recorded {
		t.Fatalf("ledger: %+v", r)
	}
	closeCase(t, dana)
	return recoveryKey
}

// writeDismissed writes the second fixture: an event classified as not a
// security incident and dismissed from Assess straight to Close, which the
// main case cannot hold (it left Assess forward). Its assessment is one
// Apply, as `custodiactl incident set` makes it.
func writeDismissed(t *testing.T, g *gen) {
	lee, err := casefile.Create(g.path, []byte(passLee), casefile.NewCase{
		Title: "Alert on backup traffic (false positive)", CaseNumber: "IR-2026-0043", Examiner: nameLee,
		ExaminerRoles: []casefile.Role{casefile.RoleSecurityIncidentManager, casefile.RoleForensicEngineer},
		Reason:        "SOC alert 4720",
	}, g.clock.options("", ""))
	must(t, err)
	inc := incident.Of(lee)
	must(t, inc.SetDetection(incident.Detection{Source: incident.DetectionCustomerReport, DetectedAt: at("09:00"), Detail: "support ticket 88121"},
		"customer asked about traffic"))
	ev := g.ingest(lee, writeSource(t, filepath.Join(g.src, "backup.log"), textBytes(3000, "backup01")),
		evidence.Options{Reason: "backup job log"}, 1).Items[0]
	get(evidence.Verify(context.Background(), lee, ev.ID, evidence.VerifyOptions{}, nil))(t)
	g.parse(lee, ev, evidence.ParseOptions{Reason: "what the backup job did at the time of the alert"})
	get(inc.MoveTo(incident.StageAssess, "triage"))(t)
	must(t, inc.Apply("assessment on the triage call",
		incident.ClassifyChange{Classification: incident.ClassificationNotSecurityIncident,
			Rationale: "the scheduled off-site backup (Table 1: not a security incident)"},
		incident.SeverityChange{Criteria: incident.SeverityCriteria{Privacy: incident.PrivacyNone, Impact: "none", Scope: "backup01",
			AffectedTenants: 0}, Rationale: "no tenant affected"},
		incident.PriorityChange{Factors: incident.PriorityFactors{Functional: incident.FunctionalNone, Informational: incident.InformationalNone,
			Recoverability: incident.RecoveryRegular}, Rationale: "nothing to recover"},
		incident.AwarenessChange{At: at("09:05"), Rationale: "the support desk forwarded the ticket"},
		incident.SummaryChange{Summary: "Backup traffic to the new off-site target raised the alert.", Reason: "assessment"},
	))
	get(inc.AssignRole(casefile.RoleSecurityIncidentManager, nameLee, "I run this one"))(t)
	get(inc.UpdatePostMortem(incident.PostMortemContent{Summary: "False positive: the off-site backup target was not on the allow list.",
		Lapses:     []incident.Lapse{{Category: incident.LapseProcedural, Description: "new backup target not announced to the SOC"}},
		SOPUpdates: []string{"Announce new backup targets to the SOC"}}, "short post-mortem"))(t)
	get(inc.DecideNotification(incident.NotificationNotRequired, "no security incident, nothing to notify"))(t)
	if ch := get(inc.MoveTo(incident.StageClose, "false positive, dismissed"))(t); ch.Kind != incident.MoveDismiss {
		t.Fatalf("move %+v, want a dismiss", ch)
	}
	if r := get(lee.VerifyLedger())(t); !r.OK() || !r.Recorded {
		t.Fatalf("ledger: %+v", r)
	}
	closeCase(t, lee)
}

// ---- checks and output --------------------------------------------------

// checkSecrets opens a copy of the case with every secret: one that opens
// must act as its examiner through its slot, one that is refused must fail
// with ErrWrongPassphrase.
func checkSecrets(t *testing.T, path string, secrets []secret) {
	t.Helper()
	for _, s := range secrets {
		c, err := casefile.Open(copyOf(t, path), []byte(s.value), casefile.TestOptions())
		if !s.opens {
			if !errors.Is(err, casefile.ErrWrongPassphrase) {
				t.Fatalf("%s's refused secret: %v, want ErrWrongPassphrase", s.examiner, err)
			}
			continue
		}
		must(t, err)
		if c.UnlockedSlot() != s.slot || c.Actor().Name != s.examiner {
			t.Fatalf("secret of %s opened slot %d as %s", s.examiner, c.UnlockedSlot(), c.Actor().Name)
		}
		if r := get(c.VerifyLedger())(t); !r.OK() {
			t.Fatalf("ledger with %s's secret: %v", s.examiner, r.Problems)
		}
		closeCase(t, c)
	}
}

// passphrasesFile is the STEM.passphrases.txt of a case named name.
func passphrasesFile(name string, secrets []secret) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Every secret tried on %s (decompress %s.gz first). One secret a line, fields separated by one TAB:\n", name, name)
	fmt.Fprintf(&b, "#   RESULT<TAB>SLOT<TAB>EXAMINER<TAB>SECRET\n")
	fmt.Fprintf(&b, "# RESULT is \"opens\" (Open succeeds, UnlockedSlot() == SLOT and Actor().Name == EXAMINER) or \"refused\"\n")
	fmt.Fprintf(&b, "# (Open fails with ErrWrongPassphrase; SLOT is the slot the secret used to open). SECRET is the rest of the line,\n")
	fmt.Fprintf(&b, "# exact UTF-8 bytes, no quoting, no trailing space. Lines starting with # are comments; there are no blank lines.\n")
	for _, s := range secrets {
		if s.note != "" {
			fmt.Fprintf(&b, "# %s\n", s.note)
		}
		res := "refused"
		if s.opens {
			res = "opens"
		}
		fmt.Fprintf(&b, "%s\t%d\t%s\t%s\n", res, s.slot, s.examiner, s.value)
	}
	return b.Bytes()
}

// atRest checks that one file is left: no -wal, -shm or -journal beside it.
func atRest(t *testing.T, path string) {
	t.Helper()
	for _, sfx := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(path + sfx); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s%s is left beside the case (%v)", path, sfx, err)
		}
	}
}

// gzipBytes compresses b at the best level, with no name and no time in the
// header, so the same bytes always give the same .gz.
func gzipBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := get(gzip.NewWriterLevel(&buf, gzip.BestCompression))(t)
	_, err := zw.Write(b)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

// marshalExpected writes v as the expected files are written: sorted keys,
// two-space indentation, no HTML escaping, a final newline.
func marshalExpected(t *testing.T, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	must(t, enc.Encode(v))
	return buf.Bytes()
}

// TestWriteFixture writes the fixture cases of this format version
// (v5.custodia.gz, v5-dismissed.custodia.gz, each with its passphrases and
// expected values) into the folder of -args -out, refusing to replace a
// file there.
func TestWriteFixture(t *testing.T) {
	if *fixtureOut == "" {
		t.Skip("writes the fixture cases of this format version; run with -args -out DIR")
	}
	if casefile.FormatVersion != 5 {
		t.Fatalf("this is the generator of the format-version-5 fixtures; this build writes version %d: "+
			"move this file to testdata/cases/v5-generator.go.txt and write a new generator", casefile.FormatVersion)
	}
	out := get(filepath.Abs(*fixtureOut))(t)
	for _, stem := range []string{"v5", "v5-dismissed"} {
		for _, n := range []string{stem + casefile.Extension + ".gz", stem + ".passphrases.txt", stem + ".expected.json"} {
			if _, err := os.Lstat(filepath.Join(out, n)); err == nil {
				t.Fatalf("%s exists: the fixtures are never regenerated", filepath.Join(out, n))
			}
		}
	}
	// The sources live in a fixed folder so that the paths recorded in the
	// case read plainly; it is removed again.
	src := filepath.Join(os.TempDir(), "custodia-v5-fixture")
	must(t, os.RemoveAll(src))
	must(t, os.MkdirAll(src, 0o700))
	t.Cleanup(func() { os.RemoveAll(src) })
	work := t.TempDir()

	// The main case.
	g := &gen{t: t, path: filepath.Join(work, "v5"+casefile.Extension), src: filepath.Join(src, "main"),
		clock: &fixtureClock{now: casefile.TestTime.Add(-time.Minute)}}
	recoveryKey := writeMain(t, g)
	atRest(t, g.path)
	mainSecrets := []secret{
		{true, 1, nameDana, passDana, "Dana Quartermain, who created the case (Forensic Engineer)"},
		{true, 2, namePriya, passPriyaNew, "Priya Natarajan (On-call Responder; Security Incident Manager by assignment), passphrase after the change; holds U+00E5 in NFC"},
		{true, 2, namePriya, norm.NFD.String(passPriyaNew), "the same passphrase in NFD (U+0061 U+030A): passphrases are NFC-normalised before the KDF"},
		{true, 3, "Recovery key: " + recoveryLabel, recoveryKey, "the recovery key (slot kind recovery)"},
		{false, 2, namePriya, passPriyaOld, "Priya's passphrase before ChangePassphrase: no longer opens"},
		{false, 4, nameSam, passSam, "Sam Contractor's passphrase: the slot was removed (RemoveKeySlot)"},
	}
	checkSecrets(t, g.path, mainSecrets)

	// The dismissed case.
	gd := &gen{t: t, path: filepath.Join(work, "v5-dismissed"+casefile.Extension), src: filepath.Join(src, "dismissed"),
		clock: &fixtureClock{now: casefile.TestTime.Add(-time.Minute)}}
	writeDismissed(t, gd)
	atRest(t, gd.path)
	dismissedSecrets := []secret{{true, 1, nameLee, passLee, "Lee Okafor, who created the case (Security Incident Manager, Forensic Engineer)"}}
	checkSecrets(t, gd.path, dismissedSecrets)

	// Write the outputs: each case gzip-compressed, its secrets, its values
	// as this version's checker reads them back (compat_test.go).
	write := func(name string, b []byte) {
		must(t, os.MkdirAll(out, 0o755))
		f, err := os.OpenFile(filepath.Join(out, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		must(t, err)
		_, err = f.Write(b)
		must(t, err)
		must(t, f.Close())
	}
	for _, x := range []struct {
		path    string
		secrets []secret
	}{{g.path, mainSecrets}, {gd.path, dismissedSecrets}} {
		raw := read(t, x.path)
		doc := readEverything(t, copyOf(t, x.path), x.secrets[0].value)
		doc["Generator"] = map[string]any{"Commit": fixtureCommit + " with the uncommitted changes of issue 11", "FormatVersion": casefile.FormatVersion,
			"GoVersion": runtime.Version(), "Command": fixtureCommand}
		gz := gzipBytes(t, raw)
		base := filepath.Base(x.path)
		stem := strings.TrimSuffix(base, casefile.Extension)
		write(base+".gz", gz)
		write(stem+".passphrases.txt", passphrasesFile(base, x.secrets))
		write(stem+".expected.json", marshalExpected(t, doc))
		head := doc["Head"].(map[string]any)
		t.Logf("%s: %d bytes raw, %d gzip; sha256 raw %s, gz %s; entries %v, head %v; examiners %d, items %d, findings %d",
			base, len(raw), len(gz), sha(raw), sha(gz), head["Seq"], head["Hash"],
			len(doc["Examiners"].([]any)), len(doc["ListEvidence"].([]any)), len(doc["Findings"].([]any)))
	}
}
