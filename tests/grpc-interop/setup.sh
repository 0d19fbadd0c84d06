#!/usr/bin/env bash
# Installs the independent gRPC client of tests/grpc.rs: Python's `grpcio` (the gRPC
# project's own implementation, not written by jwt-guard's authors), into a virtualenv
# under target/ (or $JWT_GUARD_TARGET_DIR). Idempotent: a second run only checks the
# import. Never system-wide. Run by .ci/run, and by the suite itself on first use.
# Needs python3 (with venv and pip) and PyPI.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/grpc-interop"
venv="$dest/venv"
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import grpc' 2>/dev/null; then
  echo "grpc-interop: grpcio already installed in $venv"
  exit 0
fi
command -v python3 >/dev/null || { echo "grpc-interop: python3 is missing (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: 'grpcio==1.*'
"$venv/bin/python" -c 'import grpc; print("grpc-interop: grpcio", grpc.__version__, "in '"$venv"'")'
