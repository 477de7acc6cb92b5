-- paused is set on a weekly prompt when its member was paused at some time
-- after it went out: its week gets no reminder and never counts as missed.
-- UpdateMember (members.go) sets it whenever a member's pause changes, so
-- that /ladder resume, which sets paused_until back to 0, does not erase that
-- the week had a pause. EnqueueReminder and NextReminderDue (schedule.go) read it.
ALTER TABLE prompts_sent ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
