-- Evidence saved from a Slack message with the "Save to Ladder" shortcut
-- (issue 15) keeps the message's permalink, from chat.getPermalink, so the
-- member can find the source again. '' for evidence from a DM or the modal.
ALTER TABLE evidence ADD COLUMN link TEXT NOT NULL DEFAULT '';
