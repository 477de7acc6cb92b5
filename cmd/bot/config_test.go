package main

import (
	"errors"
	"os"
	"strings"
	"testing"
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
