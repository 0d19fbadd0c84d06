#!/usr/bin/env bash
# A user's build time (issue 23): the clean debug build of the same 4-route axum service
# (one route protected) with jwt-guard's default features, with jwt-authorizer and with
# tower-oauth2-resource-server (the crates under bench/build-time/, each its own
# workspace and Cargo.lock). Rounds alternate the order (ABC, CBA, …), each build from an
# empty target dir; dependencies are downloaded before the clock starts. Prints each
# build's seconds, the median per crate and the ratios of the medians to jwt-guard's.
#
#   bench/build-time.sh                      3 rounds, all three services
#   ROUNDS=1 CRATES="jwt-guard jwt-authorizer" bench/build-time.sh
#   JWT_GUARD_DIR=/path/to/other/checkout bench/build-time.sh   time another jwt-guard
#   BEFORE_DIR=/tmp/jwt-guard-main bench/build-time.sh   adds "jwt-guard-before": the same
#       service on that checkout (e.g. `git archive main | tar -x -C /tmp/jwt-guard-main`),
#       in the same rounds, for a before/after of a change to the defaults
#
# A shared machine makes single figures noisy: compare only ratios from one run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-3}
read -r -a crates <<<"${CRATES:-jwt-guard jwt-authorizer tower-oauth2}"
jwt_guard_dir=$(cd "${JWT_GUARD_DIR:-$root}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Nothing cached between builds: no compiler wrapper, no shared target dir.
unset RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
export CARGO_TERM_COLOR=never

if [[ -n "${BEFORE_DIR:-}" ]]; then
  before_dir=$(cd "$BEFORE_DIR" && pwd)
  crates+=(jwt-guard-before)
fi
for crate in "${crates[@]}"; do
  if [[ $crate == jwt-guard-before ]]; then
    cp -r "$root/bench/build-time/jwt-guard" "$work/$crate"
    sed -i "s|path = \"../../../jwt-guard\"|path = \"$before_dir/jwt-guard\"|" "$work/$crate/Cargo.toml"
  else
    cp -r "$root/bench/build-time/$crate" "$work/$crate"
    sed -i "s|path = \"../../../jwt-guard\"|path = \"$jwt_guard_dir/jwt-guard\"|" "$work/$crate/Cargo.toml"
  fi
  # Outside the clock: downloads, and the lock file settled for this jwt-guard.
  cargo fetch --quiet --manifest-path "$work/$crate/Cargo.toml"
done
echo "rustc: $(rustc --version); jwt-guard from $jwt_guard_dir; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

: >"$work/times"
for ((round = 1; round <= rounds; round++)); do
  order=("${crates[@]}")
  if ((round % 2 == 0)); then
    order=()
    for ((i = ${#crates[@]} - 1; i >= 0; i--)); do order+=("${crates[i]}"); done
  fi
  for crate in "${order[@]}"; do
    rm -rf "$work/target"
    start=$(date +%s%N)
    cargo build --offline --quiet --manifest-path "$work/$crate/Cargo.toml" --target-dir "$work/target"
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    secs=$((ms / 1000)).$(printf '%03d' $((ms % 1000)))
    printf 'round %d  %-16s %8s s\n' "$round" "$crate" "$secs"
    echo "$crate $secs" >>"$work/times"
  done
done

python3 - "$work/times" "${crates[@]}" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, secs = line.split()
    times.setdefault(name, []).append(float(secs))
crates = sys.argv[2:]
base = statistics.median(times[crates[0]])
print(f"\n| service | clean debug build, median (s) | rounds (s) | / {crates[0]} |")
print("|---|---|---|---|")
for name in crates:
    med = statistics.median(times[name])
    rounds = ", ".join(f"{t:.1f}" for t in times[name])
    print(f"| {name} | {med:.1f} | {rounds} | {med / base:.2f} |")
if len(crates) > 1:
    for name in crates[1:]:
        print(f"{crates[0]} / {name}: {base / statistics.median(times[name]):.2f}")
PY
