package slackapp

import (
	"os"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOrgManifestDiffersOnlyInOrgDeploy: manifest.org.yaml is manifest.yaml
// with org_deploy_enabled turned on, and nothing else, so that an org-wide
// install gets every scope, event and feature a workspace install gets.
func TestOrgManifestDiffersOnlyInOrgDeploy(t *testing.T) {
	read := func(name string) map[string]any {
		t.Helper()
		raw, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	plain, org := read("manifest.yaml"), read("manifest.org.yaml")
	flag := func(name string, m map[string]any) any {
		settings, _ := m["settings"].(map[string]any)
		v, found := settings["org_deploy_enabled"]
		if !found {
			t.Fatalf("%s has no settings.org_deploy_enabled", name)
		}
		delete(settings, "org_deploy_enabled")
		return v
	}
	if v := flag("manifest.yaml", plain); v != false {
		t.Errorf("manifest.yaml: org_deploy_enabled = %v, want false", v)
	}
	if v := flag("manifest.org.yaml", org); v != true {
		t.Errorf("manifest.org.yaml: org_deploy_enabled = %v, want true", v)
	}
	if !reflect.DeepEqual(plain, org) {
		t.Error("manifest.org.yaml differs from manifest.yaml in more than org_deploy_enabled: copy the change across")
	}
}
