#!/usr/bin/env bash
# Installs the MCP TypeScript SDK (`@modelcontextprotocol/sdk`, the reference client of the
# MCP authorization specification) at the version of package-lock.json under
# target/mcp-interop/ (or $JWT_GUARD_TARGET_DIR/mcp-interop), with client.mjs beside it,
# for tests/mcp_interop.rs. Idempotent: `npm ci` runs only when the lock file changed; a
# lock serializes parallel runs (the suite runs it on first use). Never global.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/mcp-interop"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  # A fresh Debian machine (CI): install them when we may; otherwise say how.
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "mcp-interop: node (18 or later) and npm are needed: sudo apt-get install nodejs npm" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  echo "mcp-interop: the MCP SDK needs node 18 or later, found $(node --version)" >&2
  exit 1
fi
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
cp "$here/client.mjs" "$dest/client.mjs"
if [ -d "$dest/node_modules/@modelcontextprotocol/sdk" ] \
  && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  echo "mcp-interop: already installed in $dest"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
echo "mcp-interop: @modelcontextprotocol/sdk $(cd "$dest" && node -p 'require("./node_modules/@modelcontextprotocol/sdk/package.json").version') in $dest"
