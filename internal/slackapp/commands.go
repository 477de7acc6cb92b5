package slackapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/prompts"
	"github.com/ladderapp/ladder/internal/store"
)

// forever is the PausedUntil of a pause with no end: until /ladder resume.
var forever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// onSlash queues a slash command. Its ack carries the reply if the command
// answers within the reply budget; otherwise it goes out empty when the
// budget runs out, and the reply follows through response_url. The read loop
// never waits for either. ctx is the socket's; start is when the read loop
// had the envelope.
func (a *App) onSlash(ctx context.Context, evt socketmode.Event, start time.Time) {
	sc, ok := evt.Data.(slack.SlashCommand)
	if !ok || evt.Request == nil {
		return
	}
	ack := a.newSlashAck(ctx, evt.Request.EnvelopeID, start)
	// /ladder settings opens a modal: views.open comes first, off the pool,
	// as a click's modal does (modal.go).
	if firstWord(sc.Text) == "settings" && isSettings(a.ladder, sc.Text) &&
		a.modals.start(func() { a.runSettingsSlash(ctx, sc, ack) }) {
		return
	}
	if !a.pool.submit(sc.UserID, func(ctx context.Context) { a.handleSlash(ctx, sc, ack) }) {
		a.metrics.error("queue_full")
		ack.reply(text("Ladder is very busy right now. Please try again in a minute."))
	}
}

// handleSlash runs a slash command and replies in its ack, or else through
// response_url.
func (a *App) handleSlash(ctx context.Context, sc slack.SlashCommand, ack *slashAck) {
	a.teams.saw(sc.UserID, sc.TeamID) // team.go
	defer a.teams.keep(ctx, sc.UserID)
	ctx = withSlashAck(ctx, ack)
	msg, err := a.runCommand(ctx, sc)
	if err != nil {
		msg = Message{Text: a.userError(err, "slash "+firstWord(sc.Text))}
	}
	if msg.Text == "" && len(msg.Blocks) == 0 {
		ack.release()
		return
	}
	if ack.reply(msg) {
		return
	}
	a.respond(ctx, sc.ResponseURL, msg)
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "help"
	}
	return strings.ToLower(f[0])
}

// respond replies ephemerally through response_url. If ctx carries a slash
// command's ack that has not gone out, it goes out first, empty: a command
// that answers in several messages sends them all through response_url.
func (a *App) respond(ctx context.Context, responseURL string, msg Message) {
	releaseSlashAck(ctx)
	if responseURL == "" {
		return
	}
	wm := &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: msg.Text}
	if len(msg.Blocks) > 0 {
		wm.Blocks = &slack.Blocks{BlockSet: msg.Blocks}
	}
	// A reply that fails is tried again in the background: an ephemeral
	// reply shown twice is better than none, and nothing is stored.
	err := a.callLater(ctx, "response_url", func() error {
		return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.webhooks, wm)
	})
	if err != nil {
		a.metrics.error("response_url")
		a.log.Error("reply through response_url failed", "err", err)
	}
}

// userError turns an error into the sentence a user reads, logging what the
// user should not see.
func (a *App) userError(err error, where string) string {
	var u *usageError
	switch {
	case errors.As(err, &u):
		return u.msg
	case errors.Is(err, ladder.ErrNotEnrolled):
		return "You're not enrolled yet. `/ladder start` enrolls you; `/ladder help` lists what Ladder does."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "Ladder is shutting down; please try again in a minute."
	case errors.Is(err, store.ErrUnwritable):
		a.metrics.error("database")
		a.log.Error("the database cannot be written", "where", where, "err", err)
		return "Ladder can't save anything right now (its database is read-only or its disk is full), so nothing was changed. Your Ladder admin will find the details in the logs."
	}
	a.metrics.error(where)
	a.log.Error("command failed", "where", where, "err", err)
	return "Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, tell your Ladder admin."
}

// runCommand does what a slash command asks and returns the reply. A
// command that acts on the member's own data or settings enrols them first;
// one that only reads (readOnly) never does, so a manager who reads digests
// is never enrolled by accident.
func (a *App) runCommand(ctx context.Context, sc slack.SlashCommand) (Message, error) {
	c, err := parseCommand(a.ladder, sc.Text)
	if err != nil {
		return Message{}, err
	}
	user := sc.UserID
	c.responseURL, c.triggerID = sc.ResponseURL, sc.TriggerID
	switch c.name {
	case "admin":
		return a.admin(ctx, user, c)
	case "forget":
		return a.forget(ctx, user, c.confirm, sc.ResponseURL)
	}
	if readOnly(c) {
		m, err := a.db.Member(ctx, user)
		if errors.Is(err, ladder.ErrNotEnrolled) {
			return a.guestCommand(ctx, user, c)
		}
		if err != nil {
			return Message{}, err
		}
		return a.memberCommand(ctx, m, c)
	}
	m, created, err := a.enroll(ctx, user)
	if err != nil {
		return Message{}, err
	}
	prefix := ""
	if created {
		prefix = "Welcome! I've enrolled you and sent you a DM about how Ladder works.\n"
		if c.name == "start" {
			return text("%s%s", prefix, startText(a.ladder, m)), nil
		}
	}
	msg, err := a.memberCommand(ctx, m, c)
	if err == nil && prefix != "" {
		msg.Text = prefix + msg.Text
		if len(msg.Blocks) > 0 {
			msg.Blocks = append([]slack.Block{section(strings.TrimSpace(prefix))}, msg.Blocks...)
		}
	}
	return msg, err
}

func text(format string, args ...any) Message {
	return Message{Text: fmt.Sprintf(format, args...)}
}

// readOnly reports whether c only reads: help, a manager's digest and a
// report's evidence, a setting's current value, and the settings modal,
// which enrols only when saved.
func readOnly(c command) bool {
	switch c.name {
	case "help", "digest", "settings":
		return true
	case "evidence":
		return c.user != ""
	case "1on1": // a manager needs no enrolment; a report's agenda enrols nobody
		return true
	}
	return c.show
}

// guestCommand runs a read-only command for someone not enrolled.
func (a *App) guestCommand(ctx context.Context, user string, c command) (Message, error) {
	switch c.name {
	case "help":
		return text("%s\n%s", helpText, guestNote), nil
	case "digest":
		guest := ladder.Member{UserID: user, TZ: a.managerZone(ctx, user).String()}
		return a.previewDigest(ctx, guest, c.responseURL)
	case "evidence":
		return a.reportEvidence(ctx, user, c.user)
	case "settings":
		return Message{}, a.openSettings(ctx, user, c.triggerID)
	case "1on1":
		return a.guestOneOnOne(ctx, user, c.user) // oneonone.go
	}
	return text("%s", notEnrolledSetting(a.ladder, a.newMember(user))), nil
}

// guestNote ends /ladder help for someone not enrolled.
const guestNote = "_You're not enrolled, so Ladder sends you no questions. `/ladder start` enrolls you. A manager who only reads their reports' digests needs no enrolment: `/ladder digest` and `/ladder evidence @report` work without it._"

// startText tells a newly enrolled member their settings.
func startText(l *ladder.Ladder, m ladder.Member) string {
	slot := "Weekly questions are off"
	if m.Slot.On {
		slot = fmt.Sprintf("Your weekly question comes every %s, %s", m.Slot.Display(), zoneName(m))
	}
	return fmt.Sprintf("You're at *%s*, aiming for *%s*. %s; sharing is *%s*. `/ladder settings` changes any of it.",
		levelTitle(l, m.Level), levelTitle(l, m.Target), slot, m.Share)
}

func (a *App) memberCommand(ctx context.Context, m ladder.Member, c command) (Message, error) {
	if c.show {
		return text("%s", showSetting(a.ladder, m, c.name, a.now())), nil
	}
	switch c.name {
	case "help":
		return Message{Text: helpText}, nil
	case "start":
		return text("You're enrolled already. %s", startText(a.ladder, m)), nil
	case "settings":
		return Message{}, a.openSettings(ctx, m.UserID, c.triggerID)
	case "gaps":
		return a.gaps(ctx, m)
	case "prompt":
		if err := a.SendPrompt(ctx, m.UserID, ""); err != nil {
			return Message{}, err
		}
		return text("I've sent you a question in our DM, aimed at your biggest gap. It doesn't replace your weekly one."), nil
	case "evidence":
		if c.user != "" {
			return a.reportEvidence(ctx, m.UserID, c.user)
		}
		return a.evidence(ctx, m, c.area)
	case "level":
		return a.setLevel(ctx, m, c)
	case "track":
		m, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.Track = c.track; return nil })
		if err != nil {
			return Message{}, err
		}
		return text("Your track is now %s. Readiness weighs the areas for that path.", trackLabel(a.ladder, m.Track)), nil
	case "schedule":
		m, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.Slot = c.slot; return nil })
		if err != nil {
			return Message{}, err
		}
		if !m.Slot.On {
			return text("Weekly questions are off. `/ladder schedule mon 09:30` turns them back on; `/ladder prompt` still works any time."), nil
		}
		return text("Your weekly question now comes every *%s*, %s.", m.Slot.Display(), zoneName(m)), nil
	case "pause":
		until := forever
		if c.weeks > 0 {
			until = a.now().Add(time.Duration(c.weeks) * 7 * 24 * time.Hour)
		}
		m, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.PausedUntil = until; return nil })
		if err != nil {
			return Message{}, err
		}
		if c.weeks == 0 {
			return text("Paused until you `/ladder resume`. Paused weeks never count as missed."), nil
		}
		return text("Paused for %s, until %s. Paused weeks never count as missed; `/ladder resume` ends it early.",
			ladder.Plural(c.weeks, "week"), m.PausedUntil.In(m.Location()).Format("Mon 2 Jan")), nil
	case "resume":
		_, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.PausedUntil = time.Time{}; return nil })
		if err != nil {
			return Message{}, err
		}
		return text("Welcome back. Your weekly question resumes at your next slot (%s).", m.Slot.Display()), nil
	case "manager":
		if c.user == "" {
			return a.removeManager(ctx, m)
		}
		return a.nameManager(ctx, m, c.user)
	case "share":
		m, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.Share = c.share; return nil })
		if err != nil {
			return Message{}, err
		}
		return text("Sharing is now *%s*: %s", m.Share, shareMeaning(m.Share)), nil
	case "digest":
		return a.previewDigest(ctx, m, c.responseURL)
	case "export":
		return a.export(ctx, m)
	case "1on1":
		return a.oneOnOne(ctx, m, c.user) // oneonone.go
	}
	return Message{}, usagef("Unknown command %q. Try `/ladder help`.", c.name)
}

// removeManager names nobody as the member's manager: /ladder manager none.
func (a *App) removeManager(ctx context.Context, m ladder.Member) (Message, error) {
	if m.Manager == "" {
		return text("You have no manager named, so nobody gets a digest about you. `/ladder manager @user` names one."), nil
	}
	old := m.Manager
	if _, err := a.update(ctx, m.UserID, func(m *ladder.Member) error { m.Manager = ""; return nil }); err != nil {
		return Message{}, err
	}
	return text("<@%s> is no longer your manager: they get no digest about you and can't see your evidence. `/ladder manager @user` names someone.", old), nil
}

func shareMeaning(s ladder.Share) string {
	switch s {
	case ladder.ShareFull:
		return "your manager's digest includes excerpts of your answers, and they can see your evidence with `/ladder evidence @you`."
	case ladder.ShareSummary:
		return "your manager's digest shows counts, areas and gaps, never your words."
	}
	return "your manager's digest lists you as not sharing, nothing more."
}

// update changes a member's settings and refreshes their Home tab.
func (a *App) update(ctx context.Context, userID string, fn func(*ladder.Member) error) (ladder.Member, error) {
	m, err := a.db.UpdateMember(ctx, userID, fn)
	if err != nil {
		return m, err
	}
	a.publishHomeLogged(ctx, userID)
	return m, nil
}

func (a *App) gaps(ctx context.Context, m ladder.Member) (Message, error) {
	r, err := a.readiness(ctx, m)
	if err != nil {
		return Message{}, err
	}
	st, err := a.promptState(ctx, m, r, "")
	if err != nil {
		return Message{}, err
	}
	goals, err := a.db.Goals(ctx, m.UserID)
	if err != nil {
		return Message{}, err
	}
	return a.withManagerView(ctx, m, r, gapsMessage(a.ladder, m, r, prompts.Steps(a.ladder, st), goals, a.now().In(m.Location()))) // calibrate.go
}

// defaultEvidenceLimit is how many pieces /ladder evidence lists.
const defaultEvidenceLimit = 10

func (a *App) evidence(ctx context.Context, m ladder.Member, area ladder.AreaID) (Message, error) {
	es, err := a.db.Evidence(ctx, m.UserID, area, defaultEvidenceLimit)
	if err != nil {
		return Message{}, err
	}
	if len(es) == 0 {
		if area != "" {
			return text("No evidence in %s yet. `/ladder prompt` asks you a question; you can also just write to me in our DM.", areaName(a.ladder, area)), nil
		}
		return text("No evidence yet. Answer a question, or just write to me in our DM about something you did; `/ladder prompt` asks you one now."), nil
	}
	head := "Your latest evidence"
	if area != "" {
		head += " in " + areaName(a.ladder, area)
	}
	t := fmt.Sprintf("*%s* (%d):\n%s", head, len(es), ownEvidenceLines(a.ladder, es, 280)) // shortcut_view.go: with source links
	return Message{Text: t, Blocks: textBlocks(t)}, nil
}

// refusal is the same whether the user does not exist, is not a report, has
// not been accepted as one, or does not share: it reveals nothing.
const refusal = "I can only show someone's evidence to the manager they have named, once that manager has accepted, and only while they share it in full. Their monthly digest shows what they chose to share."

func (a *App) reportEvidence(ctx context.Context, viewer, subject string) (Message, error) {
	m, err := a.db.Member(ctx, subject)
	if errors.Is(err, ladder.ErrNotEnrolled) || (err == nil && (m.Manager != viewer || m.ManagerPending || m.Share != ladder.ShareFull)) {
		return text(refusal), nil
	}
	if err != nil {
		return Message{}, err
	}
	es, err := a.db.Evidence(ctx, subject, "", defaultEvidenceLimit)
	if err != nil {
		return Message{}, err
	}
	if len(es) == 0 {
		return text("<@%s> shares in full but has no evidence yet.", subject), nil
	}
	t := fmt.Sprintf("*<@%s>'s latest evidence* (%d, shared in full):\n%s", subject, len(es), evidenceLines(a.ladder, es, 280))
	return Message{Text: t, Blocks: textBlocks(t)}, nil
}

func (a *App) setLevel(ctx context.Context, m ladder.Member, c command) (Message, error) {
	target := c.target
	idx := func(id ladder.LevelID) int {
		return slices.IndexFunc(a.ladder.Levels, func(l ladder.Level) bool { return l.ID == id })
	}
	if target == "" {
		if next, ok := a.ladder.NextLevel(c.level); ok {
			target = next.ID
		} else {
			target = c.level // the top rung: growing within it
		}
	} else if idx(target) <= idx(c.level) && idx(c.level) < len(a.ladder.Levels)-1 {
		return Message{}, usagef("Your target has to be above your current level (%s). For example `/ladder level %s %s`.",
			levelName(a.ladder, c.level), c.level, a.ladder.Levels[idx(c.level)+1].ID)
	}
	if !c.since.IsZero() && c.since.After(a.now()) {
		return Message{}, usagef("%s is in the future. `since` is the month you reached your current level, YYYY-MM.", c.since.Format("2006-01"))
	}
	m, err := a.update(ctx, m.UserID, func(m *ladder.Member) error {
		m.Level, m.Target = c.level, target
		if !c.since.IsZero() {
			m.LevelSince = c.since
		}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	t := fmt.Sprintf("You're at *%s*, aiming for *%s*.", levelName(a.ladder, m.Level), levelName(a.ladder, m.Target))
	if !m.LevelSince.IsZero() {
		t += fmt.Sprintf(" At your level since %s.", m.LevelSince.Format("2006-01"))
	}
	if lv, ok := a.ladder.Level(m.Target); ok && lv.Summary != "" {
		t += "\n" + lv.Summary
	}
	return text("%s\n`/ladder gaps` shows where your evidence for %s is thin.", t, levelName(a.ladder, m.Target)), nil
}

// exportChunk is the size of one message of the packet, under the 3,000
// characters of a text object once fenced.
const exportChunk = 2800

// export queues the member's promotion packet for their DM, as one file,
// and answers at once: the send queue uploads it (see upload.go).
func (a *App) export(ctx context.Context, m ladder.Member) (Message, error) {
	n, err := a.queueExportFile(ctx, m)
	if err != nil {
		return Message{}, err
	}
	if n == 0 {
		return text("There's no evidence to export yet. Answer a few weekly questions first."), nil
	}
	return text("Your packet is on its way to our DM as a Markdown file: %s of evidence, organised by what %s expects.",
		ladder.Plural(n, "piece"), escapeText(levelName(a.ladder, m.Target))), nil
}

// exportPacket builds the DMs that carry a member's promotion packet as it
// stands now, and counts the pieces of evidence in it; none when there is no
// evidence.
func (a *App) exportPacket(ctx context.Context, m ladder.Member) ([]Message, int, error) {
	layout, n, _, err := a.packet(ctx, m, a.now())
	if err != nil || n == 0 {
		return nil, 0, err
	}
	msgs := make([]Message, len(layout))
	for i, lines := range layout {
		msgs[i] = exportMessage(a.packetText(ctx, lines), i+1, len(layout))
	}
	return msgs, n, nil
}

// exportMessage is message part of total of the packet: body, the Markdown
// escaped (renderLines), as a fenced code block in one section. The Markdown
// holds the member's words as they wrote them; escaping all of it, code block
// and notification text alike, is needed because Slack reads &, < and > as
// control characters everywhere in text ("Formatting text for app surfaces",
// https://api.slack.com/reference/surfaces/formatting#escaping). So Slack
// shows every character, a copy from Slack reads as the member wrote it, and
// nothing in it pings anyone or hides a link. A member's own ``` ends the
// code block early, which changes only how their own packet looks.
func exportMessage(body string, part, total int) Message {
	head := fmt.Sprintf("Promotion packet, part %d of %d (Markdown — copy it into a doc):", part, total)
	t := head + "\n```\n" + body + "\n```"
	return Message{Text: t, Blocks: []slack.Block{section(t)}}
}

func (a *App) isAdmin(userID string) bool { return slices.Contains(a.cfg.Admins, userID) }

func (a *App) admin(ctx context.Context, userID string, c command) (Message, error) {
	if !a.isAdmin(userID) {
		return text("`/ladder admin` is for Ladder's admins (LADDER_ADMINS). Ask whoever runs Ladder for your workspace."), nil
	}
	switch c.sub {
	case "enroll":
		var added, already []string
		for _, u := range c.users {
			_, created, err := a.enroll(ctx, u)
			if err != nil {
				return Message{}, err
			}
			if created {
				added = append(added, "<@"+u+">")
			} else {
				already = append(already, "<@"+u+">")
			}
		}
		if err := a.audit(ctx, userID, "admin enroll", fmt.Sprintf("%d enrolled, %d already enrolled", len(added), len(already))); err != nil {
			return Message{}, err
		}
		t := fmt.Sprintf("Enrolled %d: %s. Each got the welcome DM.", len(added), strings.Join(added, ", "))
		if len(added) == 0 {
			t = "Nobody new to enroll."
		}
		if len(already) > 0 {
			t += fmt.Sprintf(" Already enrolled: %s.", strings.Join(already, ", "))
		}
		return text("%s", t), nil
	case "stats":
		s, err := a.db.Stats(ctx, a.now())
		if err != nil {
			return Message{}, err
		}
		if err := a.audit(ctx, userID, "admin stats", ""); err != nil {
			return Message{}, err
		}
		return text("*Ladder in numbers* (counts only; admins never see evidence):\n• Members: %d (%d not paused)\n• Managers receiving digests: %d\n• Pieces of evidence: %d\n• Prompts this week: %d (%d skipped)\n• Digests this month: %d",
			s.Members, s.Active, s.Managers, s.Evidence, s.PromptsThisWeek, s.SkippedThisWeek, s.DigestsMonth), nil
	case "digest":
		queue := a.queueDigests.Load()
		if queue == nil {
			return Message{}, errors.New("admin digest send: no send queue in this process")
		}
		queued, already, err := (*queue)(ctx)
		if err != nil {
			return Message{}, err
		}
		if err := a.audit(ctx, userID, "admin digest send", fmt.Sprintf("%d queued, %d already sent or queued this month", queued, already)); err != nil {
			return Message{}, err
		}
		return text("Digests: %d queued; they go out in a moment, after any confirmations waiting. %d had already gone out or been queued this month, so they are not sent again.", queued, already), nil
	case "audit":
		return a.auditTrail(ctx)
	}
	return Message{}, usagef("Unknown admin command.")
}
