package demo

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedactQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{`filter=userName+eq+%22ada%40example.com%22&startIndex=1&count=100`, `count=100&filter=userName eq "…"&startIndex=1`},
		{`filter=password+eq+%22guess%22`, `filter=password eq "…"`},
		{`filter=externalId+eq+jyoung+and+emails%5Bvalue+co+%22%5C%22x%22%5D`, `filter=externalId eq … and emails[value co "…"]`},
		{`access_token=abc&api_key=k&Code=c&attributes=userName`, `Code=REDACTED&access_token=REDACTED&api_key=REDACTED&attributes=userName`},
		{`count=2`, `count=2`},
		{`%zz`, `(unparsable query)`},
		{``, ``},
	}
	for _, tc := range tests {
		got := RedactQuery(tc.in)
		if got != "" && got != "(unparsable query)" {
			var err error
			if got, err = url.QueryUnescape(got); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("RedactQuery(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}
