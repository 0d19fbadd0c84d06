#!/usr/bin/env bash
# Installs the independent gRPC client of tests/grpc.rs: Python's `grpcio` (the gRPC
# project's own implementation, not written by jwt-guard's authors), into a virtualenv
# under target/. Idempotent: a second run only checks the import. Never system-wide.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/grpc-interop/venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import grpc' 2>/dev/null; then
  echo "grpc-interop: grpcio already installed in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: 'grpcio==1.*'
"$venv/bin/python" -c 'import grpc; print("grpc-interop: grpcio", grpc.__version__, "in '"$venv"'")'
