#!/usr/bin/env bash
# Installs the independent OpenAPI validator of tests/openapi.rs: Python's
# `openapi-spec-validator` (not written by jwt-guard's authors), into a virtualenv under
# target/. Idempotent: a second run only checks the import. Never system-wide.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/openapi-validator/venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import openapi_spec_validator' 2>/dev/null; then
  echo "openapi-validator: openapi-spec-validator already installed in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'openapi-spec-validator==0.*'
"$venv/bin/python" -c 'import importlib.metadata as m; print("openapi-validator: openapi-spec-validator", m.version("openapi-spec-validator"), "in '"$venv"'")'
