package slackapp_test

import (
	"strings"
	"testing"

	"github.com/ladderapp/ladder/internal/blocktext"
	"github.com/ladderapp/ladder/internal/fakeslack"
)

// answerManager presses Accept or Decline, as manager, on the latest request
// from member, and waits for the request's buttons to give way to a note.
func (h *harness) answerManager(member, manager string, accept bool) {
	h.t.Helper()
	req := h.latestConsentRequest(member, manager)
	action, note := "manager_accept", "Accepted"
	if !accept {
		action, note = "manager_decline", "Declined"
	}
	env, err := h.fake.SendInteractive(h.fake.BlockAction(manager, action, member, "", req.TS))
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.fake.WaitAck(h.ctx, env); err != nil {
		h.t.Fatal(err)
	}
	err = h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "update" && m.TS == req.TS && strings.Contains(m.Text, note) {
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("the request's buttons never gave way to %q: %v\nmessages:%s\nlogs:\n%s", note, err, h.dump(), h.logs)
	}
}

// latestConsentRequest waits for a request to manager from member, and
// returns the latest one.
func (h *harness) latestConsentRequest(member, manager string) fakeslack.Message {
	h.t.Helper()
	is := func(m fakeslack.Message) bool {
		return m.Kind == "post" && strings.HasSuffix(m.Channel, manager) && strings.Contains(m.Text, "<@"+member+"> named you as their manager")
	}
	h.waitPost(manager, is)
	var got fakeslack.Message
	for _, m := range h.fake.Messages() {
		if is(m) {
			got = m
		}
	}
	return got
}

// nameAndAccept names manager as member's manager, and accepts as manager.
func (h *harness) nameAndAccept(member, manager string) {
	h.t.Helper()
	h.slash(member, "manager <@"+manager+">")
	h.answerManager(member, manager, true)
}

// TestManagerConsent names a manager, who gets nothing about the member until
// they accept: no digest, in a preview or sent, and no evidence.
func TestManagerConsent(t *testing.T) {
	h := newHarness(t)
	secret := "Rebuilt the incident review with the SRE leads"
	h.slash(alice, "share full")
	h.prompt(alice)
	h.dm(alice, secret)

	reply := h.slash(alice, "manager <@UBOB|bob>")
	contains(t, "manager reply", reply, "Waiting for <@UBOB> to accept", "no digest")
	req := h.latestConsentRequest(alice, bob)
	contains(t, "the request", req.Text, "<@UALICE> named you as their manager", "*full*", "until you accept")
	contains(t, "the request's buttons", string(req.Blocks), `"action_id":"manager_accept"`, `"action_id":"manager_decline"`, `"value":"UALICE"`)
	lacks(t, "the request", req.Text, secret)
	// Alice's Home tab says whom she is waiting for.
	if err := h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, v := range s.Views {
			if v.Kind == "publish" && v.UserID == alice && strings.Contains(blocktext.View(v.View), "Waiting for @UBOB to accept") {
				return true
			}
		}
		return false
	}); err != nil {
		var last string
		for _, v := range h.fake.Views() {
			if v.UserID == alice {
				last = blocktext.View(v.View)
			}
		}
		t.Errorf("alice's Home tab never said she waits for bob to accept: %v\n%s", err, last)
	}

	// Before bob accepts: nothing about alice reaches him.
	digest := h.slash(bob, "digest")
	contains(t, "preview before accepting", digest, "Nobody names you")
	lacks(t, "preview before accepting", digest, "UALICE", secret)
	contains(t, "admin digest send before accepting", h.digestSend(), "0 queued", "0 had already")
	evidence := h.slash(bob, "evidence <@UALICE>")
	contains(t, "evidence before accepting", evidence, "to the manager they have named, once that manager has accepted")
	lacks(t, "evidence before accepting", evidence, secret)
	if n := h.count(func(m fakeslack.Message) bool {
		return strings.HasSuffix(m.Channel, bob) && strings.Contains(m.Text, secret)
	}); n != 0 {
		t.Errorf("%d messages to bob quote alice before he accepted", n)
	}

	h.answerManager(alice, bob, true)
	h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "<@UBOB> accepted being your manager") })
	contains(t, "preview after accepting", h.slash(bob, "digest"), "<@UALICE>", secret[:40])
	contains(t, "evidence after accepting", h.slash(bob, "evidence <@UALICE>"), secret)
	contains(t, "admin digest send after accepting", h.digestSend(), "1 queued")
	h.waitPost(bob, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "Monthly digest") })
	contains(t, "manager again", h.slash(alice, "manager <@UBOB>"), "<@UBOB> gets your monthly digest")

	// A new manager starts again from nothing; the old one is out too.
	contains(t, "change manager", h.slash(alice, "manager <@UCAROL>"), "Waiting for <@UCAROL> to accept")
	contains(t, "old manager's evidence", h.slash(bob, "evidence <@UALICE>"), "to the manager they have named, once that manager has accepted")
	contains(t, "new manager's evidence", h.slash(carol, "evidence <@UALICE>"), "to the manager they have named, once that manager has accepted")
	contains(t, "new manager's preview", h.slash(carol, "digest"), "Nobody names you")
}

// TestManagerDeclines declines a request: the member is told, nothing is
// shared, and Ladder does not ask the same person again.
func TestManagerDeclines(t *testing.T) {
	h := newHarness(t)
	secret := "Ran the quarterly planning offsite"
	h.slash(alice, "share full")
	h.dm(alice, secret)
	h.slash(alice, "manager <@UBOB>")
	h.answerManager(alice, bob, false)

	told := h.waitPost(alice, func(m fakeslack.Message) bool { return strings.Contains(m.Text, "declined") })
	contains(t, "the member is told", told.Text, "<@UBOB> declined to be your manager", "nothing about you is shared")
	m, err := h.db.Member(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if m.Manager != "" || m.ManagerDeclined != bob {
		t.Errorf("after the decline: manager %q, declined %q; want none, %s", m.Manager, m.ManagerDeclined, bob)
	}
	contains(t, "preview after declining", h.slash(bob, "digest"), "Nobody names you")
	lacks(t, "evidence after declining", h.slash(bob, "evidence <@UALICE>"), secret)
	contains(t, "admin digest send after declining", h.digestSend(), "0 queued")
	if n := h.count(func(m fakeslack.Message) bool {
		return strings.HasSuffix(m.Channel, bob) && strings.Contains(m.Text, secret)
	}); n != 0 {
		t.Errorf("%d messages to bob quote alice after he declined", n)
	}

	requests := func() int {
		return h.count(func(m fakeslack.Message) bool {
			return m.Kind == "post" && strings.HasSuffix(m.Channel, bob) && strings.Contains(m.Text, "named you as their manager")
		})
	}
	before := requests()
	contains(t, "naming bob again", h.slash(alice, "manager <@UBOB>"), "declined", "won't ask them again")
	if requests() != before {
		t.Error("naming a manager who declined asked them again")
	}
	// An Accept pressed on the old request after the decline changes nothing.
	env, _ := h.fake.SendInteractive(h.fake.BlockAction(bob, "manager_accept", alice, "", h.latestConsentRequest(alice, bob).TS))
	h.fake.WaitAck(h.ctx, env)
	h.fake.WaitFor(h.ctx, func(s *fakeslack.Snapshot) bool {
		for _, m := range s.Messages {
			if m.Kind == "update" && strings.Contains(m.Text, "no longer open") {
				return true
			}
		}
		return false
	})
	if m, _ := h.db.Member(h.ctx, alice); m.Manager != "" {
		t.Errorf("a stale Accept made %s alice's manager", m.Manager)
	}
}
