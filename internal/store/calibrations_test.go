package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// setManager makes manager the report's accepted manager, sharing share.
func setManager(t *testing.T, db *DB, report, manager string, share ladder.Share) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.UpdateMember(ctx, report, func(m *ladder.Member) error {
		m.Manager, m.Share = manager, share
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AnswerManager(ctx, report, manager, true); err != nil {
		t.Fatal(err)
	}
}

// TestCalibrations stores a manager's views of a report: only the current,
// accepted manager of a report who shares may store one, the latest
// replaces the one before, a new manager inherits nothing, and forget
// erases them, as report and as manager.
func TestCalibrations(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	mustEnroll(t, db, "UREP")
	mustEnroll(t, db, "UOTHER")
	setManager(t, db, "UREP", "UBOSS", ladder.ShareSummary)
	setManager(t, db, "UOTHER", "UBOSS", ladder.ShareFull)

	first := Calibration{Report: "UREP", Manager: "UBOSS", Note: "Solid <b>hiring</b> work",
		Areas: map[ladder.AreaID]string{ladder.People: "at_target", ladder.Scaling: "not_seen"}, Created: now}
	if err := db.SetCalibration(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := db.CurrentCalibration(ctx, "UREP")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, first) {
		t.Errorf("CurrentCalibration = %+v, want %+v", got, first)
	}

	// A second view replaces the first: one row per report and manager.
	second := first
	second.Areas = map[ladder.AreaID]string{ladder.People: "getting_there"}
	second.Note, second.Created = "", now.Add(time.Hour)
	if err := db.SetCalibration(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CurrentCalibration(ctx, "UREP"); !reflect.DeepEqual(got, second) {
		t.Errorf("after a second view: %+v, want %+v", got, second)
	}
	if n := count(t, db, `SELECT count(*) FROM calibrations WHERE report = ?`, "UREP"); n != 1 {
		t.Errorf("%d rows for UREP, want 1 (latest wins)", n)
	}

	// Nobody else may calibrate UREP: a stranger, or UBOSS once UREP
	// shares nothing or while a manager has not accepted.
	refused := func(what string, c Calibration) {
		t.Helper()
		if err := db.SetCalibration(ctx, c); !errors.Is(err, ErrNotCalibrator) {
			t.Errorf("%s: SetCalibration = %v, want ErrNotCalibrator", what, err)
		}
	}
	stranger := second
	stranger.Manager, stranger.Note = "USTRANGER", "sneaky"
	refused("a stranger", stranger)
	setManager(t, db, "UREP", "UBOSS", ladder.ShareOff)
	refused("share off", second)
	if err := db.SetCalibration(ctx, Calibration{Report: "UNOBODY", Manager: "UBOSS", Created: now}); !errors.Is(err, ladder.ErrNotEnrolled) {
		t.Errorf("SetCalibration of someone not enrolled = %v, want ErrNotEnrolled", err)
	}

	// A new manager sees nothing of the old one's, and may not be given it
	// before they accept.
	setManager(t, db, "UREP", "UNEW", ladder.ShareFull)
	if _, err := db.CurrentCalibration(ctx, "UREP"); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("with a new manager: CurrentCalibration = %v, want ErrNotFound", err)
	}
	refused("the former manager", second)
	if _, err := db.UpdateMember(ctx, "UREP", func(m *ladder.Member) error { m.Manager = "UPENDING"; return nil }); err != nil {
		t.Fatal(err)
	}
	refused("a manager who has not accepted", Calibration{Report: "UREP", Manager: "UPENDING", Areas: second.Areas, Created: now})

	// Agendas: zero until recorded, then the latest time.
	if at, err := db.LastAgenda(ctx, "UBOSS", "UOTHER"); err != nil || !at.IsZero() {
		t.Errorf("LastAgenda before any = %v, %v; want zero", at, err)
	}
	for _, at := range []time.Time{now, now.Add(24 * time.Hour)} {
		if err := db.RecordAgenda(ctx, "UBOSS", "UOTHER", at); err != nil {
			t.Fatal(err)
		}
	}
	if at, err := db.LastAgenda(ctx, "UBOSS", "UOTHER"); err != nil || !at.Equal(now.Add(24*time.Hour)) {
		t.Errorf("LastAgenda = %v, %v; want %v", at, err, now.Add(24*time.Hour))
	}
	if err := db.SetCalibration(ctx, Calibration{Report: "UOTHER", Manager: "UBOSS", Areas: second.Areas, Created: now}); err != nil {
		t.Fatal(err)
	}

	// Forgetting the report erases their rows; forgetting the manager, who
	// need not be enrolled, erases the rows they wrote.
	if err := db.Forget(ctx, "UREP"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CalibrationRows(ctx, "UREP"); err != nil || n != 0 {
		t.Errorf("after forget UREP: %d calibration rows, %v; want 0", n, err)
	}
	if n, _ := db.CalibrationRows(ctx, "UBOSS"); n != 1 {
		t.Errorf("UBOSS has %d calibration rows before their forget, want 1 (of UOTHER)", n)
	}
	if _, err := db.ForgetMember(ctx, "UBOSS"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CalibrationRows(ctx, "UBOSS"); n != 0 {
		t.Errorf("after forget UBOSS: %d calibration rows, want 0", n)
	}
	if n := count(t, db, `SELECT count(*) FROM oneonone_agendas`); n != 0 {
		t.Errorf("after forget: %d agenda rows, want 0", n)
	}
}
