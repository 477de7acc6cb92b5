//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDocker answers `docker buildx imagetools inspect REF` the way the real
// one does, with a made-up index digest per image, and fails on any other
// image as the real one does on a tag that does not exist.
const fakeDocker = `#!/bin/sh
[ "$1 $2 $3" = "buildx imagetools inspect" ] || { echo "unexpected: $*" >&2; exit 2; }
case $4 in
golang:1.26) d=1111111111111111111111111111111111111111111111111111111111111111 ;;
gcr.io/distroless/static-debian12:nonroot) d=2222222222222222222222222222222222222222222222222222222222222222 ;;
*) echo "ERROR: $4: not found" >&2; exit 1 ;;
esac
printf 'Name:      %s\nMediaType: application/vnd.oci.image.index.v1+json\nDigest:    sha256:%s\n\nManifests:\n  Name:      %s@sha256:%s\n  MediaType: application/vnd.oci.image.manifest.v1+json\n  Platform:  linux/amd64\n' "$4" "$d" "$4" "$(echo $d | tr 12 34)"
`

// pinImages runs scripts/pin-base-images.sh on a copy of Dockerfile with the
// fake docker first on PATH, and returns the copy and the script's output.
func pinImages(t *testing.T, dockerfile string) (string, string, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(fakeDocker), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(path, []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "../../scripts/pin-base-images.sh", path)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	got, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatal(rerr)
	}
	return string(got), string(out), err
}

// TestPinBaseImages pins the real Dockerfile's base images: each FROM line
// gets its tag's index digest (not a platform's), and nothing else changes.
// Pinning again replaces the digests.
func TestPinBaseImages(t *testing.T) {
	orig, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	got, out, err := pinImages(t, string(orig))
	if err != nil {
		t.Fatalf("pin-base-images.sh: %v\n%s", err, out)
	}
	want := string(orig)
	for _, r := range [][2]string{
		{"\nFROM golang:1.26 AS build\n", "\nFROM golang:1.26@sha256:" + strings.Repeat("1", 64) + " AS build\n"},
		{"\nFROM gcr.io/distroless/static-debian12:nonroot\n", "\nFROM gcr.io/distroless/static-debian12:nonroot@sha256:" + strings.Repeat("2", 64) + "\n"},
	} {
		if !strings.Contains(want, r[0]) {
			t.Fatalf("the Dockerfile has no line %q: update this test with it", strings.TrimSpace(r[0]))
		}
		want = strings.Replace(want, r[0], r[1], 1)
	}
	if got != want {
		t.Errorf("pinned Dockerfile:\n%s\nwant:\n%s", got, want)
	}

	stale := "FROM --platform=$BUILDPLATFORM golang:1.26@sha256:" + strings.Repeat("0", 64) + " AS build\nRUN go version\n"
	got, out, err = pinImages(t, stale)
	if wantLine := "FROM --platform=$BUILDPLATFORM golang:1.26@sha256:" + strings.Repeat("1", 64) + " AS build\nRUN go version\n"; err != nil || got != wantLine {
		t.Errorf("re-pinning %q gave %q, %v (%s); want %q", stale, got, err, out, wantLine)
	}
}

// TestPinBaseImagesUnknown leaves the Dockerfile as it was when an image
// cannot be looked up, and says which.
func TestPinBaseImagesUnknown(t *testing.T) {
	const dockerfile = "FROM golang:1.26 AS build\nFROM example.com/nope:1\n"
	got, out, err := pinImages(t, dockerfile)
	if err == nil || got != dockerfile || !strings.Contains(out, "no digest for example.com/nope:1") {
		t.Errorf("pinning an unknown image: file %q, err %v, output %q; want the file untouched, an error naming the image", got, err, out)
	}
}
