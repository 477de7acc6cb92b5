-- A growth goal is a question a member answered with "Not yet" (issue 12):
-- something they cannot show evidence for today and mean to grow into. It is
-- never evidence: readiness, the digest and the export read the evidence
-- table only, and this table holds no words of the member, only which
-- question and when. One row per member and question, so that Slack retrying
-- the click, or a second click, adds nothing (AddGoal, goals.go).
-- member_id cascades, and ForgetMember (forget.go) deletes the rows too.
CREATE TABLE growth_goals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    prompt_id  TEXT NOT NULL,
    area       TEXT NOT NULL DEFAULT '', -- the question's area when it was set
    created_at INTEGER NOT NULL,
    UNIQUE (member_id, prompt_id)
);
