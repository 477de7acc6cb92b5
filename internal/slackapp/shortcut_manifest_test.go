package slackapp

import (
	"testing"

	"go.yaml.in/yaml/v3"

	files "github.com/ladderapp/ladder"
)

// TestManifestDeclaresTheShortcut: manifest.yaml declares the message
// shortcut the app answers, with the fields a manifest's shortcut must
// have (name, type, callback_id, description; type "message" for a
// message's menu), and interactivity on, without which Slack sends no
// shortcut at all.
func TestManifestDeclaresTheShortcut(t *testing.T) {
	var m struct {
		Features struct {
			Shortcuts []map[string]string `yaml:"shortcuts"`
		} `yaml:"features"`
		Settings struct {
			Interactivity struct {
				IsEnabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(files.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	if !m.Settings.Interactivity.IsEnabled {
		t.Error("interactivity is off: Slack would send no shortcut")
	}
	found := 0
	for _, s := range m.Features.Shortcuts {
		for _, f := range []string{"name", "type", "callback_id", "description"} {
			if s[f] == "" {
				t.Errorf("shortcut %v has no %s", s, f)
			}
		}
		if s["type"] != "message" && s["type"] != "global" {
			t.Errorf("shortcut %v: type %q, want message or global", s, s["type"])
		}
		if s["callback_id"] == callbackSaveShortcut {
			found++
			if s["type"] != "message" || s["name"] != "Save to Ladder" {
				t.Errorf("the save shortcut is %v, want a message shortcut named Save to Ladder", s)
			}
		}
	}
	if found != 1 {
		t.Errorf("manifest.yaml declares %d shortcuts with callback_id %q, want 1: %v", found, callbackSaveShortcut, m.Features.Shortcuts)
	}
}
