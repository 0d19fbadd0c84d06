#!/usr/bin/env bash
# Installs the independent Token Status List implementation of tests/status_list.rs —
# npm's @sd-jwt/jwt-status-list, at the version of package-lock.json — under
# target/status-list/ (or $JWT_GUARD_TARGET_DIR/status-list), with lists.mjs beside it.
# Idempotent: `npm ci` runs only when the lock file changed; a lock serializes parallel
# runs (the suite runs it on first use). Never global.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/status-list"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "status-list: node and npm are missing (apt-get install nodejs npm)" >&2
    exit 1
  fi
fi
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
cp "$here/lists.mjs" "$dest/lists.mjs"
if [ -d "$dest/node_modules/@sd-jwt/jwt-status-list" ] \
  && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  echo "status-list: already installed in $dest"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
echo "status-list: @sd-jwt/jwt-status-list $(cd "$dest" && node -p 'require("./node_modules/@sd-jwt/jwt-status-list/package.json").version') in $dest"
