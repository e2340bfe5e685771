// Command production is a SCIM 2.0 service provider wired for production
// identity-provider connections: an OAuth 2.0 client-credentials token
// endpoint (what Microsoft Entra ID's app gallery requires), static bearer
// tokens (what Okta, OneLogin and JumpCloud send), per-tenant rate limits,
// and OpenTelemetry traces and metrics written to standard output.
//
//	cd examples/production && go run . [-addr 127.0.0.1:8082]
//
// It serves the token endpoint at http://ADDR/oauth/token and SCIM at
// http://ADDR/scim/v2 over the in-memory store, one tenant per credential:
//
//   - acme authenticates with OAuth client credentials: enter the printed
//     client id, client secret and token URL in Entra ID (Provisioning ›
//     Admin credentials › OAuth 2.0 client credentials);
//   - initech authenticates with a static bearer token (Okta: HTTP Header).
//
// Every tenant is limited to 50 requests per second with a burst of 100
// (above Entra ID's 25 per second floor). Spans and metrics go to standard
// output. The token-signing key comes from SCIMKIT_OAUTH_KEY (base64, at
// least 32 bytes, the same on every instance); without it a random key is
// made, and tokens are valid only in this process.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/scimkit/scimkit/examples/demo"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/oauth"
	"github.com/scimkit/scimkit/scim/otelscim"
	"github.com/scimkit/scimkit/scim/ratelimit"
	"github.com/scimkit/scimkit/scim/tenant"
	"github.com/scimkit/scimkit/store"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// config is what the host knows at start: its public URL, signing key,
// clients and static tokens, limits and where telemetry goes.
type config struct {
	baseURL    string
	signingKey []byte
	clients    []oauth.Client
	static     map[string]string // tenant → static bearer token
	limits     ratelimit.Config
	telemetry  io.Writer
	logger     *slog.Logger
}

// server is the host's HTTP handler and what must be flushed at exit.
type server struct {
	http.Handler
	shutdown func(context.Context) error
}

// newServer wires the token endpoint and SCIM:
//
//	/oauth/token  oauth.Server (client credentials)
//	/scim/v2/     oauth Wrap (access token or static token → tenant)
//	              → otelscim Wrap (span, metrics) → ratelimit Wrap (429)
//	              → scim.Handler over a traced, tenant-scoped memory store
func newServer(cfg config) (*server, error) {
	// Telemetry: stdout exporters here; OTLP in production.
	spanExp, err := stdouttrace.New(stdouttrace.WithWriter(cfg.telemetry))
	if err != nil {
		return nil, err
	}
	metricExp, err := stdoutmetric.New(stdoutmetric.WithWriter(cfg.telemetry))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spanExp))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExp, sdkmetric.WithInterval(time.Minute))))
	shutdown := func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx))
	}
	tel, err := otelscim.New(otelscim.Config{TracerProvider: tp, MeterProvider: mp, ResourceTypes: demo.ResourceTypes()})
	if err != nil {
		return nil, err
	}

	// The store scopes every call by the tenant the authentication put in
	// the context.
	st := store.NewMemoryWith(store.MemoryConfig{Tenant: func(ctx context.Context) string {
		t, _ := tenant.FromContext(ctx)
		return t
	}})
	h, err := scim.NewHandler(scim.Config{
		Store:         tel.Store(st),
		ResourceTypes: demo.ResourceTypes(),
		Logger:        cfg.logger,
	})
	if err != nil {
		return nil, err
	}

	static := scim.NewBearerAuth()
	static.SetNamedTokens(cfg.static)
	auth, err := oauth.New(oauth.Config{
		Issuer:   cfg.baseURL,
		Audience: cfg.baseURL + "/scim/v2",
		Keys:     []oauth.Key{{ID: "k1", Secret: cfg.signingKey}},
		Clients:  cfg.clients,
		Static:   static,
		Logger:   cfg.logger,
	})
	if err != nil {
		return nil, err
	}
	lim, err := ratelimit.New(cfg.limits)
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("/oauth/token", auth)
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(tel.Wrap(lim.Wrap(h)))))
	return &server{Handler: mux, shutdown: shutdown}, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "address to listen on")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

func run(addr string, logger *slog.Logger, out io.Writer) error {
	key, err := signingKey(logger)
	if err != nil {
		return err
	}
	secret, hash := oauth.NewSecret()
	staticToken, err := demo.NewToken()
	if err != nil {
		return err
	}
	baseURL := "http://" + addr
	srv, err := newServer(config{
		baseURL:    baseURL,
		signingKey: key,
		clients: []oauth.Client{{
			ID: "acme-entra", Tenant: "acme",
			Secrets: []oauth.Secret{{Hash: hash, NotAfter: time.Now().AddDate(2, 0, 0)}},
		}},
		static:    map[string]string{"initech": staticToken},
		telemetry: out,
		logger:    logger,
	})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.shutdown(ctx); err != nil {
			logger.Error("flushing telemetry", "error", err)
		}
	}()
	return demo.Serve(addr, demo.LogRequests(logger, srv), logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL:   http://%s/scim/v2\n", a)
		fmt.Fprintf(out, "acme (Entra ID, OAuth 2.0 client credentials):\n  token URL      http://%s/oauth/token\n  client id      acme-entra\n  client secret  %s\n", a, secret)
		fmt.Fprintf(out, "initech (Okta, HTTP Header): bearer token %s\n", staticToken)
	})
}

// signingKey reads SCIMKIT_OAUTH_KEY, or makes a random key.
func signingKey(logger *slog.Logger) ([]byte, error) {
	if v := os.Getenv("SCIMKIT_OAUTH_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) < 32 {
			return nil, errors.New("SCIMKIT_OAUTH_KEY must be base64 of at least 32 random bytes")
		}
		return k, nil
	}
	logger.Warn("SCIMKIT_OAUTH_KEY is not set: using a random token-signing key, valid only in this process")
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k, nil
}
