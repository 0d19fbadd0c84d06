#!/usr/bin/env bash
# Installs the independent signer of tests/algorithms.rs — sign.mjs, node's own crypto
# (OpenSSL), no npm package — under target/node-signers/ (or $JWT_GUARD_TARGET_DIR).
# Idempotent; a lock serializes parallel runs (the suite runs it on first use through
# `jwt_guard_tests::install`). Needs node 18 or later; on a Debian machine where it is
# missing and we are root, installs it with apt-get.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/node-signers"
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
if ! command -v node >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs >/dev/null
  else
    echo "node-signers: node is missing (Debian: apt-get install nodejs)" >&2
    exit 1
  fi
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 18 ]; then
  echo "node-signers: node $major is too old (18 or later: secp256k1 and Ed25519 JWKs)" >&2
  exit 1
fi
cp "$here/sign.mjs" "$dest/sign.mjs"
echo "node-signers: node $(node --version) in $dest"
