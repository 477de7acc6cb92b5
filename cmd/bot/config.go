package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/ladderapp/ladder/internal/schedule"
)

// config is every setting, read from the environment by envconfig. The README's
// configuration table lists the same variables.
type config struct {
	AppToken        string        `envconfig:"SLACK_APP_TOKEN"`
	BotToken        string        `envconfig:"SLACK_BOT_TOKEN"`
	APIURL          string        `envconfig:"SLACK_API_URL"`
	DB              string        `envconfig:"LADDER_DB" default:"ladder.db"`
	Prompts         string        `envconfig:"LADDER_PROMPTS"`
	Admins          []string      `envconfig:"LADDER_ADMINS"`
	DefaultSchedule string        `envconfig:"LADDER_DEFAULT_SCHEDULE" default:"mon 09:30"`
	DigestCron      string        `envconfig:"LADDER_DIGEST_CRON" default:"0 9 1 * *"`
	ReminderAfter   time.Duration `envconfig:"LADDER_REMINDER_AFTER" default:"48h"`
	HTTPAddr        string        `envconfig:"LADDER_HTTP_ADDR" default:"127.0.0.1:8080"`
	PostRate        float64       `envconfig:"LADDER_POST_RATE" default:"100"`
	SendTimeout     time.Duration `envconfig:"LADDER_SEND_TIMEOUT" default:"30s"`
	LogLevel        string        `envconfig:"LADDER_LOG_LEVEL" default:"info"`
	// Retention is read by schedule.ParseRetention: keep, or 3y, 18mo, 30w, 400d.
	Retention schedule.Retention `envconfig:"LADDER_RETENTION" default:"keep"`
	// UninstallGrace is how long the data outlives an uninstall: 30d, 720h.
	UninstallGrace days `envconfig:"LADDER_UNINSTALL_GRACE" default:"30d"`
}

func loadConfig() (config, error) {
	var c config
	if err := envconfig.Process("", &c); err != nil {
		return c, &exitError{2, fmt.Errorf("configuration: %w", err)}
	}
	if c.APIURL != "" && !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.PostRate <= 0 || c.PostRate > 1000 {
		return c, &exitError{2, fmt.Errorf("LADDER_POST_RATE %v: accepted: a number of posts a second above 0 and at most 1000, for example 50 (the most the send queue may reach; it starts at Slack's documented pace and finds the real one)", c.PostRate)}
	}
	if c.SendTimeout < time.Second || c.SendTimeout > 5*time.Minute {
		return c, &exitError{2, fmt.Errorf("LADDER_SEND_TIMEOUT %v: accepted: a duration from 1s to 5m, for example 30s (how long one Web API call of the send queue may take; a replica that dies holds its sends for 3 times this plus 30s)", c.SendTimeout)}
	}
	if g := time.Duration(c.UninstallGrace); g < time.Hour || g > 366*24*time.Hour {
		return c, &exitError{2, fmt.Errorf("LADDER_UNINSTALL_GRACE %v: %s", g, graceForms)}
	}
	return c, nil
}

// days is a duration that may also be written in days: 30d.
type days time.Duration

const graceForms = "accepted: a number of days such as 30d, or a duration such as 72h, from 1h to 366d (how long every member's data is kept after Slack says the app was uninstalled)"

// Decode lets envconfig read days.
func (d *days) Decode(v string) error {
	if n, ok := strings.CutSuffix(strings.TrimSpace(v), "d"); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 {
			return fmt.Errorf("%q: %s", v, graceForms)
		}
		*d = days(time.Duration(i) * 24 * time.Hour)
		return nil
	}
	t, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q: %s", v, graceForms)
	}
	*d = days(t)
	return nil
}

// setupHelp says how to get the tokens. It never echoes a token's value.
const setupHelp = `Ladder needs two Slack tokens. To create the app:
  1. Open https://api.slack.com/apps and choose Create New App → From an app manifest.
  2. Pick your workspace and paste manifest.yaml from this repository.
  3. Under Basic Information → App-Level Tokens, generate a token with the
     connections:write scope: that is SLACK_APP_TOKEN (xapp-…).
  4. Install the app to the workspace; OAuth & Permissions shows the
     Bot User OAuth Token: that is SLACK_BOT_TOKEN (xoxb-…).
  5. Run: SLACK_APP_TOKEN=xapp-… SLACK_BOT_TOKEN=xoxb-… go run ./cmd/bot
To try Ladder without Slack: go run ./cmd/bot try`

// checkTokens stops the app with status 2 when a token is missing or malformed.
func (c config) checkTokens() error {
	var problems []string
	switch {
	case c.AppToken == "":
		problems = append(problems, "SLACK_APP_TOKEN is not set")
	case !strings.HasPrefix(c.AppToken, "xapp-"):
		problems = append(problems, "SLACK_APP_TOKEN does not start with xapp- (it must be an app-level token)")
	}
	switch {
	case c.BotToken == "":
		problems = append(problems, "SLACK_BOT_TOKEN is not set")
	case !strings.HasPrefix(c.BotToken, "xoxb-"):
		problems = append(problems, "SLACK_BOT_TOKEN does not start with xoxb- (it must be a bot token)")
	}
	if len(problems) == 0 {
		return nil
	}
	return &exitError{2, fmt.Errorf("%s.\n\n%s", strings.Join(problems, "; "), setupHelp)}
}

func (c config) logLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, &exitError{2, fmt.Errorf("LADDER_LOG_LEVEL %q: accepted: debug, info, warn, error", c.LogLevel)}
	}
	return l, nil
}
