package fakeslack

import (
	"strings"
	"testing"
)

func TestCheckViewChoices(t *testing.T) {
	opt := func(v string) string { return `{"text":{"type":"plain_text","text":"` + v + `"},"value":"` + v + `"}` }
	modal := func(el string) string {
		return `{"type":"modal","title":{"type":"plain_text","text":"T"},"submit":{"type":"plain_text","text":"Save"},` +
			`"blocks":[{"type":"input","block_id":"b","label":{"type":"plain_text","text":"L"},"element":` + el + `}]}`
	}
	tests := []struct {
		name, el, want string // want "" for accepted
	}{
		{"select with its initial option", `{"type":"static_select","action_id":"a","options":[` + opt("x") + `,` + opt("y") + `],"initial_option":` + opt("y") + `}`, ""},
		{"select initial not an option", `{"type":"static_select","action_id":"a","options":[` + opt("x") + `],"initial_option":` + opt("z") + `}`, "/initial_option"},
		{"select initial with other text", `{"type":"static_select","action_id":"a","options":[` + opt("x") + `],"initial_option":{"text":{"type":"plain_text","text":"X!"},"value":"x"}}`, "/initial_option"},
		{"select without options", `{"type":"static_select","action_id":"a"}`, "options or option_groups"},
		{"select with mrkdwn option", `{"type":"static_select","action_id":"a","options":[{"text":{"type":"mrkdwn","text":"x"},"value":"x"}]}`, "/options/0/text/type"},
		{"option text too long", `{"type":"static_select","action_id":"a","options":[` + opt(strings.Repeat("x", 76)) + `]}`, "less than 76"},
		{"radio with descriptions", `{"type":"radio_buttons","action_id":"a","options":[{"text":{"type":"plain_text","text":"F"},"value":"f","description":{"type":"plain_text","text":"d"}}],"initial_option":{"text":{"type":"plain_text","text":"F"},"value":"f","description":{"type":"plain_text","text":"d"}}}`, ""},
		{"radio with 11 options", `{"type":"radio_buttons","action_id":"a","options":[` + strings.TrimSuffix(strings.Repeat(opt("x")+",", 11), ",") + `]}`, "no more than 10"},
		{"time picker", `{"type":"timepicker","action_id":"a","initial_time":"09:30"}`, ""},
		{"time picker without leading zero", `{"type":"timepicker","action_id":"a","initial_time":"9:30"}`, "HH:mm"},
		{"time picker at 24:00", `{"type":"timepicker","action_id":"a","initial_time":"24:00"}`, "HH:mm"},
		{"users select", `{"type":"users_select","action_id":"a","initial_user":"U123"}`, ""},
		{"users select with a name", `{"type":"users_select","action_id":"a","initial_user":"bob"}`, "a user id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckView([]byte(modal(tt.el)))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want a refusal mentioning %q", err, tt.want)
			}
		})
	}
}
