package slackapp

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
)

// The settings modal. /ladder settings and the Home tab's Settings button
// (actionOpenSettings) open it; each field is an input block whose block_id
// is also its element's action_id, so that a submission's errors name the
// field, and each starts at the member's current setting.
const (
	actionOpenSettings = "open_settings"
	callbackSettings   = "settings_modal"

	fieldLevel   = "settings_level"
	fieldTarget  = "settings_target"
	fieldTrack   = "settings_track"
	fieldDay     = "settings_day"
	fieldTime    = "settings_time"
	fieldManager = "settings_manager"
	fieldShare   = "settings_share"
	fieldPause   = "settings_pause"
)

// The values of the pause menu besides a number of weeks.
const (
	pauseNone  = "none"  // not paused: resume if paused
	pauseKeep  = "keep"  // keep a pause with an end as it is
	pauseUntil = "until" // until /ladder resume
	dayOff     = "off"   // no weekly question
)

// pauseChoices are the pauses the modal offers, in weeks.
var pauseChoices = []int{1, 2, 4}

// newMember is a member with the defaults a newcomer is enrolled with.
func (a *App) newMember(userID string) ladder.Member {
	m := ladder.Member{
		UserID:     userID,
		Level:      ladder.EM,
		Target:     ladder.SeniorEM,
		Track:      a.ladder.DefaultTrack().ID,
		Slot:       a.cfg.DefaultSlot,
		Share:      ladder.ShareSummary,
		EnrolledAt: a.now(),
	}
	if len(a.ladder.Levels) > 0 {
		m.Level = a.ladder.Levels[0].ID
		if next, ok := a.ladder.NextLevel(m.Level); ok {
			m.Target = next.ID
		} else {
			m.Target = m.Level
		}
	}
	return m
}

// openSettings opens the settings modal for userID with trigger. Its only
// work before views.open is reading the member: someone not enrolled sees
// the defaults they would be enrolled with, and saving enrols them.
func (a *App) openSettings(ctx context.Context, userID, trigger string) error {
	m, err := a.db.Member(ctx, userID)
	enrolled := err == nil
	if errors.Is(err, ladder.ErrNotEnrolled) {
		m = a.newMember(userID)
	} else if err != nil {
		return err
	}
	view := settingsModal(a.ladder, m, enrolled, a.cfg.DefaultSlot, a.now())
	return a.call(ctx, "views.open", func() error {
		_, err := a.api.OpenViewContext(ctx, trigger, view)
		return err
	})
}

// isSettings reports whether text is /ladder settings, as parseCommand
// reads it.
func isSettings(l *ladder.Ladder, text string) bool {
	c, err := parseCommand(l, text)
	return err == nil && c.name == "settings"
}

// runSettingsSlash opens the settings modal for /ladder settings on the
// modal path, within the trigger's lifetime, and settles the command's ack:
// empty once the modal is open, else with what went wrong.
func (a *App) runSettingsSlash(ctx context.Context, sc slack.SlashCommand, ack *slashAck) {
	defer func() {
		if r := recover(); r != nil {
			a.pool.panics.Add(1)
			a.log.Error("settings modal recovered from a panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			ack.release()
		}
	}()
	openCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), triggerTTL)
	defer cancel()
	err := a.openSettings(openCtx, sc.UserID, sc.TriggerID)
	if err == nil {
		ack.release()
		return
	}
	msg := Message{Text: a.userError(err, "slash settings")}
	if ack.reply(msg) {
		return
	}
	if !a.pool.submit(sc.UserID, func(ctx context.Context) { a.respond(ctx, sc.ResponseURL, msg) }) {
		a.log.Warn("could not tell a member their settings did not open", "user", sc.UserID)
	}
}

// settingsModal is the settings modal for m, each field set to m's current
// value. enrolled is false for someone who would be enrolled by saving;
// defaultSlot gives the time picker its time while weekly questions are off.
func settingsModal(l *ladder.Ladder, m ladder.Member, enrolled bool, defaultSlot ladder.Slot, now time.Time) slack.ModalViewRequest {
	var bs []slack.Block
	if !enrolled {
		bs = append(bs, section("You're not enrolled yet. Saving enrolls you with these settings; nothing is sent until your first weekly question."))
	}

	levels := levelOptions(l)
	bs = append(bs,
		input(fieldLevel, "Your level", "",
			selectMenu(fieldLevel, "Pick your level", levels, string(m.Level))),
		input(fieldTarget, "Your target level", "Readiness measures your evidence against this level.",
			selectMenu(fieldTarget, "Pick the level you aim for", levels, string(m.Target))))

	var tracks []*slack.OptionBlockObject
	for _, t := range l.Tracks {
		name := t.Name
		if name == "" {
			name = t.ID
		}
		var desc *slack.TextBlockObject
		if t.Description != "" {
			desc = plain(clip(t.Description, maxOptionText))
		}
		tracks = append(tracks, slack.NewOptionBlockObject(t.ID, plain(clip(name, maxOptionText)), desc))
	}
	bs = append(bs, input(fieldTrack, "Your track", "", radios(fieldTrack, tracks, m.Track)))

	var days []*slack.OptionBlockObject
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		days = append(days, slack.NewOptionBlockObject(dayValue(d), plain(d.String()), nil))
	}
	days = append(days, slack.NewOptionBlockObject(dayOff, plain("Off: no weekly question"), nil))
	day, clock := dayOff, defaultSlot.Minute
	if m.Slot.On {
		day, clock = dayValue(m.Slot.Day), m.Slot.Minute
	} else if !defaultSlot.On {
		clock = 9*60 + 30
	}
	picker := slack.NewTimePickerBlockElement(fieldTime)
	picker.InitialTime = fmt.Sprintf("%02d:%02d", clock/60, clock%60)
	bs = append(bs,
		input(fieldDay, "Weekly question: day", "", selectMenu(fieldDay, "Pick a day", days, day)),
		input(fieldTime, "Weekly question: time", timeHint(m), picker))

	who := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Pick your manager"), fieldManager)
	who.InitialUser = m.Manager
	managerBlock := input(fieldManager, "Your manager", "They get your monthly digest once they accept. Leave empty for nobody.", who)
	managerBlock.Optional = true
	bs = append(bs, managerBlock)
	if m.Manager != "" {
		bs = append(bs, slack.NewContextBlock("", mrkdwn(managerStatus(m))))
	}

	var shares []*slack.OptionBlockObject
	for _, s := range []ladder.Share{ladder.ShareFull, ladder.ShareSummary, ladder.ShareOff} {
		shares = append(shares, slack.NewOptionBlockObject(string(s), plain(shareLabel(s)), plain(shareLine(s))))
	}
	bs = append(bs, input(fieldShare, "What your manager's digest shows", "", radios(fieldShare, shares, string(m.Share))))

	pauses := []*slack.OptionBlockObject{slack.NewOptionBlockObject(pauseNone, plain("Not paused"), nil)}
	pause := pauseNone
	switch {
	case m.Paused(now) && m.PausedUntil.Equal(forever):
		pause = pauseUntil
	case m.Paused(now):
		pause = pauseKeep
		until := "Paused until " + m.PausedUntil.In(m.Location()).Format("Mon 2 Jan")
		pauses = append(pauses, slack.NewOptionBlockObject(pauseKeep, plain(until), nil))
	}
	for _, w := range pauseChoices {
		pauses = append(pauses, slack.NewOptionBlockObject(strconv.Itoa(w), plain("Pause for "+ladder.Plural(w, "week")), nil))
	}
	pauses = append(pauses, slack.NewOptionBlockObject(pauseUntil, plain("Pause until I resume"), nil))
	bs = append(bs, input(fieldPause, "Pause", "Paused weeks never count as missed.", selectMenu(fieldPause, "Pause or not", pauses, pause)))

	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackSettings,
		Title:      plain("Your Ladder settings"),
		Submit:     plain("Save"),
		Close:      plain("Cancel"),
		Blocks:     slack.Blocks{BlockSet: bs},
	}
}

// maxOptionText is Slack's limit on an option's text and description.
const maxOptionText = 75

// clip shortens s to at most n runes, "…" included, at a space if there is
// one to cut at.
func clip(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n-1])
	if i := strings.LastIndex(cut, " "); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

func dayValue(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// timeHint names the member's timezone under the time picker, once Slack
// has told it: a newcomer's is learnt when they enrol.
func timeHint(m ladder.Member) string {
	if m.TZ == "" {
		return "In your Slack timezone."
	}
	return "In your Slack timezone (" + m.TZ + ")."
}

func levelOptions(l *ladder.Ladder) []*slack.OptionBlockObject {
	var os []*slack.OptionBlockObject
	for _, lv := range l.Levels {
		name := lv.Title
		if name == "" {
			name = string(lv.ID)
		}
		if lv.M != "" {
			name += " (" + lv.M + ")"
		}
		os = append(os, slack.NewOptionBlockObject(string(lv.ID), plain(clip(name, maxOptionText)), nil))
	}
	return os
}

func shareLabel(s ladder.Share) string {
	switch s {
	case ladder.ShareFull:
		return "Full"
	case ladder.ShareSummary:
		return "Summary"
	}
	return "Off"
}

// shareLine is what a share level means, in an option's one line.
func shareLine(s ladder.Share) string {
	switch s {
	case ladder.ShareFull:
		return "Counts, areas and gaps, plus excerpts of your answers"
	case ladder.ShareSummary:
		return "Counts, areas and gaps; never your words"
	}
	return "Only that you are not sharing"
}

func input(blockID, label, hint string, el slack.BlockElement) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	return slack.NewInputBlock(blockID, plain(label), h, el)
}

// selectMenu is a static select of options starting at the one whose value
// is initial, if any: Slack wants the initial option to be one of them.
func selectMenu(actionID, placeholder string, options []*slack.OptionBlockObject, initial string) *slack.SelectBlockElement {
	s := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(placeholder), actionID, options...)
	s.InitialOption = optionOf(options, initial)
	return s
}

func radios(actionID string, options []*slack.OptionBlockObject, initial string) *slack.RadioButtonsBlockElement {
	r := slack.NewRadioButtonsBlockElement(actionID, options...)
	r.InitialOption = optionOf(options, initial)
	return r
}

func optionOf(options []*slack.OptionBlockObject, value string) *slack.OptionBlockObject {
	for _, o := range options {
		if o.Value == value {
			return o
		}
	}
	return nil
}

// settingsForm is a submitted settings modal, checked.
type settingsForm struct {
	level, target ladder.LevelID
	track         string
	slot          ladder.Slot
	manager       string // "" for nobody
	share         ladder.Share
	pause         string // pauseNone, pauseKeep, pauseUntil or a number of weeks
}

// parseSettings reads a submitted settings modal. errs maps the block id of
// each field that is wrong to what to do about it, for response_action
// errors; it is empty when the form can be saved.
func parseSettings(l *ladder.Ladder, userID string, values map[string]map[string]slack.BlockAction) (f settingsForm, errs map[string]string) {
	errs = map[string]string{}
	get := func(field string) slack.BlockAction { return values[field][field] }

	level, lerr := l.ParseLevel(get(fieldLevel).SelectedOption.Value)
	if lerr != nil {
		errs[fieldLevel] = "Pick your level from the list."
	}
	target, terr := l.ParseLevel(get(fieldTarget).SelectedOption.Value)
	switch {
	case terr != nil:
		errs[fieldTarget] = "Pick the level you aim for from the list."
	case lerr == nil:
		if msg := targetProblem(l, level.ID, target.ID); msg != "" {
			errs[fieldTarget] = msg
		}
	}
	f.level, f.target = level.ID, target.ID

	f.track = get(fieldTrack).SelectedOption.Value
	if _, ok := l.Track(f.track); !ok {
		errs[fieldTrack] = "Pick a track."
	}

	day, clock := get(fieldDay).SelectedOption.Value, get(fieldTime).SelectedTime
	_, clockOK := ladder.ParseClock(clock)
	switch {
	case day == dayOff:
		f.slot = ladder.Slot{}
	case day == "":
		errs[fieldDay] = "Pick a day, or Off for no weekly question."
	case !clockOK:
		errs[fieldTime] = "Pick a time, such as 09:30."
	default:
		s, err := ladder.ParseSlot(day + " " + clock)
		if err != nil {
			errs[fieldDay] = "Pick a day from the list."
		}
		f.slot = s
	}

	f.manager = get(fieldManager).SelectedUser
	if f.manager == userID {
		errs[fieldManager] = "You can't be your own manager. Pick the person you report to, or leave it empty."
	}

	share, err := ladder.ParseShare(get(fieldShare).SelectedOption.Value)
	if err != nil {
		errs[fieldShare] = "Pick what your manager's digest shows."
	}
	f.share = share

	f.pause = get(fieldPause).SelectedOption.Value
	switch f.pause {
	case pauseNone, pauseKeep, pauseUntil:
	default:
		if w, err := strconv.Atoi(f.pause); err != nil || w < 1 || w > maxPauseWeeks {
			errs[fieldPause] = "Pick a pause from the list."
		}
	}
	return f, errs
}

// targetProblem says what is wrong with aiming for target from level, or ""
// if nothing is: the target is above the level, or the level is the top
// rung and the target is the level itself (growing within it).
func targetProblem(l *ladder.Ladder, level, target ladder.LevelID) string {
	li, ti := levelIndex(l, level), levelIndex(l, target)
	top := li == len(l.Levels)-1
	if ti > li || (top && ti == li) {
		return ""
	}
	if top {
		return fmt.Sprintf("%s is the top of the ladder: aim for it too, to grow within it.", levelName(l, level))
	}
	return fmt.Sprintf("Your target has to be above your level (%s), such as %s.", levelName(l, level), levelName(l, l.Levels[li+1].ID))
}

func levelIndex(l *ladder.Ladder, id ladder.LevelID) int {
	for i, lv := range l.Levels {
		if lv.ID == id {
			return i
		}
	}
	return -1
}

// apply sets m's settings to the form's, as of now. A manager who declined
// to be m's manager is not named again.
func (f settingsForm) apply(m *ladder.Member, now time.Time) {
	m.Level, m.Target, m.Track, m.Slot, m.Share = f.level, f.target, f.track, f.slot, f.share
	if f.manager == "" || f.manager != m.ManagerDeclined {
		m.Manager = f.manager
	}
	switch f.pause {
	case pauseNone:
		m.PausedUntil = time.Time{}
	case pauseUntil:
		m.PausedUntil = forever
	case pauseKeep:
	default:
		w, _ := strconv.Atoi(f.pause)
		m.PausedUntil = now.Add(time.Duration(w) * 7 * 24 * time.Hour)
	}
}

// onSettingsSubmit handles a submitted settings modal, off the read loop:
// on the modal path, which waits behind no member's worker. It checks the
// form and acks with the fields' errors, which keeps the modal open, or
// else hands the save to the member's worker and acks empty, which closes
// it. ctx is the socket's.
func (a *App) onSettingsSubmit(ctx context.Context, envelopeID string, cb slack.InteractionCallback) {
	busy := func() {
		a.metrics.error("queue_full")
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
			fieldLevel: "Ladder is very busy; please press Save again in a minute.",
		}))
	}
	if !a.modals.start(func() { a.submitSettings(ctx, envelopeID, cb, busy) }) {
		busy()
	}
}

func (a *App) submitSettings(ctx context.Context, envelopeID string, cb slack.InteractionCallback, busy func()) {
	defer func() {
		if r := recover(); r != nil {
			a.pool.panics.Add(1)
			a.log.Error("settings submission recovered from a panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
				fieldLevel: "Something went wrong on our side and nothing was saved. Please press Save again.",
			}))
		}
	}()
	user := cb.User.ID
	var values map[string]map[string]slack.BlockAction
	if cb.View.State != nil {
		values = cb.View.State.Values
	}
	form, errs := parseSettings(a.ladder, user, values)
	if form.manager != "" && errs[fieldManager] == "" {
		readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), triggerTTL)
		m, err := a.db.Member(readCtx, user)
		cancel()
		if err == nil && form.manager == m.ManagerDeclined && form.manager != m.Manager {
			errs[fieldManager] = "This person declined to receive your digest, so Ladder won't ask them again. Pick someone else, or leave it empty."
		}
	}
	if len(errs) > 0 {
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	if !a.pool.submit(user, func(ctx context.Context) { a.saveSettings(ctx, user, form) }) {
		busy()
		return
	}
	a.ack(ctx, envelopeID, nil)
}

// saveSettings saves a checked settings form in one update, enrolling the
// member first if they are new. A newly named manager is asked to accept,
// as /ladder manager asks them; the Home tab is published again, and the
// member gets a DM that says what changed.
func (a *App) saveSettings(ctx context.Context, userID string, f settingsForm) {
	before, created, err := a.enroll(ctx, userID)
	if err != nil {
		a.postLogged(ctx, userID, "", Message{Text: a.userError(err, "settings")})
		return
	}
	m, err := a.db.UpdateMember(ctx, userID, func(m *ladder.Member) error {
		f.apply(m, a.now())
		return nil
	})
	if err != nil {
		a.postLogged(ctx, userID, "", Message{Text: "Your settings were not saved: " + a.userError(err, "settings")})
		return
	}
	asked := true
	if m.Manager != before.Manager && m.ManagerPending {
		if err := a.askManager(ctx, m); err != nil {
			a.log.Error("consent request failed", "user", userID, "manager", m.Manager, "err", err)
			asked = false
		}
	}
	a.publishHomeLogged(ctx, userID)
	if msg, changed := settingsSaved(a.ladder, before, m, created, asked, a.now()); changed {
		a.postLogged(ctx, userID, "", msg)
	}
}

// settingsSaved is the DM that tells a member what their saved settings
// changed; changed is false when nothing did. asked is false when a newly
// named manager could not be sent their request.
func settingsSaved(l *ladder.Ladder, before, m ladder.Member, created, asked bool, now time.Time) (msg Message, changed bool) {
	var lines []string
	if before.Level != m.Level || before.Target != m.Target {
		lines = append(lines, fmt.Sprintf("Level *%s*, aiming for *%s*.", levelName(l, m.Level), levelName(l, m.Target)))
	}
	if before.Track != m.Track {
		lines = append(lines, fmt.Sprintf("Track %s.", trackLabel(l, m.Track)))
	}
	if before.Slot != m.Slot {
		if m.Slot.On {
			lines = append(lines, fmt.Sprintf("Weekly question every *%s*, %s.", m.Slot.Display(), zoneName(m)))
		} else {
			lines = append(lines, "Weekly questions are off; `/ladder prompt` still asks you one any time.")
		}
	}
	if before.Share != m.Share {
		lines = append(lines, fmt.Sprintf("Sharing *%s*: %s", m.Share, shareMeaning(m.Share)))
	}
	if !before.PausedUntil.Equal(m.PausedUntil) {
		lines = append(lines, pauseStatus(m, now))
	}
	if before.Manager != m.Manager {
		status := managerStatus(m)
		if m.Manager != "" && m.ManagerPending && !asked {
			status = fmt.Sprintf("<@%s> is now your manager, waiting for them to accept, but I couldn't send them the request just now. Run `/ladder manager <@%s>` in a minute to send it again.", m.Manager, m.Manager)
		} else if m.Manager != "" && m.ManagerPending {
			status = fmt.Sprintf("I've asked <@%s> to accept being your manager. Until they do, they get no digest and can't see your evidence.", m.Manager)
		}
		lines = append(lines, status)
	}
	if len(lines) == 0 && !created {
		return Message{}, false
	}
	head := "*Settings saved.*"
	if created {
		head = "*Settings saved, and you're enrolled.*"
	}
	t := head
	if len(lines) > 0 {
		t += "\n• " + strings.Join(lines, "\n• ")
	}
	return Message{Text: t, Blocks: textBlocks(t)}, true
}

// trackLabel names a track for people: "*deep* (Deep-technical manager)".
func trackLabel(l *ladder.Ladder, id string) string {
	if t, ok := l.Track(id); ok && t.Name != "" {
		return fmt.Sprintf("*%s* (%s)", t.ID, t.Name)
	}
	return "*" + id + "*"
}
