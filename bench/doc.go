// Package bench compares scimkit with github.com/elimity-com/scim, the most
// used Go SCIM server library, on the requests identity providers send most.
// It is a separate module so that the comparison's dependency never reaches
// scimkit's own go.mod. Run it with
//
//	go test -run '^$' -bench . -count 10 ./bench/ | tee new.txt && benchstat new.txt
package bench
