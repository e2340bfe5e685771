module github.com/scimkit/scimkit

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/scim2/filter-parser/v2 v2.3.1
)

require github.com/q-uint/parser v0.3.1 // indirect
