#!/usr/bin/env bash
# Load benchmark: wrk against, in alternating rounds,
#   open      the example server's open route (GET /public)
#   guard     the example server's /protected, guarded by #[authenticate("jwt")]
#   cached    the same with the verified-token cache on (TOKEN_CACHE=1)
#   introspection  an axum 0.8 route behind AuthLayer with jwt_guard::IntrospectionStrategy,
#                its result cache on, against an RFC 7662 endpoint (client_secret_basic) that
#                bench/src/bin/load.rs serves itself on 127.0.0.1; wrk sends one opaque
#                token, so this is the cache-hit path (one introspection call per max_ttl)
#   status       the layer route with the token cache on and .status_list(StatusListConfig::
#                check()): load.rs starts a testkit issuer of its own, serves a Status List
#                Token signed with its key on 127.0.0.1, and mints the token (a `status`
#                claim pointing into the list) that wrk sends to this target
#   handwritten  an axum 0.8 route checking RS256 by hand (jsonwebtoken::decode, key built once)
#   authorizer   an axum 0.7 route behind jwt-authorizer 0.15
#   tower-oauth2 an axum 0.8 route behind tower-oauth2-resource-server 0.12 (aws-lc), which
#                finds the key set through the issuer's OIDC discovery
#                (ISSUER/.well-known/openid-configuration) and refreshes it every 60 s
#   layer        an axum 0.8 router behind jwt_guard::layer::AuthLayer (bench/src/bin/load.rs)
#   layer-cached the same with the token cache on: the like-for-like base of introspection
#                and status (same binary, same route, same layer)
#   grpc-open, grpc, grpc-cached   a tonic service without a layer, behind GrpcAuthLayer, and
#                the same with the token cache; driven by bench/src/bin/load.rs's HTTP/2
#                client (wrk speaks no HTTP/2), GRPC_CONNECTIONS × GRPC_STREAMS in flight
#   seed         the seed's strategy on node/express (jwks-rsa client built per request),
#                when node and npm are installed (SEED=0 to leave it out)
# all with the same token and key (the example server's embedded issuer), on 127.0.0.1,
# except introspection and status, which send the token their server printed.
# What each JWT target checks: the signature (RS256 only: jwt-guard's default, the
# hand-written Validation::new(RS256), jwt-authorizer from the JWK's alg,
# tower-oauth2 allowed_algorithms([RS256])), `exp`, and `iss` = ISSUER (jwt-guard and
# handwritten set it; jwt-authorizer through Validation::iss; tower-oauth2 from the
# discovered issuer, which it requires to equal ISSUER). None checks `aud`: the token has
# none. The token has no `nbf` either (jwt-guard checks it when present; the three peers,
# as set up here, do not: their defaults).
# Every target must answer 200 to its token (and 401 without one) before it is measured,
# and the run stops with an error as soon as a target answers anything but 2xx under load.
# Records req/s, p50/p99 latency, server CPU µs per request (/proc) and peak RSS.
#
#   bash bench/load.sh              # 3 rounds of 10 s per target
#   ROUNDS=5 DURATION=20 bash bench/load.sh
#   TARGETS="cached introspection status" ROUNDS=1 DURATION=5 bash bench/load.sh
#                                   # only these targets (builds and starts only what they need)
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

ALL_TARGETS="open guard cached introspection status layer layer-cached handwritten authorizer tower-oauth2 grpc-open grpc grpc-cached seed"
TARGETS=(${TARGETS:-$ALL_TARGETS})
for t in "${TARGETS[@]}"; do
  [[ " $ALL_TARGETS " == *" $t "* ]] || { echo "unknown target $t (one of: $ALL_TARGETS)" >&2; exit 1; }
done
want() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }
wants_peers() { want handwritten || want authorizer || want tower-oauth2; }

echo "building (release)…"
cargo build --release -q --example server
cargo build --release -q -p jwt-guard-bench --bin load
# The peers are a workspace of their own: their own target dir, beside the workspace's.
PEERS_TARGET=${CARGO_TARGET_DIR:-target}/peers
if wants_peers; then CARGO_TARGET_DIR=$PEERS_TARGET cargo build --release -q --manifest-path bench/peers/Cargo.toml; fi
SEED=${SEED:-1}
if [ "$SEED" = 1 ] && want seed && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  (cd bench/seed && npm ci --no-audit --no-fund --silent)
else
  SEED=0
fi
SERVER=${CARGO_TARGET_DIR:-target}/release/examples/server
PEERS=$PEERS_TARGET/release/jwt-guard-bench-peers
LOAD=${CARGO_TARGET_DIR:-target}/release/load
GRPC_CONNECTIONS=${GRPC_CONNECTIONS:-4}
GRPC_STREAMS=${GRPC_STREAMS:-8}

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

declare -A PID=( [open]=$GUARD_PID [guard]=$GUARD_PID )
declare -A PORT=( [cached]=18081 [handwritten]=18082 [authorizer]=18083 [seed]=18084 [layer]=18085
  [grpc-open]=18086 [grpc]=18087 [grpc-cached]=18088 [introspection]=18089 [status]=18090
  [tower-oauth2]=18091 [layer-cached]=18092 )
# The token each target is sent: the example server's, or the one its server printed.
declare -A TOK=()
for t in "${TARGETS[@]}"; do
  p=${PORT[$t]:-}
  [ -n "$p" ] || continue
  case $t in
    cached) RUST_LOG=warn ISSUER="$ISSUER" TOKEN_CACHE=1 PORT=$p "$SERVER" >/dev/null 2>&1 & ;;
    handwritten|authorizer|tower-oauth2) "$PEERS" "$t" "$p" "$ISSUER" >/dev/null 2>&1 & ;;
    layer) "$LOAD" layer "$p" "$ISSUER" >/dev/null 2>&1 & ;;
    layer-cached) "$LOAD" layer "$p" "$ISSUER" cache >/dev/null 2>&1 & ;;
    grpc-open) "$LOAD" grpc "$p" "$ISSUER" open >/dev/null 2>&1 & ;;
    grpc) "$LOAD" grpc "$p" "$ISSUER" >/dev/null 2>&1 & ;;
    grpc-cached) "$LOAD" grpc "$p" "$ISSUER" cache >/dev/null 2>&1 & ;;
    introspection|status) tlog=$(mktemp); RUST_LOG=warn "$LOAD" "$t" "$p" >"$tlog" 2>&1 & ;;
    seed) [ "$SEED" = 1 ] || continue; node bench/seed/server.js "$p" "$ISSUER" >/dev/null 2>&1 & ;;
  esac
  pids+=($!); PID[$t]=$!
  wait_port "$p"
  case $t in
    introspection|status)
      TOK[$t]=$(sed -n 's/^token: //p' "$tlog" | head -1)
      [ -n "${TOK[$t]}" ] || { echo "$t printed no token" >&2; cat "$tlog"; exit 1; } ;;
  esac
done

declare -A URL=( [open]=http://127.0.0.1:18080/public [guard]=http://127.0.0.1:18080/protected )
for t in "${!PORT[@]}"; do
  case $t in
    grpc*) URL[$t]=127.0.0.1:${PORT[$t]} ;;
    *) URL[$t]=http://127.0.0.1:${PORT[$t]}/protected ;;
  esac
done
if [ "$SEED" = 0 ]; then
  kept=(); for t in "${TARGETS[@]}"; do [ "$t" = seed ] || kept+=("$t"); done; TARGETS=("${kept[@]}")
fi

# Every target must answer 200 (gRPC: OK) to the token before it is measured (within 5 s:
# tower-oauth2 fetches its key set in a task of its own after it starts), and the
# protected ones must refuse a request without it.
for t in "${TARGETS[@]}"; do
  case $t in
    grpc*)
      read -r _ ok failed _ <<<"$("$LOAD" grpc-client "${URL[$t]}" "$TOKEN" 1 1 1)"
      [ "$ok" -gt 0 ] && [ "$failed" = 0 ] || { echo "$t: $ok ok, $failed failed" >&2; exit 1; }
      if [ "$t" != grpc-open ]; then
        read -r _ ok _ <<<"$("$LOAD" grpc-client "${URL[$t]}" not-a-token 1 1 1)"
        [ "$ok" = 0 ] || { echo "$t accepted a bad token" >&2; exit 1; }
      fi ;;
    *)
      for _ in $(seq 1 50); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOK[$t]:-$TOKEN}" "${URL[$t]}")
        [ "$code" = 200 ] && break; sleep 0.1
      done
      [ "$code" = 200 ] || { echo "$t answered $code to its token" >&2; exit 1; }
      if [ "$t" != open ]; then
        code=$(curl -s -o /dev/null -w '%{http_code}' "${URL[$t]}")
        [ "$code" = 401 ] || { echo "$t answered $code without a token" >&2; exit 1; }
      fi ;;
  esac
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

results=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    before=$(ticks "${PID[$t]}")
    case $t in
      grpc*)
        read -r total _ non2xx rps p50 p99 <<<"$("$LOAD" grpc-client "${URL[$t]}" "$TOKEN" "$DURATION" "$GRPC_CONNECTIONS" "$GRPC_STREAMS")"
        p50="${p50}us"; p99="${p99}us" ;;
      *)
        out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer ${TOK[$t]:-$TOKEN}" "${URL[$t]}")
        rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
        total=$(awk '/requests in/ {print $1}' <<<"$out")
        p50=$(awk '$1=="50%" {print $2}' <<<"$out")
        p99=$(awk '$1=="99%" {print $2}' <<<"$out")
        non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out") ;;
    esac
    after=$(ticks "${PID[$t]}")
    [[ "${total:-}" =~ ^[0-9]+$ ]] && [ "$total" -gt 0 ] || { echo "FAILED: $t: no request completed in round $round" >&2; exit 1; }
    cpu_us=$(awk -v a="$before" -v b="$after" -v n="$total" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / n }')
    echo "$round $t $rps $p50 $p99 $cpu_us ${non2xx:-0}" | tee -a "$results"
    # A refused or failed request is cheap: its figures would flatter the target.
    if [ "${non2xx:-0}" != 0 ]; then
      echo "FAILED: $t answered ${non2xx} non-2xx (gRPC: failed) of $total requests in round $round; its figures mean nothing" >&2
      exit 1
    fi
  done
done

peak() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
{
  echo "# Load benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s (gRPC: $GRPC_CONNECTIONS HTTP/2 connections × $GRPC_STREAMS streams), $ROUNDS alternating rounds; $(nproc) cores; servers and load generators on one machine."
  echo
  echo "| target | req/s (median) | p50 | p99 | CPU µs/req | peak RSS KiB | non-2xx |"
  echo "|---|---|---|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    awk -v t="$t" '$2==t' "$results" | sort -k3 -n | awk -v t="$t" -v rss="$(peak "${PID[$t]}")" '
      { r[NR]=$3; p50[NR]=$4; p99[NR]=$5; cpu[NR]=$6; bad+=$7 }
      END { m=int((NR+1)/2); printf "| %s | %.0f | %s | %s | %s | %s | %d |\n", t, r[m], p50[m], p99[m], cpu[m], rss, bad }'
  done
  echo
  echo "Ratios: median over the rounds of the per-round ratio [lowest – highest round]:"
  python3 - "$results" <<'PY'
import statistics, sys

# results: one line per round and target: round target req/s p50 p99 cpu_us non2xx
runs = {}
for line in open(sys.argv[1]):
    rnd, target, rps, _, _, cpu, _ = line.split()
    runs.setdefault(target, {})[rnd] = {"req/s": float(rps), "CPU/req": float(cpu)}

def ratio(a, b, figure):
    """(median, lowest, highest) of a / b over the rounds both ran, or None."""
    if a not in runs or b not in runs:
        return None
    per_round = [runs[a][r][figure] / runs[b][r][figure]
                 for r in runs[a] if r in runs[b] and runs[b][r][figure] > 0]
    if not per_round:
        return None
    return statistics.median(per_round), min(per_round), max(per_round)

def shown(r):
    return f"{r[0]:.2f} [{r[1]:.2f} – {r[2]:.2f}]"

for a, b in [("guard","handwritten"),("guard","authorizer"),("guard","tower-oauth2"),
             ("cached","open"),("introspection","cached"),("status","cached"),
             ("introspection","layer-cached"),("status","layer-cached"),
             ("guard","open"),("layer","guard"),("handwritten","open"),
             ("authorizer","handwritten"),("tower-oauth2","handwritten"),("guard","seed"),
             ("grpc","grpc-open"),("grpc-cached","grpc-open")]:
    rps, cpu = ratio(a, b, "req/s"), ratio(a, b, "CPU/req")
    if rps and cpu:
        print(f"- {a} / {b}: req/s {shown(rps)}, CPU/req {shown(cpu)}")

print()
print("Issue 23 goals (load):")
for a, b, figure, at_most, goal in [("guard","handwritten","CPU/req",True,0.80),
                                    ("guard","authorizer","CPU/req",True,0.65),
                                    ("cached","open","req/s",False,0.90)]:
    r = ratio(a, b, figure)
    bound = f"{'≤' if at_most else '≥'} {goal:.2f}"
    if r is None:
        print(f"- {figure} {a} / {b} {bound}: not measured (run {a} and {b})")
        continue
    met = r[0] <= goal if at_most else r[0] >= goal
    print(f"- {figure} {a} / {b} {bound}: {shown(r)} — {'met' if met else 'missed'}")
PY
} | tee "$OUT"
echo "written to $OUT"
