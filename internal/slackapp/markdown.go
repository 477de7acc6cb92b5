package slackapp

import (
	"regexp"
	"strings"
)

// This file turns the text of a member's message, as Slack wrote it, into
// Markdown for the promotion packet, which is pasted into a review doc where
// "<@U0BOSS>" and "<https://…|Q3 review>" mean nothing.
//
// Slack writes markup in angle brackets ("Formatting text for app surfaces",
// https://api.slack.com/reference/surfaces/formatting#advanced):
//   - <@U123> or <@U123|name>: a user;
//   - <#C123|name> or <#C123>: a channel;
//   - <!here>, <!channel>, <!everyone>, <!subteam^S123|@team>, <!date^…|text>;
//   - <https://…|text>, <https://…> and <mailto:…|text>: links.
//
// Anything else in angle brackets ("a <b> c", "<- this") is what the member
// typed, and stays as it is. Stored DM text has had Slack's escaping undone
// (unescapeSlack); rows stored before that rule still hold "&amp;", "&lt;" and
// "&gt;", which are undone here too.

// slackMarkup matches one piece of Slack markup.
var slackMarkup = regexp.MustCompile(`<([@#!][^<>\s|]+|[a-zA-Z][a-zA-Z0-9+.\-]*:[^<>\s|]+)(\|[^<>]*)?>`)

// slackToMarkdown converts Slack's markup in s to Markdown. name gives the
// text a user mention becomes, from the user id and the name the mention
// carries, if any ("" if none).
func slackToMarkdown(s string, name func(id, label string) string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		parts := slackMarkup.FindStringSubmatch(m)
		target, label := parts[1], strings.TrimPrefix(parts[2], "|")
		switch target[0] {
		case '@':
			return name(target[1:], label)
		case '#':
			if label != "" {
				return "#" + label
			}
			return "#" + target[1:]
		case '!':
			if label != "" {
				return label // "@team", a date's own words
			}
			if special, _, _ := strings.Cut(target[1:], "^"); special == "here" || special == "channel" || special == "everyone" {
				return "@" + special
			}
			return m
		}
		if addr, ok := strings.CutPrefix(target, "mailto:"); ok && (label == "" || label == addr) {
			return addr
		}
		if label == "" || label == target {
			return "<" + target + ">"
		}
		return "[" + markdownLinkText(label) + "](" + markdownLinkURL(target) + ")"
	})
	return slackUnescaper.Replace(s)
}

// markdownLinkText keeps brackets in a link's text from ending it early.
var markdownLinkText = strings.NewReplacer(`[`, `\[`, `]`, `\]`).Replace

// markdownLinkURL keeps spaces and parentheses in a URL from ending it.
var markdownLinkURL = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29").Replace
