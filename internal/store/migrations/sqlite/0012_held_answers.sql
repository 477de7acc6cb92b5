-- A short message in the DM ("thanks", "ok", an emoji alone) is not saved as
-- evidence until the member says so: Ladder asks "Save this as evidence?"
-- (slackapp/short.go). Until they answer, the message waits here, so that
-- nothing they typed is lost, and nothing is counted that they did not mean.
-- Save moves it into evidence in one transaction (SaveHeld); Don't save drops
-- it (DiscardHeld). An edit of the message updates it here (EditHeld); a deletion in Slack
-- erases its words at once (DropHeldMessage).
CREATE TABLE held_answers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    area       TEXT NOT NULL DEFAULT '',
    prompt_id  TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    truncated  INTEGER NOT NULL DEFAULT 0,
    channel    TEXT NOT NULL,
    ts         TEXT NOT NULL,
    thread     TEXT NOT NULL DEFAULT '', -- where the question and the confirmation go
    created_at INTEGER NOT NULL,
    edited_at  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel, ts)
);
CREATE INDEX held_answers_user ON held_answers (user_id);

-- forget deletes the member row; the foreign key cascades, and this keeps the
-- deletion complete on a connection where foreign keys are off, as the other
-- members_forget_* triggers do.
CREATE TRIGGER members_forget_held AFTER DELETE ON members
BEGIN
    DELETE FROM held_answers WHERE user_id = OLD.user_id;
END;
