#!/usr/bin/env bash
# The container image, with podman or docker (whichever is installed):
#   ./scripts/image.sh build    build paycart:local from the Dockerfile
#   ./scripts/image.sh base     make debian:bookworm-slim locally (debootstrap), as `build`
#                               does by itself when the base image cannot be pulled
#   ./scripts/image.sh standins build PostgreSQL, Redis and nginx from Debian's packages
#                               (deploy/standins/) where the official images cannot be
#                               pulled, and print the *_IMAGE variables compose then takes
# Where neither engine is installed, Debian's podman (with runc and debootstrap) is.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-paycart:local}
BASE=docker.io/library/debian:bookworm-slim

source scripts/engine.sh

make_base() {
  # The same Debian bookworm the official slim image is, from the mirror apt uses here.
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  local mirror root
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -nE 's/^(URIs:|deb) +(https?:\/\/[^ ]*\/debian)\/? .*$/\2/p; s/^URIs: +(https?:\/\/[^ ]*\/debian)\/?$/\1/p' \
    | head -n 1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d /tmp/paycart-base.XXXXXX)
  echo "Making $BASE with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  tar -C "$root" -c . | "$engine" import - "$BASE" >/dev/null
  rm -rf "$root"
}

have_base() {
  "$engine" image inspect "$BASE" >/dev/null 2>&1 \
    || timeout 60 "$engine" pull -q "$BASE" >/dev/null 2>&1
}

format=()  # podman builds OCI images by default, which drop HEALTHCHECK
[ "$engine" = podman ] && format=(--format docker)

case "${1:-build}" in
  base) make_base ;;
  build)
    have_base || make_base
    # pip inside the build trusts what this machine trusts (a proxy's CA, where there is
    # one), passed as a build secret so nothing of it is baked into the image.
    ca=$(python3 -c 'import ssl; print(ssl.get_default_verify_paths().cafile or "")' 2>/dev/null)
    [ -s "$ca" ] || ca=/etc/ssl/certs/ca-certificates.crt
    # One line per step as it starts (a first build takes minutes); the log's last lines
    # when the build fails.
    log=$(mktemp /tmp/paycart-build.XXXXXX)
    echo "Building $IMAGE with $engine (a first build takes several minutes)"
    status=0
    # Each build is an image of its own (its time in a label): an upgrade and a rollback
    # (scripts/deploy.sh) always change what runs.
    "$engine" build "${format[@]}" --network host --secret "id=ca,src=$ca" \
      --label "paycart.built=$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t "$IMAGE" . 2>&1 \
      | tee "$log" | { grep --line-buffered -E '^(\[[0-9]+/[0-9]+\] )?(STEP|Step) ' || true; } \
      || status=$?
    if [ "$status" != 0 ]; then tail -n 40 "$log" >&2; rm -f "$log"; exit "$status"; fi
    rm -f "$log"
    # Each build leaves its build stage (labelled in the Dockerfile) untagged, and the image
    # the tag named before: remove both (an image kept for a rollback is tagged, and one a
    # container runs is never pruned).
    # Best effort: podman refuses while an interrupted build's working container still holds
    # one (`podman ps --external` lists it); a build never fails for it.
    "$engine" image prune -f --filter label=paycart.stage=build >/dev/null || true
    "$engine" image prune -f --filter label=paycart.built >/dev/null || true
    ;;
  standins)
    have_base || make_base
    for service in postgres redis nginx; do
      "$engine" build "${format[@]}" --network host -q -t "localhost/paycart-$service:debian" \
        "deploy/standins/$service" >/dev/null
      echo "${service^^}_IMAGE=localhost/paycart-$service:debian"
    done
    ;;
  *) echo "usage: ./scripts/image.sh [build|base|standins]" >&2; exit 2 ;;
esac
