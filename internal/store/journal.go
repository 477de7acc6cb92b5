package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// ErrJournalInUse means another process holds the database's inbox journal:
// it is already serving this database.
var ErrJournalInUse = errors.New("another Ladder process is serving this database (it holds the inbox journal); run one bot serve per database")

// This file is the inbox's journal: an append-only file beside the database
// (ladder.db-inbox) that holds the events acked to Slack but not yet
// committed to the inbox table. Writing a record is one write(2), tens of
// microseconds, where a commit to SQLite takes milliseconds under a burst;
// and once write(2) returns, the bytes are the kernel's: a kill -9 of the
// process cannot lose them. (A power loss can, as it can lose SQLite's last
// commits: the database runs with synchronous=NORMAL, and neither fsyncs.)
//
// A record is a 4-byte big-endian length n, the 4-byte CRC-32 (Castagnoli)
// of the n bytes that follow, and those n bytes: the JSON of an InboxEvent.
// Reading stops at the first record that is incomplete or whose checksum
// does not match: a torn tail was never acked, since the ack waits for the
// write to return.
//
// The journal is emptied (truncated to zero) whenever every record written
// to it is settled: committed to the inbox table, or handled without it.
// Under a steady flow of events that is after nearly every commit, so it
// usually holds only the events of the last few milliseconds. At start,
// OpenJournal commits what a stop left in it to the inbox table, where
// duplicates are ignored, and empties it.

// journalSuffix names the journal after the database, as SQLite names its WAL.
const journalSuffix = "-inbox"

// recordHeader is the length and the checksum before each record.
const recordHeader = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Journal is the inbox's journal. Its methods are safe for concurrent use.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	size int64 // the bytes of whole records in the file
	// pending counts the records written and not yet settled.
	pending int
	// torn is set when a write failed after writing part of a record: the
	// next Append cuts it off first.
	torn bool
	// direct is set on PostgreSQL, where there is no file.
	direct bool
}

// Direct reports that there is no journal file: the caller must commit
// events to the inbox table (Receive) before it acks them, and Append and
// Settle do nothing. A commit to PostgreSQL is the durable record every
// replica can see, and a file on one replica's disk would be lost with it.
func (j *Journal) Direct() bool { return j.direct }

// OpenJournal opens the journal beside the database, commits the events it
// holds to the inbox (see Receive; ones already there are ignored), empties
// it, and returns it ready for Append. Only the process that serves Slack
// opens it.
//
// It fails with ErrJournalInUse while another process has it open: only one
// process may serve a database.
//
// On PostgreSQL there is no journal file: replicas share the database, and a
// commit there is what makes an event safe to ack (see Direct).
func (db *DB) OpenJournal(ctx context.Context) (*Journal, error) {
	if db.pg {
		return &Journal{direct: true}, nil
	}
	f, err := os.OpenFile(db.path+journalSuffix, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	if err := lockJournal(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j := &Journal{f: f}
	if err := db.recover(ctx, j); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	// The lock says no other process serves this database: what the last
	// one left unhandled is this one's to handle.
	if err := db.adoptAll(ctx); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return j, nil
}

// recover commits the events in j to the inbox, then empties j.
func (db *DB) recover(ctx context.Context, j *Journal) error {
	data, err := io.ReadAll(io.NewSectionReader(j.f, 0, 1<<62))
	if err != nil {
		return err
	}
	evs := readRecords(data)
	for len(evs) > 0 {
		n := min(len(evs), 256)
		if _, err := db.Receive(ctx, evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return j.f.Truncate(0)
}

// readRecords decodes the whole records at the start of data. It stops at
// the first one that is incomplete or does not match its checksum.
func readRecords(data []byte) []InboxEvent {
	var evs []InboxEvent
	for len(data) >= recordHeader {
		n := binary.BigEndian.Uint32(data)
		sum := binary.BigEndian.Uint32(data[4:])
		if uint64(n) > uint64(len(data)-recordHeader) {
			break
		}
		body := data[recordHeader : recordHeader+int(n)]
		if crc32.Checksum(body, castagnoli) != sum {
			break
		}
		// A record with a good checksum that does not decode, or has no
		// event id, was not written by Append: it is skipped.
		var e InboxEvent
		if json.Unmarshal(body, &e) == nil && e.EventID != "" {
			evs = append(evs, e)
		}
		data = data[recordHeader+int(n):]
	}
	return evs
}

// Append writes evs to the journal, one record each, in a single write. When
// it returns nil, they survive the end of the process, and they count as
// pending until Settle.
func (j *Journal) Append(evs []InboxEvent) error {
	if j.direct {
		return errors.New("append to journal: there is none on PostgreSQL; commit with Receive")
	}
	var buf bytes.Buffer
	for _, e := range evs {
		body, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("append to journal: %w", err)
		}
		var h [recordHeader]byte
		binary.BigEndian.PutUint32(h[:], uint32(len(body)))
		binary.BigEndian.PutUint32(h[4:], crc32.Checksum(body, castagnoli))
		buf.Write(h[:])
		buf.Write(body)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.torn {
		if err := j.f.Truncate(j.size); err != nil {
			return fmt.Errorf("append to journal: cut a torn record: %w", err)
		}
		j.torn = false
	}
	n, err := j.f.Write(buf.Bytes())
	if err != nil {
		// Records after a torn one would never be read: cut it off before
		// the next write.
		if n > 0 {
			j.torn = true
		}
		return fmt.Errorf("append to journal: %w", err)
	}
	j.size += int64(n)
	j.pending += len(evs)
	return nil
}

// Settle records that n of the records appended are committed to the inbox
// table or handled, and empties the journal if none is left pending.
func (j *Journal) Settle(n int) error {
	if j.direct {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pending = max(j.pending-n, 0)
	if j.pending > 0 || j.size == 0 {
		return nil
	}
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("empty journal: %w", err)
	}
	j.size, j.torn = 0, false
	return nil
}

// Close closes the journal. What it holds is committed at the next
// OpenJournal.
func (j *Journal) Close() error {
	if j.direct {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("close journal: already closed")
	}
	err := j.f.Close()
	j.f = nil
	if err != nil {
		return fmt.Errorf("close journal: %w", err)
	}
	return nil
}
