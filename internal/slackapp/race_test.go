//go:build race

package slackapp

// RaceEnabled is true when the tests run under the race detector, which
// makes them some ten times slower: the largest tests then run smaller, so
// that CI (go test -race) stays within its time. Their full size runs
// without -race, as the benchmarks' figures do.
const RaceEnabled = true
