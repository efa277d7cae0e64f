#!/usr/bin/env bash
# Installs and prepares what the tests need on a Debian machine (scripts/ci.sh runs it after
# formatting and lints, before the tests): the npm packages of the snarkjs and EdDSA-Poseidon
# interop tests (snarkjs, circomlibjs, @zk-kit/eddsa-poseidon),
# redis-server, Chromium and chromedriver, Maven (for the embedded Neo4j), python3's requests, python3-venv,
# the pinned schemathesis, the pinned standardwebhooks (webhook signature checks), the pinned Selenium and axe-core (browser tests), and the OpenAPI client tools (openapi-spec-validator,
# openapi-typescript, tsc). node, java (17 or newer) and python3 must be there already.
# Debian packages are installed as root or through sudo, and only when missing.
# Idempotent: a second run installs nothing and takes a few seconds; the caches live in
# git-ignored folders of the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

APT_SUDO=unknown # "" as root, "sudo" otherwise; decided on the first install
APT_UPDATED=false

# debian_package PACKAGE CHECK...: installs the Debian PACKAGE unless the command CHECK...
# succeeds, then runs CHECK... again to make sure the package provided what was missing.
# `apt-get update` runs at most once per run, before the first install.
debian_package() {
  local package=$1
  shift
  "$@" >/dev/null 2>&1 && return 0
  if [ "$APT_SUDO" = unknown ]; then
    if [ "$(id -u)" -eq 0 ]; then
      APT_SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
      APT_SUDO=sudo
    else
      echo "$package is missing; install it as root (apt-get install $package)" >&2
      exit 1
    fi
  fi
  if [ "$APT_UPDATED" = false ]; then
    $APT_SUDO apt-get update
    APT_UPDATED=true
  fi
  $APT_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "$package"
  "$@" >/dev/null 2>&1 || { echo "installed $package, but \`$*\` still fails" >&2; exit 1; }
}

if [ -f scripts/zk-interop/package.json ]; then
  step "npm packages for the snarkjs and EdDSA-Poseidon interop tests"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "node and npm are required for the snarkjs interop tests" >&2
    exit 1
  fi
  (
    cd scripts/zk-interop
    if [ -f package-lock.json ]; then
      # `npm ci` starts from an empty node_modules; skip it when the lock file has not changed.
      stamp=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
      if [ "$(cat node_modules/.lock.sha256 2>/dev/null)" = "$stamp" ]; then
        echo "node_modules matches package-lock.json"
      else
        npm ci --no-audit --no-fund --loglevel=error
        mkdir -p node_modules
        echo "$stamp" >node_modules/.lock.sha256
      fi
    else
      npm install --no-audit --no-fund --loglevel=error
    fi
  )
fi

step "redis-server for the shared-state tests"
debian_package redis-server command -v redis-server
redis-server --version

step "Chromium and its driver for the browser tests"
debian_package chromium command -v chromium
chromium --version
debian_package chromium-driver command -v chromedriver
chromedriver --version

step "Maven for the Neo4j store conformance tests"
command -v java >/dev/null 2>&1 || { echo "java (17 or newer) is required for the Neo4j tests" >&2; exit 1; }
debian_package maven command -v mvn
mvn -B -v 2>/dev/null | sed -n 's/^.*\(Apache Maven [^ ]*\).*$/\1/p'

step "python3 and requests for the AI-agent tests"
command -v python3 >/dev/null 2>&1 || { echo "python3 is required (canonical JSON oracle, AI-agent client)" >&2; exit 1; }
if ! python3 -c 'import requests' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check requests \
    || python3 -m pip install --quiet --disable-pip-version-check --user requests \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages requests
fi
python3 -c 'import requests, sys; print("python", sys.version.split()[0], "requests", requests.__version__)'

step "python3-venv for the schemathesis and deployment-check environments"
# Debian splits venv support out of python3.
debian_package python3-venv python3 -c 'import ensurepip, venv'
echo "python3 -m venv works"

step "schemathesis for the schema fuzzing test"
scripts/schemathesis/setup.sh

step "standardwebhooks for the webhook delivery tests"
scripts/webhooks/setup.sh

step "Selenium and axe-core for the web app's browser tests"
scripts/browser/setup.sh

step "openapi-spec-validator, openapi-typescript and tsc for the generated-client test"
scripts/openapi-client/setup.sh
