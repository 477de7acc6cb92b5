package slackapp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/fakeslack"
	"github.com/ladderapp/ladder/internal/ladder"
)

// dan is a fourth user: a report of bob's who shares in full.
const dan = "UDAN"

// calibrateButtons returns the Calibrate buttons of a message, as report
// user id to label.
func calibrateButtons(t *testing.T, m fakeslack.Message) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, b := range checkIDs(t, "digest", m.Blocks) {
		for _, el := range b.Elements {
			if strings.HasPrefix(el.ActionID, "calibrate:") {
				if el.ActionID != "calibrate:"+el.Value {
					t.Errorf("button %s carries value %s", el.ActionID, el.Value)
				}
				out[el.Value] = el.label()
			}
		}
	}
	return out
}

// viewsOpened counts the views.open calls the fake has had.
func (h *harness) viewsOpened() int {
	n := 0
	for _, c := range h.fake.Calls() {
		if c.Method == "views.open" {
			n++
		}
	}
	return n
}

// clickCalibrate presses, as user, the Calibrate button of report on the
// message m, and waits for the ack.
func (h *harness) clickCalibrate(user string, m fakeslack.Message, report string) {
	h.t.Helper()
	p, err := h.fake.ActionPayload(fakeslack.Interaction{User: user, Message: &m, ActionID: "calibrate:" + report})
	if err != nil {
		h.t.Fatal(err)
	}
	env, err := h.fake.SendInteractive(p)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatal(err)
	}
}

// waitRefusal waits for the ephemeral refusal of a Calibrate click by user.
func (h *harness) waitRefusal(user string) {
	h.t.Helper()
	err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "response" && m.User == user && strings.Contains(m.Text, "isn't yours to use") {
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("%s was never told the Calibrate button isn't theirs: %v\nmessages:%s", user, err, h.dump())
	}
}

// submitCalibration submits, as user, the Calibrate modal last opened for
// them, with a step per area and a note, and returns the ack's payload.
func (h *harness) submitCalibration(user string, steps map[ladder.AreaID]string, note string) string {
	h.t.Helper()
	values := map[string]map[string]string{"cal_note": {"note": note}}
	for area, step := range steps {
		values["cal_area:"+string(area)] = map[string]string{"step": step}
	}
	env, err := h.fake.SendInteractive(h.fake.SubmitView(user, "calibrate_modal", values))
	if err != nil {
		h.t.Fatal(err)
	}
	ack, err := h.fake.WaitAck(h.ctx, env)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(ack.Payload)
}

// TestCalibrate: bob's digest has a Calibrate button for each report who
// shares full or summary, never for one who shares nothing. A stranger who
// presses a forwarded button is refused, ephemerally, and nothing is
// stored. bob calibrates alice; alice sees his view beside her evidence in
// /ladder gaps and on her Home tab, with the areas two steps apart flagged,
// and his note as the characters he typed. Once alice names a new manager,
// bob's view is shown to nobody, and his old button and his open form
// store nothing. forget erases the calibration.
func TestCalibrate(t *testing.T) {
	h := newHarnessWithin(t, 60*time.Second)
	h.slash(alice, "start")
	h.nameAndAccept(alice, bob)
	h.slash(alice, "share summary")
	for id, share := range map[string]ladder.Share{carol: ladder.ShareOff, dan: ladder.ShareFull} {
		m := ladder.Member{UserID: id, Name: "Name " + id, TZ: "Europe/Berlin", Level: ladder.EM, Target: ladder.SeniorEM,
			Track: "broad", Manager: bob, Share: share, EnrolledAt: monday.AddDate(0, -6, 0)}
		if _, _, err := h.db.Enroll(h.ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// alice has evidence in execution: thin, so "getting there".
	for i, text := range []string{"Shipped the billing migration on time.", "Ran the launch checklist."} {
		if _, _, err := h.db.AddEvidence(h.ctx, ladder.Evidence{UserID: alice, Area: ladder.Execution, Text: text,
			Channel: "D" + alice, TS: fmt.Sprintf("1.00000%d", i), Created: monday.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}

	h.digestSend()
	digest := h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	buttons := calibrateButtons(t, digest)
	if _, ok := buttons[alice]; !ok {
		t.Errorf("digest: no Calibrate button for alice, who shares summary: %v", buttons)
	}
	if got, want := buttons[dan], "Calibrate Name UDAN"; got != want {
		t.Errorf("digest: dan's button reads %q, want %q", got, want)
	}
	if _, ok := buttons[carol]; ok {
		t.Errorf("digest: a Calibrate button for carol, who shares nothing: %v", buttons)
	}

	// carol is shown the digest (forwarded, screenshotted) and presses
	// alice's button: no modal, an ephemeral refusal, nothing stored.
	opened := h.viewsOpened()
	h.clickCalibrate(carol, digest, alice)
	h.waitRefusal(carol)
	if h.viewsOpened() != opened {
		t.Errorf("a stranger's click opened a modal")
	}
	if n, _ := h.db.CalibrationRows(h.ctx, alice); n != 0 {
		t.Errorf("after a stranger's click: %d calibration rows for alice, want 0", n)
	}
	// A form that claims to be about alice, submitted by carol, is refused too.
	if ack := h.submitCalibration(carol, map[ladder.AreaID]string{}, "x"); !strings.Contains(ack, "errors") {
		t.Errorf("a stranger's submission: ack %s, want errors", ack)
	}

	// bob calibrates alice.
	h.clickCalibrate(bob, digest, alice)
	if _, err := h.fake.WaitCalls(h.ctx, "views.open", opened+1); err != nil {
		t.Fatalf("bob's click opened no modal: %v\nlogs:\n%s", err, h.logs)
	}
	steps := map[ladder.AreaID]string{
		ladder.People:    "at_target",     // evidence: none, so two steps apart
		ladder.Execution: "not_seen",      // evidence: thin, one step
		ladder.Technical: "not_seen",      // evidence: none, agreed
		ladder.Strategy:  "getting_there", // one step
		ladder.Scaling:   "getting_there",
	}
	note := "Great hiring loop <!channel> see <https://evil.example|the doc>"
	if ack := h.submitCalibration(bob, steps, note); ack != "" && ack != "null" {
		t.Fatalf("bob's calibration: ack %s, want an empty one that closes the modal\nlogs:\n%s", ack, h.logs)
	}
	c, err := h.db.CurrentCalibration(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if c.Manager != bob || c.Note != note || len(c.Areas) != 5 || c.Areas[ladder.People] != "at_target" {
		t.Errorf("stored calibration %+v, want bob's", c)
	}

	gaps := h.slash(alice, "gaps")
	view := gaps[strings.Index(gaps, "*Your manager's view*"):]
	contains(t, "gaps", view, "*Your manager's view* (<@UBOB>",
		"People management*: at target · your evidence: not seen yet · ⚠️ a conversation to have",
		"&lt;!channel&gt;", "&lt;https://evil.example|the doc&gt;")
	lacks(t, "gaps", gaps, "<!channel>", "<https://evil.example")
	for _, line := range strings.Split(view, "\n") {
		if strings.Contains(line, "Execution") {
			contains(t, "gaps: execution, one step apart", line, "not seen yet · your evidence: getting there")
			lacks(t, "gaps: execution, one step apart", line, "conversation")
		}
	}
	home := h.waitView(alice, "Your manager")
	contains(t, "Home", home, "a conversation to have", `\u0026lt;!channel\u0026gt;`)

	// alice names carol as her manager, and carol accepts. bob's view is
	// gone from alice's gaps and Home; his old button and his open form
	// store nothing.
	h.nameAndAccept(alice, carol)
	lacks(t, "gaps after a new manager", h.slash(alice, "gaps"), "manager's view", "conversation to have")
	if _, err := h.db.CurrentCalibration(h.ctx, alice); !errors.Is(err, ladder.ErrNotFound) {
		t.Errorf("CurrentCalibration after a new manager = %v, want ErrNotFound", err)
	}
	opened = h.viewsOpened()
	h.clickCalibrate(bob, digest, alice)
	h.waitRefusal(bob)
	if h.viewsOpened() != opened {
		t.Errorf("the former manager's click opened a modal")
	}
	steps[ladder.People] = "not_seen"
	if ack := h.submitCalibration(bob, steps, "stale"); !strings.Contains(ack, "isn't yours to use") {
		t.Errorf("the former manager's submission: ack %s, want the refusal", ack)
	}
	h.slash(alice, "share full") // a change of settings publishes the Home tab
	lacks(t, "Home after a new manager", h.waitView(alice, "counts, areas, gaps and excerpts"), "Your manager's view")

	// forget erases the calibration, and bob's stale one with it.
	if n, _ := h.db.CalibrationRows(h.ctx, alice); n != 1 {
		t.Errorf("before forget: %d rows, want bob's 1 (kept, shown to nobody)", n)
	}
	h.slash(alice, "forget")
	h.slash(alice, "forget confirm")
	if n, err := h.db.CalibrationRows(h.ctx, alice); err != nil || n != 0 {
		t.Errorf("after forget: %d calibration rows, %v; want 0", n, err)
	}
}
