package serve

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goevent/goevent/core"
)

func TestDescribe(t *testing.T) {
	var b bytes.Buffer
	if err := Describe(&b, "workers=4"); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("gomaxprocs=%d affinity_cpus=", runtime.GOMAXPROCS(0))
	if s := b.String(); !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, " workers=4\n") {
		t.Errorf("Describe wrote %q", s)
	}
}

func TestStartProfile(t *testing.T) {
	stop, err := StartProfile("")
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Errorf("stop of no profile: %v", err)
	}
	path := filepath.Join(t.TempDir(), "cpu.prof")
	stop, err = StartProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("profile file: %v, %v", fi, err)
	}
	if _, err := StartProfile(filepath.Join(t.TempDir(), "none", "cpu.prof")); err == nil {
		t.Error("StartProfile into a missing directory succeeded")
	}
}

func TestHTTPBadAddress(t *testing.T) {
	if err := HTTP("127.0.0.1:notaport", "", http.NotFoundHandler()); err == nil {
		t.Error("HTTP on a bad address succeeded")
	}
}

func TestLoopSetupError(t *testing.T) {
	errSetup := errors.New("setup failed")
	err := Loop("", func(*core.Base) (string, error) { return "", errSetup })
	if !errors.Is(err, errSetup) {
		t.Errorf("Loop = %v, want the setup error", err)
	}
}
