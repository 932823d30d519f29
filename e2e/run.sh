#!/usr/bin/env bash
# Vigie's browser tests. Usage: e2e/run.sh path/to/built/vigie
#
# Builds nothing: starts `vigie serve --demo` from the given binary in a temporary working directory
# on a free loopback port, waits for /healthz, runs every e2e/NN-*.mjs in order with node (headless
# Debian Chromium through playwright-core), stops the server, and exits non-zero on any failure.
# Screenshots and the server log go to e2e/out/.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 path/to/vigie" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
if [ ! -x "$bin" ]; then
  echo "e2e: $1 is not an executable (build it first: cargo build -p vigie)" >&2
  exit 2
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: /usr/bin/chromium is missing (apt-get install -y chromium)" >&2
  exit 2
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

out="$here/out"
rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/vigie-e2e.XXXXXX")"
pid=""

stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "e2e: the server did not stop on SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:$port"
(cd "$work" && exec "$bin" serve --demo --listen "127.0.0.1:$port") >"$out/server.log" 2>&1 &
pid=$!

healthy() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1
  else
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url/healthz"
  fi
}

echo "e2e: waiting for $url/healthz (demo data is being generated)"
ready=""
for _ in $(seq 1 600); do
  if healthy; then
    ready=1
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "e2e: the server exited before it was ready:" >&2
    tail -n 40 "$out/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "e2e: the server was not ready after 300 s" >&2
  tail -n 40 "$out/server.log" >&2
  exit 1
fi

passed=0
failed=0
for script in "$here"/[0-9][0-9]-*.mjs; do
  if VIGIE_URL="$url" node "$script"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

stop_server
echo "e2e: $passed passed, $failed failed"
echo "e2e: screenshots in $out"
[ "$failed" -eq 0 ]
