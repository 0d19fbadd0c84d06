#!/usr/bin/env bash
# Load benchmark: wrk against, in alternating rounds,
#   open      the example server's open route (GET /public)
#   guard     the example server's /protected, guarded by #[authenticate("jwt")]
#   cached    the same with the verified-token cache on (TOKEN_CACHE=1)
#   handwritten  an axum 0.8 route checking RS256 by hand (jsonwebtoken::decode, key built once)
#   authorizer   an axum 0.7 route behind jwt-authorizer 0.15
#   seed         the seed's strategy on node/express (jwks-rsa client built per request),
#                when node and npm are installed (SEED=0 to leave it out)
# all with the same token and key (the example server's embedded issuer), on 127.0.0.1.
# Records req/s, p50/p99 latency, server CPU µs per request (/proc) and peak RSS.
#
#   bash bench/load.sh              # 3 rounds of 10 s per target
#   ROUNDS=5 DURATION=20 bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
OUT=${OUT:-bench/results/load-$(date -u +%Y%m%dT%H%M%SZ).md}
mkdir -p "$(dirname "$OUT")"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)…"
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

echo "building (release)…"
cargo build --release -q --example server
cargo build --release -q --manifest-path bench/peers/Cargo.toml
SEED=${SEED:-1}
if [ "$SEED" = 1 ] && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  (cd bench/seed && npm ci --no-audit --no-fund --silent)
else
  SEED=0
fi
SERVER=target/release/examples/server
PEERS=bench/peers/target/release/jwt-guard-bench-peers

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

log=$(mktemp)
RUST_LOG=warn PORT=18080 "$SERVER" >"$log" 2>&1 & pids+=($!); GUARD_PID=$!
wait_port 18080
for _ in $(seq 1 50); do grep -q "Authorization: Bearer" "$log" && break; sleep 0.1; done
ISSUER=$(sed -n 's/^issuer: //p' "$log")
TOKEN=$(sed -n "s/.*Authorization: Bearer \([^']*\)'.*/\1/p" "$log" | head -1)
[ -n "$ISSUER" ] && [ -n "$TOKEN" ] || { echo "could not read issuer/token from the example server" >&2; cat "$log"; exit 1; }

RUST_LOG=warn ISSUER="$ISSUER" TOKEN_CACHE=1 PORT=18081 "$SERVER" >/dev/null 2>&1 & pids+=($!); CACHED_PID=$!
"$PEERS" handwritten 18082 "$ISSUER" >/dev/null 2>&1 & pids+=($!); HAND_PID=$!
"$PEERS" authorizer 18083 "$ISSUER" >/dev/null 2>&1 & pids+=($!); AUTH_PID=$!
for port in 18081 18082 18083; do wait_port $port; done
if [ "$SEED" = 1 ]; then
  node bench/seed/server.js 18084 "$ISSUER" >/dev/null 2>&1 & pids+=($!); SEED_PID=$!
  wait_port 18084
fi

declare -A URL=( [open]=http://127.0.0.1:18080/public [guard]=http://127.0.0.1:18080/protected
  [cached]=http://127.0.0.1:18081/protected [handwritten]=http://127.0.0.1:18082/protected
  [authorizer]=http://127.0.0.1:18083/protected )
declare -A PID=( [open]=$GUARD_PID [guard]=$GUARD_PID [cached]=$CACHED_PID [handwritten]=$HAND_PID [authorizer]=$AUTH_PID )
TARGETS=(open guard cached handwritten authorizer)
if [ "$SEED" = 1 ]; then
  URL[seed]=http://127.0.0.1:18084/protected; PID[seed]=$SEED_PID; TARGETS+=(seed)
fi

# Every target must answer 200 to the token before it is measured.
for t in "${TARGETS[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "${URL[$t]}")
  [ "$code" = 200 ] || { echo "$t answered $code" >&2; exit 1; }
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

results=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    before=$(ticks "${PID[$t]}")
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "${URL[$t]}")
    after=$(ticks "${PID[$t]}")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    total=$(awk '/requests in/ {print $1}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    cpu_us=$(awk -v a="$before" -v b="$after" -v n="$total" -v hz="$HZ" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
    echo "$round $t $rps $p50 $p99 $cpu_us ${non2xx:-0}" | tee -a "$results"
  done
done

peak() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
{
  echo "# Load benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s, $ROUNDS alternating rounds; $(nproc) cores; server and wrk on one machine."
  echo
  echo "| target | req/s (median) | p50 | p99 | CPU µs/req | peak RSS KiB | non-2xx |"
  echo "|---|---|---|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    awk -v t="$t" '$2==t' "$results" | sort -k3 -n | awk -v t="$t" -v rss="$(peak "${PID[$t]}")" '
      { r[NR]=$3; p50[NR]=$4; p99[NR]=$5; cpu[NR]=$6; bad+=$7 }
      END { m=int((NR+1)/2); printf "| %s | %.0f | %s | %s | %s | %s | %d |\n", t, r[m], p50[m], p99[m], cpu[m], rss, bad }'
  done
  echo
  echo "Ratios (median req/s):"
  awk '{ a[$2]=a[$2] " " $3 } END { for (t in a) print t, a[t] }' "$results" | python3 -c '
import sys, statistics
m = {l.split()[0]: statistics.median(map(float, l.split()[1:])) for l in sys.stdin}
for a, b in [("guard","handwritten"),("guard","authorizer"),("cached","open"),("guard","open"),("handwritten","open"),("authorizer","handwritten"),("guard","seed")]:
    if a in m and b in m:
        print(f"- {a} / {b}: {m[a]/m[b]:.2f}")'
} | tee "$OUT"
echo "written to $OUT"
