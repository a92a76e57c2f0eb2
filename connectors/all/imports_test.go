package all

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/ccetl/ccetl"

// TestImportDirections enforces the layering of STYLE.md:
// cmd -> jobs -> pipeline; cmd -> connectors/all -> connectors/<x> ->
// connectors/internal/* -> pipeline; cmd -> transforms -> pipeline.
func TestImportDirections(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for dec.More() {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if msg := forbidden(strings.TrimPrefix(p.ImportPath, module+"/"), strings.TrimPrefix(imp, module+"/")); msg != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, imp, msg)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d packages listed", checked)
	}
}

func top(p string) string {
	if i := strings.Index(p, "/"); i >= 0 {
		return p[:i]
	}
	return p
}

// connector returns the connector a connectors/ package belongs to
// ("calabrio" for connectors/calabrio/whit), "internal" or "all".
func connector(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

func forbidden(from, to string) string {
	switch top(from) {
	case "pipeline":
		if top(to) != "pipeline" {
			return "pipeline imports nothing else from the module"
		}
	case "transforms":
		if top(to) != "pipeline" && top(to) != "transforms" {
			return "transforms import only pipeline"
		}
	case "jobs":
		if top(to) == "connectors" || top(to) == "cmd" {
			return "jobs gets the registry from cmd and never imports a connector"
		}
	case "connectors":
		switch top(to) {
		case "jobs", "transforms", "cmd":
			return "connectors never import jobs, transforms or cmd"
		case "connectors":
			f, t := connector(from), connector(to)
			if f == "all" || t == "internal" || f == t {
				return ""
			}
			return "connectors never import each other"
		}
	}
	return ""
}

func TestForbiddenRules(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		bad      bool
	}{
		{"pipeline", "connectors/internal/lake", true},
		{"jobs", "connectors/calabrio/whit", true},
		{"jobs", "transforms", false},
		{"connectors/livevox", "connectors/genesys", true},
		{"connectors/calabrio/api", "connectors/calabrio/org", false},
		{"connectors/livevox", "connectors/internal/httpx", false},
		{"connectors/all", "connectors/livevox", false},
		{"connectors/s3", "jobs/state", true},
		{"transforms", "connectors/internal/parse", true},
	} {
		if got := forbidden(tc.from, tc.to) != ""; got != tc.bad {
			t.Errorf("%s -> %s: forbidden %v, want %v", tc.from, tc.to, got, tc.bad)
		}
	}
}
