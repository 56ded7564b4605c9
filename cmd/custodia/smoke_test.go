package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/incident"
	"github.com/custodia-dfir/custodia/evidence"
)

// TestSmokeDashboardOnXvfb starts the real binary on a virtual X server with
// a case and its passphrase file, waits for the dashboard and checks that the
// screen shows it (a blank or black screenshot fails). It then starts it
// again with CUSTODIA_START_AREA set to each built area (Custody, Evidence,
// Evidence with CUSTODIA_START_HEX — the hex view of the first item —,
// Timeline, Files, Exports, Incident, Assessment, Lifecycle, Findings, Response, Post-mortem,
// Notifications, Reports, Examiners), and the dashboard and the evidence once more in a window of
// 800×600 (CUSTODIA_WINDOW), and takes each the same way. The case holds three items
// ingested with the evidence package (a log, parsed into the timeline, a memory
// image and a small disk image) and an incident in Diagnose: detection and awareness,
// classification, severity, priority, role holders, indicators, two
// findings on exact bytes (one edited), an action, an emergency mitigation
// and repair items, one overdue. It needs Xvfb and ImageMagick's import;
// `make test` installs them.
//
// With CUSTODIA_UPDATE_SCREENSHOTS=1 the screenshots also replace
// docs/screenshots/NAME.png (dashboard, custody, evidence, evidence-hex,
// timeline, files, exports, incident, assessment, lifecycle, findings, response, post-mortem,
// reports, examiners, dashboard-800x600, evidence-800x600) for the user guide;
// with CUSTODIA_SCREENSHOT_DIR=DIR they are also kept in DIR.
func TestSmokeDashboardOnXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed, so the GUI smoke test cannot run; "+
				"install it with `make setup` (Debian: apt-get install xvfb xauth imagemagick)", tool)
		}
	}
	dir := t.TempDir()

	bin := filepath.Join(dir, "custodia")
	build := exec.Command(goTool(), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Production key derivation (Argon2id, 256 MiB) for each key slot: the
	// binary refuses anything cheaper, which is the point. The custody record
	// gets a second examiner and a verification, as a case in use would.
	casePath := filepath.Join(dir, "smoke"+casefile.Extension)
	const pass = "smoke test passphrase, not a secret"
	c, err := casefile.Create(casePath, []byte(pass), casefile.NewCase{
		Title:           "Credential theft at Northwind Traders",
		CaseNumber:      "IR-2026-0117",
		Examiner:        "Alex Morgan",
		Description:     "Phishing e-mail led to a stolen VPN credential and lateral movement to two file servers.",
		ExaminerRoles:   []casefile.Role{casefile.RoleForensicEngineer, casefile.RoleSecurityIncidentManager},
		ExaminerContact: "alex.morgan@northwind.example",
		Reason:          "Ticket SEC-4471: SOC escalated anomalous VPN logins",
	}, casefile.Options{})
	if err != nil {
		t.Fatalf("create case: %v", err)
	}
	if _, err := c.AddExaminer(casefile.NewExaminer{
		Name: "Priya Raman", Roles: []casefile.Role{casefile.RoleLegalAdvisor}, Contact: "legal@northwind.example",
	}, []byte("priya's passphrase, not a secret either"), "Legal review of the evidence export"); err != nil {
		t.Fatalf("add examiner: %v", err)
	}
	items := addSmokeEvidence(t, c, filepath.Join(dir, "evidence"))
	addSmokeIncident(t, c, items)
	if r, err := c.VerifyLedger(); err != nil || !r.OK() {
		t.Fatalf("verify ledger: %v %v", r, err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close case: %v", err)
	}
	passFile := filepath.Join(dir, "passphrase.txt")
	if err := os.WriteFile(passFile, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	display := startXvfb(t)
	var shots [][]byte
	for _, shot := range []struct{ name, area, hex, size string }{
		{"dashboard", "", "", ""},
		{"custody", "Custody", "", ""},
		{"evidence", "Evidence", "", ""},
		{"evidence-hex", "Evidence", "0x1be-0x1ce", ""},
		{"timeline", "Timeline", "", ""},
		{"files", "Files", "", ""},
		{"exports", "Exports", "", ""},
		{"incident", "Incident", "", ""},
		{"assessment", "Assessment", "", ""},
		{"lifecycle", "Lifecycle", "", ""},
		{"findings", "Findings", "", ""},
		{"response", "Response", "", ""},
		{"post-mortem", "Post-mortem", "", ""},
		{"notifications", "Notifications", "", ""},
		{"reports", "Reports", "", ""},
		{"examiners", "Examiners", "", ""},
		{"dashboard-800x600", "", "", "800x600"},
		{"evidence-800x600", "Evidence", "", "800x600"},
	} {
		window := runAndShoot(t, bin, display, dir, passFile, casePath, shot.area, shot.hex, shot.size)
		if shot.size != "" {
			var w, h int
			fmt.Sscanf(shot.size, "%dx%d", &w, &h)
			if b := window.Bounds(); b.Dx() > w+64 || b.Dy() > h+64 {
				t.Errorf("%s: the window is %dx%d, asked for %s: an area widened it", shot.name, b.Dx(), b.Dy(), shot.size)
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, window); err != nil {
			t.Fatal(err)
		}
		for _, earlier := range shots {
			if bytes.Equal(earlier, buf.Bytes()) {
				t.Fatalf("the %s screenshot equals an earlier one: CUSTODIA_START_AREA=%q had no effect", shot.name, shot.area)
			}
		}
		shots = append(shots, buf.Bytes())
		out := filepath.Join(dir, shot.name+".png")
		writePNG(t, out, window)
		t.Logf("screenshot: %s (%dx%d)", out, window.Bounds().Dx(), window.Bounds().Dy())
		if keep := os.Getenv("CUSTODIA_SCREENSHOT_DIR"); keep != "" {
			writePNG(t, filepath.Join(keep, shot.name+".png"), window) // to look at after the run
		}
		if os.Getenv("CUSTODIA_UPDATE_SCREENSHOTS") == "1" {
			doc := filepath.Join("..", "..", "docs", "screenshots", shot.name+".png")
			if err := os.MkdirAll(filepath.Dir(doc), 0o755); err != nil {
				t.Fatal(err)
			}
			writePNG(t, doc, window)
			t.Logf("updated %s", doc)
		}
	}

	// Quitting closed the case: its lock is gone and it opens again.
	c, err = casefile.Open(casePath, []byte(pass), casefile.Options{})
	if err != nil {
		t.Fatalf("reopen after custodia quit: %v", err)
	}
	c.Close()
}

// runAndShoot starts custodia on display with the case and its passphrase
// file, showing area first ("" for the dashboard) and, when hex is not "",
// the hex view of the first evidence item at that offset, waits until the
// screen is drawn and stable, and returns a screenshot of it. It then stops
// custodia with SIGTERM and checks that it exits cleanly.
func runAndShoot(t *testing.T, bin, display, dir, passFile, casePath, area, hex, size string) image.Image {
	t.Helper()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	app := exec.Command(bin, "--passphrase-file", passFile, casePath)
	app.Env = append(os.Environ(),
		"DISPLAY="+display,
		"LIBGL_ALWAYS_SOFTWARE=1", // Xvfb has no GPU
		"FYNE_SCALE=1",
		"HOME="+home, // preferences (the recent-cases list) go here, not to the real home
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"CUSTODIA_START_AREA="+area,
		"CUSTODIA_START_HEX="+hex,
		"CUSTODIA_WINDOW="+size,
	)
	var stderr bytes.Buffer
	app.Stderr = &stderr
	stdout, err := app.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Start(); err != nil {
		t.Fatalf("start custodia: %v", err)
	}
	exited := make(chan error, 1)
	opened := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "custodia: case open: "); ok {
				opened <- p
			}
		}
		exited <- app.Wait()
	}()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		app.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(20 * time.Second):
			app.Process.Kill()
			<-exited
			return fmt.Errorf("custodia did not exit within 20 s of SIGTERM")
		}
	}
	defer stop()

	deadline := time.After(60 * time.Second)
	select {
	case p := <-opened:
		if p != casePath {
			t.Fatalf("custodia opened %q, want %q", p, casePath)
		}
	case err := <-exited:
		stopped = true
		t.Fatalf("custodia exited before opening the case: %v\nstderr:\n%s", err, stderr.String())
	case <-deadline:
		t.Fatalf("custodia did not open the case within 60 s\nstderr:\n%s", stderr.String())
	}

	// The area is set; wait until it has been drawn: a non-blank screen that
	// stays the same between two screenshots.
	var shot []byte
	var img image.Image
	var why string
	for {
		b, err := exec.Command("import", "-display", display, "-window", "root", "png:-").Output()
		if err == nil {
			if im, err := png.Decode(bytes.NewReader(b)); err == nil {
				why = blankness(im)
				if why == "" && bytes.Equal(b, shot) {
					img = im
					break
				}
			} else {
				why = "undecodable screenshot: " + err.Error()
			}
		} else {
			why = "import failed: " + err.Error()
		}
		shot = b
		select {
		case <-deadline:
			saveShot(t, filepath.Join(dir, "last.png"), shot)
			t.Fatalf("no stable, non-blank screenshot within 60 s (%s)\nstderr:\n%s", why, stderr.String())
		case <-time.After(500 * time.Millisecond):
		}
	}

	if err := stop(); err != nil {
		t.Errorf("custodia did not exit cleanly on SIGTERM: %v\nstderr:\n%s", err, stderr.String())
	}
	// A clean start says nothing: no locale, folder or preferences noise.
	if noise := strings.TrimSpace(stderr.String()); noise != "" {
		t.Errorf("custodia wrote to stderr (area %q):\n%s", area, noise)
	}
	return cropToContent(img)
}

// goTool returns the go command that runs this test.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startXvfb starts a virtual X server on a free display and returns its
// name, e.g. ":99". Xvfb picks the display itself (-displayfd), so parallel
// runs do not collide. It is stopped when the test ends.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	var stderr bytes.Buffer
	x.Stderr = &stderr
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	done := make(chan error, 1)
	go func() { done <- x.Wait() }()
	t.Cleanup(func() {
		x.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			x.Process.Kill()
			<-done
		}
	})

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatalf("Xvfb did not report a display\n%s", stderr.String())
		}
		return ":" + n
	case err := <-done:
		t.Fatalf("Xvfb exited: %v\n%s", err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("Xvfb did not start within 30 s\n%s", stderr.String())
	}
	return ""
}

// blankness says why img does not look like a drawn window, or "" when it
// does: a window with text has many colours (anti-aliasing) and a good part
// of it differs from its background.
func blankness(img image.Image) string {
	b := img.Bounds()
	counts := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	total := b.Dx() * b.Dy()
	other := float64(total-most) / float64(total)
	switch {
	case len(counts) < 32:
		return fmt.Sprintf("only %d distinct colours", len(counts))
	case other < 0.05:
		return fmt.Sprintf("only %.1f%% of pixels differ from the background", 100*other)
	}
	return ""
}

// cropToContent cuts img to the bounding box of its non-black pixels: the
// window, without the empty root window around it.
func cropToContent(img image.Image) image.Image {
	b := img.Bounds()
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r|g|bl != 0 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if box.Empty() {
		return img
	}
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(box)
	}
	return img
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	saveShot(t, path, buf.Bytes())
}

func saveShot(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// addSmokeEvidence writes three small, realistic sources into dir and
// ingests them into c: a disk image with an MBR and an NTFS boot sector
// (first, so CUSTODIA_START_HEX shows it), an SSH authentication log and a
// LiME memory image. The last is verified, so the Evidence area shows both
// states with the verified item chosen. It returns the items in that order.
func addSmokeEvidence(t *testing.T, c *casefile.Case, dir string) []casefile.Evidence {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(117, 4471))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}

	var log strings.Builder
	at := time.Date(2026, 3, 9, 22, 14, 0, 0, time.UTC)
	users := []string{"admin", "backup", "svc-vpn", "a.morgan", "root", "oracle"}
	for i := range 4000 {
		at = at.Add(time.Duration(1+rng.IntN(20)) * time.Second)
		ip := fmt.Sprintf("203.0.113.%d", 10+rng.IntN(40))
		user := users[rng.IntN(len(users))]
		switch {
		case i == 3217:
			fmt.Fprintf(&log, "%s vpn-gw01 sshd[%d]: Accepted password for svc-vpn from 203.0.113.27 port %d ssh2\n",
				at.Format(time.Stamp), 4000+i, 40000+rng.IntN(20000))
		default:
			fmt.Fprintf(&log, "%s vpn-gw01 sshd[%d]: Failed password for %s from %s port %d ssh2\n",
				at.Format(time.Stamp), 4000+i, user, ip, 40000+rng.IntN(20000))
		}
	}

	mem := random(8 << 20)
	copy(mem, "EMiL")
	binary.LittleEndian.PutUint32(mem[4:], 1)
	binary.LittleEndian.PutUint64(mem[8:], 0x1000)
	binary.LittleEndian.PutUint64(mem[16:], 0x1000+uint64(len(mem))-32-1)
	clear(mem[24:32])

	disk := make([]byte, 16<<20)
	boot := []byte{0x33, 0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0x7c, 0x8e, 0xc0, 0x8e, 0xd8, 0xbe, 0x00, 0x7c, 0xbf, 0x00,
		0x06, 0xb9, 0x00, 0x02, 0xfc, 0xf3, 0xa4, 0x50, 0x68, 0x1c, 0x06, 0xcb, 0xfb, 0xb9, 0x04, 0x00}
	copy(disk, boot)
	copy(disk[len(boot):], random(0x130))
	copy(disk[0x163:], "Invalid partition table\x00Error loading operating system\x00Missing operating system\x00")
	copy(disk[0x1b8:], []byte{0x9c, 0x2f, 0x5e, 0x71, 0x00, 0x00})
	copy(disk[0x1be:], []byte{0x80, 0x20, 0x21, 0x00, 0x07, 0xfe, 0xff, 0xff, 0x00, 0x08, 0x00, 0x00, 0x00, 0xf8, 0xff, 0x00})
	disk[0x1fe], disk[0x1ff] = 0x55, 0xaa
	ntfs := disk[1<<20:]
	copy(ntfs, []byte{0xeb, 0x52, 0x90})
	copy(ntfs[3:], "NTFS    ")
	binary.LittleEndian.PutUint16(ntfs[11:], 512)
	ntfs[13] = 8
	copy(ntfs[0x54:], random(0x1a0))
	copy(ntfs[0x1f4:], "\x00\x00\x55\xaa")
	copy(disk[2<<20:], random(6<<20))

	sources := []struct {
		name, description, tz string
		data                  []byte
	}{
		{"fs01-system.raw", "System disk of file server FS01, imaged with dd after isolation", "Europe/Berlin", disk},
		{"vpn-gw01-auth.log", "sshd authentication log of the VPN gateway, copied by the network team", "Europe/Berlin", []byte(log.String())},
		{"ws042-memory.lime", "Memory of workstation WS042, acquired with LiME after the alert", "UTC", mem},
	}
	var all []casefile.Evidence
	for _, s := range sources {
		p := filepath.Join(dir, s.name)
		if err := os.WriteFile(p, s.data, 0o600); err != nil {
			t.Fatal(err)
		}
		items, err := evidence.Ingest(context.Background(), c, p, evidence.Options{
			Description: s.description, TimeZone: s.tz, Reason: "Ticket SEC-4471", Tool: "custodia (smoke test)",
		})
		if err != nil || len(items) != 1 {
			t.Fatalf("ingest %s: %v", s.name, err)
		}
		all = append(all, items[0])
	}
	// The log is parsed into the timeline, as `timeline parse` would.
	if _, err := evidence.ParseItem(context.Background(), c, all[1].ID, evidence.ParseOptions{Reason: "Ticket SEC-4471: VPN logons"}); err != nil {
		t.Fatalf("parse %s: %v", all[1].Meta.Name, err)
	}
	last := all[len(all)-1]
	if v, err := evidence.Verify(context.Background(), c, last.ID, evidence.VerifyOptions{}, nil); err != nil || !v.OK {
		t.Fatalf("verify %s: %+v %v", last.Meta.Name, v, err)
	}
	return all
}

// addSmokeIncident records an incident in Diagnose, as the process
// documents describe one a day into the response: detected and known,
// assessed (a security incident, severity and priority with their
// criteria), a Security Incident Manager and an Executive Incident Manager
// assigned, moved to Stabilize and back to Diagnose when a second account
// turned up, indicators, two findings on exact bytes of the disk image and
// the log (the second edited once, so it has a history), an action, an
// emergency mitigation approved by two of the three capacities, and repair
// items, one overdue and one without an owner. items are addSmokeEvidence's.
func addSmokeIncident(t *testing.T, c *casefile.Case, items []casefile.Evidence) {
	t.Helper()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	disk, log := items[0], items[1]
	now := time.Now().UTC().Truncate(time.Minute)
	must("detection", incident.Of(c).SetDetection(incident.Detection{Source: incident.DetectionMonitorAnomaly, DetectedAt: now.Add(-27*time.Hour - 18*time.Minute),
		Detail: "UEBA alert 88213: impossible travel for svc-vpn"}, "SOC ticket SEC-4471"))
	must("awareness", incident.Of(c).RecordAwareness(now.Add(-26*time.Hour-5*time.Minute), "SOC confirmed VPN logins with the svc-vpn credential from TOR exit nodes"))
	must("summary", incident.Of(c).SetSummary("A phished VPN service credential was used from TOR exit nodes to reach file servers FS01 and FS02; "+
		"customer files of three tenants were copied.", ""))
	must("next steps", incident.Of(c).SetNextSteps([]string{"Scope the copied files per tenant", "Rotate service credentials on FS01 and FS02",
		"Image FS02 before it is rebuilt"}, ""))
	_, err := incident.Of(c).AssignRole(casefile.RoleOnCallResponder, "Alex Morgan", "On call")
	must("assign on-call", err)
	_, err = incident.Of(c).MoveTo(incident.StageAssess, "Impossible travel confirmed; the VPN logins are not the service's own")
	must("move to assess", err)
	must("classify", incident.Of(c).Classify(incident.ClassificationSecurityIncident,
		"Unauthorized access to infrastructure systems and exfiltration of customer data (Table 1)"))
	_, err = incident.Of(c).SetSeverity(0, incident.SeverityCriteria{Privacy: incident.PrivacyConfirmed, AffectedTenants: 3,
		Impact: "Customer files copied from two file servers", Scope: "FS01 and FS02, West Europe",
		Regions: []string{"West Europe"}, Services: []string{"File shares", "VPN"}, Regulations: []string{"GDPR"}},
		"Confirmed access to customer data of three tenants")
	must("severity", err)
	_, err = incident.Of(c).SetPriority(incident.PriorityHigh, incident.PriorityFactors{Functional: incident.FunctionalLow,
		Informational: incident.InformationalPrivacy, Recoverability: incident.RecoverySupplemented},
		"The copy is finished, not ongoing; the credential is revoked")
	must("priority", err)
	_, err = incident.Of(c).AssignRole(casefile.RoleSecurityIncidentManager, "Alex Morgan", "Senior on call")
	must("assign SIM", err)
	_, err = incident.Of(c).MoveTo(incident.StageDiagnose, "Security incident, Sev 1 / P2, Security Incident Manager assigned")
	must("move to diagnose", err)
	ip, err := incident.Of(c).AddIndicator(incident.IndicatorIP, "203.0.113.27", "Source of the accepted VPN login", "")
	must("indicator", err)
	_, err = incident.Of(c).AddIndicator(incident.IndicatorDomain, "vpn-login.northwind-support.example", "Phishing page that took the credential", "")
	must("indicator", err)
	_, err = incident.Of(c).AddIndicator(incident.IndicatorHash, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "Phishing kit archive", "")
	must("indicator", err)

	_, err = incident.Of(c).AddFinding(incident.FindingContent{
		Title:      "Partition table of FS01 intact: one NTFS partition from LBA 2048",
		Confidence: incident.ConfidenceHigh,
		Description: "The MBR partition entry at 0x1be is bootable (0x80), type 0x07, starts at LBA 2048. No hidden " +
			"partition or modified boot code: the boot code matches a stock Windows MBR.",
		Locations: []incident.EvidenceLocation{{Evidence: disk.ID, Start: 0x1be, End: 0x1ce}},
	}, "")

	must("finding", err)
	r, err := c.OpenEvidence(log.ID)
	must("open log", err)
	buf := make([]byte, log.Meta.Size)
	if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
		t.Fatalf("read log: %v", err)
	}
	at := int64(bytes.Index(buf, []byte("Accepted password for svc-vpn")))
	if at < 0 {
		t.Fatal("the log has no accepted login")
	}
	end := at + int64(bytes.IndexByte(buf[at:], '\n'))
	content := incident.FindingContent{
		Title:      "VPN login with the stolen svc-vpn credential from a TOR exit node",
		Confidence: incident.ConfidenceMedium,
		Description: "After **3,216 failed attempts** from `203.0.113.0/24`, sshd on the VPN gateway accepted the " +
			"`svc-vpn` password from `203.0.113.27`:\n\n" +
			"- the address is a listed TOR exit node\n- the session lasted 2 h 11 min\n- no MFA challenge was logged\n\n" +
			"The credential was entered on [the phishing page](https://vpn-login.northwind-support.example/) two days earlier.",
		Locations:  []incident.EvidenceLocation{{Evidence: log.ID, Start: at, End: end}},
		Indicators: []uuid.UUID{ip.ID},
		Techniques: []string{"T1078", "T1133", "T1110.001"},
	}
	f, err := incident.Of(c).AddFinding(content, "")
	must("finding", err)
	content.Confidence = incident.ConfidenceHigh
	_, err = incident.Of(c).EditFinding(f.ID, content, "The password hash in the phishing kit matches the svc-vpn credential")
	must("edit finding", err)

	_, err = incident.Of(c).RecordAction(incident.NewResponseAction{Description: "Disabled svc-vpn and revoked its VPN sessions",
		PerformedAt: now.Add(-25 * time.Hour), Evidence: []uuid.UUID{log.ID}})
	must("action", err)
	mit, err := incident.Of(c).RecordMitigation(incident.NewMitigation{Description: "Took the VPN gateway offline until MFA is enforced",
		CausedOutage: true, OutageDetail: "Remote access down for 40 minutes", PerformedAt: now.Add(-24 * time.Hour)})
	must("mitigation", err)
	_, err = incident.Of(c).ApproveMitigation(mit.ID, incident.ApprovalIncidentManager, "Containment first")
	must("approve mitigation", err)
	_, err = incident.Of(c).MoveTo(incident.StageStabilize, "svc-vpn disabled, gateway offline: the known access is contained")
	must("move to stabilize", err)
	_, err = incident.Of(c).MoveTo(incident.StageDiagnose, "A second account, svc-backup, logged in from the same exit node")
	must("move back", err)
	_, err = incident.Of(c).DecideNotification(incident.NotificationInProgress, "Scoping the affected tenants with the service team")
	must("notification", err)
	_, err = incident.Of(c).AddRepairItem(incident.NewRepairItem{Description: "Enforce MFA on the VPN gateway", Owner: "Alex Morgan",
		Due: now.AddDate(0, 0, -2)})
	must("repair item", err)
	_, err = incident.Of(c).AddRepairItem(incident.NewRepairItem{Description: "Alert on VPN logins from TOR exit nodes", Due: now.AddDate(0, 0, 14)})
	must("repair item", err)
}
