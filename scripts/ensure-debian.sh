#!/usr/bin/env bash
# Usage: ensure-debian.sh FILE PACKAGE... Installs Debian's PACKAGEs when FILE is missing.
# Used by the tests for the programs they drive (Chromium, Redis); prints FILE.
set -euo pipefail
file=$1; shift
if [ ! -x "$file" ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "$file is missing; run: sudo apt-get install $*" >&2
    exit 1
  fi
  echo "Installing $* from Debian's packages..." >&2
  # Several test processes may ask at once: one apt at a time.
  exec 9>/tmp/ivig-ensure-debian.lock
  flock 9
  if [ ! -x "$file" ]; then
    # A failed update (a mirror down, an unreadable /tmp for apt-key) need not stop the install:
    # the package lists already on the machine may hold the packages.
    apt-get update -qq >&2 || echo "apt-get update failed; trying the package lists already here" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  fi
fi
echo "$file"
