//go:build !race

package slackapp

// RaceEnabled is true when the tests run under the race detector (race_test.go).
const RaceEnabled = false
