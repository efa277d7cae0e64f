#!/usr/bin/env bash
# Checks an OpenAPI document the way its users will use it:
#
#   scripts/openapi-client/check.sh OPENAPI_JSON
#
# 1. openapi-spec-validator (in .cache/venv-openapi, made by setup.sh) validates it;
# 2. openapi-typescript makes TypeScript types of it (generated/schema.d.ts, git-ignored);
# 3. tsc type-checks client.ts, a small client of the main operations, against those types.
# Exits non-zero, saying which step failed, when any does.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${OPENAPI_VENV:-$ROOT/.cache/venv-openapi}"
DOC="$1"

echo "==> openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$DOC"

echo "==> openapi-typescript"
mkdir -p "$HERE/generated"
"$HERE/node_modules/.bin/openapi-typescript" "$DOC" --output "$HERE/generated/schema.d.ts"

echo "==> tsc --noEmit (client.ts against the generated types)"
(cd "$HERE" && ./node_modules/.bin/tsc --noEmit -p tsconfig.json)
echo "OK: the document validates and its TypeScript client type-checks"
