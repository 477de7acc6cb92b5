-- A digest split across messages (0006_digest_parts.sql) names each report in
-- one part: the reports after the previous part's through, up to this part's
-- (reports go in user id order). When a part is recorded as posted, its
-- subjects are recorded too, so that forget deletes every DM that quoted a
-- member, not only the last part that digests_sent holds.
CREATE TRIGGER digest_parts_subjects AFTER UPDATE OF ts ON digest_parts
WHEN NEW.ts != ''
BEGIN
    INSERT OR IGNORE INTO digest_subjects (channel, ts, manager, user_id)
    SELECT NEW.channel, NEW.ts, NEW.manager, user_id FROM members
    WHERE manager = NEW.manager AND NOT manager_pending
      AND user_id > COALESCE((SELECT through FROM digest_parts
                              WHERE manager = NEW.manager AND month = NEW.month AND part = NEW.part - 1), '')
      AND (NEW.last OR user_id <= NEW.through);
END;

-- A manager who forgets takes the record of their digests' parts along.
CREATE TRIGGER members_forget_digest_parts AFTER DELETE ON members
BEGIN
    DELETE FROM digest_parts WHERE manager = OLD.user_id;
END;
