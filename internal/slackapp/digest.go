package slackapp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// digestPart is one message of a digest, and the last report it shows.
type digestPart struct {
	msg     Message
	through string
}

// digestParts renders a manager's digest about their reports as of now, in
// the manager's timezone: the reports after the user id after ("" for all),
// in as many messages as they take, numbered from done+1. It covers the
// month DigestPeriod says, and names it. It returns the number of reports
// it renders.
func (a *App) digestParts(ctx context.Context, manager string, now time.Time, after string, done int) ([]digestPart, int, error) {
	period := ladder.DigestPeriod(now)
	return a.digestPartsFor(ctx, manager, period, period.From.Format("January 2006"), after, done)
}

// monthSoFar is the period from the start of now's month to now, in now's
// location: what a /ladder digest preview covers, on any day of the month.
func monthSoFar(now time.Time) ladder.Period {
	return ladder.Period{From: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()), To: now}
}

// digestPartsFor is digestParts over period, whose name the heading gives
// as label ("November 2026", "December so far"). Each report's entry is a
// block of lines, with a blank line after it.
func (a *App) digestPartsFor(ctx context.Context, manager string, period ladder.Period, label, after string, done int) ([]digestPart, int, error) {
	reports, err := a.db.Reports(ctx, manager)
	if err != nil {
		return nil, 0, err
	}
	var lines, ids []string
	var shown []ladder.Member
	for _, r := range reports {
		if after != "" && r.UserID <= after {
			continue // shown in a part already posted; Reports are in user id order
		}
		lines = append(lines, a.digestLine(ctx, r, period)+"\n")
		ids = append(ids, r.UserID)
		shown = append(shown, r)
	}
	if len(lines) == 0 {
		return nil, 0, nil
	}
	// Each part ends with the Calibrate buttons of its reports who share
	// (calibrate.go), in blocks the split leaves room for.
	toCalibrate := func(from, to int) (ms []ladder.Member) {
		for _, m := range shown[from:to] {
			if calibrable(m) {
				ms = append(ms, m)
			}
		}
		return ms
	}
	head := fmt.Sprintf("*Monthly digest · %s · your reports*", label)
	texts, ends := digestTexts(head, lines, done, func(from, to int) int { return calibrateBlockCount(len(toCalibrate(from, to))) })
	parts := make([]digestPart, len(texts))
	prev := 0
	for i, t := range texts {
		bs := append(textBlocks(t), calibrateBlocks(toCalibrate(prev, ends[i]), 1)...)
		parts[i] = digestPart{msg: Message{Text: t, Blocks: bs}, through: ids[ends[i]-1]}
		prev = ends[i]
	}
	return parts, len(lines), nil
}

// A digest goes out in as many messages as it takes, each what one message
// can hold: Slack refuses more than 50 blocks (invalid_blocks) and cuts text
// after 40,000 characters. Both limits leave room for the line a /ladder
// digest preview adds.
const (
	maxDigestBlocks = 50 - 1
	maxDigestText   = 40000 - 200
)

// The footers of a digest's parts: the last one's, and the others'.
const (
	digestFooter     = "_Each report chooses what this digest shows with `/ladder share`._"
	digestContinued  = "_Continued in the next message._"
	digestNumberRoom = " (9999/9999)"
)

// digestTexts lays out a digest: the heading, one entry per report, and the
// footer, in as many messages as it takes, numbered "(k/N)" from done+1 when
// there is more than one. ends[i] is the number of lines in parts up to i.
// extra(from, to) is how many blocks a part showing lines[from:to] needs
// besides its text.
func digestTexts(head string, lines []string, done int, extra func(from, to int) int) (texts []string, ends []int) {
	compose := func(number string, ls []string, last bool) string {
		var b strings.Builder
		b.WriteString(head + number + "\n\n")
		for _, l := range ls {
			b.WriteString(l + "\n")
		}
		if last {
			b.WriteString(digestFooter)
		} else {
			b.WriteString(digestContinued)
		}
		return b.String()
	}
	fits := func(t string, blocks int) bool {
		return utf8.RuneCountInString(t) <= maxDigestText && len(chunks(t, maxTextObject))+blocks <= maxDigestBlocks
	}
	// Split with room for the longest number and footer, then number.
	for i := 0; i < len(lines); {
		rest := lines[i:]
		// The first count that no longer fits; the one before it does. A
		// single line always goes, so that the split ends.
		n := sort.Search(len(rest)+1, func(n int) bool {
			return n > 0 && !fits(compose(digestNumberRoom, rest[:n], false)+digestFooter, extra(i, i+n))
		})
		i += max(n-1, 1)
		ends = append(ends, i)
	}
	total := done + len(ends)
	prev := 0
	for k, e := range ends {
		number := ""
		if total > 1 {
			number = fmt.Sprintf(" (%d/%d)", done+k+1, total)
		}
		texts = append(texts, compose(number, lines[prev:e], k == len(ends)-1))
		prev = e
	}
	return texts, ends
}

// digestLine is a report's entry in their manager's digest for period p:
// what DigestStats makes of their evidence and weekly prompts, and, for a
// report who shares in full, up to two excerpts of their answers.
func (a *App) digestLine(ctx context.Context, m ladder.Member, p ladder.Period) string {
	if m.Share == ladder.ShareOff {
		return reportLine(a.ladder, m, ladder.ReportStats{}, p)
	}
	window := time.Duration(a.ladder.Window()) * 7 * 24 * time.Hour
	facts, err := a.db.Facts(ctx, m.UserID, p.From.Add(-window))
	if err != nil {
		a.log.Error("digest facts", "user", m.UserID, "err", err)
		return "<@" + m.UserID + "> — could not be summarised this time"
	}
	asked, err := a.db.Asked(ctx, m.UserID, p.From, p.To)
	if err != nil {
		a.log.Error("digest prompts", "user", m.UserID, "err", err)
		return "<@" + m.UserID + "> — could not be summarised this time"
	}
	line := reportLine(a.ladder, m, ladder.DigestStats(a.ladder, m, a.track(m), facts, asked, p), p)
	if m.Share != ladder.ShareFull {
		return line
	}
	es, err := a.db.Evidence(ctx, m.UserID, "", 20)
	if err != nil {
		return line
	}
	for _, e := range ladder.PeriodEvidence(es, p, 2) {
		line += fmt.Sprintf("\n> “%s” (%s)", escapeText(excerpt(e.Text, 140)), e.Created.In(p.From.Location()).Format("Jan 2"))
	}
	return line
}

// reportLine renders what a digest says of report m over period p, without
// excerpts, as one block of lines: who they are, aiming where and sharing
// what; the weeks they answered, of those they were asked since they joined
// (or that none were asked); the areas of the period; the biggest gaps; and
// readiness from the period's start to its end, with the way it moved. A
// report who shares nothing is "not sharing" and no more. Dates are in the
// manager's zone, p's location.
func reportLine(l *ladder.Ladder, m ladder.Member, s ladder.ReportStats, p ladder.Period) string {
	who := "*<@" + m.UserID + ">*"
	if m.Share == ladder.ShareOff {
		return who + " · not sharing"
	}
	head := []string{who, levelName(l, m.Target) + " target", "shares " + string(m.Share)}
	if s.Paused {
		head = append(head, "on pause")
	}
	covered, gaps := "none", "none"
	if len(s.Covered) > 0 {
		covered = areaShorts(l, s.Covered)
	}
	if len(s.Gaps) > 0 {
		gaps = areaShorts(l, s.Gaps)
	}
	return strings.Join([]string{
		strings.Join(head, " · "),
		"• Weeks answered: " + weeksAnswered(s, p),
		"• Areas covered: " + covered,
		"• Biggest gaps: " + gaps,
		"• Readiness: " + readinessTrend(s),
	}, "\n")
}

// weeksAnswered says how many of the weeks a report was asked in they
// answered: "2 of 4 (1 skipped)", "1 of 1 since joining on Nov 22", or,
// when none were asked, why.
func weeksAnswered(s ladder.ReportStats, p ladder.Period) string {
	joined := ""
	if !s.Joined.IsZero() {
		joined = s.Joined.In(p.From.Location()).Format("Jan 2")
	}
	if s.Weeks == 0 {
		switch {
		case p.To.Equal(p.From.AddDate(0, 1, 0)) && joined != "": // a whole month, gone by
			return "no weekly question in " + p.From.Format("January") + " (joined " + joined + ")"
		case p.To.Equal(p.From.AddDate(0, 1, 0)):
			return "no weekly question in " + p.From.Format("January")
		case joined != "":
			return "none asked yet (joined " + joined + ")"
		}
		return "no weekly question yet"
	}
	t := fmt.Sprintf("%d of %d", s.Answered, s.Weeks)
	if s.Skipped > 0 {
		t += fmt.Sprintf(" (%d skipped)", s.Skipped)
	}
	if joined != "" {
		t += " since joining on " + joined
	}
	return t
}

// readinessTrend is overall readiness over the period, with its direction:
// "20% → 35% ↑", "50% → 40% ↓", or "30%, unchanged".
func readinessTrend(s ladder.ReportStats) string {
	switch s.Trend() {
	case ladder.TrendUp:
		return fmt.Sprintf("%d%% → %d%% ↑", pct(s.Before), pct(s.After))
	case ladder.TrendDown:
		return fmt.Sprintf("%d%% → %d%% ↓", pct(s.Before), pct(s.After))
	}
	return fmt.Sprintf("%d%%, unchanged", pct(s.After))
}

// areaShorts lists areas by their short names.
func areaShorts(l *ladder.Ladder, ids []ladder.AreaID) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = string(id)
		if a, ok := l.Area(id); ok && a.Short != "" {
			names[i] = a.Short
		}
	}
	return strings.Join(names, ", ")
}

func pct(f float64) int { return int(f*100 + 0.5) }

// managerZone is where a manager's month starts: their own timezone if they are
// enrolled or Slack tells us, else UTC.
func (a *App) managerZone(ctx context.Context, manager string) *time.Location {
	if m, err := a.db.Member(ctx, manager); err == nil && m.TZ != "" {
		return m.Location()
	}
	if u, err := a.userInfo(ctx, manager); err == nil {
		return ladder.Zone(u.TZ)
	}
	return time.UTC
}

// maxPreviewParts is how many messages a /ladder digest preview shows: a
// response_url takes at most 5 ("up to 5 times within 30 minutes",
// https://api.slack.com/interactivity/handling#message_responses).
const maxPreviewParts = 5

// previewDigest shows a manager the digest of the month so far, on any day of
// it ("December so far"), in the parts the digest goes out in. It sends all parts but the last to responseURL
// itself, and returns the last as the reply; a digest of more parts than a
// response_url takes ends with a note on the parts left out.
func (a *App) previewDigest(ctx context.Context, m ladder.Member, responseURL string) (Message, error) {
	now := a.now().In(m.Location())
	label := now.Format("January") + " so far"
	parts, n, err := a.digestPartsFor(ctx, m.UserID, monthSoFar(now), label, "", 0)
	if err != nil {
		return Message{}, err
	}
	if n == 0 {
		return text("Nobody names you as their manager yet, so there's no digest. Your reports run `/ladder manager @you`."), nil
	}
	note := "Preview — your digest as it stands for " + label + "."
	var msgs []Message
	for i, p := range parts {
		msg := p.msg
		if i == 0 {
			msg.Text = note + "\n" + msg.Text
			msg.Blocks = append([]slack.Block{slack.NewContextBlock("", mrkdwn(note))}, msg.Blocks...)
		}
		if i == maxPreviewParts-1 && len(parts) > maxPreviewParts {
			msg = text("_…and parts %d to %d, not shown: a preview shows at most %d messages. The digest itself sends every part._",
				maxPreviewParts, len(parts), maxPreviewParts-1)
		}
		msgs = append(msgs, msg)
		if len(msgs) == maxPreviewParts {
			break
		}
	}
	for _, msg := range msgs[:len(msgs)-1] {
		a.respond(ctx, responseURL, msg)
	}
	return msgs[len(msgs)-1], nil
}

// digestKey is the metadata key of part k of manager's digest for month.
func digestKey(manager, month string, part int) string {
	return fmt.Sprintf("digest:%s:%s#%d", manager, month, part)
}

// digestPartGap spaces a digest's parts: Slack allows about one message a
// second in a channel ("Posting messages", api.slack.com/apis/rate-limits).
const digestPartGap = time.Second

// sendDigest posts the parts of manager's digest for month, as of now, that
// have not gone out yet, and returns the channel and ts of the last. Each part
// is recorded in digest_parts before it is posted and again after, so that a
// send cut short (a crash, a failed post) is finished by posting only the
// parts still missing: a part whose post may have gone through is looked for
// in the DM first, by its key. It reports false when there is nothing to send.
// The caller holds the digest's claim. An error is a *ladder.Error, or one
// from post.
func (a *App) sendDigest(ctx context.Context, manager, month string, now time.Time) (channel, ts string, sent bool, err error) {
	for {
		parts, err := a.db.DigestParts(ctx, manager, month)
		if err != nil {
			return "", "", false, before(err)
		}
		done, after := 0, ""
		var pending *store.DigestPart
		for i, p := range parts {
			if p.TS == "" {
				pending = &parts[i]
				break
			}
			done, after, channel, ts = p.Part, p.Through, p.Channel, p.TS
			if p.Last {
				return channel, ts, true, nil
			}
		}
		if pending != nil {
			pch, pts, found, err := a.findPosted(ctx, manager, digestKey(manager, month, pending.Part), "", pending.Begun)
			if err != nil {
				return "", "", false, err
			}
			if found {
				if err := a.db.PostedDigestPart(ctx, manager, month, pending.Part, pch, pts); err != nil {
					return "", "", false, before(err)
				}
				continue // and read the parts again
			}
		}
		rendered, _, err := a.digestParts(ctx, manager, now, after, done)
		if err != nil {
			return "", "", false, before(err)
		}
		if len(rendered) == 0 {
			// No reports; or none after the last part posted, whose
			// reports have left since: the digest is complete.
			return channel, ts, done > 0, nil
		}
		for i, p := range rendered {
			if i > 0 {
				if err := sleep(ctx, digestPartGap); err != nil {
					return "", "", false, before(err)
				}
			}
			part := store.DigestPart{Manager: manager, Month: month, Part: done + 1 + i, Through: p.through,
				Last: i == len(rendered)-1, Begun: a.now()}
			if err := a.db.BeginDigestPart(ctx, part); err != nil {
				return "", "", false, before(err)
			}
			channel, ts, err = a.postOnce(ctx, manager, digestKey(manager, month, part.Part), p.msg)
			if err != nil {
				if !maybeSent(err) {
					if aerr := a.db.AbandonDigestPart(ctx, manager, month, part.Part); aerr != nil {
						a.log.Warn("abandon a digest part", "manager", manager, "part", part.Part, "err", aerr)
					}
				}
				return "", "", false, err
			}
			if err := a.db.PostedDigestPart(ctx, manager, month, part.Part, channel, ts); err != nil {
				// Posted, but not recorded: the retry finds it in the DM.
				return "", "", false, &ladder.Error{Code: ladder.ETransient, MaySent: true, Err: err}
			}
		}
		return channel, ts, true, nil
	}
}

// maybeSent reports whether a failed post may have gone through anyway.
func maybeSent(err error) bool {
	var se *ladder.Error
	if errors.As(err, &se) {
		return se.MaySent
	}
	errors.As(sendError("chat.postMessage", err), &se)
	return se.MaySent
}
