#!/usr/bin/env bash
# Creates the Python virtual environment with the pinned schemathesis (requirements.txt) in
# .cache/venv-schemathesis, or the folder named by SCHEMATHESIS_VENV. Idempotent: does nothing
# when the pinned version is already installed there.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${SCHEMATHESIS_VENV:-$ROOT/.cache/venv-schemathesis}"
PINNED="$(sed -n 's/^schemathesis==//p' "$HERE/requirements.txt")"

if [ -x "$VENV/bin/st" ] && [ "$("$VENV/bin/st" --version 2>/dev/null)" = "st, version $PINNED" ]; then
  echo "schemathesis $PINNED is installed in $VENV"
  exit 0
fi

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "python3-venv is missing; install it as root (apt-get install python3-venv)" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
fi

python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
"$VENV/bin/st" --version
