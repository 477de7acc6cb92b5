# Ladder in a container: a static binary on a distroless base, running as
# nonroot, with the database on a volume.
#
#   docker build -t ladder .
#   docker run -d --name ladder --restart unless-stopped -v ladder-data:/data \
#     -p 127.0.0.1:8080:8080 -e SLACK_APP_TOKEN -e SLACK_BOT_TOKEN ladder
#   docker exec ladder /bot backup /data/backup-$(date +%F).db
#
# LADDER_DB below is for serve, backup and healthcheck. `docker exec -it ladder
# /bot try` ignores it and uses a temporary database, so that trying Ladder
# never runs a second scheduler on the real one.
#
# Base images. These FROM lines should name each image by digest as well as
# tag (golang:1.26@sha256:…), so that a build uses the very image that was
# reviewed and a rebuild of an old commit gets the same one. They are not
# pinned yet: this file was last edited where no registry could be reached,
# and a digest copied from elsewhere cannot be checked. Run
#   scripts/pin-base-images.sh
# with Docker and network access to pin both lines, then build, test and
# commit; run it again to take newer base images.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a code change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# modernc.org/sqlite is pure Go, so the binary needs no C library at all.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bot ./cmd/bot
# The mount point of the volume. Docker seeds a new named volume from the
# image's directory, owner included, so nonroot (65532) can write to it.
RUN mkdir /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bot /bot
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
ENV LADDER_DB=/data/ladder.db LADDER_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot:nonroot
# The image has no curl: the binary probes its own /healthz, which answers 200
# only while the app is connected to Slack.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/bot", "healthcheck"]
ENTRYPOINT ["/bot"]
