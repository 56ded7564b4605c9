package casefile

import "time"

// TestTime is the fixed instant TestOptions' clock returns.
var TestTime = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// TestOptions returns Options for tests in any package: the cheap TestKDF
// and a clock fixed at TestTime. Outside a test binary, writing a key slot
// with them fails with ErrWeakKDF.
func TestOptions() Options {
	return Options{KDF: TestKDF, Clock: func() time.Time { return TestTime }}
}
