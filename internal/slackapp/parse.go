package slackapp

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ladderapp/ladder/internal/ladder"
)

// command is a parsed /ladder invocation.
type command struct {
	name string // help, gaps, prompt, evidence, level, track, schedule, pause, resume, manager, share, digest, export, forget, admin

	area    ladder.AreaID // evidence [area]
	user    string        // evidence @user, manager @user
	users   []string      // admin enroll @a @b
	level   ladder.LevelID
	target  ladder.LevelID // "" means the next level
	since   time.Time      // level … since YYYY-MM; zero if not given
	track   string
	slot    ladder.Slot
	weeks   int // pause [weeks]; 0 means until resume
	share   ladder.Share
	confirm bool   // forget confirm
	sub     string // admin: enroll, stats, digest

	// responseURL is where the reply goes: the digest preview, which can
	// take several messages, sends all but the last there itself.
	responseURL string
}

// usageError is a command the user typed wrongly. Its message says what was
// wrong and names the accepted forms.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// mentionRE matches a user mention as Slack escapes it in a slash command:
// <@U123|name> or <@U123>.
var mentionRE = regexp.MustCompile(`^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$`)

// parseMention returns the user id of a mention.
func parseMention(s string) (string, bool) {
	m := mentionRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// parseCommand parses the text after /ladder. It is strict: an unknown word or
// a missing argument is a usageError naming the accepted forms.
func parseCommand(l *ladder.Ladder, text string) (command, error) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return command{name: "help"}, nil
	}
	name, args := strings.ToLower(f[0]), f[1:]
	c := command{name: name}
	noArgs := func() error {
		if len(args) > 0 {
			return usagef("`/ladder %s` takes no arguments; you typed %q.", name, strings.Join(args, " "))
		}
		return nil
	}
	switch name {
	case "help", "gaps", "prompt", "resume", "digest", "export":
		return c, noArgs()
	case "evidence":
		return c, parseEvidence(l, &c, args)
	case "level":
		return c, parseLevel(l, &c, args)
	case "track":
		if len(args) != 1 {
			return c, usagef("Usage: `/ladder track broad|deep`.")
		}
		c.track = strings.ToLower(args[0])
		if _, ok := l.Track(c.track); !ok {
			return c, usagef("Unknown track %q. Accepted: %s.", args[0], trackIDs(l))
		}
		return c, nil
	case "schedule":
		s, err := ladder.ParseSlot(strings.Join(args, " "))
		if err != nil {
			return c, usagef("That schedule didn't parse: %s. Usage: `/ladder schedule <day> <HH:MM>`, for example `/ladder schedule mon 09:30`, or `/ladder schedule off`.", strings.TrimPrefix(err.Error(), ladder.ErrBadSchedule.Error()+": "))
		}
		c.slot = s
		return c, nil
	case "pause":
		switch len(args) {
		case 0:
			return c, nil
		case 1:
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 || n > 52 {
				return c, usagef("Usage: `/ladder pause [weeks]`, with weeks a whole number from 1 to 52, or no number to pause until `/ladder resume`.")
			}
			c.weeks = n
			return c, nil
		}
		return c, usagef("Usage: `/ladder pause [weeks]`, for example `/ladder pause 2`.")
	case "manager":
		if len(args) != 1 {
			return c, usagef("Usage: `/ladder manager @user`, mentioning one person.")
		}
		id, ok := parseMention(args[0])
		if !ok {
			return c, usagef("%q is not a mention. Usage: `/ladder manager @user`, picking the person from Slack's autocomplete.", args[0])
		}
		c.user = id
		return c, nil
	case "share":
		if len(args) != 1 {
			return c, usagef("Usage: `/ladder share full|summary|off`.")
		}
		s, err := ladder.ParseShare(args[0])
		if err != nil {
			return c, usagef("Unknown share level %q. Accepted: `full` (evidence excerpts), `summary` (counts, areas and gaps) or `off` (not sharing).", args[0])
		}
		c.share = s
		return c, nil
	case "forget":
		switch {
		case len(args) == 0:
			return c, nil
		case len(args) == 1 && strings.EqualFold(args[0], "confirm"):
			c.confirm = true
			return c, nil
		}
		return c, usagef("Usage: `/ladder forget`, then `/ladder forget confirm` to delete all your data.")
	case "admin":
		return c, parseAdmin(&c, args)
	}
	return c, usagef("Unknown command %q. Try `/ladder help` for the list: help, gaps, prompt, evidence, level, track, schedule, pause, resume, manager, share, digest, export, forget.", f[0])
}

func parseEvidence(l *ladder.Ladder, c *command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if id, ok := parseMention(args[0]); ok {
		if len(args) > 1 {
			return usagef("Usage: `/ladder evidence @user`, with nothing after the mention.")
		}
		c.user = id
		return nil
	}
	a, err := l.ParseArea(strings.Join(args, " "))
	if err != nil {
		return usagef("Unknown area %q. Usage: `/ladder evidence [area]` with an area among %s, or `/ladder evidence @user`.", strings.Join(args, " "), areaIDs(l))
	}
	c.area = a.ID
	return nil
}

// parseLevel parses `<current> [target] [since YYYY-MM]`. Level names may hold
// spaces ("senior em"), so it tries every split of the words into one or two
// levels.
func parseLevel(l *ladder.Ladder, c *command, args []string) error {
	usage := fmt.Sprintf("Usage: `/ladder level <current> [target] [since YYYY-MM]`, for example `/ladder level em senior-em since 2024-03`. Levels: %s.", levelForms(l))
	if i := indexFold(args, "since"); i >= 0 {
		if i != len(args)-2 {
			return usagef("`since` takes one month, YYYY-MM, at the end. %s", usage)
		}
		t, err := time.Parse("2006-01", args[i+1])
		if err != nil {
			return usagef("%q is not a month. Write it as YYYY-MM, for example 2024-03. %s", args[i+1], usage)
		}
		c.since = t
		args = args[:i]
	}
	if len(args) == 0 {
		return usagef("Which level are you at? %s", usage)
	}
	for k := len(args); k >= 1; k-- {
		cur, err := l.ParseLevel(strings.Join(args[:k], " "))
		if err != nil {
			continue
		}
		if k == len(args) {
			c.level = cur.ID
			return nil
		}
		tgt, err := l.ParseLevel(strings.Join(args[k:], " "))
		if err != nil {
			continue
		}
		c.level, c.target = cur.ID, tgt.ID
		return nil
	}
	return usagef("I don't know the level %q. %s", strings.Join(args, " "), usage)
}

func parseAdmin(c *command, args []string) error {
	usage := "Usage: `/ladder admin enroll @a @b…`, `/ladder admin stats` or `/ladder admin digest send`."
	if len(args) == 0 {
		return usagef("%s", usage)
	}
	c.sub = strings.ToLower(args[0])
	rest := args[1:]
	switch c.sub {
	case "enroll":
		if len(rest) == 0 {
			return usagef("Whom should I enroll? %s", usage)
		}
		for _, a := range rest {
			id, ok := parseMention(a)
			if !ok {
				return usagef("%q is not a mention. %s", a, usage)
			}
			c.users = append(c.users, id)
		}
		return nil
	case "stats":
		if len(rest) > 0 {
			return usagef("`/ladder admin stats` takes no arguments.")
		}
		return nil
	case "digest":
		if len(rest) != 1 || !strings.EqualFold(rest[0], "send") {
			return usagef("%s", usage)
		}
		return nil
	}
	return usagef("Unknown admin command %q. %s", args[0], usage)
}

func indexFold(ss []string, want string) int {
	for i, s := range ss {
		if strings.EqualFold(s, want) {
			return i
		}
	}
	return -1
}

func levelForms(l *ladder.Ladder) string {
	var fs []string
	for _, lv := range l.Levels {
		f := "`" + string(lv.ID) + "`"
		if lv.M != "" {
			f += " (" + lv.M + ")"
		}
		fs = append(fs, f)
	}
	return strings.Join(fs, ", ")
}

func areaIDs(l *ladder.Ladder) string {
	var ids []string
	for _, a := range l.Areas {
		ids = append(ids, "`"+string(a.ID)+"`")
	}
	return strings.Join(ids, ", ")
}

func trackIDs(l *ladder.Ladder) string {
	var ids []string
	for _, t := range l.Tracks {
		ids = append(ids, "`"+t.ID+"`")
	}
	return strings.Join(ids, ", ")
}

// isUsage reports whether err is a usage error.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
