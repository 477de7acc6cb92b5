// Package files embeds the repository's data files into the binary: the
// default ladder (prompts.yaml) and the Slack app manifest (manifest.yaml).
//
// It sits at the repository root because go:embed cannot reach into parent
// directories, and the spec keeps prompts.yaml at the root.
package files

import _ "embed"

// Prompts is the default ladder file, prompts.yaml.
//
//go:embed prompts.yaml
var Prompts []byte

// Manifest is the Slack app manifest, manifest.yaml.
//
//go:embed manifest.yaml
var Manifest []byte
