package slackapp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ladderapp/ladder/internal/ladder"
)

// digestPeriod is the month a digest covers: in the first week of a month, the
// month just ended (the default schedule sends on the 1st); later, the month so
// far (a mid-month preview).
func digestPeriod(now time.Time) (from, to time.Time) {
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	if now.Day() <= 7 {
		return start.AddDate(0, -1, 0), start
	}
	return start, now
}

// weeksIn counts the ISO weeks that overlap [from, to).
func weeksIn(from, to time.Time) int {
	seen := map[ladder.Week]bool{}
	for t := from; t.Before(to); t = t.AddDate(0, 0, 1) {
		seen[ladder.WeekOf(t)] = true
	}
	return len(seen)
}

// digest renders a manager's digest about their reports as of now, in the
// manager's timezone. It returns the number of reports.
func (a *App) digest(ctx context.Context, manager string, now time.Time) (Message, int, error) {
	reports, err := a.db.Reports(ctx, manager)
	if err != nil || len(reports) == 0 {
		return Message{}, 0, err
	}
	from, to := digestPeriod(now)
	weeks := weeksIn(from, to)
	lines := make([]string, len(reports))
	for i, r := range reports {
		lines[i] = a.digestLine(ctx, r, from, to, weeks)
	}
	t := digestText(fmt.Sprintf("*Monthly digest · %s · your reports*", from.Format("January 2006")), lines)
	return Message{Text: t, Blocks: textBlocks(t)}, len(reports), nil
}

// A digest is one message, so it holds what one message can: Slack refuses
// more than 50 blocks (invalid_blocks) and cuts text after 40,000 characters.
// Both limits leave room for the line a /ladder digest preview adds.
const (
	maxDigestBlocks = 50 - 1
	maxDigestText   = 40000 - 200
)

// digestText lays out a digest: the heading, one entry per report, and the
// footer. A manager with more reports than one message holds gets the first
// ones and a note saying how many more there are.
func digestText(head string, lines []string) string {
	compose := func(n int) string {
		var b strings.Builder
		b.WriteString(head + "\n")
		for _, l := range lines[:n] {
			b.WriteString(l + "\n")
		}
		if n < len(lines) {
			fmt.Fprintf(&b, "_…and %s more, not shown: one Slack message holds no more. `/ladder evidence @report` shows any report who shares in full._\n",
				plural(len(lines)-n, "report"))
		}
		b.WriteString("_Each report chooses what this digest shows with `/ladder share`._")
		return b.String()
	}
	fits := func(t string) bool {
		return utf8.RuneCountInString(t) <= maxDigestText && len(chunks(t, maxTextObject)) <= maxDigestBlocks
	}
	if t := compose(len(lines)); fits(t) {
		return t
	}
	// The first count that no longer fits; the one before it does.
	n := sort.Search(len(lines), func(n int) bool { return !fits(compose(n)) })
	return compose(max(n-1, 0))
}

func (a *App) digestLine(ctx context.Context, m ladder.Member, from, to time.Time, weeks int) string {
	who := "<@" + m.UserID + ">"
	if m.Share == ladder.ShareOff {
		return who + " — not sharing"
	}
	window := time.Duration(a.ladder.Window()) * 7 * 24 * time.Hour
	facts, err := a.db.Facts(ctx, m.UserID, from.Add(-window))
	if err != nil {
		a.log.Error("digest facts", "user", m.UserID, "err", err)
		return who + " — could not be summarised this time"
	}
	track := a.track(m)
	nowR := ladder.Compute(a.ladder, m.Target, track, facts, to)
	before := ladder.Compute(a.ladder, m.Target, track, facts, from)
	answered := map[ladder.Week]bool{}
	covered := map[ladder.AreaID]bool{}
	for _, f := range facts {
		if !f.At.Before(from) && !f.At.After(to) {
			answered[ladder.WeekOf(f.At.In(from.Location()))] = true
			if f.Area != "" {
				covered[f.Area] = true
			}
		}
	}
	var areas, gaps []string
	for _, ar := range nowR.Areas {
		if covered[ar.Area.ID] {
			areas = append(areas, ar.Area.Short)
		}
	}
	for _, ar := range nowR.Ranked() {
		if len(gaps) < 2 && (ar.Status == ladder.StatusGap || ar.Status == ladder.StatusThin) {
			gaps = append(gaps, ar.Area.Short)
		}
	}
	line := fmt.Sprintf("%s (%s target) — shares %s · answered %d of %d weeks", who, levelName(a.ladder, m.Target), m.Share, len(answered), weeks)
	if len(areas) > 0 {
		line += " · covered: " + strings.Join(areas, ", ")
	}
	if len(gaps) > 0 {
		line += " · gaps: " + strings.Join(gaps, ", ")
	}
	line += fmt.Sprintf(" · readiness %s %d%% → %d%%", trendArrow(before.Overall, nowR.Overall), pct(before.Overall), pct(nowR.Overall))
	if m.Share != ladder.ShareFull {
		return line
	}
	es, err := a.db.Evidence(ctx, m.UserID, "", 20)
	if err != nil {
		return line
	}
	shown := 0
	for _, e := range es {
		if shown == 2 || e.Created.Before(from) {
			break
		}
		if !e.Created.After(to) {
			line += fmt.Sprintf("\n> “%s” (%s)", escapeText(excerpt(e.Text, 140)), e.Created.In(from.Location()).Format("Jan 2"))
			shown++
		}
	}
	return line
}

func pct(f float64) int { return int(f*100 + 0.5) }

func trendArrow(before, after float64) string {
	switch {
	case after > before+0.005:
		return "↑"
	case after < before-0.005:
		return "↓"
	}
	return "→"
}

// managerZone is where a manager's month starts: their own timezone if they are
// enrolled or Slack tells us, else UTC.
func (a *App) managerZone(ctx context.Context, manager string) *time.Location {
	if m, err := a.db.Member(ctx, manager); err == nil && m.TZ != "" {
		return m.Location()
	}
	if u, err := a.userInfo(ctx, manager); err == nil && u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			return loc
		}
	}
	return time.UTC
}

// SendDigest sends a manager this month's digest, unless it already went out:
// one per manager per calendar month in the manager's timezone. It reports
// whether it sent one.
func (a *App) SendDigest(ctx context.Context, manager string) (bool, error) {
	now := a.now().In(a.managerZone(ctx, manager))
	month := now.Format("2006-01")
	msg, n, err := a.digest(ctx, manager, now)
	if err != nil || n == 0 {
		return false, err
	}
	claimed, err := a.db.ClaimDigest(ctx, manager, month, a.now())
	if err != nil || !claimed {
		return false, err
	}
	ch, ts, err := a.postDM(ctx, manager, "digest:"+manager+":"+month, msg)
	if err != nil {
		return false, err
	}
	return true, a.db.MarkDigestSent(ctx, manager, month, ch, ts, a.now())
}

// SendDigests sends every manager's digest that has not gone out this month.
func (a *App) SendDigests(ctx context.Context) (sent, already int, err error) {
	managers, err := a.db.Managers(ctx)
	if err != nil {
		return 0, 0, err
	}
	var errs []error
	for _, mgr := range managers {
		ok, err := a.SendDigest(ctx, mgr)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("digest for %s: %w", mgr, err))
		case ok:
			sent++
		default:
			already++
		}
	}
	return sent, already, errors.Join(errs...)
}
