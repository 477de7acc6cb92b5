//go:build !unix

package store

import "os"

// lockJournal does nothing where flock(2) does not exist: there, run one
// process per database.
func lockJournal(*os.File) error { return nil }
