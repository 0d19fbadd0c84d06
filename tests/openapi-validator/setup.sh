#!/usr/bin/env bash
# Installs the independent OpenAPI validator of tests/openapi.rs: Python's
# `openapi-spec-validator` (not written by jwt-guard's authors), into a virtualenv under
# target/ (or $JWT_GUARD_TARGET_DIR). Idempotent: a second run only checks the import.
# Never system-wide. Run by .ci/run, and by the suite itself on first use.
# Needs python3 (with venv and pip) and PyPI.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${JWT_GUARD_TARGET_DIR:-$root/target}/openapi-validator"
venv="$dest/venv"
mkdir -p "$dest"
exec 9>"$dest.lock"
flock 9
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import openapi_spec_validator' 2>/dev/null; then
  echo "openapi-validator: openapi-spec-validator already installed in $venv"
  exit 0
fi
command -v python3 >/dev/null || { echo "openapi-validator: python3 is missing (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'openapi-spec-validator==0.*'
"$venv/bin/python" -c 'import importlib.metadata as m; print("openapi-validator: openapi-spec-validator", m.version("openapi-spec-validator"), "in '"$venv"'")'
