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
	name string // one of subcommands

	// show is a settings command typed with no arguments: it shows the
	// current value and how to change it.
	show bool

	area    ladder.AreaID // evidence [area]
	user    string        // evidence @user, manager @user; "" with manager none
	users   []string      // admin enroll @a @b
	level   ladder.LevelID
	target  ladder.LevelID // "" means the next level
	since   time.Time      // level … since YYYY-MM; zero if not given
	track   string
	slot    ladder.Slot
	weeks   int // pause <weeks>; 0 means until resume
	share   ladder.Share
	confirm bool   // forget confirm
	sub     string // admin: enroll, stats, digest, audit

	// responseURL is where the reply goes: the digest preview, which can
	// take several messages, sends all but the last there itself.
	responseURL string
	// triggerID opens the settings modal when the command runs on a worker.
	triggerID string
}

// subcommands are the words /ladder understands, in the order a typo's
// suggestion prefers them.
var subcommands = []string{"help", "gaps", "prompt", "evidence", "settings", "start", "level", "track", "schedule",
	"pause", "resume", "manager", "share", "digest", "export", "forget", "admin", "1on1"}

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

// parseCommand parses the text after /ladder. It forgives what people type
// (see the parse functions below) but guesses nothing: an unknown word is a
// usageError naming the accepted forms, and suggesting the nearest command
// for a typo. A settings command with no arguments shows its value.
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
	case "help", "gaps", "prompt", "resume", "digest", "export", "settings", "start":
		return c, noArgs()
	case "evidence":
		return c, parseEvidence(l, &c, args)
	case "level", "track", "schedule", "pause", "manager", "share":
		if len(args) == 0 {
			c.show = true
			return c, nil
		}
		return c, parseSetting(l, &c, args)
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
	case "1on1":
		return c, parseOneOnOne(&c, args) // oneonone.go
	}
	hint := ""
	if s := suggest(name, subcommands); s != "" {
		hint = fmt.Sprintf(" Did you mean `/ladder %s`?", s)
	}
	return c, usagef("Unknown command %q.%s Try `/ladder help` for the list: %s.", f[0], hint, strings.Join(subcommands, ", "))
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

// parseSetting parses the arguments of a settings command, c.name.
func parseSetting(l *ladder.Ladder, c *command, args []string) error {
	switch c.name {
	case "level":
		return parseLevel(l, c, args)
	case "track":
		t, ok := parseTrack(l, strings.Join(args, " "))
		if !ok {
			return usagef("Unknown track %q. Accepted: %s. For example `/ladder track deep`.", strings.Join(args, " "), trackForms(l))
		}
		c.track = t
	case "schedule":
		s, err := ladder.ParseSlot(strings.Join(args, " "))
		if err != nil {
			return usagef("That schedule didn't parse: %s. Usage: `/ladder schedule <day> <HH:MM>`, for example `/ladder schedule mon 09:30`, `/ladder schedule thu 5:30pm` or `/ladder schedule off`.", strings.TrimPrefix(err.Error(), ladder.ErrBadSchedule.Error()+": "))
		}
		c.slot = s
	case "pause":
		return parsePause(c, args)
	case "manager":
		if len(args) == 1 && noManagerWords[strings.ToLower(args[0])] {
			return nil // c.user "" removes the manager
		}
		if len(args) != 1 {
			return usagef("Usage: `/ladder manager @user`, mentioning one person, or `/ladder manager none`.")
		}
		id, ok := parseMention(args[0])
		if !ok {
			return usagef("%q is not a mention. Usage: `/ladder manager @user`, picking the person from Slack's autocomplete, or `/ladder manager none`.", args[0])
		}
		c.user = id
	case "share":
		s, err := ladder.ParseShare(strings.Join(args, " "))
		if err != nil {
			return usagef("Unknown share level %q. Accepted: `full` (evidence excerpts), `summary` (counts, areas and gaps) or `off` (not sharing).", strings.Join(args, " "))
		}
		c.share = s
	}
	return nil
}

// noManagerWords remove the manager: /ladder manager none.
var noManagerWords = map[string]bool{"none": true, "off": true, "nobody": true, "remove": true}

// maxPauseWeeks is the longest pause in weeks; longer is until resume.
const maxPauseWeeks = 52

// pauseRE reads a pause of weeks: "2", "2w", "2 wks", "2 weeks", "a week".
var pauseRE = regexp.MustCompile(`^(\d{1,3}|a|an|one|two|three|four)\s*(w|wk|wks|week|weeks)?$`)

var pauseWords = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}

// untilResume are the ways to pause with no end.
var untilResume = map[string]bool{"until resume": true, "until i resume": true, "until resumed": true,
	"until further notice": true, "forever": true, "indefinitely": true}

func parsePause(c *command, args []string) error {
	s := strings.ToLower(strings.Join(args, " "))
	if untilResume[s] {
		return nil // weeks 0: until /ladder resume
	}
	usage := fmt.Sprintf("Usage: `/ladder pause <weeks>`, 1 to %d, written `2`, `2w` or `2 weeks`; or `/ladder pause until resume`.", maxPauseWeeks)
	m := pauseRE.FindStringSubmatch(s)
	if m == nil {
		return usagef("I can't read %q as a pause. %s", strings.Join(args, " "), usage)
	}
	n, ok := pauseWords[m[1]]
	if !ok {
		n, _ = strconv.Atoi(m[1])
	}
	if n < 1 || n > maxPauseWeeks {
		return usagef("A pause lasts 1 to %d weeks; for longer, `/ladder pause until resume`. %s", maxPauseWeeks, usage)
	}
	c.weeks = n
	return nil
}

// parseTrack finds a track by its id, its name, or a prefix of its id of
// two letters or more that only it has.
func parseTrack(l *ladder.Ladder, s string) (string, bool) {
	key := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "track")))
	var found []string
	for _, t := range l.Tracks {
		if key == t.ID || strings.EqualFold(key, t.Name) {
			return t.ID, true
		}
		if len(key) >= 2 && strings.HasPrefix(t.ID, key) {
			found = append(found, t.ID)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// levelWords spells out the abbreviations people use for levels ("sr em",
// "eng mgr") and drops the words between a level and a target ("em to
// senior em").
func levelWords(args []string) []string {
	var out []string
	for _, a := range args {
		switch strings.ToLower(a) {
		case "sr", "sr.", "snr", "snr.":
			out = append(out, "senior")
		case "mgr", "mgr.":
			out = append(out, "manager")
		case "eng", "eng.", "engg":
			out = append(out, "engineering")
		case "to", "->", "→", ">", "target":
		default:
			out = append(out, a)
		}
	}
	return out
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
	args = levelWords(args)
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
	usage := "Usage: `/ladder admin enroll @a @b…`, `/ladder admin stats`, `/ladder admin digest send` or `/ladder admin audit`."
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
	case "stats", "audit":
		if len(rest) > 0 {
			return usagef("`/ladder admin %s` takes no arguments.", c.sub)
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

func trackForms(l *ladder.Ladder) string {
	var fs []string
	for _, t := range l.Tracks {
		f := "`" + t.ID + "`"
		if t.Name != "" {
			f += " (" + t.Name + ")"
		}
		fs = append(fs, f)
	}
	return strings.Join(fs, ", ")
}

// maxSuggestLen bounds the words suggest compares: a long word is no typo.
const maxSuggestLen = 32

// suggest returns the word of words nearest to typed, for a "did you
// mean": one that typed begins (two letters at least), or else one within
// two edits; "" if none is. Among several, the fewest edits win, then the
// first in words.
func suggest(typed string, words []string) string {
	if typed == "" || len(typed) > maxSuggestLen {
		return ""
	}
	best, bestScore := "", 0
	for _, w := range words {
		d := editDistance(typed, w)
		prefix := len(typed) >= 2 && strings.HasPrefix(w, typed)
		if d > 2 && !prefix {
			continue
		}
		score := d
		if prefix {
			score = -1 // a prefix is what a hurried typist leaves
		}
		if best == "" || score < bestScore {
			best, bestScore = w, score
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// isUsage reports whether err is a usage error.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}
