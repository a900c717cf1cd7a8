#!/usr/bin/env bash
# The one test command (README): installs what the tests need, then runs
# lint, type-check and the whole pytest suite. Safe to run again; skips installed parts.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}

echo "== python package with test extras"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[test]"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "== Debian chromium and chromium-driver (for the browser tests)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "== Debian nginx-light (tests/server/test_nginx.py runs the config build writes)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
    # The package starts a daemon on port 80; the tests run their own on loopback.
    $SUDO /usr/sbin/nginx -s quit 2>/dev/null || true
fi

if ! command -v redis-server >/dev/null 2>&1; then
    echo "== Debian redis-server (the DPoP replay cache's Redis test starts its own on loopback)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
    # The package may start a daemon on 6379; the test runs its own on a free port.
    $SUDO service redis-server stop >/dev/null 2>&1 || true
fi

if [ -f tests/interop/package.json ] && command -v npm >/dev/null 2>&1; then
    echo "== npm packages for the interop tests"
    (cd tests/interop && npm ci --silent --no-audit --no-fund)
fi

echo "== ruff"
"$PY" -m ruff check .
"$PY" -m ruff format --check .
echo "== mypy"
"$PY" -m mypy
echo "== pytest"
# coverage starts before pytest, so modules the pytest plugin entry point imports
# early are measured too (pytest-cov starts after plugins load).
"$PY" -m coverage run -m pytest "$@"
"$PY" -m coverage report --skip-covered
