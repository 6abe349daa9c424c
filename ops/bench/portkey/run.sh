#!/usr/bin/env bash
# Starts Portkey's open-source gateway (@portkey-ai/gateway 1.15.2, @hono/node-server pinned to
# 1.14.1: later versions break its streaming) on 127.0.0.1:${PORTKEY_PORT:-8787}, for the
# side-by-side benchmark in docs/BENCHMARKS.md. Installs it from the npm registry on first use.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if [ ! -d node_modules/@portkey-ai/gateway ]; then
  npm ci --no-audit --no-fund >&2
fi
export NODE_ENV=production
exec node --import ./loopback.mjs node_modules/@portkey-ai/gateway/build/start-server.js \
  --port="${PORTKEY_PORT:-8787}" --headless
