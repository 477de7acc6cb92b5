-- A digest too long for one Slack message goes out in parts (slackapp's
-- digest.go, sendDigest). digest_parts records each part, so that a send cut
-- short by a crash or a failure posts only the parts still missing. A part is
-- written with ts = '' just before it is posted and given its ts just after:
-- a row with ts = '' may have been posted, and is looked for in Slack before
-- it is posted again. through is the last report the part shows (reports go
-- in user id order), so that the next part starts after it; last marks the
-- final part. Only that a part went out is stored, never its text.
CREATE TABLE digest_parts (
    manager    TEXT NOT NULL,
    month      TEXT NOT NULL, -- '2026-11'
    part       INTEGER NOT NULL, -- 1, 2, …
    through    TEXT NOT NULL,
    last       INTEGER NOT NULL DEFAULT 0,
    channel    TEXT NOT NULL DEFAULT '',
    ts         TEXT NOT NULL DEFAULT '',
    begun_at   INTEGER NOT NULL,
    PRIMARY KEY (manager, month, part)
);

-- holder names who claimed a digest (ClaimDigestAs): the same holder may claim
-- it again at once, to finish a send it began, without waiting out the lease.
ALTER TABLE digests_sent ADD COLUMN holder TEXT NOT NULL DEFAULT '';
