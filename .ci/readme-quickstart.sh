#!/usr/bin/env bash
# Builds the README's "Quick start" as a crate of its own, with exactly the README's
# [dependencies] (jwt-guard taken from this checkout instead of crates.io), so that the
# snippet a newcomer copies compiles as written.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/target/readme-quickstart"
rm -rf "$dir"
mkdir -p "$dir/src"
python3 - "$root" "$dir" <<'EOF'
import re, sys
root, out = sys.argv[1], sys.argv[2]
readme = open(f"{root}/README.md").read()
section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
toml = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
rust = re.search(r"```rust[^\n]*\n(.*?)```", section, re.S).group(1)
if not toml.startswith("[dependencies]\n"):
    sys.exit("the quick start's toml block must start with [dependencies]")
deps = re.sub(r'(?m)^jwt-guard = "[^"]*"$', f'jwt-guard = {{ path = "{root}/jwt-guard" }}', toml)
if deps == toml:
    sys.exit('the quick start must depend on jwt-guard = "<version>"')
open(f"{out}/Cargo.toml", "w").write(
    '[package]\nname = "readme-quickstart"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    '[workspace]\n\n' + deps)
open(f"{out}/src/main.rs", "w").write(rust)
EOF
# The workspace's lock file pins the same versions, so the build reuses what CI built.
cp "$root/Cargo.lock" "$dir/Cargo.lock"
CARGO_TARGET_DIR="$root/target" cargo build --manifest-path "$dir/Cargo.toml"
echo "README quick start: builds with its own [dependencies]"
