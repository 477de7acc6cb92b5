#!/bin/sh
# pin-base-images.sh names each base image in the Dockerfile by its tag and
# by the digest that tag points at today, for example
#
#     FROM golang:1.26@sha256:<64 hex digits> AS build
#
# With a digest, a build uses exactly the image that was reviewed, and a
# rebuild of an old commit gets the same base; the tag stays for the reader
# (Docker ignores it when a digest is given). The digest is the one of the
# multi-platform index, so the pin holds on amd64 and arm64 alike.
#
# Run it from the repository's root, with Docker (buildx) and access to
# Docker Hub and gcr.io, whenever you want newer base images (a Go point
# release, Debian security fixes); then build, test and commit the Dockerfile.
# It re-pins lines that already carry a digest.
#
#     scripts/pin-base-images.sh [Dockerfile]
set -eu

file=${1:-Dockerfile}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	FROM\ *)
		# The image is the first word after FROM that is not a flag
		# (--platform=…).
		ref=$(printf '%s\n' "$line" | awk '{ for (i = 2; i <= NF; i++) if ($i !~ /^--/) { print $i; exit } }')
		tag=${ref%@sha256:*}
		digest=$(docker buildx imagetools inspect "$tag" | awk '$1 == "Digest:" { print $2; exit }')
		case $digest in
		sha256:????????????????????????????????????????????????????????????????) ;;
		*)
			echo "pin-base-images: no digest for $tag" >&2
			exit 1
			;;
		esac
		echo "$tag@$digest" >&2
		printf '%s\n' "$line" | awk -v ref="$tag@$digest" '{ for (i = 2; i <= NF; i++) if ($i !~ /^--/) { $i = ref; break } print }'
		;;
	*)
		printf '%s\n' "$line"
		;;
	esac
done <"$file" >"$tmp"
cat "$tmp" >"$file"
