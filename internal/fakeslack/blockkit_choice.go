package fakeslack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// Limits of the elements that offer choices, from Slack's Block Kit
// reference: composition-objects/option-object ("Maximum length for the
// text in this field is 75 characters", value 150, description 75) and the
// element pages (static select: 100 options; radio buttons and checkboxes:
// 10; overflow: 2 to 5).
const (
	maxOptionText      = 75
	maxOptionValue     = 150
	maxSelectOptions   = 100
	maxRadioOptions    = 10
	maxOverflowOptions = 5
)

// timeRE is a time picker's initial_time: "HH:mm", 24-hour, both with
// leading zeros (block-elements/time-picker-element).
var timeRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// dateRE is a date picker's initial_date: YYYY-MM-DD.
var dateRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)

// userRE is a user id, as users_select takes in initial_user.
var userRE = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// choices checks the options and the initial value of an element that
// offers choices. Slack refuses an initial option that is not exactly one
// of the element's options.
func (c *checker) choices(ptr, kind string, e map[string]any) {
	switch kind {
	case "static_select", "multi_static_select":
		if e["options"] == nil && e["option_groups"] == nil {
			c.add(ptr, "must provide either options or option_groups")
			return
		}
		if e["options"] != nil && e["option_groups"] != nil {
			c.add(ptr, "must provide only one of options or option_groups")
		}
		opts := c.options(ptr+"/options", e["options"], maxSelectOptions, true)
		if gs, isList := e["option_groups"].([]any); isList {
			for i, g := range gs {
				gm, _ := g.(map[string]any)
				opts = append(opts, c.options(fmt.Sprintf("%s/option_groups/%d/options", ptr, i), gm["options"], maxSelectOptions, true)...)
			}
		}
		c.initial(ptr, e, opts)
	case "radio_buttons", "checkboxes":
		if e["options"] == nil {
			c.add(ptr+"/options", "missing required field: options")
			return
		}
		c.initial(ptr, e, c.options(ptr+"/options", e["options"], maxRadioOptions, false))
	case "overflow":
		opts := c.options(ptr+"/options", e["options"], maxOverflowOptions, true)
		if len(opts) < 2 {
			c.add(ptr+"/options", "must contain at least 2 items")
		}
	case "timepicker":
		c.pattern(ptr+"/initial_time", e["initial_time"], timeRE, "HH:mm, for example 09:30")
	case "datepicker":
		c.pattern(ptr+"/initial_date", e["initial_date"], dateRE, "YYYY-MM-DD")
	case "users_select":
		c.pattern(ptr+"/initial_user", e["initial_user"], userRE, "a user id")
	}
}

// options checks a list of option objects, at most most of them, with
// plain_text only where plainOnly, and returns them.
func (c *checker) options(ptr string, v any, most int, plainOnly bool) []map[string]any {
	if v == nil {
		return nil
	}
	list, isList := v.([]any)
	switch {
	case !isList:
		c.add(ptr, "must be an array")
		return nil
	case len(list) == 0:
		c.add(ptr, "must contain at least 1 item")
	case len(list) > most:
		c.add(ptr, "no more than %d items allowed", most)
	}
	want := ""
	if plainOnly {
		want = "plain_text"
	}
	var out []map[string]any
	for i, o := range list {
		p := fmt.Sprintf("%s/%d", ptr, i)
		om, isObj := o.(map[string]any)
		if !isObj {
			c.add(p, "must be an object")
			continue
		}
		c.required(p, om, "text")
		if om["text"] != nil {
			c.text(p+"/text", om["text"], want, maxOptionText)
		}
		c.required(p, om, "value")
		c.maxString(p+"/value", om["value"], maxOptionValue)
		if om["description"] != nil {
			c.text(p+"/description", om["description"], want, maxOptionText)
		}
		out = append(out, om)
	}
	return out
}

// initial checks that an element's initial_option, and each of its
// initial_options, is exactly one of opts.
func (c *checker) initial(ptr string, e map[string]any, opts []map[string]any) {
	matches := func(v any) bool {
		got, _ := json.Marshal(v)
		for _, o := range opts {
			if want, _ := json.Marshal(o); string(got) == string(want) {
				return true
			}
		}
		return false
	}
	if v, present := e["initial_option"]; present && !matches(v) {
		c.add(ptr+"/initial_option", "must exactly match one of the options")
	}
	if vs, present := e["initial_options"]; present {
		list, _ := vs.([]any)
		for i, v := range list {
			if !matches(v) {
				c.add(fmt.Sprintf("%s/initial_options/%d", ptr, i), "must exactly match one of the options")
			}
		}
	}
}

// pattern checks that v, if present, is a string matching re.
func (c *checker) pattern(ptr string, v any, re *regexp.Regexp, form string) {
	if v == nil {
		return
	}
	s, isStr := v.(string)
	if !isStr || !utf8.ValidString(s) || !re.MatchString(s) {
		c.add(ptr, "must be %s", form)
	}
}
