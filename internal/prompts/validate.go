package prompts

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ladderapp/ladder/internal/ladder"
	"go.yaml.in/yaml/v3"
)

// The keys each part of the file accepts, in the order the schema lists them.
var (
	fileKeys   = []string{"version", "window_weeks", "areas", "levels", "tracks", "prompts"}
	areaKeys   = []string{"id", "name", "short", "description"}
	levelKeys  = []string{"id", "m", "title", "short", "summary", "typical_years", "focus", "expectations"}
	trackKeys  = []string{"id", "name", "description", "weights"}
	promptKeys = []string{"id", "area", "level", "kind", "text", "hint", "expects", "track"}
	expKeys    = []string{"id", "text"}
	kinds      = []string{string(ladder.Excel), string(ladder.Stretch)}
)

var (
	areaIDs      = idStrings(ladder.AreaIDs)
	levelIDs     = idStrings(ladder.LevelIDs)
	dimensionIDs = idStrings(ladder.Dimensions)
)

// idPattern is what prompt, track and expectation ids look like. They end up in the
// database and in Slack action values, so they stay plain.
var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

const (
	maxIDLen = 64
	// maxTextLen bounds a prompt's text and hint, in characters. Both go into
	// one Slack message, and Slack refuses a section over 3000 characters.
	maxTextLen = 1000
	// maxWeight bounds a track's area weight; beyond it one area would drown
	// the others in readiness.
	maxWeight = 5
	// maxWindowWeeks is ten years.
	maxWindowWeeks = 520
	// maxPrompts is twenty years of weekly questions.
	maxPrompts = 1000
)

// fields is a mapping read by checker.mapping: its values by key, and its
// keys in file order.
type fields struct {
	node  *yaml.Node
	keys  map[string]*yaml.Node
	vals  map[string]*yaml.Node
	order []string
}

// ladder reads the whole file, recording every problem it finds.
func (c *checker) ladder(root *yaml.Node) *ladder.Ladder {
	top, ok := c.mapping(root, "the file", "key", fileKeys)
	if !ok {
		return nil
	}
	l := &ladder.Ladder{}
	if v := top.vals["version"]; v != nil {
		if n, ok := wholeNumber(v); !ok || n != 1 {
			c.errorf(v, "unsupported version %s (accepted: 1)", describe(v))
		}
	}
	if v := top.vals["window_weeks"]; v != nil {
		n, ok := wholeNumber(v)
		if !ok || n < 1 || n > maxWindowWeeks {
			c.errorf(v, "window_weeks must be a whole number of weeks from 1 to %d, got %s", maxWindowWeeks, describe(v))
		}
		l.WindowWeeks = n
	}
	l.Areas = c.areas(top)
	levels, levelAt := c.levels(top)
	l.Levels = levels
	l.Tracks = c.tracks(top)
	prompts, listed := c.prompts(top, levels, l.Tracks)
	l.Prompts = prompts
	if listed {
		for _, lv := range levels {
			if len(promptsOf(prompts, lv.ID)) == 0 {
				c.errorf(levelAt[lv.ID], "level %q has no prompts", lv.ID)
			}
		}
	}
	return l
}

func (c *checker) areas(top fields) []ladder.Area {
	items, key := c.list(top, "areas", "the five areas: "+strings.Join(areaIDs, ", "))
	if key == nil {
		return nil
	}
	var areas []ladder.Area
	seen := map[ladder.AreaID]int{}
	for _, item := range items {
		what := label("area", peekID(item))
		f, ok := c.mapping(item, what, "key", areaKeys)
		if !ok {
			continue
		}
		id := c.text(f, "id", "area", true)
		a := ladder.Area{
			ID:          ladder.AreaID(id),
			Name:        c.text(f, "name", what, true),
			Short:       c.text(f, "short", what, false),
			Description: c.text(f, "description", what, false),
		}
		if a.Short == "" {
			a.Short = a.Name
		}
		idNode := f.vals["id"]
		switch {
		case id == "":
		case !slices.Contains(areaIDs, id):
			c.errorf(idNode, "unknown area id %s (accepted: %s)", clip(id), strings.Join(areaIDs, ", "))
		case seen[a.ID] > 0:
			c.errorf(idNode, "duplicate area id %s (first at line %d)", clip(id), seen[a.ID])
		default:
			seen[a.ID] = idNode.Line
			areas = append(areas, a)
		}
	}
	for _, id := range ladder.AreaIDs {
		if seen[id] == 0 {
			c.errorf(key, "missing area %q (a ladder has exactly these five: %s)", id, strings.Join(areaIDs, ", "))
		}
	}
	return areas
}

// levels returns the levels and, for each, the line of its id.
func (c *checker) levels(top fields) ([]ladder.Level, map[ladder.LevelID]*yaml.Node) {
	order := strings.Join(levelIDs, ", ")
	items, key := c.list(top, "levels", order+", lowest first")
	if key == nil {
		return nil, nil
	}
	if len(items) == 0 {
		c.errorf(key, "no levels (expected %s, lowest first)", order)
	}
	var levels []ladder.Level
	at := map[ladder.LevelID]*yaml.Node{}
	highest := -1
	for _, item := range items {
		what := label("level", peekID(item))
		f, ok := c.mapping(item, what, "key", levelKeys)
		if !ok {
			continue
		}
		id := c.text(f, "id", "level", true)
		lv := ladder.Level{
			ID:      ladder.LevelID(id),
			M:       c.text(f, "m", what, false),
			Title:   c.text(f, "title", what, true),
			Short:   c.text(f, "short", what, false),
			Summary: c.text(f, "summary", what, false),
		}
		if lv.Short == "" {
			lv.Short = lv.Title
		}
		if v := f.vals["typical_years"]; v != nil {
			years, ok := typicalYears(v)
			if !ok {
				c.errorf(v, "typical_years in %s must be two numbers [min, max] with 0 <= min <= max", what)
			}
			lv.TypicalYears = years
		}
		if v := f.vals["focus"]; v != nil {
			lv.Focus = c.focus(v, what)
		}

		idNode := f.vals["id"]
		rank := slices.Index(levelIDs, id)
		accepted := false
		switch {
		case id == "":
		case rank < 0:
			c.errorf(idNode, "unknown level id %s (accepted: %s)", clip(id), order)
		case at[lv.ID] != nil:
			c.errorf(idNode, "duplicate level id %q (first at line %d)", id, at[lv.ID].Line)
		default:
			// A level out of order is still a level, so that prompts at it are
			// not reported as well.
			if rank < highest {
				c.errorf(idNode, "level %q is out of order (levels go lowest first: %s)", id, order)
			}
			highest = max(highest, rank)
			at[lv.ID] = idNode
			accepted = true
		}
		// The expectations of a level that is not one are not read: their
		// ids would clash with the real level's, or mean nothing.
		if v := f.vals["expectations"]; v != nil && accepted {
			lv.Expectations = c.expectations(v, id, what)
		}
		if accepted {
			levels = append(levels, lv)
		}
	}
	return levels, at
}

func (c *checker) focus(v *yaml.Node, what string) map[ladder.AreaID]string {
	f, ok := c.mapping(v, "focus of "+what, "area", areaIDs)
	if !ok {
		return nil
	}
	focus := make(map[ladder.AreaID]string, len(f.order))
	for _, area := range f.order {
		s, ok := scalar(f.vals[area])
		switch {
		case !ok:
			c.errorf(f.vals[area], "focus for %q in %s must be text, got %s", area, what, describe(f.vals[area]))
		case s == "":
			c.errorf(f.vals[area], "empty focus for %q in %s", area, what)
		default:
			focus[ladder.AreaID(area)] = s
		}
	}
	return focus
}

// expectations reads a level's expectations. Each is either {id, text} or
// plain text, whose id is derived as <level>-<dimension>-<n>, n counting from
// 1 in the dimension's list: a company's ladder written before ids existed
// still loads, and its prompts can name "em-scope-2".
func (c *checker) expectations(v *yaml.Node, level, what string) map[ladder.Dimension][]ladder.Expectation {
	f, ok := c.mapping(v, "expectations of "+what, "dimension", dimensionIDs)
	if !ok {
		return nil
	}
	const forms = "text, or id: and text: as key: value pairs"
	exp := make(map[ladder.Dimension][]ladder.Expectation, len(f.order))
	for _, dim := range f.order {
		list := f.vals[dim]
		if list.Kind != yaml.SequenceNode {
			c.errorf(list, "expectations for %q in %s must be a list, got %s (each item: %s)", dim, what, describe(list), forms)
			continue
		}
		for i, item := range list.Content {
			e := ladder.Expectation{Dimension: ladder.Dimension(dim)}
			idNode := item
			switch item.Kind {
			case yaml.MappingNode:
				ef, _ := c.mapping(item, "expectation for "+strconv.Quote(dim)+" in "+what, "key", expKeys)
				e.ID = c.text(ef, "id", "expectation for "+strconv.Quote(dim)+" in "+what, true)
				e.Text = c.text(ef, "text", label("expectation", e.ID), true)
				if ef.vals["id"] != nil {
					idNode = ef.vals["id"]
				}
				if e.ID != "" && !c.id(idNode, e.ID, "expectation") {
					e.ID = ""
				}
			case yaml.ScalarNode:
				e.Text, _ = scalar(item)
				if e.Text == "" {
					c.errorf(item, "empty expectation for %q in %s", dim, what)
				}
				e.ID = fmt.Sprintf("%s-%s-%d", level, dim, i+1)
			default:
				c.errorf(item, "expectation for %q in %s must be %s, got %s", dim, what, forms, describe(item))
				continue
			}
			if e.ID == "" || e.Text == "" {
				continue
			}
			if first, dup := c.expAt[e.ID]; dup {
				c.errorf(idNode, "duplicate expectation id %q (first at line %d)", e.ID, first.line)
				continue
			}
			if c.expAt == nil {
				c.expAt = map[string]expRef{}
			}
			c.expAt[e.ID] = expRef{level: ladder.LevelID(level), line: idNode.Line}
			exp[e.Dimension] = append(exp[e.Dimension], e)
		}
	}
	return exp
}

func (c *checker) tracks(top fields) []ladder.Track {
	items, key := c.list(top, "tracks", "at least one track; the first is the default")
	if key == nil {
		return nil
	}
	if len(items) == 0 {
		c.errorf(key, "no tracks (expected at least one; the first is the default)")
	}
	var tracks []ladder.Track
	seen := map[string]int{}
	for _, item := range items {
		what := label("track", peekID(item))
		f, ok := c.mapping(item, what, "key", trackKeys)
		if !ok {
			continue
		}
		id := c.text(f, "id", "track", true)
		t := ladder.Track{
			ID:          id,
			Name:        c.text(f, "name", what, true),
			Description: c.text(f, "description", what, false),
		}
		if v := f.vals["weights"]; v != nil {
			t.Weights = c.weights(v, what)
		}
		if id != "" && c.id(f.vals["id"], id, "track") {
			if line, dup := seen[id]; dup {
				c.errorf(f.vals["id"], "duplicate track id %q (first at line %d)", id, line)
				continue
			}
			seen[id] = f.vals["id"].Line
		}
		tracks = append(tracks, t)
	}
	return tracks
}

func (c *checker) weights(v *yaml.Node, what string) map[ladder.AreaID]float64 {
	f, ok := c.mapping(v, "weights of "+what, "area", areaIDs)
	if !ok {
		return nil
	}
	weights := make(map[ladder.AreaID]float64, len(f.order))
	for _, area := range f.order {
		w, ok := number(f.vals[area])
		if !ok || w <= 0 || w > maxWeight {
			c.errorf(f.vals[area], "weight for %q in %s must be more than 0 and at most %d, got %s",
				area, what, maxWeight, describe(f.vals[area]))
			continue
		}
		weights[ladder.AreaID(area)] = w
	}
	return weights
}

// prompts returns the prompts, and whether the file lists any at all, so that
// a missing list is not also reported as every level having no prompts.
func (c *checker) prompts(top fields, levels []ladder.Level, tracks []ladder.Track) ([]ladder.Prompt, bool) {
	items, key := c.list(top, "prompts", "a list of questions")
	if key == nil {
		return nil, false
	}
	if len(items) > maxPrompts {
		// Not also "level has no prompts": the list is refused, not empty.
		c.errorf(key, "too many prompts (%d; at most %d)", len(items), maxPrompts)
		return nil, false
	}
	// A prompt may only name a level the file describes; while the levels are
	// themselves broken, fall back to the five known ids.
	accepted := levelIDs
	if len(levels) > 0 {
		accepted = nil
		for _, lv := range levels {
			accepted = append(accepted, string(lv.ID))
		}
	}
	var prompts []ladder.Prompt
	seen := map[string]int{}
	for _, item := range items {
		what := label("prompt", peekID(item))
		f, ok := c.mapping(item, what, "key", promptKeys)
		if !ok {
			continue
		}
		id := c.text(f, "id", "prompt", true)
		if id != "" && c.id(f.vals["id"], id, "prompt") {
			if line, dup := seen[id]; dup {
				c.errorf(f.vals["id"], "duplicate prompt id %q (first at line %d)", id, line)
			} else {
				seen[id] = f.vals["id"].Line
			}
		}
		p := ladder.Prompt{
			ID:    id,
			Area:  ladder.AreaID(c.oneOf(f, "area", what, areaIDs)),
			Level: ladder.LevelID(c.oneOf(f, "level", what, accepted)),
			Kind:  ladder.Kind(c.oneOf(f, "kind", what, kinds)),
			Text:  c.text(f, "text", what, true),
			Hint:  c.text(f, "hint", what, true),
		}
		for _, k := range []string{"text", "hint"} {
			if s, _ := scalar(f.vals[k]); utf8.RuneCountInString(s) > maxTextLen {
				c.errorf(f.vals[k], "%s in %s is too long (%d characters; at most %d)",
					k, what, utf8.RuneCountInString(s), maxTextLen)
			}
		}
		p.Expects = c.expects(f, what, p.Level, levels)
		if f.vals["track"] != nil {
			p.Track = c.oneOf(f, "track", what, trackIDs(tracks))
		}
		prompts = append(prompts, p)
	}
	return prompts, true
}

// expects reads the ids of the expectations a prompt evidences: a list of ids
// of its own level's expectations, at least one, none twice.
func (c *checker) expects(f fields, what string, level ladder.LevelID, levels []ladder.Level) []string {
	v := f.vals["expects"]
	lv, known := levelOf(levels, level)
	var example string
	if ids := expectationIDs(lv); len(ids) > 0 {
		example = ids[0]
	}
	form := fmt.Sprintf("expects: [id, …] with ids of level %q's expectations, for example %s", level, example)
	switch {
	case level == "" || !known:
		form = "expects: [id, …] with ids of the prompt's level's expectations"
	case len(expectationIDs(lv)) == 0:
		form = fmt.Sprintf("expectations to level %q, then expects: [id, …] naming them", level)
	}
	switch {
	case v == nil || isNull(v):
		c.errorf(f.node, "%s names no expectations (add %s)", what, form)
		return nil
	case v.Kind != yaml.SequenceNode:
		c.errorf(v, "expects in %s must be a list of expectation ids, got %s (write %s)", what, describe(v), form)
		return nil
	case len(v.Content) == 0:
		c.errorf(v, "%s names no expectations (add %s)", what, form)
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, item := range v.Content {
		id, ok := scalar(item)
		switch ref, found := c.expAt[id]; {
		case !ok || id == "":
			c.errorf(item, "expects in %s must list expectation ids, got %s", what, describe(item))
		case !found:
			c.errorf(item, "unknown expectation %s in %s (%s)", clip(id), what, acceptedExpectations(lv, known))
		case level != "" && ref.level != level:
			c.errorf(item, "expectation %q in %s belongs to level %q, not %q, the prompt's level (%s)",
				id, what, ref.level, level, acceptedExpectations(lv, known))
		case seen[id]:
			c.errorf(item, "expectation %q named twice in %s", id, what)
		default:
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// acceptedExpectations lists the ids a prompt at lv may name.
func acceptedExpectations(lv ladder.Level, known bool) string {
	if !known {
		return "accepted: ids of the prompt's level's expectations"
	}
	ids := expectationIDs(lv)
	if len(ids) == 0 {
		return fmt.Sprintf("level %q lists no expectations; add them under its expectations", lv.ID)
	}
	return fmt.Sprintf("accepted: the ids of level %q's expectations: %s", lv.ID, strings.Join(ids, ", "))
}

func expectationIDs(lv ladder.Level) []string {
	var ids []string
	for _, d := range ladder.Dimensions {
		for _, e := range lv.Expectations[d] {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

func levelOf(levels []ladder.Level, id ladder.LevelID) (ladder.Level, bool) {
	for _, lv := range levels {
		if lv.ID == id {
			return lv, true
		}
	}
	return ladder.Level{}, false
}

func trackIDs(tracks []ladder.Track) []string {
	ids := make([]string, 0, len(tracks))
	for _, t := range tracks {
		if t.ID != "" {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// mapping reads a mapping node, reporting keys outside accepted and keys given
// twice. what names the mapping in messages ("prompt"), and noun its keys
// ("key", "area").
func (c *checker) mapping(n *yaml.Node, what, noun string, accepted []string) (fields, bool) {
	if n.Kind != yaml.MappingNode {
		c.errorf(n, "expected %s as key: value pairs, got %s", what, describe(n))
		return fields{}, false
	}
	f := fields{
		node: n,
		keys: make(map[string]*yaml.Node, len(n.Content)/2),
		vals: make(map[string]*yaml.Node, len(n.Content)/2),
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.errorf(k, "expected a plain %s in %s, got %s", noun, what, describe(k))
			continue
		}
		switch first, dup := f.keys[k.Value]; {
		case !slices.Contains(accepted, k.Value):
			c.errorf(k, "unknown %s %s in %s (accepted: %s)", noun, clip(k.Value), what, strings.Join(accepted, ", "))
		case dup:
			c.errorf(k, "duplicate %s %q in %s (first at line %d)", noun, k.Value, what, first.Line)
		default:
			f.keys[k.Value] = k
			f.vals[k.Value] = v
			f.order = append(f.order, k.Value)
		}
	}
	return f, true
}

// list returns the items of the list under key in top, and the key's node;
// a nil key node means there is no list to read.
func (c *checker) list(top fields, key, expected string) ([]*yaml.Node, *yaml.Node) {
	v := top.vals[key]
	if v == nil {
		c.errorf(top.node, "missing %s (expected %s)", key, expected)
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		c.errorf(v, "%s must be a list, got %s", key, describe(v))
		return nil, nil
	}
	return v.Content, top.keys[key]
}

// text returns the trimmed text under key, reporting it missing or empty when
// required.
func (c *checker) text(f fields, key, what string, required bool) string {
	v := f.vals[key]
	if v == nil {
		if required {
			c.errorf(f.node, "missing %s in %s", key, what)
		}
		return ""
	}
	s, ok := scalar(v)
	if !ok {
		c.errorf(v, "%s in %s must be text, got %s", key, what, describe(v))
		return ""
	}
	if s == "" && required {
		c.errorf(v, "empty %s in %s", key, what)
	}
	return s
}

// oneOf returns the value under key, which must be one of accepted.
func (c *checker) oneOf(f fields, key, what string, accepted []string) string {
	list := strings.Join(accepted, ", ")
	v := f.vals[key]
	if v == nil {
		c.errorf(f.node, "missing %s in %s (accepted: %s)", key, what, list)
		return ""
	}
	s, ok := scalar(v)
	switch {
	case !ok:
		c.errorf(v, "%s in %s must be one of %s, got %s", key, what, list, describe(v))
	case s == "":
		c.errorf(v, "empty %s in %s (accepted: %s)", key, what, list)
	case !slices.Contains(accepted, s):
		c.errorf(v, "unknown %s %s in %s (accepted: %s)", key, clip(s), what, list)
	default:
		return s
	}
	return ""
}

// id checks the format of a prompt or track id.
func (c *checker) id(v *yaml.Node, id, kind string) bool {
	if len(id) > maxIDLen || !idPattern.MatchString(id) {
		c.errorf(v, "bad %s id %s (use lowercase letters, digits and hyphens, at most %d characters)", kind, clip(id), maxIDLen)
		return false
	}
	return true
}

// scalar returns a scalar's trimmed text; null is empty text.
func scalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	return strings.TrimSpace(n.Value), true
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func isNumber(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float")
}

// number returns a finite number; quoted numbers are text, not numbers.
func number(n *yaml.Node) (float64, bool) {
	if !isNumber(n) {
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func wholeNumber(n *yaml.Node) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, false
	}
	var i int
	if err := n.Decode(&i); err != nil {
		return 0, false
	}
	return i, true
}

func typicalYears(n *yaml.Node) ([2]float64, bool) {
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		return [2]float64{}, false
	}
	lo, ok1 := number(n.Content[0])
	hi, ok2 := number(n.Content[1])
	if !ok1 || !ok2 || lo < 0 || lo > hi {
		return [2]float64{}, false
	}
	return [2]float64{lo, hi}, true
}

// describe says what a node holds, for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "key: value pairs"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "nothing"
	case isNumber(n):
		return strings.Trim(clip(n.Value), `"`)
	case n.Kind == yaml.ScalarNode:
		return clip(n.Value)
	}
	return "something else"
}

// clip quotes a value from the file for a message, shortened so that a file
// of garbage cannot flood the report.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return strconv.Quote(s)
}

// peekID returns the id of a mapping before it is read, to name it in
// messages about its keys.
func peekID(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" {
			s, _ := scalar(n.Content[i+1])
			return s
		}
	}
	return ""
}

// label names a part of the file in messages: `prompt "people-1"`, or just
// "prompt" while its id is missing.
func label(kind, id string) string {
	if id == "" {
		return kind
	}
	return kind + " " + clip(id)
}

func promptsOf(ps []ladder.Prompt, level ladder.LevelID) []ladder.Prompt {
	var out []ladder.Prompt
	for _, p := range ps {
		if p.Level == level {
			out = append(out, p)
		}
	}
	return out
}

func idStrings[T ~string](ids []T) []string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return s
}
