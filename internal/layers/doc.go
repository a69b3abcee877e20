// Package layers holds no code. Its test is the portal's architecture
// rule, checked on every `go test ./...`: which packages may import which.
//
//   - views present: they import no storage (internal/store).
//   - Domain packages own their types and rules in plain Go: they import no
//     Fiber, no net/http server code, no database/sql and no internal/store.
//   - handlers speak HTTP: they import no SQL driver and no internal/store;
//     they hold the services of the domain packages over Storage.
//
// Imports the portal still has to shed are listed in the test as known
// exceptions; the list may only shrink (the test fails when an exception is
// no longer needed, so it stays true).
package layers
