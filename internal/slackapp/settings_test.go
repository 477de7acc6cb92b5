package slackapp_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// The settings modal's fields: the block id of each input, which is also its
// element's action id.
const (
	fLevel   = "settings_level"
	fTarget  = "settings_target"
	fTrack   = "settings_track"
	fDay     = "settings_day"
	fTime    = "settings_time"
	fManager = "settings_manager"
	fShare   = "settings_share"
	fPause   = "settings_pause"
)

var settingsFields = []string{fLevel, fTarget, fTrack, fDay, fTime, fManager, fShare, fPause}

// modal is a modal as views.open carried it.
type modal struct {
	raw    string
	Title  struct{ Text string } `json:"title"`
	Blocks []struct {
		Type    string         `json:"type"`
		BlockID string         `json:"block_id"`
		Element map[string]any `json:"element"`
	} `json:"blocks"`
	CallbackID string `json:"callback_id"`
}

// initial is the initial value of the field blockID, as SubmitView's values
// take it: an option's value, a time or a user id; "" if none.
func (m modal) initial(blockID string) string {
	for _, b := range m.Blocks {
		if b.BlockID != blockID {
			continue
		}
		if o, ok := b.Element["initial_option"].(map[string]any); ok {
			v, _ := o["value"].(string)
			return v
		}
		for _, f := range []string{"initial_time", "initial_user"} {
			if v, ok := b.Element[f].(string); ok {
				return v
			}
		}
	}
	return ""
}

// inputs are the block ids of the modal's input blocks.
func (m modal) inputs() map[string]bool {
	ids := map[string]bool{}
	for _, b := range m.Blocks {
		if b.Type == "input" {
			ids[b.BlockID] = true
		}
	}
	return ids
}

// waitSettingsModal waits for the nth settings modal opened for user
// (counting from 1) and returns it.
func (h *harness) waitSettingsModal(user string, n int) modal {
	h.t.Helper()
	var got modal
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		k := 0
		for _, v := range s.Views {
			var m modal
			if v.Kind != "open" || v.UserID != user || json.Unmarshal(v.View, &m) != nil || m.CallbackID != "settings_modal" {
				continue
			}
			if k++; k == n {
				m.raw = string(v.View)
				got = m
				return true
			}
		}
		return false
	})
	if err != nil {
		var calls []string
		for _, c := range h.fake.CallsTo("views.open") {
			calls = append(calls, fmt.Sprintf("%d %s", c.Status, c.Error))
		}
		h.t.Fatalf("no settings modal #%d for %s: %v\nviews.open calls: %v\nlogs:\n%s", n, user, err, calls, h.logs)
	}
	return got
}

// openSettingsBySlash runs /ladder settings as user, checks that its ack is
// empty (the modal is the answer), and returns the modal.
func (h *harness) openSettingsBySlash(user string) modal {
	h.t.Helper()
	n := h.settingsModals(user)
	env, err := h.fake.SendSlash(fakeslack.SlashCommand{UserID: user, Text: "settings"})
	if err != nil {
		h.t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		h.t.Fatalf("/ladder settings: no ack: %v", err)
	}
	if p := strings.TrimSpace(string(ack.Payload)); p != "" && p != "null" {
		h.t.Errorf("/ladder settings: ack payload %s, want none: the modal is the answer", p)
	}
	return h.waitSettingsModal(user, n+1)
}

func (h *harness) settingsModals(user string) int {
	n := 0
	for _, v := range h.fake.Views() {
		if v.Kind == "open" && v.UserID == user && strings.Contains(string(v.View), `"callback_id":"settings_modal"`) {
			n++
		}
	}
	return n
}

// submitSettings submits user's settings modal with values (field → value;
// the fields not named keep their initial values) and returns the ack's
// errors, block id → message; none when the modal closes.
func (h *harness) submitSettings(user string, values map[string]string) map[string]string {
	h.t.Helper()
	vs := map[string]map[string]string{}
	for field, v := range values {
		vs[field] = map[string]string{field: v}
	}
	env, err := h.fake.SendInteractive(h.fake.SubmitView(user, "settings_modal", vs))
	if err != nil {
		h.t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		h.t.Fatalf("settings submission: no ack: %v", err)
	}
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if len(ack.Payload) > 0 && string(ack.Payload) != "null" {
		if err := json.Unmarshal(ack.Payload, &resp); err != nil {
			h.t.Fatalf("settings submission: ack payload %s: %v", ack.Payload, err)
		}
	}
	if len(resp.Errors) > 0 && resp.ResponseAction != "errors" {
		h.t.Errorf("settings submission: errors with response_action %q, want errors", resp.ResponseAction)
	}
	return resp.Errors
}

func (h *harness) member(user string) ladder.Member {
	h.t.Helper()
	m, err := h.db.Member(h.ctx, user)
	if err != nil {
		h.t.Fatalf("member %s: %v", user, err)
	}
	return m
}

// TestSettingsModalBySlash: /ladder settings opens one modal whose every
// field starts at the member's current setting.
func TestSettingsModalBySlash(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.slash(alice, "level sr em director")
	h.slash(alice, "track deep")
	h.slash(alice, "schedule thu 5:45pm")
	h.slash(alice, "share full")
	h.nameAndAccept(alice, bob)
	h.slash(alice, "pause 2 weeks")

	m := h.openSettingsBySlash(alice)
	want := map[string]string{
		fLevel: "senior-em", fTarget: "director", fTrack: "deep", fDay: "thu", fTime: "17:45",
		fManager: bob, fShare: "full", fPause: "keep",
	}
	for field, w := range want {
		if got := m.initial(field); got != w {
			t.Errorf("%s starts at %q, want %q", field, got, w)
		}
	}
	for _, f := range settingsFields {
		if !m.inputs()[f] {
			t.Errorf("the modal has no input block %s", f)
		}
	}
	contains(t, "settings modal", m.raw, "Paused until Mon 7 Dec", "Europe/Berlin", "UBOB\\u003e gets your monthly digest, which shows *full*",
		"Counts, areas and gaps, plus excerpts of your answers", `"type":"timepicker"`, `"type":"users_select"`, `"type":"radio_buttons"`)
}

// TestSettingsModalByHomeButton: the Home tab's Settings button opens the
// same modal, at the defaults for a member who changed nothing.
func TestSettingsModalByHomeButton(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	if _, err := h.fake.SendEvent("", h.fake.AppHomeOpenedEvent(alice), 0); err != nil {
		t.Fatal(err)
	}
	h.waitView(alice, "Toward Senior EM")
	env, err := h.fake.SendInteractive(h.fake.BlockAction(alice, "open_settings", "settings", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		t.Fatal(err)
	}
	m := h.waitSettingsModal(alice, 1)
	want := map[string]string{
		fLevel: "em", fTarget: "senior-em", fTrack: "broad", fDay: "mon", fTime: "09:30",
		fManager: "", fShare: "summary", fPause: "none",
	}
	for field, w := range want {
		if got := m.initial(field); got != w {
			t.Errorf("%s starts at %q, want %q", field, got, w)
		}
	}
	lacks(t, "settings modal of a member", m.raw, "not enrolled")
}

// TestSettingsSubmitSaves: a submitted modal saves every field at once,
// asks a newly named manager to accept, publishes the Home tab again and
// tells the member what changed.
func TestSettingsSubmitSaves(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.openSettingsBySlash(alice)
	homes := len(h.fake.CallsTo("views.publish"))
	errs := h.submitSettings(alice, map[string]string{
		fLevel: "senior-em", fTarget: "director", fTrack: "deep", fDay: "fri", fTime: "07:15",
		fManager: bob, fShare: "full", fPause: "2",
	})
	if len(errs) > 0 {
		t.Fatalf("a valid form was refused: %v", errs)
	}
	saved := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Settings saved") })
	contains(t, "saved DM", saved.Text, "*Senior EM*", "*Director*", "*deep* (Deep-technical manager)", "*Friday 07:15*", "Europe/Berlin",
		"Sharing *full*", "Paused until Mon 7 Dec", "I've asked <@UBOB> to accept")

	m := h.member(alice)
	until := monday.Add(14 * 24 * time.Hour)
	if m.Level != ladder.SeniorEM || m.Target != ladder.Director || m.Track != "deep" || m.Slot.String() != "fri 07:15" ||
		m.Share != ladder.ShareFull || m.Manager != bob || !m.ManagerPending || m.PausedUntil.Before(until) || m.PausedUntil.After(until.Add(time.Minute)) {
		t.Errorf("stored member after saving: %+v", m)
	}
	req := h.latestConsentRequest(alice, bob)
	contains(t, "consent request", req.Text, "*full*", "until you accept")
	if _, err := h.fake.WaitCalls(h.ctx, "views.publish", homes+1); err != nil {
		t.Errorf("the Home tab was not published again: %v", err)
	}
	if _, err := h.db.Member(h.ctx, bob); err == nil {
		t.Error("naming bob as manager enrolled him")
	}

	// Saved again unchanged: nothing changes, nobody is asked twice, and
	// no DM says otherwise.
	h.openSettingsBySlash(alice)
	if errs := h.submitSettings(alice, nil); len(errs) > 0 {
		t.Fatalf("the unchanged form was refused: %v", errs)
	}
	h.slash(alice, "help") // runs after the save on alice's worker
	if n := h.count(func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Settings saved") }); n != 1 {
		t.Errorf("settings-saved DMs: got %d, want 1 (the second save changed nothing)", n)
	}
	if n := h.count(func(m fakeslack.Message) bool {
		return strings.Contains(m.Text, "<@UALICE> named you as their manager")
	}); n != 1 {
		t.Errorf("consent requests to bob: got %d, want 1", n)
	}

	// Emptying the manager and resuming from the modal.
	h.openSettingsBySlash(alice)
	if errs := h.submitSettings(alice, map[string]string{fManager: "", fPause: "none", fDay: "off"}); len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	h.waitPost(alice, func(m fakeslack.Message) bool {
		return strings.Contains(m.Text, "Settings saved") && strings.Contains(m.Text, "No manager named")
	})
	if m := h.member(alice); m.Manager != "" || m.ManagerPending || !m.PausedUntil.IsZero() || m.Slot.On {
		t.Errorf("after emptying the manager, resuming and turning questions off: %+v", m)
	}
}

// TestSettingsSubmitFieldErrors: a form that cannot be saved stays open,
// with a message under each wrong field, and changes nothing.
func TestSettingsSubmitFieldErrors(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	before := h.member(alice)
	m := h.openSettingsBySlash(alice)
	errs := h.submitSettings(alice, map[string]string{fLevel: "director", fTarget: "em", fManager: alice, fTrack: "sideways"})
	contains(t, "target error", errs[fTarget], "above your level (Director)", "VP")
	contains(t, "manager error", errs[fManager], "your own manager")
	contains(t, "track error", errs[fTrack], "Pick a track")
	if len(errs) != 3 {
		t.Errorf("errors: got %v, want target, manager and track", errs)
	}
	for id := range errs {
		if !m.inputs()[id] {
			t.Errorf("error for %q, which is not an input block of the modal: Slack would show none", id)
		}
	}
	h.openSettingsBySlash(alice)
	errs = h.submitSettings(alice, map[string]string{fTime: ""})
	contains(t, "time error", errs[fTime], "Pick a time")
	h.slash(alice, "help")
	if after := h.member(alice); after != before {
		t.Errorf("a refused form changed the member:\nbefore %+v\nafter  %+v", before, after)
	}
	if n := h.count(func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Settings saved") }); n != 0 {
		t.Errorf("a refused form sent %d settings-saved DMs", n)
	}

	// At the top of the ladder, the target is the level itself.
	h.openSettingsBySlash(alice)
	if errs := h.submitSettings(alice, map[string]string{fLevel: "cto", fTarget: "cto"}); len(errs) > 0 {
		t.Errorf("cto aiming for cto was refused: %v", errs)
	}
	h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Settings saved") })

	// A manager who declined is not asked again.
	h.slash(alice, "manager <@UBOB>")
	h.answerManager(alice, bob, false)
	h.openSettingsBySlash(alice)
	errs = h.submitSettings(alice, map[string]string{fManager: bob})
	contains(t, "declined manager", errs[fManager], "declined")
}

// TestSettingsEnrolOnSave: someone not enrolled sees the defaults they would
// get; opening the modal enrols nobody, saving it does.
func TestSettingsEnrolOnSave(t *testing.T) {
	h := newHarness(t)
	m := h.openSettingsBySlash(carol)
	contains(t, "newcomer's modal", m.raw, "not enrolled yet", "In your Slack timezone.")
	if got := m.initial(fLevel) + " " + m.initial(fDay) + " " + m.initial(fTime); got != "em mon 09:30" {
		t.Errorf("newcomer's modal starts at %q, want the defaults em mon 09:30", got)
	}
	if _, err := h.db.Member(h.ctx, carol); err == nil {
		t.Fatal("opening the settings modal enrolled carol")
	}
	if errs := h.submitSettings(carol, map[string]string{fDay: "wed", fTime: "08:00"}); len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	h.waitPost(carol, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Welcome to Ladder") })
	saved := h.waitPost(carol, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Settings saved") })
	contains(t, "newcomer's saved DM", saved.Text, "you're enrolled", "*Wednesday 08:00*")
	if got := h.member(carol).Slot.String(); got != "wed 08:00" {
		t.Errorf("carol's slot: got %s, want wed 08:00", got)
	}
}

// TestSettingsCommandsShowValues: a settings command typed alone shows the
// current value and how to change it, and changes nothing.
func TestSettingsCommandsShowValues(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.slash(alice, "level m1 senior em since 2024-03")
	before := h.member(alice)
	for cmd, wants := range map[string][]string{
		"level":    {"You're at *EM (M1)*, aiming for *Senior EM (M2)*", "since 2024-03", "To change it", "/ladder level <current>", "/ladder settings"},
		"track":    {"Your track is *broad* (Manager of managers)", "/ladder track <track>", "`deep` (Deep-technical manager)"},
		"schedule": {"every *Monday 09:30*, your time, Europe/Berlin", "Next: Mon 23 Nov, 09:30", "thu 5:30pm", "/ladder schedule off"},
		"pause":    {"Not paused.", "`/ladder pause <weeks>`", "`2 weeks`", "/ladder pause until resume"},
		"manager":  {"No manager named", "/ladder manager none"},
		"share":    {"Sharing is *summary*", "never your words", "/ladder share full"},
	} {
		contains(t, "/ladder "+cmd, h.slash(alice, cmd), wants...)
	}
	if after := h.member(alice); after != before {
		t.Errorf("showing the settings changed them:\nbefore %+v\nafter  %+v", before, after)
	}
	h.slash(alice, "pause 2w")
	contains(t, "/ladder pause while paused", h.slash(alice, "pause"), "Paused until Mon 7 Dec")
	h.slash(alice, "pause until resume")
	contains(t, "/ladder schedule while paused", h.slash(alice, "schedule"), "Paused until you `/ladder resume`")
}

// TestCommandsForgive: what people type is understood, and a typo gets the
// nearest command.
func TestCommandsForgive(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	tests := []struct {
		cmd   string
		wants []string
		check func(m ladder.Member) bool
	}{
		{"schedule thu 9:30pm", []string{"Thursday 21:30"}, func(m ladder.Member) bool { return m.Slot.String() == "thu 21:30" }},
		{"schedule 9am monday", []string{"Monday 09:00"}, func(m ladder.Member) bool { return m.Slot.String() == "mon 09:00" }},
		{"schedule fri 9.30", []string{"Friday 09:30"}, func(m ladder.Member) bool { return m.Slot.String() == "fri 09:30" }},
		{"pause 2 weeks", []string{"Paused for 2 weeks"}, func(m ladder.Member) bool { return m.Paused(monday.Add(13 * 24 * time.Hour)) }},
		{"resume", []string{"Welcome back"}, func(m ladder.Member) bool { return !m.Paused(monday) }},
		{"level M2", []string{"*Senior EM*", "*Director*"}, func(m ladder.Member) bool { return m.Level == ladder.SeniorEM }},
		{"level senior em", []string{"*Senior EM*"}, func(m ladder.Member) bool { return m.Level == ladder.SeniorEM }},
		{"share sum", []string{"*summary*"}, func(m ladder.Member) bool { return m.Share == ladder.ShareSummary }},
	}
	for _, tt := range tests {
		contains(t, tt.cmd, h.slash(alice, tt.cmd), tt.wants...)
		if m := h.member(alice); !tt.check(m) {
			t.Errorf("%s: stored member %+v", tt.cmd, m)
		}
	}
	contains(t, "/ladder gap", h.slash(alice, "gap"), "Did you mean `/ladder gaps`?")
	contains(t, "/ladder sharre full", h.slash(alice, "sharre full"), "Did you mean `/ladder share`?")
	contains(t, "/ladder schedule mon 13pm", h.slash(alice, "schedule mon 13pm"), "12-hour 9am or 5:30pm", "/ladder schedule mon 09:30")
	contains(t, "/ladder level M3", h.slash(alice, "level M3"), "`senior-em` (M2)")
}

// TestReadingEnrolsNobody: a manager who reads (help, the digest, a report's
// evidence, a setting) and accepts a report is never enrolled; they enrol
// themselves with /ladder start.
func TestReadingEnrolsNobody(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	h.slash(alice, "share full")
	h.nameAndAccept(alice, bob)
	h.prompt(alice)
	h.dm(alice, "Ran the quarterly planning with two teams")

	contains(t, "help", h.slash(bob, "help"), "/ladder gaps", "You're not enrolled", "/ladder start")
	contains(t, "digest", h.slash(bob, "digest"), "<@UALICE>", "Ran the quarterly planning")
	contains(t, "evidence", h.slash(bob, "evidence <@UALICE>"), "Ran the quarterly planning")
	contains(t, "share", h.slash(bob, "share"), "You're not enrolled", "/ladder start", "/ladder settings")
	if _, err := h.db.Member(h.ctx, bob); err == nil {
		t.Fatal("a manager who only read was enrolled")
	}
	if n := h.count(func(m fakeslack.Message) bool {
		return strings.HasSuffix(m.Channel, bob) && strings.Contains(m.Text, "Welcome to Ladder")
	}); n != 0 {
		t.Errorf("bob got %d welcome DMs without enrolling", n)
	}

	contains(t, "start", h.slash(bob, "start"), "enrolled you", "You're at *EM (M1)*", "/ladder settings")
	h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Welcome to Ladder") })
	contains(t, "start again", h.slash(bob, "start"), "enrolled already")
	contains(t, "digest as a member", h.slash(bob, "digest"), "<@UALICE>")
}

// TestSettingsOpenWhileEveryWorkerWaitsOn429: a member on every worker has
// a /ladder prompt whose post waits out a 429 with Retry-After: 5, longer
// than a trigger_id lives. /ladder settings still opens its modal, and a
// submission is still acked, before those posts have all gone out.
func TestSettingsOpenWhileEveryWorkerWaitsOn429(t *testing.T) {
	h := newHarness(t)
	h.slash(alice, "start")
	busy, before := h.holdEveryWorker()
	posted := postedOK

	m := h.openSettingsBySlash(alice)
	if got := m.initial(fDay); got != "mon" {
		t.Errorf("day starts at %q, want mon", got)
	}
	errs := h.submitSettings(alice, map[string]string{fTarget: "em"})
	contains(t, "field error while busy", errs[fTarget], "above your level")
	if n := posted(h.fake.Calls()); n >= before+len(busy) {
		t.Errorf("all %d busy posts went out before the modal opened and the submission was acked; want both within the 429's pause", n-before)
	}
}
