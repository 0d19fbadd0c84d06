#!/usr/bin/env python3
"""Reads criterion's results (target/criterion) and prints the figures and same-run
ratios of BENCHMARKS.md as Markdown. Run after `cargo bench -p jwt-guard-bench`."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def median_ns(*parts):
    path = root.joinpath(*parts, "new", "estimates.json")
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def us(ns):
    return "—" if ns is None else (f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns")


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}×"


print("| alg | raw aws-lc verify | bare jsonwebtoken::decode | jwt-guard full path | guard / raw | guard / decode |")
print("|---|---|---|---|---|---|")
for alg in ["RS256", "PS256", "ES256", "EdDSA", "HS256"]:
    raw, jwt, guard = (median_ns(f"verify_{alg}", b) for b in ("raw", "jsonwebtoken", "guard"))
    print(f"| {alg} | {us(raw)} | {us(jwt)} | {us(guard)} | {ratio(guard, raw)} | {ratio(guard, jwt)} |")

rs_guard = median_ns("verify_RS256", "guard")
print()
print("| piece or path (RS256) | median | / verified RS256 request |")
print("|---|---|---|")
rows = [
    ("bearer extraction", ("pieces", "bearer_extraction")),
    ("registry lookup", ("pieces", "registry_lookup")),
    ("reject: malformed", ("reject_RS256", "malformed")),
    ("reject: expired", ("reject_RS256", "expired")),
    ("reject: unknown kid (cooling down)", ("reject_RS256", "unknown_kid")),
    ("reject: bad signature", ("reject_RS256", "bad_signature")),
    ("token cache hit", ("token_cache_RS256", "hit")),
    ("token cache off (full verify)", ("token_cache_RS256", "miss_verify")),
]
for label, parts in rows:
    value = median_ns(*parts)
    print(f"| {label} | {us(value)} | {ratio(value, rs_guard)} |")

hit, miss = median_ns("token_cache_RS256", "hit"), median_ns("token_cache_RS256", "miss_verify")
if hit and miss:
    print(f"\nToken cache: a hit costs {us(hit)}, {miss / hit:.0f}× cheaper than a verified RS256 request.")

print()
print("| scaling (RS256 full path) | values | last / first |")
print("|---|---|---|")
for group, params in [("scaling_claims_bytes", [1, 2, 4, 8]), ("scaling_keys_in_set", [1, 10, 100]), ("scaling_strategies", [10, 100])]:
    values = [median_ns(group, str(p)) for p in params]
    shown = ", ".join(f"{p}: {us(v)}" for p, v in zip(params, values))
    print(f"| {group.removeprefix('scaling_')} | {shown} | {ratio(values[-1], values[0])} |")
