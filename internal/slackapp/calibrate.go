package slackapp

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/ladderapp/ladder/internal/ladder"
	"github.com/ladderapp/ladder/internal/store"
)

// Calibration (issue 15, feature 4): the monthly digest gives a manager a
// Calibrate button for each report who shares full or summary. It opens a
// modal with one choice per area, in three steps, and an optional note. The
// report sees their current manager's latest view beside their evidence in
// /ladder gaps and on the Home tab, flagged where the two are two steps
// apart. Only the latest view per report and manager is kept
// (store.SetCalibration); a former manager's is shown to nobody.

// calStep is a manager's view of an area, or the evidence's, in three steps.
type calStep string

// The three steps, best first.
const (
	stepAtTarget calStep = "at_target"
	stepGetting  calStep = "getting_there"
	stepNotSeen  calStep = "not_seen"
)

var calSteps = []calStep{stepAtTarget, stepGetting, stepNotSeen}

// label is the step as people read it.
func (s calStep) label() string {
	switch s {
	case stepAtTarget:
		return "at target"
	case stepGetting:
		return "getting there"
	}
	return "not seen yet"
}

// rank orders the steps: 2 at target, 1 getting there, 0 not seen yet.
func (s calStep) rank() int {
	switch s {
	case stepAtTarget:
		return 2
	case stepGetting:
		return 1
	}
	return 0
}

// validStep reports whether s names one of the three steps.
func validStep(s string) bool {
	for _, v := range calSteps {
		if string(v) == s {
			return true
		}
	}
	return false
}

// evidenceStep maps an area's readiness status to the manager's three
// steps: strong and on track are at target, thin is getting there, and a
// gap (or an area not started yet) is not seen yet.
func evidenceStep(ar ladder.AreaReadiness) calStep {
	switch ar.Status {
	case ladder.StatusStrong, ladder.StatusOnTrack:
		return stepAtTarget
	case ladder.StatusThin:
		return stepGetting
	}
	return stepNotSeen
}

// disagrees reports whether the manager's step and the evidence's are two
// steps apart: at target against not seen yet, either way round.
func disagrees(manager, evidence calStep) bool {
	d := manager.rank() - evidence.rank()
	return d >= 2 || d <= -2
}

// conversationFlag marks an area where the manager's view and the evidence
// are two steps apart.
const conversationFlag = "⚠️ a conversation to have"

// The Calibrate button, its modal and the modal's fields. A button's
// action_id is actionCalibrate + ":" + the report's user id, since action
// ids must differ within a block; its value is the user id.
const (
	actionCalibrate   = "calibrate"
	callbackCalibrate = "calibrate_modal"
	calAreaBlock      = "cal_area:" // + area id
	calStepAction     = "step"
	calNoteBlock      = "cal_note"
	calNoteAction     = "note"
	// maxCalNote bounds the note: well inside the 3000 characters Slack
	// allows a plain_text_input, and short enough to read beside the areas.
	maxCalNote = 1500
	// maxActionsElements is Slack's limit of elements in an actions block.
	maxActionsElements = 25
	// maxButtonText is Slack's limit on a button's text, in characters.
	maxButtonText = 75
)

// isCalibrate reports whether actionID is a Calibrate button's.
func isCalibrate(actionID string) bool { return strings.HasPrefix(actionID, actionCalibrate+":") }

// calibrable reports whether a report's manager may calibrate them: they
// share full or summary, never off.
func calibrable(m ladder.Member) bool {
	return m.Share == ladder.ShareFull || m.Share == ladder.ShareSummary
}

// calibrateBlocks are the Calibrate buttons for reports, as many actions
// blocks as it takes at 25 buttons each. Each button's value is the
// report's user id; the click is checked against the report's current
// manager, never trusted. first numbers the blocks' ids, which must differ
// within a message.
func calibrateBlocks(reports []ladder.Member, first int) []slack.Block {
	var bs []slack.Block
	for i := 0; i < len(reports); i += maxActionsElements {
		var els []slack.BlockElement
		for _, m := range reports[i:min(i+maxActionsElements, len(reports))] {
			els = append(els, button(actionCalibrate+":"+m.UserID, m.UserID, calibrateLabel(m), ""))
		}
		bs = append(bs, slack.NewActionBlock(fmt.Sprintf("calibrate_%d", first+len(bs)), els...))
	}
	return bs
}

// calibrateBlockCount is how many actions blocks calibrateBlocks makes for n reports.
func calibrateBlockCount(n int) int { return (n + maxActionsElements - 1) / maxActionsElements }

// calibrateLabel is a Calibrate button's text: "Calibrate Alice Liddell",
// cut to Slack's 75 characters. A report whose name Slack never gave us is
// named by their user id.
func calibrateLabel(m ladder.Member) string {
	name := strings.TrimSpace(m.Name)
	if name == "" {
		name = m.UserID
	}
	t := "Calibrate " + name
	if utf8.RuneCountInString(t) > maxButtonText {
		t = string([]rune(t)[:maxButtonText-1]) + "…"
	}
	return t
}

// calibrateRefusal is what anyone but a report's current manager reads on
// pressing Calibrate (a forwarded digest, a digest from before a change of
// manager, a report who has since turned sharing off). It is the same in
// every case, so it tells nobody which one it was.
const calibrateRefusal = "This Calibrate button isn't yours to use any more: only a person's current manager can calibrate them, once they have accepted, and only while that person shares `full` or `summary`. Nothing was saved."

// mayCalibrate reports whether manager may calibrate m now.
func mayCalibrate(m ladder.Member, manager string) bool {
	return m.Manager == manager && !m.ManagerPending && calibrable(m)
}

// openCalibrate opens the Calibrate modal for report, on the modal path
// (modal.go), after one read: the report, to check that the clicker is
// their current manager, and the view they gave before, to start from.
// Anyone else is told so ephemerally, where they clicked.
func (a *App) openCalibrate(ctx context.Context, cb slack.InteractionCallback, report string) error {
	m, err := a.db.Member(ctx, report)
	if errors.Is(err, ladder.ErrNotEnrolled) || (err == nil && !mayCalibrate(m, cb.User.ID)) {
		a.refuseCalibrate(ctx, cb)
		return nil
	}
	if err != nil {
		return err
	}
	prev, err := a.db.CurrentCalibration(ctx, report)
	if err != nil && !errors.Is(err, ladder.ErrNotFound) {
		return err
	}
	return a.call(ctx, "views.open", func() error {
		_, err := a.api.OpenViewContext(ctx, cb.TriggerID, calibrateModal(a.ladder, m, prev))
		return err
	})
}

// refuseCalibrate tells the clicker ephemerally that the button is not
// theirs: through the click's response_url, or, for a click with none, in
// the Ladder DM.
func (a *App) refuseCalibrate(ctx context.Context, cb slack.InteractionCallback) {
	msg := Message{Text: calibrateRefusal}
	if cb.ResponseURL != "" {
		a.respond(ctx, cb.ResponseURL, msg)
		return
	}
	user := cb.User.ID
	a.pool.submit(user, func(ctx context.Context) { a.postLogged(ctx, user, "", msg) })
}

// calibrateModal is the form: one choice per area, in the ladder's order,
// starting from the manager's previous view, and an optional note. The
// report's id travels in private_metadata and is checked again on submit.
func calibrateModal(l *ladder.Ladder, m ladder.Member, prev store.Calibration) slack.ModalViewRequest {
	intro := fmt.Sprintf("Your view of <@%s> against *%s*, area by area. They see it beside their own evidence, in `/ladder gaps` and on their Home tab, with the areas where the two are far apart marked as a conversation to have. Only they and you see it.",
		m.UserID, levelName(l, m.Target))
	bs := []slack.Block{section(intro)}
	for _, ar := range l.Areas {
		var opts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for _, s := range calSteps {
			o := slack.NewOptionBlockObject(string(s), plain(s.label()), nil)
			opts = append(opts, o)
			if prev.Areas[ar.ID] == string(s) {
				initial = o
			}
		}
		radio := slack.NewRadioButtonsBlockElement(calStepAction, opts...)
		radio.InitialOption = initial
		label := ar.Name
		if utf8.RuneCountInString(label) > 2000 {
			label = string([]rune(label)[:2000])
		}
		bs = append(bs, slack.NewInputBlock(calAreaBlock+string(ar.ID), plain(label), nil, radio))
	}
	note := slack.NewPlainTextInputBlockElement(plain("What they do well, what you'd like to see"), calNoteAction)
	note.Multiline = true
	note.MaxLength = maxCalNote
	note.InitialValue = prev.Note
	in := slack.NewInputBlock(calNoteBlock, plain("Note for them"), nil, note)
	in.Optional = true
	bs = append(bs, in)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackCalibrate,
		Title:           plain("Calibrate"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: m.UserID,
		Blocks:          slack.Blocks{BlockSet: bs},
	}
}

// onCalibrateSubmit takes a submitted Calibrate modal on the modal path, as
// the settings form is taken (settings.go): the view is stored before the
// ack, so that a manager who is no longer the report's reads why in the
// modal itself, and nothing is stored.
func (a *App) onCalibrateSubmit(ctx context.Context, envelopeID string, cb slack.InteractionCallback) {
	busy := func() {
		a.metrics.error("queue_full")
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
			calNoteBlock: "Ladder is very busy; please press Save again in a minute.",
		}))
	}
	if !a.modals.start(func() { a.submitCalibrate(ctx, envelopeID, cb) }) {
		busy()
	}
}

func (a *App) submitCalibrate(ctx context.Context, envelopeID string, cb slack.InteractionCallback) {
	defer func() {
		if r := recover(); r != nil {
			a.pool.panics.Add(1)
			a.log.Error("calibrate submission recovered from a panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{
				calNoteBlock: "Something went wrong on our side and nothing was saved. Please press Save again.",
			}))
		}
	}()
	c, errs := parseCalibration(a.ladder, cb)
	c.Created = a.now()
	if len(errs) > 0 {
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), triggerTTL)
	err := a.db.SetCalibration(wctx, c)
	cancel()
	switch {
	case errors.Is(err, store.ErrNotCalibrator), errors.Is(err, ladder.ErrNotEnrolled):
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{calNoteBlock: calibrateRefusal}))
		return
	case err != nil:
		a.ack(ctx, envelopeID, slack.NewErrorsViewSubmissionResponse(map[string]string{calNoteBlock: a.userError(err, "calibrate")}))
		return
	}
	a.ack(ctx, envelopeID, nil)
	report := c.Report
	a.pool.submit(report, func(ctx context.Context) { a.publishHomeLogged(ctx, report) })
}

// parseCalibration reads a submitted Calibrate modal: the report from
// private_metadata, a step per area and the note. errs names each area
// left without a valid step, by its block.
func parseCalibration(l *ladder.Ladder, cb slack.InteractionCallback) (store.Calibration, map[string]string) {
	c := store.Calibration{Report: cb.View.PrivateMetadata, Manager: cb.User.ID, Areas: map[ladder.AreaID]string{}}
	var values map[string]map[string]slack.BlockAction
	if cb.View.State != nil {
		values = cb.View.State.Values
	}
	errs := map[string]string{}
	for _, ar := range l.Areas {
		block := calAreaBlock + string(ar.ID)
		v := values[block][calStepAction].SelectedOption.Value
		if !validStep(v) {
			errs[block] = "Pick one: at target, getting there or not seen yet."
			continue
		}
		c.Areas[ar.ID] = v
	}
	note := strings.TrimSpace(values[calNoteBlock][calNoteAction].Value)
	if utf8.RuneCountInString(note) > maxCalNote {
		errs[calNoteBlock] = fmt.Sprintf("Please keep the note under %d characters.", maxCalNote)
	}
	c.Note = note
	if c.Report == "" {
		errs[calNoteBlock] = "This form lost track of whom it is about. Please press Calibrate in your digest again."
	}
	return c, errs
}

// managerView renders the current manager's latest view of m beside the
// evidence, area by area, in the ladder's order, for the report: each area
// the manager's step, the evidence's, and the flag where they are two steps
// apart; then the manager's note, escaped as member text is. loc is the
// report's zone.
func managerView(l *ladder.Ladder, r ladder.Readiness, c store.Calibration, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Your manager's view* (<@%s>, %s) beside your evidence:", c.Manager, c.Created.In(loc).Format("2 Jan"))
	for _, ar := range r.Areas {
		step, ok := c.Areas[ar.Area.ID]
		if !ok {
			continue
		}
		mine, theirs := evidenceStep(ar), calStep(step)
		fmt.Fprintf(&b, "\n• *%s*: %s · your evidence: %s", ar.Area.Name, theirs.label(), mine.label())
		if disagrees(theirs, mine) {
			b.WriteString(" · " + conversationFlag)
		}
	}
	if c.Note != "" {
		fmt.Fprintf(&b, "\n_Their note:_ “%s”", escapeText(c.Note))
	}
	return b.String()
}

// disagreements lists the areas where calibration c and readiness r are two
// steps apart, as "Delivery (manager: at target, evidence: not seen yet)".
func disagreements(r ladder.Readiness, c store.Calibration) []string {
	var out []string
	for _, ar := range r.Areas {
		step, ok := c.Areas[ar.Area.ID]
		if !ok {
			continue
		}
		if theirs, mine := calStep(step), evidenceStep(ar); disagrees(theirs, mine) {
			out = append(out, fmt.Sprintf("%s (manager: %s, evidence: %s)", ar.Area.Name, theirs.label(), mine.label()))
		}
	}
	return out
}

// withManagerView adds the current manager's latest view of m, if any, to
// msg, which is gaps or the Home tab: to its text, and in a section right
// after the areas' sections.
func (a *App) withManagerView(ctx context.Context, m ladder.Member, r ladder.Readiness, msg Message) (Message, error) {
	c, err := a.db.CurrentCalibration(ctx, m.UserID)
	if errors.Is(err, ladder.ErrNotFound) {
		return msg, nil
	}
	if err != nil {
		return Message{}, err
	}
	t := managerView(a.ladder, r, c, m.Location())
	msg.Text += "\n" + t
	msg.Blocks = insertAfterAreas(msg.Blocks, section(t))
	return msg, nil
}

// insertAfterAreas inserts extra after the last area section of bs (the
// sections whose accessory is an "Ask me about this" button), or at the
// end if there is none.
func insertAfterAreas(bs []slack.Block, extra ...slack.Block) []slack.Block {
	at := len(bs)
	for i, b := range bs {
		s, ok := b.(*slack.SectionBlock)
		if !ok || s.Accessory == nil || s.Accessory.ButtonElement == nil {
			continue
		}
		if strings.HasPrefix(s.Accessory.ButtonElement.ActionID, actionAskArea+":") {
			at = i + 1
		}
	}
	out := append([]slack.Block(nil), bs[:at]...)
	out = append(out, extra...)
	return append(out, bs[at:]...)
}
