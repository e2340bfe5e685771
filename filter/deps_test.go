package filter_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoNetHTTP keeps the filter and schema packages free of net/http: only
// package scim speaks HTTP.
func TestNoNetHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	for _, pkg := range []string{"github.com/scimkit/scimkit/filter", "github.com/scimkit/scimkit/scim/schema"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "net/http" {
				t.Errorf("%s imports net/http", pkg)
			}
		}
	}
}
