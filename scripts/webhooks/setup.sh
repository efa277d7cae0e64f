#!/usr/bin/env bash
# Creates the Python virtual environment with the pinned Standard Webhooks reference package
# (requirements.txt) in .cache/venv-webhooks, or the folder named by WEBHOOKS_VENV. The webhook
# delivery tests verify every signature they receive with it. Idempotent: does nothing when
# the pinned version is already installed there.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${WEBHOOKS_VENV:-$ROOT/.cache/venv-webhooks}"
PINNED="$(sed -n 's/^standardwebhooks==//p' "$HERE/requirements.txt")"

installed() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("standardwebhooks"))' 2>/dev/null
}

if [ -x "$VENV/bin/python" ] && [ "$(installed)" = "$PINNED" ]; then
  echo "standardwebhooks $PINNED is installed in $VENV"
  exit 0
fi

python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
echo "standardwebhooks $(installed) in $VENV"
