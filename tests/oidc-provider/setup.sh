#!/usr/bin/env bash
# Installs the authorization server of tests/introspection.rs — npm's `oidc-provider`
# (panva), at the version of package-lock.json — under target/oidc-provider/ (or
# $JWT_GUARD_TARGET_DIR/oidc-provider), with server.mjs beside it. Idempotent: `npm ci`
# runs only when the lock file changed; a lock serializes parallel runs (the suite runs
# it on first use). Never global. Needs node (>= 20) and npm: on a Debian machine run as
# root without them, they are installed with apt-get.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/oidc-provider"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update && apt-get install -y nodejs npm
  else
    echo "oidc-provider: node and npm are missing (Debian: apt-get install -y nodejs npm)" >&2
    exit 1
  fi
fi
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
cp "$here/server.mjs" "$dest/server.mjs"
if [ -d "$dest/node_modules/oidc-provider" ] \
  && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  echo "oidc-provider: already installed in $dest"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
echo "oidc-provider: $(cd "$dest" && node -e 'console.log(require("./node_modules/oidc-provider/package.json").version)') in $dest"
