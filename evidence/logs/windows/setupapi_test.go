package windows

import (
	"strings"
	"testing"
	"time"

	"github.com/custodia-dfir/custodia/evidence/logs"
	"github.com/custodia-dfir/custodia/evidence/logs/logstest"
)

const devLog = "[Device Install Log]\r\n     OS Version = 10.0.19041\r\n     Service Pack = 0.0\r\n     Suite = 0x0100\r\n     ProductType = 1\r\n     Architecture = amd64\r\n\r\n[BeginLog]\r\n\r\n" +
	">>>  [Device Install (Hardware initiated) - USBSTOR\\Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00\\4C530001131213115132&0]\r\n" +
	">>>  Section start 2023/05/02 14:11:42.153\r\n" +
	"     ump: Creating Install Process: DrvInst.exe 14:11:42.168\r\n" +
	"     dvi: {Build Driver List} 14:11:42.231\r\n" +
	"     dvi:      Hardware ID: USBSTOR\\DiskSanDisk_Cruzer_Blade____1.00\r\n" +
	"<<<  Section end 2023/05/02 14:11:43.442\r\n" +
	"<<<  [Exit status: SUCCESS]\r\n\r\n\r\n" +
	">>>  [Device Install (DiInstallDriver) - C:\\Windows\\System32\\DriverStore\\FileRepository\\x.inf]\r\n" +
	">>>  Section start 2023/05/03 09:00:00.000\r\n" +
	"     inf: Opened INF\r\n"

func TestSetupAPI(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	data := []byte(devLog)
	out := logstest.MustRun(t, SetupAPI, data, logs.Options{Location: berlin})
	if len(out.Events) != 2 {
		t.Fatalf("%d events", len(out.Events))
	}
	e := out.Events[0]
	if e.Time.Format(time.RFC3339Nano) != "2023-05-02T12:11:42.153Z" || e.TimeText != "2023/05/02 14:11:42.153" || !e.TimeZoneAssumed {
		t.Errorf("time %v %q", e.Time, e.TimeText)
	}
	f := logstest.Fields(e)
	if f["section"] != "Device Install (Hardware initiated)" || f["device"] != `USBSTOR\Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00\4C530001131213115132&0` ||
		f["exit_status"] != "SUCCESS" || f["hardware_id"] != `USBSTOR\DiskSanDisk_Cruzer_Blade____1.00` || f["section_end"] != "2023/05/02 14:11:43.442" {
		t.Errorf("fields %v", f)
	}
	rec := string(logstest.Record(data, e))
	if !strings.HasPrefix(rec, ">>>  [Device Install (Hardware") || !strings.HasSuffix(rec, "<<<  [Exit status: SUCCESS]") {
		t.Errorf("record %q", rec)
	}
	if len(out.Warnings) != 1 || !strings.HasPrefix(out.Warnings[0].Why, "the section has no end") {
		t.Errorf("warnings %v", out.Warnings)
	}
}

func FuzzSetupAPI(f *testing.F) {
	f.Add([]byte(devLog))
	f.Fuzz(func(t *testing.T, data []byte) { logstest.Fuzz(t, SetupAPI, data) })
}
