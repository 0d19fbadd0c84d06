#!/usr/bin/env bash
# The interleaved bench of this checkout against the same bench at an earlier revision
# (default 1e59fb0, the 0.2 request path before the 0.3 work), in one session:
#
#   bench/compare-rev.sh [REV] [ROUNDS]        (ROUNDS defaults to 6)
#
# Both bench binaries are built first (release; REV in a git worktree under
# target/compare-rev/REV). Then the two binaries run in alternating rounds (this, REV,
# REV, this, …: the order flips every round), each a `--quick` interleaved run. Each row
# of the bench is a ratio against a floor measured in the same process (raw aws-lc verify,
# or bearer extraction), so one round of each side gives one pair of ratios; the script
# prints, per row, the median over rounds of (this / REV) of those ratios and its spread,
# and the same for the absolute time of the B side (the rounds alternate, so drift hits
# both sides alike). A figure below 1.00 means this checkout is faster than REV. Prints
# Markdown.
set -euo pipefail
rev="${1:-1e59fb0}"
rounds="${2:-6}"
root="$(git rev-parse --show-toplevel)"
cd "$root"
work="$root/target/compare-rev"
mkdir -p "$work"
old="$work/$rev"
if [[ ! -d "$old" ]]; then
  git worktree add --detach "$old" "$rev" >/dev/null
fi

bench_bin() { # DIR TARGET_DIR -> path of the built interleaved bench binary
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench --locked -p jwt-guard-bench --bench interleaved --no-run \
    --message-format=json 2>/dev/null) |
    python3 -c 'import json,sys
for line in sys.stdin:
    try: m=json.loads(line)
    except ValueError: continue
    if m.get("reason")=="compiler-artifact" and m.get("target",{}).get("name")=="interleaved" and m.get("executable"):
        print(m["executable"])' | tail -1
}

echo "building the bench of this checkout and of $rev …" >&2
new_bin="$(bench_bin "$root" "$root/target")"
old_bin="$(bench_bin "$old" "$work/target-$rev")"
[[ -x "$new_bin" && -x "$old_bin" ]] || { echo "a bench binary failed to build" >&2; exit 1; }

out="$work/runs"; rm -rf "$out"; mkdir -p "$out"
for ((i = 0; i < rounds; i++)); do
  if ((i % 2 == 0)); then order=(new old); else order=(old new); fi
  for side in "${order[@]}"; do
    bin="$new_bin"; [[ $side == old ]] && bin="$old_bin"
    echo "round $((i + 1))/$rounds: $side" >&2
    "$bin" --quick > "$out/$side-$i.md" 2>/dev/null
  done
done

python3 - "$out" "$rounds" "$rev" <<'EOF'
import pathlib, statistics, sys
out, rounds, rev = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def ns(cell):
    value, unit = cell.split()
    return float(value) * {"ns": 1, "µs": 1e3, "ms": 1e6}[unit]
def rows(path):
    found = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[4].endswith("×") and cells[0].startswith("A "):
            found[(cells[0], cells[1])] = (float(cells[4].rstrip("×")), ns(cells[3]))
    return found
ratio_pairs, time_pairs = {}, {}
for i in range(rounds):
    new, old = rows(out / f"new-{i}.md"), rows(out / f"old-{i}.md")
    for key in new.keys() & old.keys():
        ratio_pairs.setdefault(key, []).append(new[key][0] / old[key][0])
        time_pairs.setdefault(key, []).append(new[key][1] / old[key][1])
def fmt(values):
    return f"{statistics.median(values):.3f}× | {min(values):.3f}× – {max(values):.3f}×"
print(f"| comparison | claims | B / A, this / {rev}: median | min – max | B per op, this / {rev}: median | min – max | rounds |")
print("|---|---|---|---|---|---|---|")
for key in sorted(ratio_pairs):
    name, claims = key
    print(f"| {name} | {claims} | {fmt(ratio_pairs[key])} | {fmt(time_pairs[key])} | {len(ratio_pairs[key])} |")
EOF
