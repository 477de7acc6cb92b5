-- A named manager's consent. manager_pending is 1 from the moment a member
-- names a manager until that manager accepts (AnswerManager, consent.go):
-- meanwhile Reports and Managers leave the link out, so the manager gets no
-- digest and no evidence. UpdateMember (members.go) sets it again whenever
-- the manager changes. Links made before this migration stay accepted: their
-- managers were already receiving digests. manager_declined is the last person
-- who declined to be the member's manager: Ladder does not ask them again.
ALTER TABLE members ADD COLUMN manager_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN manager_declined TEXT NOT NULL DEFAULT '';

-- Who each sent digest DM was about, so that forget can delete the DMs that
-- mention a member (ForgetMember, forget.go). A row holds references only,
-- never text, and goes once its DM is deleted in Slack (DigestDeleted).
CREATE TABLE digest_subjects (
    channel TEXT NOT NULL,
    ts      TEXT NOT NULL,
    manager TEXT NOT NULL,
    user_id TEXT NOT NULL, -- the report the digest was about
    PRIMARY KEY (channel, ts, user_id)
);
CREATE INDEX digest_subjects_user ON digest_subjects (user_id);
CREATE INDEX digest_subjects_manager ON digest_subjects (manager);

-- MarkDigestSent (digests.go) records the digest's message; its subjects are
-- the manager's accepted reports at that moment, as digest (slackapp) read them
-- just before.
CREATE TRIGGER digests_sent_subjects AFTER UPDATE OF sent_at ON digests_sent
WHEN NEW.sent_at != 0 AND NEW.ts != ''
BEGIN
    INSERT OR IGNORE INTO digest_subjects (channel, ts, manager, user_id)
    SELECT NEW.channel, NEW.ts, NEW.manager, user_id FROM members
    WHERE manager = NEW.manager AND NOT manager_pending;
END;

-- Digests sent before this migration: their subjects are taken to be the
-- manager's reports today, the best guess there is.
INSERT OR IGNORE INTO digest_subjects (channel, ts, manager, user_id)
SELECT d.channel, d.ts, d.manager, m.user_id
FROM digests_sent d JOIN members m ON m.manager = d.manager
WHERE d.sent_at != 0 AND d.ts != '';
