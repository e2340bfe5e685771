module github.com/scimkit/scimkit/scim/oauth

go 1.26.0

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/google/go-cmp v0.7.0
	github.com/scimkit/scimkit v0.0.0
)

replace github.com/scimkit/scimkit => ../..
