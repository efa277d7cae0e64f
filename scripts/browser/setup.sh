#!/usr/bin/env bash
# Prepares the web app's browser tests: the pinned Selenium (requirements.txt) in a Python
# virtual environment (.cache/venv-browser, or BROWSER_VENV) and axe-core (package.json,
# node_modules here). Chromium and its driver are Debian packages that
# scripts/install-test-deps.sh installs; nothing here downloads a browser. Idempotent: does
# nothing when the pinned versions are already there.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${BROWSER_VENV:-$ROOT/.cache/venv-browser}"
PINNED="$(sed -n 's/^selenium==//p' "$HERE/requirements.txt")"

installed() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("selenium"))' 2>/dev/null
}

if [ -x "$VENV/bin/python" ] && [ "$(installed)" = "$PINNED" ]; then
  echo "selenium $PINNED is installed in $VENV"
else
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "selenium $(installed) in $VENV"
fi

cd "$HERE"
stamp=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat node_modules/.lock.sha256 2>/dev/null)" = "$stamp" ]; then
  echo "axe-core matches package-lock.json"
else
  npm ci --no-audit --no-fund --loglevel=error
  echo "$stamp" >node_modules/.lock.sha256
fi
node -e 'console.log("axe-core", require("axe-core/package.json").version)'
