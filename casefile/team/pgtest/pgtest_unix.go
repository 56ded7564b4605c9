//go:build unix

package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// port is the number in the socket's name (.s.PGSQL.port); nothing
// listens on TCP.
const port = 5432

// Server is a running test server.
type Server struct {
	dir  string // temporary folder: data/, the socket, postgres.log
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	n    int // databases made
	err  error
}

// Bin returns the folder holding initdb and postgres, or "" when there
// is none: $CUSTODIA_PG_BIN, the newest /usr/lib/postgresql/*/bin, then
// the folder of an initdb on PATH.
func Bin() string {
	has := func(d string) bool {
		for _, n := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(d, n)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("CUSTODIA_PG_BIN"); d != "" {
		if has(d) {
			return d
		}
		return ""
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil && has(filepath.Dir(p)) {
		return filepath.Dir(p)
	}
	return ""
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start starts a server for t and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Bin()
	if bin == "" {
		t.Skip("PostgreSQL server binaries (initdb, postgres) not found: install Debian's postgresql package (scripts/setup.sh does) or set CUSTODIA_PG_BIN to their folder")
	}
	s, err := start(bin)
	if err != nil {
		t.Fatalf("start the test PostgreSQL server: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop the test PostgreSQL server: %v", err)
		}
	})
	return s
}

func start(bin string) (s *Server, err error) {
	dir, err := os.MkdirTemp("", "custodia-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	// As root, initdb and postgres run as nobody, who owns the folder.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("running as root and there is no user nobody to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}
	}
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Dir = dir
		c.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		return c
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := run("postgres", "-D", data, "-k", dir, "-p", strconv.Itoa(port), "-c", "listen_addresses=",
		"-c", "max_connections=60", "-c", "shared_buffers=32MB", "-c", "unix_socket_permissions=0777")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s = &Server{dir: dir, cmd: cmd, done: make(chan struct{})}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Kill()
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited (%v):\n%s", s.err, s.Log())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %s (%v):\n%s", limit, err, s.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL returns the URL of database db on the server.
func (s *Server) URL(db string) string {
	q := url.Values{"host": {s.dir}, "port": {strconv.Itoa(port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(Superuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	s.n++
	name := fmt.Sprintf("case%d", s.n)
	s.mu.Unlock()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return s.URL(name)
}

// Log returns the server's log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	return string(b)
}

// Kill ends the server at once with SIGKILL, as a crash or a pulled cable
// would (what was not committed is lost; the data folder stays for
// Restart).
func (s *Server) Kill() {
	// PostgreSQL's backends leave the postmaster's process group (each
	// calls setsid), so they are found by parent before it dies and killed
	// one by one: a backend left alive could still answer an open session
	// for a moment after its postmaster is gone.
	children := childrenOf(s.cmd.Process.Pid)
	s.cmd.Process.Signal(syscall.SIGKILL)
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	for _, c := range children {
		syscall.Kill(c, syscall.SIGKILL)
	}
	<-s.done
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		alive := false
		for _, c := range children {
			alive = alive || running(c)
		}
		if !alive {
			return
		}
	}
}

// childrenOf lists the processes whose parent is pid (from /proc; none
// where there is no /proc).
func childrenOf(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(n); ok && st.ppid == pid {
			out = append(out, n)
		}
	}
	return out
}

// running reports whether process pid exists and is not a zombie.
func running(pid int) bool {
	st, ok := procStat(pid)
	return ok && st.state != 'Z' && st.state != 'X'
}

type procStatus struct {
	state byte
	ppid  int
}

// procStat reads the state and parent of pid from /proc/pid/stat.
func procStat(pid int) (procStatus, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStatus{}, false
	}
	// "pid (comm) state ppid …"; comm may hold spaces and parentheses.
	k := strings.LastIndexByte(string(b), ')')
	if k < 0 {
		return procStatus{}, false
	}
	f := strings.Fields(string(b[k+1:]))
	if len(f) < 2 || len(f[0]) == 0 {
		return procStatus{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return procStatus{state: f[0][0], ppid: ppid}, true
}

// Stop shuts the server down (fast shutdown: open sessions are ended)
// and removes its folder.
func (s *Server) Stop() error {
	defer os.RemoveAll(s.dir)
	select {
	case <-s.done:
		return nil
	default:
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.Kill()
		return errors.New("postgres did not stop within 20 s after SIGINT and was killed:\n" + tail(s.Log()))
	}
	return nil
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
