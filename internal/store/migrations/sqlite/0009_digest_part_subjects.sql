-- A digest split across messages (0006_digest_parts.sql) names each report in
-- one part: the reports after the previous part's through, up to this part's
-- (reports go in user id order). When a part is recorded as posted, its
-- subjects are recorded too, so that forget deletes every DM that quoted a
-- member, not only the last part that digests_sent holds.
--
-- The triggers skip rows already there with NOT EXISTS rather than INSERT OR
-- IGNORE: a trigger's OR IGNORE gives way to the conflict handling of the
-- statement that fired it, and CompleteOutbox (outbox.go) fires
-- digests_sent_subjects from an upsert, for the same DM as the last part.
CREATE TRIGGER digest_parts_subjects AFTER UPDATE OF ts ON digest_parts
WHEN NEW.ts != ''
BEGIN
    INSERT INTO digest_subjects (channel, ts, manager, user_id)
    SELECT NEW.channel, NEW.ts, NEW.manager, m.user_id FROM members m
    WHERE m.manager = NEW.manager AND NOT m.manager_pending
      AND m.user_id > COALESCE((SELECT through FROM digest_parts
                                WHERE manager = NEW.manager AND month = NEW.month AND part = NEW.part - 1), '')
      AND (NEW.last OR m.user_id <= NEW.through)
      AND NOT EXISTS (SELECT 1 FROM digest_subjects s
                      WHERE s.channel = NEW.channel AND s.ts = NEW.ts AND s.user_id = m.user_id);
END;

DROP TRIGGER digests_sent_subjects;
CREATE TRIGGER digests_sent_subjects AFTER UPDATE OF sent_at ON digests_sent
WHEN NEW.sent_at != 0 AND NEW.ts != ''
BEGIN
    INSERT INTO digest_subjects (channel, ts, manager, user_id)
    SELECT NEW.channel, NEW.ts, NEW.manager, m.user_id FROM members m
    WHERE m.manager = NEW.manager AND NOT m.manager_pending
      -- a digest sent in parts has its subjects from digest_parts_subjects
      AND NOT EXISTS (SELECT 1 FROM digest_parts p WHERE p.manager = NEW.manager AND p.month = NEW.month)
      AND NOT EXISTS (SELECT 1 FROM digest_subjects s
                      WHERE s.channel = NEW.channel AND s.ts = NEW.ts AND s.user_id = m.user_id);
END;

-- A manager who forgets takes the record of their digests' parts along.
CREATE TRIGGER members_forget_digest_parts AFTER DELETE ON members
BEGIN
    DELETE FROM digest_parts WHERE manager = OLD.user_id;
END;
