#!/usr/bin/env bash
# Installs the reference verifier of tests/jose.rs — npm's `jose` (panva), at the version
# of package-lock.json — under target/jose-differential/ (or $JWT_GUARD_TARGET_DIR), with
# verify.mjs beside it. Idempotent: `npm ci` runs only when the lock file changed. Never
# global. Run by .ci/run, and by the suite itself on first use. Needs node (18 or later)
# and npm, and the npm registry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/jose-differential"
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "jose-differential: node and npm are missing (Debian: apt-get install nodejs npm)" >&2
  exit 1
}
cp "$here/verify.mjs" "$dest/verify.mjs"
if [ -d "$dest/node_modules/jose" ] && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  echo "jose-differential: already installed in $dest"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
echo "jose-differential: jose $(cd "$dest" && node -p 'require("./node_modules/jose/package.json").version') in $dest"
