#!/usr/bin/env bash
# Installs the independent DPoP / RFC 9728 clients of tests/dpop_interop.rs — npm's `dpop`
# and `oauth4webapi` (panva), at the versions of package-lock.json — under
# target/dpop-interop/ (or $JWT_GUARD_TARGET_DIR/dpop-interop), with client.mjs beside
# them. Idempotent: `npm ci` runs only when the lock file changed; a lock serializes
# parallel runs (the suite runs it on first use). Never global.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/dpop-interop"
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
cp "$here/client.mjs" "$dest/client.mjs"
if [ -d "$dest/node_modules/dpop" ] && [ -d "$dest/node_modules/oauth4webapi" ] \
  && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  echo "dpop-interop: already installed in $dest"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)
echo "dpop-interop: $(cd "$dest" && node -e 'for (const p of ["dpop", "oauth4webapi"]) console.log(p, require("./node_modules/" + p + "/package.json").version)' | tr '\n' ' ')in $dest"
