#!/usr/bin/env bash
# What the browser tests (tests/browser, run by scripts/browser-test.sh)
# need on a machine; idempotent: installs only what is missing.
#
#   scripts/install-browser.sh
#
# - Debian's `chromium` (/usr/bin/chromium), driven headless;
# - the npm packages of tests/browser/package.json (playwright-core, which
#   drives the installed chromium and downloads no browser of its own, and
#   axe-core, the accessibility checker the tests inject into each page),
#   installed with `npm ci` from the committed package-lock.json into
#   tests/browser/node_modules (ignored by git, never vendored).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi

if [ -x /usr/bin/chromium ]; then
    echo "install-browser: chromium already installed"
else
    echo "install-browser: installing chromium"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium
    [ -x /usr/bin/chromium ] || { echo "install-browser: /usr/bin/chromium still missing" >&2; exit 1; }
fi

command -v npm >/dev/null 2>&1 || {
    echo "install-browser: npm is missing (install Debian's nodejs and npm)" >&2
    exit 1
}

cd tests/browser
if [ -f node_modules/playwright-core/package.json ] && [ -f node_modules/axe-core/axe.min.js ] \
    && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    echo "install-browser: npm packages already installed"
else
    echo "install-browser: installing the npm packages of tests/browser"
    # No browser download: the tests use Debian's chromium.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
echo "install-browser: done"
