package feed_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/feed"
)

// A consumer that ends the sessions of deactivated users. It runs next to
// the handler; a write that committed is delivered even if the process
// stopped before the consumer saw it.
func ExampleRun() {
	s := store.NewMemoryWith(store.MemoryConfig{Feed: true})
	ctx, stop := context.WithCancel(context.Background())

	// Writes, as the handler makes them.
	u, _ := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": "ada", "active": true}})
	_, _ = s.Replace(ctx, &store.Resource{Type: "User", ID: u.ID, Attributes: map[string]any{"userName": "ada", "active": false}}, "")

	err := feed.Run(ctx, feed.Config{
		Feed: s,
		Name: "sessions",
		Handle: func(ctx context.Context, e store.Event) error {
			c := e.Change
			fmt.Println(e.Position, c.Kind, c.Type, c.Changed)
			if c.Type == "User" && c.Kind != store.Created && slices.Contains(c.Changed, "active") {
				r, err := s.Get(ctx, c.Type, c.ID) // the current state
				if err != nil {
					return err // retried
				}
				if u, err := r.User(); err == nil && !u.IsActive() {
					fmt.Println("ending the sessions of", u.UserName)
				}
			}
			if e.Position == 2 {
				stop() // for the example; a host runs until shutdown
			}
			return nil
		},
	})
	fmt.Println("stopped:", err)
	// Output:
	// 1 created User [active userName]
	// 2 replaced User [active]
	// ending the sessions of ada
	// stopped: <nil>
}
