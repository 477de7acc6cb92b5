//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockJournal takes an exclusive lock on the journal for as long as it is
// open, so that a second process serving the same database fails at start
// instead of truncating the first one's journal.
func lockJournal(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrJournalInUse
	}
	return err
}
