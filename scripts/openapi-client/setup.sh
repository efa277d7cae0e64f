#!/usr/bin/env bash
# Installs what check.sh needs: the npm packages of this folder (package-lock.json) and
# openapi-spec-validator (requirements.txt) in the virtual environment .cache/venv-openapi
# (or OPENAPI_VENV). Idempotent: does nothing that is already done.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${OPENAPI_VENV:-$ROOT/.cache/venv-openapi}"

STAMP="$HERE/node_modules/.installed-from"
WANT="$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$WANT" >"$STAMP"
fi

PINNED="$(sed -n 's/^openapi-spec-validator==//p' "$HERE/requirements.txt")"
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('openapi-spec-validator') != '$PINNED')" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
fi
echo "openapi-spec-validator $PINNED in $VENV; openapi-typescript and tsc in $HERE/node_modules"
