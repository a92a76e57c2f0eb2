package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lake"
)

// gateway is a versitygw process of the test's own, which the test may kill.
type gateway struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
}

// newGateway starts a private server on a free port with a fresh directory.
func newGateway(t *testing.T) *gateway {
	t.Helper()
	testConfig(t) // skip or fail like every integration test
	bin := os.Getenv("CCETL_TEST_VERSITYGW")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CCETL_TEST_VERSITYGW is not set; CI must run: eval \"$(.ci/s3server.sh start)\"")
		}
		t.Skip("CCETL_TEST_VERSITYGW is not set")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{bin: bin, dir: t.TempDir(), port: l.Addr().(*net.TCPAddr).Port}
	l.Close()
	g.start(t)
	t.Cleanup(g.kill)
	return g
}

func (g *gateway) endpoint() string { return fmt.Sprintf("http://127.0.0.1:%d", g.port) }

func (g *gateway) start(t *testing.T) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", g.port)
	g.cmd = exec.Command(g.bin, "--access", os.Getenv("CCETL_TEST_S3_ACCESS_KEY"),
		"--secret", os.Getenv("CCETL_TEST_S3_SECRET_KEY"), "--port", addr, "--quiet", "posix", g.dir)
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("versitygw did not start on %s", addr)
}

func (g *gateway) kill() {
	if g.cmd != nil {
		g.cmd.Process.Kill()
		g.cmd.Wait()
		g.cmd = nil
	}
}

// hookReader calls hook once, after at bytes have been read.
type hookReader struct {
	r    io.Reader
	at   int64
	read int64
	hook func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.read += int64(n)
	if h.hook != nil && h.read >= h.at {
		h.hook()
		h.hook = nil
	}
	return n, err
}

func TestServerKilledMidUpload(t *testing.T) {
	g := newGateway(t)
	cfg := serverConfig(t, g.endpoint())
	cfg.PartSize, cfg.Concurrency = MinPartSize, 2
	s := newTestStore(t, cfg)
	ctx := context.Background()
	const size = 8 * MinPartSize

	w, err := s.Create(ctx, "killed.bin")
	if err != nil {
		t.Fatal(err)
	}
	src := &hookReader{r: data(9, size), at: 3 * MinPartSize, hook: g.kill}
	_, werr := io.Copy(w, src)
	if err := errors.Join(werr, w.Close()); err == nil {
		t.Fatal("upload succeeded with the server killed mid-way")
	} else {
		t.Logf("upload failed as expected: %v", err)
	}
	if err := w.Abort(ctx); err != nil {
		t.Fatal(err)
	}

	g.start(t)
	if infos, err := s.List(ctx, ""); err != nil || len(infos) != 0 {
		t.Fatalf("after restart List = %v, %v; want nothing visible", infos, err)
	}
	if _, err := s.Open(ctx, "killed.bin"); !errors.Is(err, lake.ErrNotExist) {
		t.Fatalf("after restart Open: %v, want ErrNotExist", err)
	}

	put(t, s, "killed.bin", data(9, size))
	if got, want := objectSum(t, s, "killed.bin"), sum(data(9, size)); got != want {
		t.Fatal("rerun content differs")
	}
	// The killed run's parts stayed on the server, as they would after a
	// killed process; AbortIncomplete clears them.
	n, err := s.AbortIncomplete(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("aborted %d orphaned upload(s)", n)
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("uploads left after AbortIncomplete: %v", u)
	}
}
