package main

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ladderapp/ladder/internal/schedule"
)

// LADDER_POST_RATE is the send queue's ceiling: a positive number of posts a
// second, 100 by default; anything else stops the app with status 2 and the
// accepted forms.
func TestPostRate(t *testing.T) {
	t.Setenv("LADDER_POST_RATE", "") // restored after the test
	os.Unsetenv("LADDER_POST_RATE")
	c, err := loadConfig()
	if err != nil || c.PostRate != 100 {
		t.Fatalf("default: %v, %v; want 100", c.PostRate, err)
	}
	t.Setenv("LADDER_POST_RATE", "20")
	if c, err := loadConfig(); err != nil || c.PostRate != 20 {
		t.Errorf("20: %v, %v", c.PostRate, err)
	}
	for _, bad := range []string{"0", "-5", "5000"} {
		t.Setenv("LADDER_POST_RATE", bad)
		_, err := loadConfig()
		var ee *exitError
		if err == nil || !strings.Contains(err.Error(), "accepted: a number of posts a second") {
			t.Errorf("%s: %v, want the accepted forms", bad, err)
		} else if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%s: %v, want exit status 2", bad, err)
		}
	}
}

// LADDER_SEND_TIMEOUT bounds one call of the send queue, and so how long a
// dead replica's sends wait to be taken over.
func TestSendTimeout(t *testing.T) {
	t.Setenv("LADDER_SEND_TIMEOUT", "")
	os.Unsetenv("LADDER_SEND_TIMEOUT")
	c, err := loadConfig()
	if err != nil || c.SendTimeout != 30*time.Second {
		t.Fatalf("default = %v, %v; want 30s", c.SendTimeout, err)
	}
	for _, bad := range []string{"0s", "500ms", "6m", "soon"} {
		t.Setenv("LADDER_SEND_TIMEOUT", bad)
		if _, err := loadConfig(); err == nil {
			t.Errorf("LADDER_SEND_TIMEOUT=%s: no error", bad)
		} else if bad != "soon" && !strings.Contains(err.Error(), "accepted: a duration from 1s to 5m") {
			t.Errorf("LADDER_SEND_TIMEOUT=%s: %v; want the accepted forms named", bad, err)
		}
	}
	t.Setenv("LADDER_SEND_TIMEOUT", "2s")
	if c, err := loadConfig(); err != nil || c.SendTimeout != 2*time.Second {
		t.Errorf("2s = %v, %v", c.SendTimeout, err)
	}
}

func TestRetentionSetting(t *testing.T) {
	t.Setenv("LADDER_RETENTION", "")
	os.Unsetenv("LADDER_RETENTION")
	if c, err := loadConfig(); err != nil || !c.Retention.Keeps() {
		t.Fatalf("default = %v, %v; want keep", c.Retention, err)
	}
	t.Setenv("LADDER_RETENTION", "3y")
	if c, err := loadConfig(); err != nil || c.Retention != (schedule.Retention{Years: 3}) {
		t.Errorf("3y = %+v, %v", c.Retention, err)
	}
	t.Setenv("LADDER_RETENTION", "18m")
	if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "write mo for months") {
		t.Errorf("18m = %v; want the months hint", err)
	}
}

func TestUninstallGraceSetting(t *testing.T) {
	t.Setenv("LADDER_UNINSTALL_GRACE", "")
	os.Unsetenv("LADDER_UNINSTALL_GRACE")
	if c, err := loadConfig(); err != nil || time.Duration(c.UninstallGrace) != 30*24*time.Hour {
		t.Fatalf("default = %v, %v; want 30 days", time.Duration(c.UninstallGrace), err)
	}
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "72h": 72 * time.Hour} {
		t.Setenv("LADDER_UNINSTALL_GRACE", in)
		if c, err := loadConfig(); err != nil || time.Duration(c.UninstallGrace) != want {
			t.Errorf("%s = %v, %v; want %v", in, time.Duration(c.UninstallGrace), err, want)
		}
	}
	for _, bad := range []string{"0d", "30m", "400d", "a month", "-3d"} {
		t.Setenv("LADDER_UNINSTALL_GRACE", bad)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "accepted: a number of days such as 30d") {
			t.Errorf("LADDER_UNINSTALL_GRACE=%s: %v; want the accepted forms", bad, err)
		}
	}
}
