#!/usr/bin/env bash
# Headless Chromium for the real-browser tests (Neo4j Browser screenshot). Debian's chromium package is used;
# Playwright (Microsoft.Playwright) drives it and never downloads a browser of its own.
#   scripts/browser.sh install   installs chromium with apt when missing; prints "export EHRR1_CHROMIUM=PATH" on stdout
set -euo pipefail

find_chromium() {
  for c in "${EHRR1_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  return 1
}

case "${1:-}" in
  install)
    if ! path=$(find_chromium); then
      if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
        echo "chromium is missing and apt needs root: install the 'chromium' package" >&2
        exit 1
      fi
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
      # wait for another apt/dpkg run to finish (at most 5 minutes)
      for _ in $(seq 1 60); do
        if ! pgrep -x apt-get >/dev/null && ! pgrep -x dpkg >/dev/null; then break; fi
        sleep 5
      done
      echo "installing Debian chromium (apt)..." >&2
      $SUDO apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
      path=$(find_chromium)
    fi
    echo "export EHRR1_CHROMIUM=$path"
    ;;
  *)
    echo "usage: scripts/browser.sh install" >&2
    exit 2
    ;;
esac
