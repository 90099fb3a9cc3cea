#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser tests (tests/test_widget_browser.py),
# if they are not there yet. The tests use these; no test tool downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: the browser tests need Chromium and ChromeDriver (Debian packages chromium, chromium-driver); install them" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: installing chromium needs root (or sudo)" >&2; exit 1; }
  sudo="sudo"
fi
echo "install: Debian's chromium and chromium-driver for the browser tests (apt-get)"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
/usr/bin/chromium --version
