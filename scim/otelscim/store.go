package otelscim

import (
	"context"
	"errors"
	"sync"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Store returns s with a child span around each call (see the package
// documentation). The result implements store.MemberPatcher,
// store.FilterSplitter, store.CursorLister and store.GroupLister exactly
// when s does; give it to scim.Config.Store in place of s.
func (t *Telemetry) Store(s store.Store) store.Store {
	b := &tracedStore{next: s, tracer: t.tracer, opts: map[string][]trace.SpanStartOption{}}
	mp, isMP := s.(store.MemberPatcher)
	fs, isFS := s.(store.FilterSplitter)
	cl, isCL := s.(store.CursorLister)
	gl, isGL := s.(store.GroupLister)
	m, f, c, g := memberPatcher{b, mp}, filterSplitter{fs}, cursorLister{b, cl}, groupLister{b, gl}
	switch {
	case isMP && isFS && isCL && isGL:
		return struct {
			*tracedStore
			memberPatcher
			filterSplitter
			cursorLister
			groupLister
		}{b, m, f, c, g}
	case isMP && isFS && isCL:
		return struct {
			*tracedStore
			memberPatcher
			filterSplitter
			cursorLister
		}{b, m, f, c}
	case isMP && isFS && isGL:
		return struct {
			*tracedStore
			memberPatcher
			filterSplitter
			groupLister
		}{b, m, f, g}
	case isMP && isCL && isGL:
		return struct {
			*tracedStore
			memberPatcher
			cursorLister
			groupLister
		}{b, m, c, g}
	case isFS && isCL && isGL:
		return struct {
			*tracedStore
			filterSplitter
			cursorLister
			groupLister
		}{b, f, c, g}
	case isMP && isFS:
		return struct {
			*tracedStore
			memberPatcher
			filterSplitter
		}{b, m, f}
	case isMP && isCL:
		return struct {
			*tracedStore
			memberPatcher
			cursorLister
		}{b, m, c}
	case isMP && isGL:
		return struct {
			*tracedStore
			memberPatcher
			groupLister
		}{b, m, g}
	case isFS && isCL:
		return struct {
			*tracedStore
			filterSplitter
			cursorLister
		}{b, f, c}
	case isFS && isGL:
		return struct {
			*tracedStore
			filterSplitter
			groupLister
		}{b, f, g}
	case isCL && isGL:
		return struct {
			*tracedStore
			cursorLister
			groupLister
		}{b, c, g}
	case isMP:
		return struct {
			*tracedStore
			memberPatcher
		}{b, m}
	case isFS:
		return struct {
			*tracedStore
			filterSplitter
		}{b, f}
	case isCL:
		return struct {
			*tracedStore
			cursorLister
		}{b, c}
	case isGL:
		return struct {
			*tracedStore
			groupLister
		}{b, g}
	}
	return b
}

type tracedStore struct {
	next   store.Store
	tracer trace.Tracer

	mu   sync.RWMutex
	opts map[string][]trace.SpanStartOption // by resource type
}

// start starts the span of a store call; the span name is a constant
// "scim.store <method>".
func (s *tracedStore) start(ctx context.Context, method, typ string) (context.Context, trace.Span) {
	s.mu.RLock()
	o, ok := s.opts[typ]
	s.mu.RUnlock()
	if !ok {
		o = []trace.SpanStartOption{internalKind, trace.WithAttributes(AttrResourceType.String(typ))}
		s.mu.Lock()
		if len(s.opts) < maxCached {
			s.opts[typ] = o
		}
		s.mu.Unlock()
	}
	return s.tracer.Start(ctx, method, o...)
}

// end ends span, recording err: sentinels as an outcome, anything else as
// a failure.
func end(span trace.Span, err error) {
	if err != nil {
		switch {
		case errors.Is(err, store.ErrNotFound):
			span.SetAttributes(AttrStoreOutcome.String("not_found"))
		case errors.Is(err, store.ErrConflict):
			span.SetAttributes(AttrStoreOutcome.String("conflict"))
		case errors.Is(err, store.ErrVersionMismatch):
			span.SetAttributes(AttrStoreOutcome.String("version_mismatch"))
		case errors.Is(err, store.ErrInvalidReference):
			span.SetAttributes(AttrStoreOutcome.String("invalid_reference"))
		case errors.Is(err, errors.ErrUnsupported):
			span.SetAttributes(AttrStoreOutcome.String("unsupported"))
		default:
			span.RecordError(err)
			span.SetStatus(codes.Error, "store error")
		}
	}
	span.End()
}

func (s *tracedStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	ctx, span := s.start(ctx, "scim.store Create", r.Type)
	res, err := s.next.Create(ctx, r)
	end(span, err)
	return res, err
}

func (s *tracedStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	ctx, span := s.start(ctx, "scim.store Get", typ)
	res, err := s.next.Get(ctx, typ, id)
	end(span, err)
	return res, err
}

func (s *tracedStore) Replace(ctx context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	ctx, span := s.start(ctx, "scim.store Replace", r.Type)
	res, err := s.next.Replace(ctx, r, ifVersion)
	end(span, err)
	return res, err
}

func (s *tracedStore) Delete(ctx context.Context, typ, id, ifVersion string) error {
	ctx, span := s.start(ctx, "scim.store Delete", typ)
	err := s.next.Delete(ctx, typ, id, ifVersion)
	end(span, err)
	return err
}

func (s *tracedStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	ctx, span := s.start(ctx, "scim.store List", typ)
	p, err := s.next.List(ctx, typ, q)
	pageAttrs(span, p)
	end(span, err)
	return p, err
}

func pageAttrs(span trace.Span, p *store.Page) {
	if p != nil && span.IsRecording() {
		span.SetAttributes(AttrStoreResults.Int(len(p.Resources)), AttrStoreTotal.Int(p.Total))
	}
}

type memberPatcher struct {
	s    *tracedStore
	next store.MemberPatcher
}

func (m memberPatcher) PatchMembers(ctx context.Context, typ, id string, d store.MemberDelta, ifVersion string) (*store.MemberResult, error) {
	ctx, span := m.s.start(ctx, "scim.store PatchMembers", typ)
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("scim.store.members_added", len(d.Add)), attribute.Int("scim.store.members_removed", len(d.Remove)))
	}
	res, err := m.next.PatchMembers(ctx, typ, id, d, ifVersion)
	end(span, err)
	return res, err
}

// filterSplitter passes SplitFilter through untraced: it is a pure
// function of the filter, without I/O.
type filterSplitter struct{ next store.FilterSplitter }

func (f filterSplitter) SplitFilter(typ string, e filter.Expr) (pushed, residual filter.Expr) {
	return f.next.SplitFilter(typ, e)
}

type cursorLister struct {
	s    *tracedStore
	next store.CursorLister
}

func (c cursorLister) ListAfter(ctx context.Context, typ string, q store.Query, after string) (*store.Page, error) {
	ctx, span := c.s.start(ctx, "scim.store ListAfter", typ)
	p, err := c.next.ListAfter(ctx, typ, q, after)
	pageAttrs(span, p)
	end(span, err)
	return p, err
}

type groupLister struct {
	s    *tracedStore
	next store.GroupLister
}

func (g groupLister) GroupsOf(ctx context.Context, ids []string) (map[string][]store.GroupRef, error) {
	ctx, span := g.s.start(ctx, "scim.store GroupsOf", "Group")
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("scim.store.ids", len(ids)))
	}
	out, err := g.next.GroupsOf(ctx, ids)
	end(span, err)
	return out, err
}
