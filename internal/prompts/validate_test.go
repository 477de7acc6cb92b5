package prompts

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadBroken loads one fixture per kind of mistake. Each is minimal.yaml
// with one thing changed, and must fail with exactly the problems listed, in
// line order; the file name is prefixed by the test.
func TestLoadBroken(t *testing.T) {
	const areas = "(accepted: people, execution, technical, strategy, scaling)"
	tests := []struct {
		file string
		want []string
	}{
		{"broken_empty.yaml", []string{
			":1: the file is empty (expected areas, levels, tracks and prompts)"}},
		{"broken_syntax.yaml", []string{
			":20: invalid YAML: mapping values are not allowed in this context"}},
		{"broken_utf8.yaml", []string{
			":23: invalid UTF-8 (save the file as UTF-8)"}},
		{"broken_control.yaml", []string{
			":23: control character U+0007 is not allowed"}},
		{"broken_second_document.yaml", []string{
			":30: a second YAML document; the ladder file holds exactly one"}},
		{"broken_alias.yaml", []string{
			`:18: alias "*w" is not supported; write the value out`}},
		{"broken_not_mapping.yaml", []string{
			":2: expected the file as key: value pairs, got a list"}},
		{"broken_version.yaml", []string{
			":2: unsupported version 2 (accepted: 1)"}},
		{"broken_window_weeks.yaml", []string{
			":2: window_weeks must be a whole number of weeks from 1 to 520, got 0"}},
		{"broken_unknown_top_key.yaml", []string{
			":2: missing prompts (expected a list of questions)",
			`:18: unknown key "promts" in the file (accepted: version, window_weeks, areas, levels, tracks, prompts)`}},
		{"broken_missing_prompts.yaml", []string{
			":2: missing prompts (expected a list of questions)"}},

		{"broken_area_unknown.yaml", []string{
			`:2: missing area "people" (a ladder has exactly these five: people, execution, technical, strategy, scaling)`,
			`:3: unknown area id "peple" ` + areas}},
		{"broken_area_missing.yaml", []string{
			`:2: missing area "scaling" (a ladder has exactly these five: people, execution, technical, strategy, scaling)`}},
		{"broken_area_duplicate.yaml", []string{
			`:4: duplicate area id "people" (first at line 3)`}},
		{"broken_empty_area_name.yaml", []string{
			`:4: empty name in area "execution"`}},

		{"broken_level_unknown.yaml", []string{
			`:14: unknown level id "principal" (accepted: em, senior-em, director, vp, cto)`}},
		{"broken_level_duplicate.yaml", []string{
			`:10: duplicate level id "em" (first at line 9)`}},
		{"broken_level_order.yaml", []string{
			`:11: level "senior-em" is out of order (levels go lowest first: em, senior-em, director, vp, cto)`}},
		{"broken_level_no_prompts.yaml", []string{
			`:12: level "vp" has no prompts`}},
		{"broken_empty_level_title.yaml", []string{
			`:10: empty title in level "senior-em"`}},
		{"broken_typical_years.yaml", []string{
			`:9: typical_years in level "em" must be two numbers [min, max] with 0 <= min <= max`}},
		{"broken_focus_key.yaml", []string{
			`:9: unknown area "peple" in focus of level "em" ` + areas}},
		{"broken_expectation_key.yaml", []string{
			`:9: unknown dimension "leading" in expectations of level "em" (accepted: leadership, scope, autonomy, impact, growth)`}},

		{"broken_no_tracks.yaml", []string{
			":14: no tracks (expected at least one; the first is the default)"}},
		{"broken_track_id.yaml", []string{
			`:15: bad track id "Broad" (use lowercase letters, digits and hyphens, at most 64 characters)`}},
		{"broken_weight_area.yaml", []string{
			`:17: unknown area "peple" in weights of track "broad" ` + areas}},
		{"broken_weight_range.yaml", []string{
			`:17: weight for "people" in track "broad" must be more than 0 and at most 5, got 0`}},

		{"broken_unknown_key.yaml", []string{
			`:19: missing text in prompt "em-1"`,
			`:23: unknown key "promt" in prompt "em-1" (accepted: id, area, level, kind, text, hint, expects, track)`}},
		{"broken_prompt_id.yaml", []string{
			`:19: bad prompt id "EM_1" (use lowercase letters, digits and hyphens, at most 64 characters)`}},
		{"broken_prompt_duplicate.yaml", []string{
			`:30: duplicate prompt id "em-1" (first at line 19)`}},
		{"broken_prompt_area.yaml", []string{
			`:20: unknown area "peple" in prompt "em-1" ` + areas}},
		{"broken_prompt_level.yaml", []string{
			// The only em prompt no longer counts, so em has none.
			`:9: level "em" has no prompts`,
			`:21: unknown level "sr-em" in prompt "em-1" (accepted: em, senior-em, director, vp, cto)`}},
		{"broken_prompt_kind.yaml", []string{
			`:22: unknown kind "strech" in prompt "em-1" (accepted: excel, stretch)`}},
		{"broken_prompt_no_kind.yaml", []string{
			`:19: missing kind in prompt "em-1" (accepted: excel, stretch)`}},
		{"broken_empty_text.yaml", []string{
			`:23: empty text in prompt "em-1"`}},
		{"broken_empty_hint.yaml", []string{
			`:24: empty hint in prompt "em-1"`}},

		{"broken_prompt_no_expects.yaml", []string{
			`:19: prompt "em-1" names no expectations (add expects: [id, …] with ids of level "em"'s expectations, for example em-leadership-1)`}},
		{"broken_expects_unknown.yaml", []string{
			`:25: unknown expectation "em-leadership-9" in prompt "em-1" (accepted: the ids of level "em"'s expectations: em-leadership-1)`}},
		{"broken_expects_other_level.yaml", []string{
			`:25: expectation "senior-em-leadership-1" in prompt "em-1" belongs to level "senior-em", not "em", the prompt's level (accepted: the ids of level "em"'s expectations: em-leadership-1)`}},
		{"broken_expectation_duplicate.yaml", []string{
			`:10: duplicate expectation id "em-leadership-1" (first at line 9)`}},
		{"broken_prompt_track.yaml", []string{
			`:26: unknown track "deep" in prompt "em-1" (accepted: broad)`}},

		{"broken_many.yaml", []string{
			`:4: unknown key "nme" in area "execution" (accepted: id, name, short, description)`,
			`:4: missing name in area "execution"`,
			`:12: level "vp" has no prompts`,
			`:22: unknown kind "strech" in prompt "em-1" (accepted: excel, stretch)`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			l, err := LoadFile(path)
			if err == nil {
				t.Fatalf("LoadFile(%s) = %s, want an error", path, Summary(l))
			}
			var perr *Errors
			if !errors.As(err, &perr) {
				t.Fatalf("LoadFile(%s) error is %T, want *Errors: %v", path, err, err)
			}
			got := strings.Split(err.Error(), "\n")
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = path + w
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("LoadFile(%s) problems:\ngot:\n%s\nwant:\n%s", path, err, strings.Join(want, "\n"))
			}
			if len(perr.Problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d", len(perr.Problems), len(tt.want))
			}
		})
	}
}

// TestLoadMessages covers problems that need no fixture of their own.
func TestLoadMessages(t *testing.T) {
	base := func(prompt string) string {
		return strings.Replace(minimal(t), "  - id: em-1\n", prompt+"  - id: em-1\n", 1)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"text too long",
			base("  - {id: long, area: people, level: em, kind: excel, text: " + strings.Repeat("x", 1001) + ", hint: h}\n"),
			`:19: text in prompt "long" is too long (1001 characters; at most 1000)`},
		{"id too long",
			base("  - {id: " + strings.Repeat("a", 65) + ", area: people, level: em, kind: excel, text: t, hint: h}\n"),
			`:19: bad prompt id "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" (use lowercase letters, digits and hyphens, at most 64 characters)`},
		{"text is a list",
			base("  - {id: x, area: people, level: em, kind: excel, text: [a], hint: h}\n"),
			`:19: text in prompt "x" must be text, got a list`},
		{"prompt is text",
			base("  - just a question?\n"),
			`:19: expected prompt as key: value pairs, got "just a question?"`},
		{"quoted weight",
			strings.Replace(minimal(t), "people: 1.2", `people: "1.2"`, 1),
			`:17: weight for "people" in track "broad" must be more than 0 and at most 5, got "1.2"`},
		{"weight not a number",
			strings.Replace(minimal(t), "people: 1.2", "people: .nan", 1),
			`:17: weight for "people" in track "broad" must be more than 0 and at most 5, got .nan`},
		{"window in days",
			"window_weeks: 26.5\n" + minimal(t),
			":1: window_weeks must be a whole number of weeks from 1 to 520, got 26.5"},
		{"duplicate key",
			strings.Replace(minimal(t), "    kind: excel\n", "    kind: excel\n    kind: stretch\n", 1),
			`:23: duplicate key "kind" in prompt "em-1" (first at line 22)`},
		{"typical years of one number",
			strings.Replace(minimal(t), "[2, 4]", "[2]", 1),
			`:9: typical_years in level "em" must be two numbers [min, max] with 0 <= min <= max`},
		{"empty expectation",
			strings.Replace(minimal(t), "[Coaches each engineer.]", `[Coaches each engineer., ""]`, 1),
			`:9: empty expectation for "leadership" in level "em"`},
		{"expects is text",
			strings.Replace(minimal(t), "expects: [em-leadership-1]", "expects: em-leadership-1", 1),
			`:25: expects in prompt "em-1" must be a list of expectation ids, got "em-leadership-1" (write expects: [id, …] with ids of level "em"'s expectations, for example em-leadership-1)`},
		{"expects is empty",
			strings.Replace(minimal(t), "expects: [em-leadership-1]", "expects: []", 1),
			`:25: prompt "em-1" names no expectations (add expects: [id, …] with ids of level "em"'s expectations, for example em-leadership-1)`},
		{"expectation named twice",
			strings.Replace(minimal(t), "expects: [em-leadership-1]", "expects: [em-leadership-1, em-leadership-1]", 1),
			`:25: expectation "em-leadership-1" named twice in prompt "em-1"`},
		{"expects holds a list",
			strings.Replace(minimal(t), "expects: [em-leadership-1]", "expects: [[em-leadership-1]]", 1),
			`:25: expects in prompt "em-1" must list expectation ids, got a list`},
		{"level without expectations",
			strings.Replace(minimal(t), ", expectations: {leadership: [Coaches each engineer.]}", "", 1),
			`:25: unknown expectation "em-leadership-1" in prompt "em-1" (level "em" lists no expectations; add them under its expectations)`},
		{"bad expectation id",
			strings.Replace(minimal(t), "[Coaches each engineer.]", "[{id: Coach_1, text: Coaches.}]", 1),
			`:9: bad expectation id "Coach_1" (use lowercase letters, digits and hyphens, at most 64 characters)`},
		{"expectation without text",
			strings.Replace(minimal(t), "[Coaches each engineer.]", "[{id: em-coach}]", 1),
			`:9: missing text in expectation "em-coach"`},
		{"expectation with an unknown key",
			strings.Replace(minimal(t), "[Coaches each engineer.]", "[{id: em-coach, txt: Coaches.}]", 1),
			`:9: unknown key "txt" in expectation for "leadership" in level "em" (accepted: id, text)`},
		{"expectation is a list",
			strings.Replace(minimal(t), "[Coaches each engineer.]", "[[Coaches.]]", 1),
			`:9: expectation for "leadership" in level "em" must be text, or id: and text: as key: value pairs, got a list`},
		{"expectations not a list",
			strings.Replace(minimal(t), "[Coaches each engineer.]", "Coaches.", 1),
			`:9: expectations for "leadership" in level "em" must be a list, got "Coaches." (each item: text, or id: and text: as key: value pairs)`},
		{"empty focus",
			strings.Replace(minimal(t), "typical_years: [2, 4]", "focus: {people: }", 1),
			`:9: empty focus for "people" in level "em"`},
		{"duplicate track",
			strings.Replace(minimal(t), "prompts:\n", "  - {id: broad, name: Again}\nprompts:\n", 1),
			`:18: duplicate track id "broad" (first at line 15)`},
		{"no levels",
			strings.Replace(minimal(t), "levels:\n", "levels: []\nold_levels:\n", 1),
			`:8: no levels (expected em, senior-em, director, vp, cto, lowest first)`},
		{"areas not a list",
			strings.Replace(minimal(t), "areas:\n", "areas: people\nold_areas:\n", 1),
			`:2: areas must be a list, got "people"`},
		{"unbalanced brace",
			strings.Replace(minimal(t), "kind: stretch, text", "kind: stretch text", 1),
			`:26: invalid YAML: did not find expected ',' or '}'`},
		{"unknown anchor",
			strings.Replace(minimal(t), "hint: A plan.", "hint: *plan", 1),
			`:1: invalid YAML: unknown anchor 'plan' referenced`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("x.yaml", []byte(tt.data))
			if err == nil {
				t.Fatalf("Load succeeded, want %s", tt.want)
			}
			if !strings.Contains(err.Error(), "x.yaml"+tt.want) {
				t.Errorf("Load error:\ngot:\n%v\nwant it to contain:\nx.yaml%s", err, tt.want)
			}
		})
	}
}
