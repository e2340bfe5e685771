module github.com/scimkit/scimkit/examples/production

go 1.26.0

require (
	github.com/scimkit/scimkit v0.0.0
	github.com/scimkit/scimkit/scim/oauth v0.0.0
	github.com/scimkit/scimkit/scim/otelscim v0.0.0
	github.com/scimkit/scimkit/scim/ratelimit v0.0.0
	go.opentelemetry.io/otel/exporters/stdout/stdoutmetric v1.47.0
	go.opentelemetry.io/otel/exporters/stdout/stdouttrace v1.47.0
	go.opentelemetry.io/otel/sdk v1.47.0
	go.opentelemetry.io/otel/sdk/metric v1.47.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.opentelemetry.io/otel/trace v1.47.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

replace (
	github.com/scimkit/scimkit => ../..
	github.com/scimkit/scimkit/scim/oauth => ../../scim/oauth
	github.com/scimkit/scimkit/scim/otelscim => ../../scim/otelscim
	github.com/scimkit/scimkit/scim/ratelimit => ../../scim/ratelimit
)
