#!/usr/bin/env bash
# Makes sure Debian's `redis-server` is installed, for tests/dpop_redis.rs (which starts
# its own server on a free 127.0.0.1 port, never a system service). Idempotent. Run by
# .ci/run, and by the suite itself on first use. Needs root and apt-get when the binary is
# missing; otherwise install it by hand: apt-get install redis-server.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/redis"
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
if command -v redis-server >/dev/null 2>&1; then
  echo "redis: $(redis-server --version)"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "redis: redis-server is missing; install it with: sudo apt-get install redis-server" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
echo "redis: installed $(redis-server --version)"
