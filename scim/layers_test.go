package scim_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPurePackagesAvoidHTTP keeps net/http out of everything below the
// handler: filter, patch, store, store/storetest's store side and the schema
// package are transport-free, so stores and tools can use them anywhere.
func TestPurePackagesAvoidHTTP(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	pkgs := []string{
		"github.com/scimkit/scimkit/filter",
		"github.com/scimkit/scimkit/patch",
		"github.com/scimkit/scimkit/store",
		"github.com/scimkit/scimkit/store/feed",
		"github.com/scimkit/scimkit/scim/schema",
	}
	for _, p := range pkgs {
		out, err := exec.Command("go", "list", "-deps", p).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", p, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "net/http" || strings.HasPrefix(dep, "net/http/") {
				t.Errorf("%s depends on %s", p, dep)
			}
		}
	}
}
