// Package layering holds a test over the module's own import graph: the
// layers of docs/ARCHITECTURE.md, checked rather than hoped for.
package layering

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/goevent/goevent"

// layer ranks each library package; an import may only point to a lower
// or equal rank (sideways only where listed in allowedSideways).
var layer = map[string]int{
	"internal/sys":     0,
	"internal/netutil": 0,
	"sendfile":         0,
	"core":             1,
	"evbuffer":         1,
	"bufferevent":      2,
	"ssl":              3,
	"filters":          3,
	"evhttp":           4,
	"evdns":            4,
	"evrpc":            5,
	"evrpc/evtag":      5,
}

// forbidden lists imports that the architecture rules out even though the
// ranks would allow them.
var forbidden = map[string][]string{
	"evbuffer": {"core"},   // evbuffer is the currency of every layer; it never imports the loop
	"evdns":    {"evhttp"}, // evdns never imports evhttp
	"evhttp":   {"evdns"},  // they meet only through bufferevent's Resolver interface
	"ssl":      {"filters"},
	"filters":  {"ssl"},
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestLayers(t *testing.T) {
	for _, p := range listPackages(t) {
		from := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		rank, isLib := layer[from]
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				if isLib && (imp == "flag" || imp == "log") {
					t.Errorf("%s imports %s: only cmd/ may", from, imp)
				}
				continue
			}
			to := strings.TrimPrefix(imp, module+"/")
			if strings.HasPrefix(to, "cmd/") && !ownInternal(from, to) {
				t.Errorf("%s imports a command: %s", from, to)
			}
			for _, f := range forbidden[from] {
				if to == f || strings.HasPrefix(to, f+"/") {
					t.Errorf("%s must not import %s", from, to)
				}
			}
			toRank, ok := layer[to]
			if isLib && ok && toRank > rank {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports point down only", from, rank, to, toRank)
			}
		}
	}
}

// ownInternal reports whether to is one of from's own internal packages
// (cmd/evhttpd importing cmd/evhttpd/internal/static).
func ownInternal(from, to string) bool {
	root, _, _ := strings.Cut(from, "/internal/")
	return strings.HasPrefix(to, root+"/internal/")
}
