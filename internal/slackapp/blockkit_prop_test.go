package slackapp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// The people of the property test: a member, their manager, and someone who
// never enrolled.
const (
	propMember   = "UPROPMEMBER"
	propManager  = "UPROPMANAGER"
	propStranger = "UPROPSTRANGER"
)

// propNow is the fixed clock of the property test: a Monday in late November,
// so the digest covers the month so far.
var propNow = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// answerSep separates the answers in a fuzz input.
const answerSep = "\x1e"

// The evidence one fuzz input stores is bounded, so that an iteration stays
// well under a second: enough pieces to overflow any one message or view, and
// enough text for ten answers of the longest kind.
const (
	maxPropAnswers = 130
	maxPropRunes   = 10 * maxEvidenceRunes
)

// slackTextLimit is where Slack truncates a message's text, losing the rest:
// https://api.slack.com/changelog/2018-04-truncating-really-long-messages
// ("truncating really long messages": text over 40,000 characters).
const slackTextLimit = 40000

// FuzzBlockKit renders everything a member's evidence shows up in, from
// random evidence, through the app's own code paths, and checks every message
// and view against Slack's Block Kit rules (fakeslack.CheckBlocks and
// CheckView): the Home tab, /ladder gaps, /ladder evidence (all, by area, and a
// manager's evidence @report), the digest and its preview, and the export.
//
// The input is small, so that the fuzzer mutates and minimizes it quickly,
// and the evidence it stands for is large: see propInput. The manager has at
// most maxFuzzReports other reports here, as each costs the store several
// writes; TestBlockKitLargeTeams renders the digest of hundreds.
func FuzzBlockKit(f *testing.F) {
	f.Add("Ran the incident review; the team now owns the runbook.", uint16(0), uint8(0), uint8(2), "Alice")
	f.Fuzz(func(t *testing.T, answers string, scale uint16, copies, reports uint8, name string) {
		checkRenders(t, propInput{answers: answers, scale: int(scale), copies: int(copies),
			reports: int(reports) % (maxFuzzReports + 1), name: name})
	})
}

// maxFuzzReports bounds the manager's other reports in a fuzz input.
const maxFuzzReports = 7

// TestBlockKitLargeTeams renders the digest of a manager with more reports
// than one message holds, with long answers in scripts of several bytes a
// character: it goes out in several messages, numbered, each of which Slack
// accepts, and names every report once (checkRenders).
func TestBlockKitLargeTeams(t *testing.T) {
	tests := []struct {
		name string
		in   propInput
	}{
		{"japanese", propInput{answers: "私はチームの採用計画を作り直し、面接の質を上げた。" + answerSep + "採用", scale: 10, reports: 255, name: "Boss"}},
		{"emoji", propInput{answers: "🧗🚀👩🏽‍💻🇩🇪" + answerSep + "🧗", scale: 40, reports: 300, name: "🧗"}},
		{"short answers", propInput{answers: "ok" + answerSep + "done", reports: 400, name: "Boss"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := checkRenders(t, tt.in)
			parts, n, err := w.app.digestParts(context.Background(), propManager, propNow, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(w.reports) {
				t.Errorf("digest counts %d reports, want %d", n, len(w.reports))
			}
			if len(parts) < 2 {
				t.Fatalf("digest of %d reports in %d message(s), want it split", n, len(parts))
			}
			for i, p := range parts {
				if want := fmt.Sprintf("(%d/%d)", i+1, len(parts)); !strings.Contains(p.msg.Text, want) {
					t.Errorf("part %d does not say %q:\n%.200s…", i+1, want, p.msg.Text)
				}
			}
		})
	}
}

// propInput is one fuzz input.
type propInput struct {
	// answers are the member's answers, separated by answerSep. Each is
	// repeated scale more times, up to the longest answer Ladder keeps.
	answers string
	scale   int
	// copies is how many more times the answers are stored, pushing their
	// count past what one message or view can hold.
	copies int
	// reports is how many other reports the manager has, sharing full,
	// summary and off in turn.
	reports int
	// name is the member's display name.
	name string
}

// checkRenders is one run of the property: it stores the evidence, renders
// every surface and fails the test for each rule Slack would enforce.
func checkRenders(t *testing.T, in propInput) *propWorld {
	t.Helper()
	ctx := context.Background()
	w := newPropWorld(t, in)
	a := w.app

	home := func(user string) {
		t.Helper()
		view, err := a.homeView(ctx, user)
		if err != nil {
			t.Fatalf("home of %s: %v", user, err)
		}
		raw, err := json.Marshal(view)
		if err != nil {
			t.Fatalf("marshal home of %s: %v", user, err)
		}
		if err := fakeslack.CheckView(raw); err != nil {
			t.Errorf("Home tab of %s: Slack would refuse it: %v", user, err)
		}
	}
	home(propMember)
	home(propManager)
	home(propStranger)

	command := func(user, cmd string) {
		t.Helper()
		msg, err := a.runCommand(ctx, slack.SlashCommand{UserID: user, Text: cmd})
		if err != nil {
			t.Fatalf("/ladder %s by %s: %v", cmd, user, err)
		}
		checkMessage(t, "/ladder "+cmd+" by "+user, msg)
	}
	command(propMember, "gaps")
	command(propMember, "evidence")
	for _, ar := range w.ladder.Areas {
		command(propMember, "evidence "+string(ar.ID))
	}
	command(propManager, "evidence <@"+propMember+">")
	command(propManager, "digest")

	// The digest as the schedule sends it: the month so far, and on the 1st
	// the month just ended.
	for _, now := range []time.Time{propNow, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} {
		parts, n, err := a.digestParts(ctx, propManager, now, "", 0)
		if err != nil {
			t.Fatalf("digest at %s: %v", now, err)
		}
		if n == 0 {
			t.Fatalf("digest at %s: no reports", now)
		}
		var texts []string
		for i, p := range parts {
			checkMessage(t, fmt.Sprintf("digest at %s, part %d of %d", now.Format("2006-01-02"), i+1, len(parts)), p.msg)
			texts = append(texts, p.msg.Text)
		}
		checkDigestNamesAll(t, texts, w.reports)
	}

	m, err := w.db.Member(ctx, propMember)
	if err != nil {
		t.Fatal(err)
	}
	parts, n, err := a.exportPacket(ctx, m)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if n != w.stored {
		t.Errorf("export holds %d pieces of evidence, want %d", n, w.stored)
	}
	for i, p := range parts {
		checkMessage(t, fmt.Sprintf("export part %d of %d", i+1, len(parts)), p)
	}
	return w
}

// checkMessage fails the test for each reason Slack would refuse msg, or
// quietly lose part of it.
func checkMessage(t *testing.T, what string, msg Message) {
	t.Helper()
	if msg.Text == "" && len(msg.Blocks) == 0 {
		t.Errorf("%s: neither text nor blocks; Slack answers no_text", what)
	}
	if n := utf8.RuneCountInString(msg.Text); n > slackTextLimit {
		t.Errorf("%s: text of %d characters; Slack cuts it at %d", what, n, slackTextLimit)
	}
	if len(msg.Blocks) == 0 {
		return
	}
	// slack-go sends a message's blocks as this JSON array (MsgOptionBlocks
	// and WebhookMessage alike).
	raw, err := json.Marshal(msg.Blocks)
	if err != nil {
		t.Fatalf("%s: marshal blocks: %v", what, err)
	}
	if err := fakeslack.CheckBlocks(fakeslack.SurfaceMessage, raw); err != nil {
		t.Errorf("%s: Slack would refuse it: %v", what, err)
	}
}

// checkDigestNamesAll fails the test unless the parts of a digest name every
// report, each once.
func checkDigestNamesAll(t *testing.T, parts []string, reports []string) {
	t.Helper()
	all := strings.Join(parts, "\n")
	for _, r := range reports {
		if n := strings.Count(all, "<@"+r+">"); n != 1 {
			t.Errorf("the digest's %d parts name %s %d times, want once", len(parts), r, n)
		}
	}
}

// propWorld is one workspace of the property test: a real store, and the app
// on it with a fixed clock.
type propWorld struct {
	db     *store.DB
	ladder *ladder.Ladder
	app    *App
	// stored counts the member's pieces of evidence.
	stored int
	// reports are the manager's reports, the member first.
	reports []string
}

// newPropWorld enrolls the member, sharing in full with the manager, stores
// their answers as evidence, and enrolls the manager's other reports.
func newPropWorld(t *testing.T, in propInput) *propWorld {
	t.Helper()
	ctx := context.Background()
	l, err := prompts.Default()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// No call reaches Slack: every path checked here only reads the store.
	api := slack.New("xoxb-prop", slack.OptionAppLevelToken("xapp-prop"), slack.OptionAPIURL("http://127.0.0.1:1/api/"))
	w := &propWorld{db: db, ladder: l}
	w.app = New(slog.New(slog.NewTextHandler(io.Discard, nil)), api, db, l, func() time.Time { return propNow }, Config{})

	enroll := func(m ladder.Member) {
		t.Helper()
		m.Level, m.Target, m.Track = ladder.EM, ladder.SeniorEM, l.DefaultTrack().ID
		m.EnrolledAt = propNow.AddDate(-1, 0, 0)
		if _, _, err := db.Enroll(ctx, m); err != nil {
			t.Fatalf("enroll %s: %v", m.UserID, err)
		}
	}
	enroll(ladder.Member{UserID: propManager, TZ: "America/New_York", Share: ladder.ShareSummary})
	enroll(ladder.Member{UserID: propMember, Name: strings.ToValidUTF8(in.name, "\uFFFD"), TZ: "Europe/Berlin",
		Manager: propManager, Share: ladder.ShareFull, LevelSince: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		Slot: ladder.Slot{On: true, Day: time.Monday, Minute: 9*60 + 30}})

	w.reports = append(w.reports, propMember)
	texts := evidenceTexts(in.answers, in.scale)
	runes := 0
store:
	for c := 0; c <= in.copies; c++ {
		for _, s := range texts {
			runes += utf8.RuneCountInString(s)
			if w.stored == maxPropAnswers || (w.stored > 0 && runes > maxPropRunes) {
				break store
			}
			w.addEvidence(t, propMember, w.stored, s)
			w.stored++
		}
	}

	shares := []ladder.Share{ladder.ShareFull, ladder.ShareSummary, ladder.ShareOff}
	for i := range in.reports {
		id := fmt.Sprintf("UPROPREPORT%04d", i)
		w.reports = append(w.reports, id)
		enroll(ladder.Member{UserID: id, TZ: "Asia/Tokyo", Manager: propManager, Share: shares[i%len(shares)]})
		for j, s := range texts[:min(2, len(texts))] {
			w.addEvidence(t, id, j, s)
		}
	}
	return w
}

// evidenceTexts splits a fuzz input into answers, each repeated scale more
// times, as the app stores them: valid UTF-8 (Slack sends nothing else), at
// most maxEvidenceRunes long, and never blank (a message with no words is not
// evidence).
func evidenceTexts(answers string, scale int) []string {
	var out []string
	for _, s := range strings.Split(answers, answerSep) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if n := utf8.RuneCountInString(s); n > 0 {
			s = strings.Repeat(s, min(scale+1, maxEvidenceRunes/n+1))
		}
		s, _ = truncateRunes(s)
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// addEvidence stores the i-th piece of a user's evidence: a day and a half
// apart going back from the clock, through the areas in turn and unfiled, some
// answering a prompt of the area, some edited.
func (w *propWorld) addEvidence(t *testing.T, user string, i int, s string) {
	t.Helper()
	created := propNow.Add(-time.Duration(i) * 36 * time.Hour)
	e := ladder.Evidence{UserID: user, Text: s, Channel: "D" + user, TS: fmt.Sprintf("%d.%06d", created.Unix(), i), Created: created}
	if k := i % (len(w.ladder.Areas) + 1); k < len(w.ladder.Areas) {
		e.Area = w.ladder.Areas[k].ID
		for _, p := range w.ladder.Prompts {
			if p.Area == e.Area {
				e.PromptID = p.ID
				break
			}
		}
	}
	if i%4 == 3 {
		e.Edited = created.Add(time.Hour)
	}
	if _, _, err := w.db.AddEvidence(context.Background(), e); err != nil {
		t.Fatalf("add evidence %d of %s: %v", i, user, err)
	}
}
