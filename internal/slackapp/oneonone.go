package slackapp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// A 1:1 agenda from evidence (issue 15, feature 5), as an ephemeral reply:
// like /ladder gaps, it is read once, before the meeting, by the one person
// who asked.
//
//   - /ladder 1on1 @report, for the manager the report named and who
//     accepted, while the report shares full or summary: their biggest gap,
//     what they shared since the manager's last agenda about them (counts
//     per area; excerpts only under full), where the manager's calibration
//     and the evidence disagree, and one question to ask. Each agenda
//     records its time (store.RecordAgenda), so the next one starts there.
//   - /ladder 1on1, for the report: what to bring. The same, in their own
//     words, since their current manager's last agenda about them, and
//     their growth goals marked "not yet". It records nothing, so that
//     reading it does not move the manager's "since".
//
// Anyone else asking about someone, or asking about a report who shares
// nothing, reads oneOnOneRefusal, the same whether that person is enrolled,
// is someone else's report, has not accepted or shares nothing: it tells
// no more than the digest does.

// oneOnOneRefusal is the one answer to a /ladder 1on1 @user that may not be
// given.
const oneOnOneRefusal = "I can only give a 1:1 agenda about someone to the manager they have named, once that manager has accepted, and only while they share `full` or `summary`. `/ladder 1on1` on its own gives you your own agenda."

// agendaFirstWindow is how far back the first agenda about a report looks.
const agendaFirstWindow = 28 * 24 * time.Hour

// maxAgendaExcerpts and agendaExcerptLen bound the evidence an agenda quotes.
const (
	maxAgendaExcerpts = 3
	agendaExcerptLen  = 140
)

// parseOneOnOne parses /ladder 1on1 [@user].
func parseOneOnOne(c *command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if id, ok := parseMention(args[0]); ok && len(args) == 1 {
		c.user = id
		return nil
	}
	return usagef("Usage: `/ladder 1on1` for what to bring to your manager, or `/ladder 1on1 @user` for an agenda about a report who named you as their manager.")
}

// guestOneOnOne is /ladder 1on1 from someone not enrolled: a manager
// needs no enrolment to ask about a report.
func (a *App) guestOneOnOne(ctx context.Context, user, subject string) (Message, error) {
	if subject != "" {
		return a.managerAgenda(ctx, user, subject)
	}
	return text("You're not enrolled, so there's no evidence to bring to a 1:1 yet. `/ladder start` enrolls you; a manager asks about a report with `/ladder 1on1 @report`."), nil
}

// oneOnOne is /ladder 1on1 from a member.
func (a *App) oneOnOne(ctx context.Context, m ladder.Member, subject string) (Message, error) {
	if subject != "" {
		return a.managerAgenda(ctx, m.UserID, subject)
	}
	return a.reportAgenda(ctx, m)
}

// agenda is what both agendas are made of.
type agenda struct {
	r      ladder.Readiness
	steps  []prompts.Step
	since  time.Time // the last agenda, or agendaFirstWindow ago
	first  bool      // no agenda yet: since is the default window
	es     []ladder.Evidence
	cal    store.Calibration
	hasCal bool
}

// agendaFacts gathers m's readiness, next steps, evidence since manager's last
// agenda about them, and the current manager's calibration.
func (a *App) agendaFacts(ctx context.Context, m ladder.Member, manager string) (agenda, error) {
	var f agenda
	var err error
	if f.r, err = a.readiness(ctx, m); err != nil {
		return f, err
	}
	st, err := a.promptState(ctx, m, f.r, "")
	if err != nil {
		return f, err
	}
	f.steps = prompts.Steps(a.ladder, st)
	if manager != "" {
		if f.since, err = a.db.LastAgenda(ctx, manager, m.UserID); err != nil {
			return f, err
		}
	}
	if f.since.IsZero() {
		f.since, f.first = a.now().Add(-agendaFirstWindow), true
	}
	all, err := a.db.Evidence(ctx, m.UserID, "", 0)
	if err != nil {
		return f, err
	}
	for _, e := range all {
		if e.Created.After(f.since) && e.Area != "" {
			f.es = append(f.es, e)
		}
	}
	f.cal, err = a.db.CurrentCalibration(ctx, m.UserID)
	switch {
	case err == nil:
		f.hasCal = true
	case !errors.Is(err, ladder.ErrNotFound):
		return f, err
	}
	return f, nil
}

// sinceLabel names the start of an agenda's window, in loc.
func (f agenda) sinceLabel(loc *time.Location) string {
	if f.first {
		return "in the last 4 weeks"
	}
	return "since the last agenda (" + f.since.In(loc).Format("Mon 2 Jan") + ")"
}

// areaCounts counts evidence per area, in the ladder's order: "Execution 2,
// People 1".
func areaCounts(l *ladder.Ladder, es []ladder.Evidence) string {
	n := map[ladder.AreaID]int{}
	for _, e := range es {
		n[e.Area]++
	}
	var parts []string
	for _, ar := range l.Areas {
		if n[ar.ID] > 0 {
			name := ar.Name
			if ar.Short != "" {
				name = ar.Short
			}
			parts = append(parts, fmt.Sprintf("%s %d", name, n[ar.ID]))
		}
	}
	return strings.Join(parts, ", ")
}

// excerpts quotes up to maxAgendaExcerpts pieces, newest first, each cut
// short and escaped as member text.
func excerpts(l *ladder.Ladder, es []ladder.Evidence, loc *time.Location) string {
	es = append([]ladder.Evidence(nil), es...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Created.After(es[j].Created) })
	var lines []string
	for _, e := range es[:min(len(es), maxAgendaExcerpts)] {
		lines = append(lines, fmt.Sprintf("> “%s” (%s, %s)", escapeText(excerpt(e.Text, agendaExcerptLen)),
			areaName(l, e.Area), e.Created.In(loc).Format("2 Jan")))
	}
	return strings.Join(lines, "\n")
}

// managerAgenda is /ladder 1on1 @subject from viewer.
func (a *App) managerAgenda(ctx context.Context, viewer, subject string) (Message, error) {
	m, err := a.db.Member(ctx, subject)
	if errors.Is(err, ladder.ErrNotEnrolled) || (err == nil && !mayCalibrate(m, viewer)) {
		return text(oneOnOneRefusal), nil
	}
	if err != nil {
		return Message{}, err
	}
	f, err := a.agendaFacts(ctx, m, viewer)
	if err != nil {
		return Message{}, err
	}
	loc := a.managerZone(ctx, viewer)
	l := a.ladder
	parts := []string{fmt.Sprintf("*1:1 agenda with <@%s>* · aiming for %s · shares %s", m.UserID, levelName(l, m.Target), m.Share)}

	if len(f.steps) == 0 {
		parts = append(parts, "*Biggest gap:* none: every area is on track.")
	} else {
		g := f.steps[0].Area
		t := fmt.Sprintf("*Biggest gap: %s* (%s).", g.Area.Name, string(g.Status))
		if g.Focus != "" {
			t += fmt.Sprintf(" At %s: %s", levelName(l, m.Target), g.Focus)
		}
		parts = append(parts, t)
	}

	shared := fmt.Sprintf("*Shared %s:* ", f.sinceLabel(loc))
	switch {
	case len(f.es) == 0:
		shared += "nothing."
	case m.Share == ladder.ShareFull:
		shared += fmt.Sprintf("%s (%s)\n%s", ladder.Plural(len(f.es), "piece"), areaCounts(l, f.es), excerpts(l, f.es, loc))
	default:
		shared += fmt.Sprintf("%s (%s). _They share `summary`: counts only, never their words._", ladder.Plural(len(f.es), "piece"), areaCounts(l, f.es))
	}
	parts = append(parts, shared)

	switch d := disagreements(f.r, f.cal); {
	case !f.hasCal:
		parts = append(parts, "*Your calibration:* none yet. The *Calibrate* button in your monthly digest, or in `/ladder digest`, records your view area by area.")
	case len(d) == 0:
		parts = append(parts, "*Your calibration and their evidence:* no area two steps apart.")
	default:
		parts = append(parts, "*Where your calibration and their evidence disagree* (a conversation to have):\n• "+strings.Join(d, "\n• "))
	}

	if len(f.steps) > 0 && f.steps[0].Prompt.ID != "" {
		parts = append(parts, fmt.Sprintf("*One question to ask:* “%s”", f.steps[0].Prompt.Text))
	}
	if err := a.db.RecordAgenda(ctx, viewer, m.UserID, a.now()); err != nil {
		return Message{}, err
	}
	t := strings.Join(parts, "\n")
	return Message{Text: t, Blocks: textBlocks(t)}, nil
}

// reportAgenda is /ladder 1on1 from report m: what to bring to their
// manager.
func (a *App) reportAgenda(ctx context.Context, m ladder.Member) (Message, error) {
	manager := ""
	if m.Manager != "" && !m.ManagerPending {
		manager = m.Manager
	}
	f, err := a.agendaFacts(ctx, m, manager)
	if err != nil {
		return Message{}, err
	}
	loc := m.Location()
	l := a.ladder
	head := "*For your next 1:1 with your manager*"
	if manager != "" {
		head = fmt.Sprintf("*For your next 1:1 with <@%s>*", manager)
	}
	parts := []string{head}
	if len(f.steps) == 0 {
		parts = append(parts, "*Biggest gap:* none: every area is on track.")
	} else {
		parts = append(parts, biggestGapText(l, m, f.steps[0]))
	}
	ev := fmt.Sprintf("*Your evidence %s:* ", f.sinceLabel(loc))
	if len(f.es) == 0 {
		ev += "nothing yet. `/ladder prompt` gets you a question now."
	} else {
		ev += fmt.Sprintf("%s (%s)\n%s", ladder.Plural(len(f.es), "piece"), areaCounts(l, f.es), excerpts(l, f.es, loc))
	}
	parts = append(parts, ev)
	if f.hasCal {
		if d := disagreements(f.r, f.cal); len(d) > 0 {
			parts = append(parts, "*Where your manager's calibration and your evidence disagree* (a conversation to have):\n• "+strings.Join(d, "\n• "))
		} else {
			parts = append(parts, "*Your manager's calibration and your evidence:* no area two steps apart.")
		}
	}
	goals, err := a.db.Goals(ctx, m.UserID)
	if err != nil {
		return Message{}, err
	}
	if g := goalsText(l, goals, loc); g != "" {
		parts = append(parts, g)
	}
	t := strings.Join(parts, "\n")
	return Message{Text: t, Blocks: textBlocks(t)}, nil
}
