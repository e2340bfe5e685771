package scim_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestPasswordNeverStoredInClear checks that a password written over SCIM
// reaches no store in clear text: without Config.HashPassword it is dropped
// (and changePassword is not advertised); with it, the store keeps the
// hook's result, the hook sees each written password once, a PATCH of other
// attributes keeps the stored form, and the hook can refuse a password.
func TestPasswordNeverStoredInClear(t *testing.T) {
	t.Run("no hook", func(t *testing.T) {
		s := newServer(t, func(c *scim.Config) { c.HashPassword = nil })
		s.do("POST", "/Users", `{"userName":"a@x","password":"s3cret"}`).expect(t, 201, "")
		s.do("PUT", "/Users/id-1", `{"userName":"a@x","password":"other"}`).expect(t, 200, "")
		s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"password","value":"third"}]}`).expect(t, 200, "")
		s.do("POST", "/Bulk", `{"Operations":[{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"b@x","password":"bulk"}}]}`).expect(t, 200, "")
		if _, err := s.h.Create(context.Background(), "User", map[string]any{"userName": "c@x", "password": "go"}); err != nil {
			t.Fatal(err)
		}
		page, _ := s.store.List(context.Background(), "User", store.Query{StartIndex: 1, Count: 10})
		for _, u := range page.Resources {
			if _, ok := u.Attributes["password"]; ok {
				t.Errorf("user %s stored a password: %v", u.ID, u.Attributes)
			}
		}
		r := s.do("GET", "/ServiceProviderConfig", "")
		if cp := r.body.(map[string]any)["changePassword"].(map[string]any); cp["supported"] != false {
			t.Errorf("changePassword = %v, want not supported", cp)
		}
	})
	t.Run("hook", func(t *testing.T) {
		var calls atomic.Int32
		s := newServer(t, func(c *scim.Config) {
			c.HashPassword = func(ctx context.Context, pw string) (string, error) {
				calls.Add(1)
				switch {
				case len(pw) < 4:
					return "", &scim.Error{Status: 400, ScimType: "invalidValue", Detail: "password is too short"}
				case pw == "boom":
					return "", errors.New("the hasher is down: secret detail")
				}
				return "hash(" + pw + ")", nil
			}
		})
		s.do("POST", "/Users", `{"userName":"a@x","password":"s3cret"}`).expect(t, 201, "")
		s.expectStored("User", "id-1", `{"userName":"a@x","password":"hash(s3cret)"}`)
		s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"displayName","value":"A"}]}`).expect(t, 200, "")
		s.expectStored("User", "id-1", `{"userName":"a@x","displayName":"A","password":"hash(s3cret)"}`)
		s.do("PUT", "/Users/id-1", `{"userName":"a@x"}`).expect(t, 200, "")
		s.expectStored("User", "id-1", `{"userName":"a@x","password":"hash(s3cret)"}`)
		s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","value":{"password":"n3w-one"}}]}`).expect(t, 200, "")
		s.expectStored("User", "id-1", `{"userName":"a@x","password":"hash(n3w-one)"}`)
		if n := calls.Load(); n != 2 {
			t.Errorf("the hook ran %d times for 2 passwords", n)
		}
		r := s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"password","value":"abc"}]}`)
		r.expect(t, 400, "")
		if d := r.body.(map[string]any)["detail"]; d != "password is too short" {
			t.Errorf("refusal detail = %v", d)
		}
		r = s.do("POST", "/Users", `{"userName":"b@x","password":"boom"}`)
		r.expect(t, 400, "")
		if strings.Contains(r.raw, "secret detail") {
			t.Errorf("the hook's error text was sent: %s", r.raw)
		}
		s.expectStored("User", "id-1", `{"userName":"a@x","password":"hash(n3w-one)"}`)
		r = s.do("GET", "/ServiceProviderConfig", "")
		if cp := r.body.(map[string]any)["changePassword"].(map[string]any); cp["supported"] != true {
			t.Errorf("changePassword = %v, want supported", cp)
		}
	})
}
