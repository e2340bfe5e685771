module github.com/scimkit/scimkit/scim/ratelimit

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/scimkit/scimkit v0.0.0
	golang.org/x/time v0.16.0
)

replace github.com/scimkit/scimkit => ../..
