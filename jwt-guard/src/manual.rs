//! The jwt-guard manual: design notes that are not API reference.
//!
//! - [`threat_model`]: what jwt-guard defends against, how, and the test that proves each
//!   defence.

/// # Threat model
///
/// A JWT guard is security software: its users trust it to let no one in who should not
/// be, and to stay up under hostile input. The JWT ecosystem's history is a list of the same
/// mistakes; each is listed here with how jwt-guard stops it and the tests that would catch
/// a regression (file and test name; `src/…` tests are unit tests of the runtime crate,
/// `tests/…` the suites of the `jwt-guard-tests` crate, `fuzz/…` the cargo-fuzz targets).
///
/// ## Trust boundaries
///
/// - **Untrusted**: every byte of the request: the `Authorization` header, the token, its
///   header and claims. Nothing the token says is believed before its signature verifies,
///   and only `alg`, `kid` and `crit` are read from its header even then.
/// - **Trusted, but checked**: the key server. Its answers arrive over HTTPS (plain HTTP
///   to loopback only, unless [`JwksConfig::dangerous_allow_http`](crate::jwks::JwksConfig::dangerous_allow_http)),
///   and may still be malformed, huge, slow or absent: they are capped, parsed key by key,
///   and a failure is a 503, never a 401 or an open door.
/// - **Trusted**: the service's own configuration: issuer, allow-list, pinned keys.
///
/// The request path in order: [`extract::bearer_token`](crate::extract::bearer_token)
/// (header caps and syntax; with the token cache on, a hit is looked up first, by bytes
/// equal to a token verified earlier) → `verify::parse` (token caps, segments, header) →
/// key lookup in the [`KeySet`](crate::jwks::KeySet) → signature (aws-lc) → claims
/// (`verify::scan_claims`: one pass over the payload's JSON that refuses repeated names
/// and reads `exp`/`nbf`/`iat`/`iss`/`aud` without building anything, then
/// `verify::validate_claims`; the claims map is built only when the handler, or a scope
/// or role check, asks for it). The signature layer alone is [`verify_jws`](crate::verify::verify_jws).
///
/// ## 1. `alg: none` (CVE-2022-23540)
///
/// **Attack**: a token with `"alg":"none"` and no signature is accepted as signed.
///
/// **Defence**: `none` is not an algorithm jwt-guard knows: the header's `alg` must parse
/// as one of the twelve signature algorithms and be on the allow-list (default `[RS256]`;
/// an empty list is a configuration error), or the token is refused with "invalid
/// algorithm". `none`, `NONE`, `None` alike. A token with an empty signature segment is
/// malformed before its header is read.
///
/// **Proof**: `src/verify.rs` `header_rules`, `header_member_types`; `tests/axum.rs`
/// `alg_none`; `tests/wycheproof.rs` `every_vector_is_accepted_or_refused_as_labelled`
/// (tcIds 16, 341–344, `AlgIsNone`); `tests/proptest.rs` `structured_forgeries_never_verify`.
///
/// ## 2. Key confusion: an RSA public key as an HMAC secret (CVE-2016-10555, CVE-2022-23541, CVE-2024-37568)
///
/// **Attack**: the attacker signs `HS256` with the issuer's public key (PEM or JWK bytes)
/// as the secret; a verifier that picks the algorithm from the token verifies it.
///
/// **Defence**: every key is typed when it is parsed (RSA, P-256, P-384, P-521, Ed25519, HMAC) and
/// can verify only the algorithms of its type; a JWK that names an `alg` verifies that
/// algorithm only. Key sets fetched over the network never yield symmetric keys. The
/// builder refuses an allow-list that mixes `HS*` with public-key algorithms, and `HS*`
/// without a pinned secret.
///
/// **Proof**: `tests/axum.rs` `hs256_signed_with_the_rsa_public_key`;
/// `tests/proptest.rs` `key_confusion_is_refused_at_build_and_at_verify`;
/// `src/jwks/keyset.rs` `unusable_keys_are_skipped_not_fatal` (an `oct` key in a fetched
/// set), `lookup_respects_kid_and_alg`; `tests/wycheproof.rs` (tcId 31
/// `rejectsSymmetryConfusionAttacks`, tcIds 331–340 `WrongPrimitive`, every vector also run
/// with all twelve algorithms allowed so the key's own pin must hold).
///
/// ## 3. Time claims of the wrong type (jsonwebtoken < 10.3, CVE-2026-25537)
///
/// **Attack**: `"exp":"9999999999"` (a string), `[1]`, `null`, `true` or an absurd number
/// is skipped as "absent", so the token never expires.
///
/// **Defence**: `exp`, `nbf` and `iat` must be JSON numbers from 0 to
/// [`MAX_NUMERIC_DATE`](crate::verify::MAX_NUMERIC_DATE) (year 9999); anything else is
/// "invalid exp value" (or `nbf`, `iat`), never absent. `exp` is required unless
/// [`require_exp(false)`](crate::JwtStrategyBuilder::require_exp). `NaN` and `Infinity`
/// are not JSON: the claims are malformed.
///
/// **Proof**: `src/verify.rs` `time_claims`; `tests/proptest.rs`
/// `time_claims_of_the_wrong_type_are_refused`; `tests/axum.rs` `missing_exp`.
///
/// ## 4. Header-supplied keys: `jku`, `x5u`, `jwk`, `x5c` (SSRF, attacker keys)
///
/// **Attack**: the token names where its key is (`jku`, `x5u`: the verifier fetches an
/// attacker's URL, reaching internal services) or embeds it (`jwk`, `x5c`: the verifier
/// trusts the attacker's key).
///
/// **Defence**: those members are skipped unread; the key always comes from the configured
/// source. The JWK Set URL is fixed by configuration (or discovered from the configured
/// issuer, whose discovery document must name that same issuer); it must be HTTPS
/// (loopback excepted), and redirects are limited and never to plain HTTP.
///
/// **Proof**: `tests/proptest.rs` `header_key_urls_are_never_fetched` (a 127.0.0.1 server
/// named in `jku`/`x5u` counts zero requests); `tests/axum.rs`
/// `header_supplied_keys_are_ignored`; `src/verify.rs` `header_rules`;
/// `tests/wycheproof.rs` (tcId 32 `rejectsAttackerProvidedEmbeddedJwk`); `tests/jwks.rs`
/// `insecure_key_urls_are_refused_at_build`; `src/jwks/fetch.rs` `transport_rules`.
///
/// ## 5. Unbounded allocation (golang-jwt CVE-2025-30204)
///
/// **Attack**: `Bearer` followed by thousands of dots (or a huge segment, deep JSON, a
/// huge key set) makes the verifier allocate without bound.
///
/// **Defence**: every size is capped before the bytes are decoded or parsed:
///
/// | what | cap | where |
/// |---|---|---|
/// | `Authorization` value | 16 KiB, checked first | [`extract::bearer_token`](crate::extract::bearer_token) |
/// | token | [`Limits::max_token_bytes`](crate::verify::Limits::max_token_bytes), 16 KiB | `verify::parse` |
/// | segments | exactly three, found with two `split_once`: no collection | `verify::parse` |
/// | encoded header | [`Limits::max_header_bytes`](crate::verify::Limits::max_header_bytes), 1 KiB | `verify::parse` |
/// | encoded payload (claims) | [`Limits::max_payload_bytes`](crate::verify::Limits::max_payload_bytes), 16 KiB | `verify::parse` |
/// | signature | [`MAX_SIGNATURE_CHARS`](crate::verify::MAX_SIGNATURE_CHARS) (RSA-8192) | `verify::parse` |
/// | JSON nesting | 128 levels (`serde_json`) | header and claims |
/// | JWK Set body, keys | 1 MiB, 100 keys | [`JwksConfig`](crate::jwks::JwksConfig) |
///
/// Claims are parsed only behind a valid signature; a strategy with several issuers
/// first reads `iss` alone (one base64url decode within the payload cap, a JSON scan that
/// keeps nothing else) to choose the issuer's keys, and an `iss` it does not accept is
/// refused there, before any key lookup or fetch. Measured: no request makes the guard
/// allocate more than 32 times its 16 KiB cap in total (the worst input seen, a validly
/// signed array of 3 000 zeros, allocates 17 times; unsigned input under 5 KiB).
///
/// **Proof**: `src/extract.rs` `size_cap_comes_first_and_is_inclusive`; `src/verify.rs`
/// `each_cap_is_checked_before_decoding`, `claims_shape` (nesting); `tests/proptest.rs`
/// `hostile_inputs_allocate_a_small_multiple_of_the_cap`,
/// `signed_claims_allocate_a_small_multiple_of_the_cap`; `tests/jwks.rs`
/// `oversized_body_is_refused`; `src/jwks/keyset.rs` `key_count_is_capped`.
///
/// ## 6. Crashes on malformed input (Envoy CVE-2019-12995)
///
/// **Attack**: a malformed token, header or key set panics the verifier: a denial of
/// service, or worse where a panic is caught and turned into "allow".
///
/// **Defence**: no indexing or `unwrap` on untrusted input; every failure is a
/// [`TokenError`](crate::TokenError) or [`ErrorKind`](crate::ErrorKind). Bytes that are
/// not visible ASCII in the `Authorization` value (obs-text, tab, non-UTF-8) are a 401
/// before anything else reads them; a JOSE header or claims set that is not UTF-8 is
/// malformed, including inside members that are skipped (a fuzzing find: `serde_json`
/// does not check the strings it skips).
///
/// **Proof**: `fuzz/fuzz_targets/bearer.rs`, `token.rs`, `jwks.rs` (run by hand, see
/// `fuzz/Cargo.toml`); `tests/proptest.rs` `random_tokens_never_verify`,
/// `random_headers_never_authenticate`, `fuzz_regressions_stay_fixed`
/// (`tests/testdata/fuzz/`); `src/extract.rs` `hostile_values`; `src/verify.rs`
/// `header_member_types`.
///
/// ## 7. Forgery and malleability of signatures
///
/// **Attack**: a modified signature, modified padding, a non-canonical encoding or a
/// payload changed by one byte still verifies.
///
/// **Defence**: signatures are checked by aws-lc (RSA 2048–8192 bits, PKCS #1 v1.5 and
/// PSS; ECDSA P-256/P-384/P-521 in the fixed `r‖s` form; Ed25519; HMAC). Base64url is decoded
/// strictly: no padding, no characters outside the alphabet, no non-zero trailing bits,
/// so one signed token has one encoding. RSA moduli under 2048 bits are refused.
///
/// ECDSA signatures are malleable by nature (`(r, n−s)` verifies too) and aws-lc does not
/// enforce low `s`: a second valid token for the same claims can be derived from a first,
/// which grants nothing the first did not. Do not use the token text as an identity (a
/// revocation list keyed by token string); use `jti`.
///
/// **Proof**: `tests/wycheproof.rs` (all 401 vectors: 213 modified RSA paddings, 42
/// modified PSS signatures, 23 ECDSA special cases, base64 variants),
/// `non_canonical_signature_encoding_is_refused`, `intended_padding_vectors_are_refused`;
/// `tests/proptest.rs` `one_byte_changed_never_verifies`,
/// `every_position_every_base64url_character`, `mutated_tokens_never_verify`;
/// `tests/jwks.rs` `token_cache_never_serves_a_token_differing_in_one_byte`.
///
/// ## 8. Repeated member names (parser differentials)
///
/// **Attack**: `{"alg":"RS256","alg":"HS256"}`, or `{"roles":["user"],"roles":["admin"]}`
/// in the claims: jwt-guard reads one value, the application (or another JOSE library)
/// the other.
///
/// **Defence**: a repeated member name is refused as malformed: anywhere in the header,
/// known member or not, and at every depth of the claims. Escaped names are compared
/// decoded (`"\u0061lg"` is `alg`).
///
/// **Proof**: `src/verify.rs` `repeated_header_members_are_refused_known_or_not`,
/// `claims_shape`; `tests/proptest.rs` `repeated_member_names_are_refused`.
///
/// ## 9. Issuer and audience confusion
///
/// **Attack**: a token from another issuer (`https://iss.example/` with a slash, another
/// case, a lookalike) or for another service is accepted.
///
/// **Defence**: `iss` must equal the configured issuer byte for byte. `aud` is checked
/// when configured with [`audience`](crate::JwtStrategyBuilder::audience), which every
/// service sharing an issuer with others should do (it is off by default, as in LoopBack's strategy).
///
/// **Proof**: `src/verify.rs` `issuer_is_exact`, `audience`; `tests/proptest.rs`
/// `issuer_is_compared_exactly`; `tests/axum.rs` `wrong_issuer`, `missing_issuer`,
/// `audience_checked_when_configured`.
///
/// ## 10. Critical extensions
///
/// **Defence**: a header with `crit` (even empty or `null`) is refused: no extension is
/// implemented, so none may be claimed as understood (RFC 7515 §4.1.11). This also refuses
/// unencoded payloads (RFC 7797 `b64: false`, which must be `crit`).
///
/// **Proof**: `src/verify.rs` `header_rules`; `tests/axum.rs` `crit_header`.
///
/// ## 11. Timing
///
/// **HMAC**: tags are compared in constant time. `KeyEntry::verify` calls
/// `aws_lc_rs::hmac::verify`, which recomputes the tag and compares it with
/// `constant_time::verify_slices_are_equal`, i.e. aws-lc's `CRYPTO_memcmp`; only the
/// length is compared early, and a tag's length is public (32, 48 or 64 bytes by
/// algorithm). jsonwebtoken 12's own aws-lc backend (`crypto/aws_lc/hmac.rs`) verifies the
/// same way. The signature's base64url decoding depends on its length only.
///
/// **Everything else** compares public values: `alg`, `kid` (a `HashMap` lookup with
/// random SipHash keys), `iss`, `aud`. Public-key verification involves no secret of the
/// verifier. The opt-in token cache is keyed by the whole token text; whether a token is
/// cached could be timed, but finding one to time needs a validly signed token already.
///
/// ## 12. Information disclosure
///
/// **Defence**: a response carries the status, the RFC 6750 `error=` code and a fixed
/// reason ("Invalid token: jwt expired"), never the token, the key, a URL or an upstream
/// error. Logs carry reasons, key ids and URLs, never a token, a signature or key material
/// (the `Debug` output of the parsed token and of keys leaves them out).
///
/// **Proof**: `tests/log_hygiene.rs` `no_secret_reaches_the_logs` (every 401 reason, the
/// 500, seventeen key-server failures, a round trip through axum, at TRACE, `log` records
/// included); `src/error.rs` `statuses_follow_the_origin`.
///
/// ## 13. Key-server abuse
///
/// **Attack**: tokens naming random `kid`s make the guard refetch the key set on every
/// request; a key-server outage turns into 401s or into open access.
///
/// **Defence**: one refetch per cooldown for unknown `kid`s, one fetch in flight shared by
/// all requests, the last good set served while refreshes fail, and a 503 with
/// `Retry-After` when no usable set exists.
///
/// **Proof**: `tests/jwks.rs` `flood_of_unknown_kids_costs_one_fetch_per_cooldown`,
/// `cold_burst_of_1000_shares_one_fetch`, `key_server_failures_keep_the_last_good_set`,
/// `nothing_cached_and_server_down_is_a_503_with_retry_after`.
///
/// ## 14. A wedged or panicking key engine
///
/// **Attack / fault**: a fetch that never finishes (its task cancelled when the runtime it
/// was spawned on shuts down, e.g. `warm_up()` under a timeout on a start-up runtime; or
/// a panic) leaves the single-flight slot taken: every later request is a 503 and the key
/// server is never asked again.
///
/// **Defence**: the slot is emptied by a drop guard on every exit path of the fetch; a
/// fetch that did not complete counts as a failure (backoff, `status()`); a fetch left in
/// the slot past twice the timeout plus 1 s (its runtime no longer polls it) is abandoned.
///
/// **Proof**: `tests/jwks.rs` `a_fetch_cancelled_with_its_runtime_never_wedges_the_engine`,
/// `warmed_on_one_runtime_serves_and_refreshes_on_another`; `tests/chaos.rs`
/// `chaos_at_the_key_server` (recovery after every fault).
///
/// ## 15. Settings that panic a request
///
/// **Attack / fault**: `stale_for = Duration::MAX` or `max_max_age = Duration::MAX` with
/// `Cache-Control: max-age=18446744073709551615` overflowed `Instant + Duration`.
///
/// **Defence**: every deadline is a saturating sum (`time::later`); crossed bounds
/// (`min_max_age > max_max_age`) resolve to the upper one instead of `clamp`'s panic.
///
/// **Proof**: `tests/jwks.rs` `no_duration_setting_can_panic_a_request` (every
/// `JwksConfig`/`TokenCacheConfig` duration through 0, 1 ns, typical and `MAX`, with
/// hostile `max-age` values); `src/jwks/clock.rs` `sums_saturate`.
///
/// ## 16. A token cache that outlives the key set
///
/// **Attack**: a revoked key keeps validating cached tokens, because hits never start
/// the refresh a due set needs.
///
/// **Defence**: a hit is served only when its key is in the set the engine would use for
/// a cold verification at that moment (one freshness check, `usable_now`, for both), and
/// a hit on a due set starts the refresh as a miss does.
///
/// **Proof**: `tests/jwks.rs` `token_cache_hits_refresh_a_due_key_set`,
/// `token_cache_on_and_off_give_the_same_verdicts` (randomized differential: rotations,
/// outages, garbage, clock steps), `token_cache_never_serves_a_token_whose_key_left_the_set`;
/// `tests/chaos.rs` `chaos_at_the_key_server`.
///
/// ## 17. A token cache that does not bound memory
///
/// **Attack**: many distinct valid tokens with large claims (arrays of small numbers)
/// held far past `max_bytes`, or past `max_entries`.
///
/// **Defence**: `max_entries` is a hard bound (each entry weighs at least
/// `max_bytes / (max_entries + ½)`, shard capacities sum exactly); an entry's weight is
/// the memory it holds (token, claims with every string, array and map node, bookkeeping).
///
/// **Proof**: `tests/proptest.rs` `token_cache_max_entries_is_a_hard_bound`,
/// `token_cache_memory_stays_within_max_bytes`, `token_cache_weight_is_the_memory_held`
/// (weight vs a counting allocator: ratio 1.00 on four claim shapes).
///
/// ## 18. Weak or useless keys
///
/// **Attack**: a 1-byte HMAC secret in a pinned JWK, a 32-byte secret for HS512, RSA keys
/// that can never verify (e = 1, 2, even, over 33 bits; modulus over 8192 bits) counted
/// as keys: a set of only them answers 401 instead of 503, and one listed first shadows a
/// good key with the same `kid`.
///
/// **Defence**: an HMAC secret verifies only the `HS*` algorithms whose hash size it
/// reaches (RFC 7518 §3.2: 32/48/64 bytes); such RSA keys are refused when parsed. Pinned:
/// a configuration error naming the key; fetched: skipped with a warning. Mixed, ambiguous
/// and ROCA sets: 36; private keys in a set: 29.
///
/// **Proof**: `src/jwks/keyset.rs` `rsa_keys_that_can_never_verify_are_refused_by_class`,
/// `hmac_secrets_reach_the_hash_size`; `tests/jwks.rs`
/// `a_fetched_set_of_useless_keys_is_a_503_and_never_shadows_a_good_key`,
/// `pinned_keys_that_are_weak_or_useless_are_refused_at_build`.
///
/// ## 19. A stolen token used by someone else (DPoP, opt-in)
///
/// **Attack**: a token leaked from a log or a proxy is replayed from another machine; a
/// DPoP-bound token is downgraded to `Bearer`; a proof is lifted onto another request,
/// method, URI or token; a proof carries a private or symmetric `jwk`, or `alg: HS256`.
///
/// **Defence**: with [`dpop`](crate::dpop) on, a token with `cnf.jkt` is accepted only with
/// a proof signed by the key of that thumbprint, for this method, this URI (a configured
/// origin, never the `Host` header, and the target as the router sees it; see 26 and 27)
/// and this token (`ath`); bound tokens sent as `Bearer` are refused; proof keys are public and
/// asymmetric, on an allow-list.
///
/// **Proof**: `tests/dpop.rs` (`header_refusals_typ_alg_jwk`,
/// `claim_refusals_htm_htu_iat_ath_jti`, `the_proof_key_must_be_the_tokens`,
/// `a_bound_token_is_refused_as_bearer`, `with_dpop_required_bearer_tokens_are_refused`);
/// `tests/dpop_interop.rs` with proofs from npm's `dpop` and `oauth4webapi`.
///
/// ## 20. A DPoP proof replayed, on the same replica or another
///
/// **Attack**: a captured request is sent again within the proof window, to the same
/// process, to another replica behind the load balancer, or to both at once.
///
/// **Defence**: every accepted proof's key and `jti` are recorded for the window with one
/// atomic insert (in memory, a map with expiry times that evicts nothing live; Redis `SET NX
/// PX` shared by replicas); old and future `iat` are refused, so a record never expires
/// while its proof could pass (see 28 for a full store).
///
/// **Proof**: `tests/dpop.rs` `a_proof_is_accepted_once`; `tests/dpop_redis.rs`
/// `a_proof_accepted_by_one_process_is_refused_by_the_other` (two processes, one real
/// Redis, and a race of one proof to both); `src/dpop/replay.rs`
/// `concurrent_uses_of_one_proof_pass_once`.
///
/// ## 21. The replay store is down or slow
///
/// **Attack / fault**: Redis is killed, unreachable or accepts connections and never
/// answers; a guard that skipped the check would accept replays.
///
/// **Defence**: every check has a bounded timeout (connection included); a failure or a
/// timeout is a 503 with `Retry-After`, never an accept.
///
/// **Proof**: `tests/dpop_redis.rs` `redis_going_down_fails_closed`,
/// `nothing_listening_fails_closed`, `a_redis_that_never_answers_fails_closed_after_the_timeout`.
///
/// ## 22. A handler that looks protected and is not
///
/// **Attack**: a method of an impl block under `#[authenticate]` that the attribute
/// cannot see as a handler answers without a token: one a macro call in the block
/// expands to (`handlers!(a, b);`), or a sync method whose return type is a generic
/// parameter (`fn sneaky() -> F`), routed as `Gen::<SomeFuture>::sneaky` — the
/// not-a-future assertion is checked on `F`, not on the type the router instantiates.
///
/// **Defence**: the attribute fails closed at compile time. A macro call in the block is
/// an error (move it out, put the attribute inside the macro, or mark the call
/// `#[authenticate(skip)]`); so is a sync method whose return type names a type or const
/// parameter of the block or method, `Self` of a generic block, an associated type or
/// `impl Trait`, unless it is marked `skip`. Every other sync method keeps the
/// not-a-future assertion.
///
/// **Proof**: `tests/ui/fail/macro-in-impl-block.rs`, `tests/ui/fail/generic-sync-method.rs`;
/// `jwt-guard-macros` `expand::impl_block::tests::macro_calls_are_refused_unless_skipped`,
/// `generic_sync_methods_must_be_skipped`.
///
/// ## 23. A handler that authenticates against the wrong registry
///
/// **Attack**: on a router that carries its own [`Registry`](crate::Registry), a handler
/// taking its own `HeaderMap` authenticated against the global registry: it accepted the
/// global strategy's issuer, which the router's own refuses. And the audit checked every
/// site of the program against one registry, so two apps with their own registries could
/// not both pass it — and a team that cannot pass the audit stops calling it.
///
/// **Defence**: a handler's own `HeaderMap` gets the hidden guard beside it, which
/// authenticates with the registry of the request; `Request`, `Parts` and `HttpRequest`
/// read it from the request's extensions. Only `&HeaderMap` (no request at all) uses the
/// global registry, as documented. A registry names the modules it serves
/// ([`Registry::serve_module`](crate::Registry::serve_module)); its audit covers those
/// sites and its layers, shows each site's form ([`HandlerForm`](crate::audit::HandlerForm)),
/// and fails on a site there that would use the global registry.
///
/// **Proof**: `tests/registry_forms.rs` `every_form_uses_the_registry_of_its_router`,
/// `two_apps_with_their_own_registries_both_pass_their_audit`; `tests/audit.rs`.
///
/// ## 24. The bearer token in a span
///
/// **Attack**: `#[tracing::instrument]` records every parameter with `Debug`; on a
/// handler taking `HeaderMap` or `Request`, its span carried the whole bearer token at
/// INFO, and the hidden guard parameter showed too.
///
/// **Defence**: written below `#[authenticate]`, `#[instrument]` is rewritten to skip the
/// header sources and the hidden guard (merged into its own `skip(..)`, nothing added
/// with `skip_all`). Written above, it expands before the attribute can see it: the
/// attribute's docs and the README give the `skip(..)` to write.
///
/// **Proof**: `tests/log_hygiene.rs` `no_secret_reaches_the_logs` (the `HeaderMap`,
/// `Request`, `Parts` and `&HeaderMap` forms in both orders, and no `__jwt_guard` in any
/// span); the snapshot `jwt-guard-macros/tests/expand/snapshots/headermap-by-value.snap`.
///
/// ## 25. A bound token used without its binding
///
/// **Attack**: a token bound to a certificate (`cnf.x5t#S256`, RFC 8705), to another
/// confirmation method, with a `cnf` that is not an object, or bound to a DPoP key and sent
/// to a strategy without DPoP, is stolen and presented as a plain bearer token.
///
/// **Defence**: the claims scan classifies `cnf`; one rule (`JwtInner::confirmation`)
/// accepts, as bearer, only tokens without `cnf`, and through DPoP only `cnf` = `{jkt}`.
/// Anything else is 401 `invalid_token`, reason `unsupported_confirmation`, from the token
/// cache too. [`dangerous_accept_unverified_cnf`](crate::JwtStrategyBuilder::dangerous_accept_unverified_cnf)
/// opts out; a strategy with DPoP still refuses a `jkt` token sent as bearer. A strategy
/// with [`mtls_bound_tokens`](crate::JwtStrategyBuilder::mtls_bound_tokens) checks
/// `x5t#S256` against the client certificate of the connection (the `Client-Cert` header
/// only where a proxy is trusted by an explicit setting): another certificate or none is
/// 401 `certificate_mismatch` / `certificate_missing`, whatever the opt-out.
///
/// **Proof**: `tests/mtls.rs` (real TLS, reqwest and curl clients, axum, actix-web,
/// tonic, trusted and untrusted `Client-Cert`);
/// `tests/dpop.rs` `a_token_with_a_cnf_the_strategy_cannot_check_is_refused_as_bearer`,
/// `a_dpop_bound_token_is_refused_as_bearer_where_dpop_is_off`,
/// `a_token_with_a_cnf_dpop_cannot_check_is_refused_with_its_proof`,
/// `the_dangerous_opt_out_accepts_unverified_bindings_but_not_dpop_ones`;
/// `src/verify.rs` `cnf_is_classified`.
///
/// ## 26. A DPoP proof lifted onto another route through dot segments
///
/// **Attack**: a proof for `/admin` is sent with `GET /files/../admin`; a normalising
/// comparison sees `/admin`, while the router serves it with `/files/{*rest}`.
///
/// **Defence**: `htu`'s path is compared with the request target as the router sees it,
/// after RFC 9449 §4.3's normalisation only (scheme, host, default port, case of
/// percent-encodings); dot segments are never removed, and a target with one (`.`, `..`,
/// `%2e`) is refused.
///
/// **Proof**: `tests/dpop.rs` `a_proof_is_checked_against_the_target_the_router_sees`,
/// `htu_is_compared_without_query_and_after_normalisation`; `src/dpop/proof.rs`
/// `htu_normalisation`, `request_paths_with_dot_segments_are_refused`.
///
/// ## 27. A DPoP proof made for another server
///
/// **Attack**: a proof made for one host is replayed to a second server with that host in
/// `Host` (or in an absolute-form target); an expected `htu` built from the request
/// matches it (express-oauth2-jwt-bearer fixed the same in 1.9.1).
///
/// **Defence**: the origin is configuration: `DpopConfig::external_origin` (an allow-list),
/// required by `build()`; `Host` and absolute-form targets are never read.
///
/// **Proof**: `tests/dpop.rs` `a_proof_made_for_another_host_is_refused_whatever_the_host_header`,
/// `dpop_without_a_configured_origin_does_not_build`.
///
/// ## 28. The replay store flushed
///
/// **Attack**: a holder of a bound token of their own sends more fresh proofs than the
/// store holds, so it evicts a used proof, which then replays; or Redis evicts keys under
/// memory pressure.
///
/// **Defence**: no store forgets an unexpired entry. The in-memory store refuses new proofs
/// when full (503, `Retry-After` until the oldest entry expires, reason
/// `replay_store_full`, metric `jwt_guard_dpop_replay_store_full_total`); its default,
/// 100 000, is 325 proofs/s over the 305 s window. The Redis store refuses a
/// `maxmemory-policy` other than `noeviction`, and at `maxmemory` (OOM) answers used proofs
/// as replays and new ones with a 503.
///
/// **Proof**: `tests/dpop.rs` `a_full_replay_store_refuses_new_proofs_and_never_forgets_a_used_one`;
/// `tests/dpop_redis.rs` `a_redis_that_may_evict_proofs_is_refused`,
/// `a_full_redis_refuses_new_proofs_and_still_refuses_used_ones`; `src/dpop/replay.rs`
/// `a_full_store_refuses_new_proofs_and_forgets_no_live_one`.
///
/// ## 29. A key set that publishes its private key
///
/// **Attack**: a JWK Set, fetched or pinned, whose member carries the private half (`d`, or
/// an RSA key's `p`, `q`, `dp`, `dq`, `qi`, `oth`), as when a key generator's output is
/// pasted whole: anyone who reads the set can sign tokens that verify.
///
/// **Defence**: such a JWK is refused as weak when the set is parsed: pinned (`jwks_json`,
/// `jwk_json`), a configuration error naming the key; fetched, skipped with a warning (a
/// set of only such keys is a 503). `oct` keys are not affected (their `k` is the key).
/// jose refuses such a set member too; the differential test below found it.
///
/// **Proof**: `src/jwks/keyset.rs` `keys_with_private_material_are_refused_as_weak`;
/// `tests/jwks.rs` `a_key_set_that_publishes_a_private_key_is_refused`.
///
/// ## 30. Two verifiers that disagree (parser differentials)
///
/// **Attack**: a token shaped so that jwt-guard and another verifier in front of it or
/// beside it (a gateway using jose) reach different verdicts: repeated or escaped
/// members, odd numbers, base64url variants, `crit`, `kid` forms, odd key sets.
///
/// **Defence**: a differential test against panva's jose (npm, 6.2.18) on randomly
/// mutated, really signed tokens and key sets, with the same settings and time. Every
/// kind of disagreement is listed with the stricter side and the RFC reason; jwt-guard
/// accepts what jose refuses only in harmless classes (`kid: null` read as no `kid`,
/// keys it leaves out, a set member that is not an object, sub-second `nbf`).
///
/// **Proof**: `tests/jose.rs` `verdicts_agree_with_jose_or_are_explained` (3 000 cases in
/// CI, 0 unexplained; the figures of a 100 000-case run by hand are in the suite's
/// docs).
///
/// ## 31. A tenant that leaves its path (dot segments)
///
/// **Attack**: with a tenant pattern and a predicate that lets them through, `..` or `.`
/// as the tenant makes the key URL (`…/{tenant}/keys`, or the tenant's issuer for
/// discovery or LoopBack's rule) resolve outside the tenant's path, to keys the attacker
/// can sign for.
///
/// **Defence**: `.` and `..` are not tenants. Before any engine is made, the URL built for
/// a tenant must keep the template's scheme, host and port, and its path up to the
/// placeholder followed by the tenant itself; otherwise 401 `jwt issuer invalid`, no
/// fetch.
///
/// **Proof**: `tests/issuers.rs` `dot_segment_tenants_never_reach_another_path`;
/// `src/issuers.rs` `tenant_shape`, `tenant_urls_stay_in_frame`.
///
/// ## 32. A flood of new tenants
///
/// **Attack**: with a tenant predicate, each forged token naming a new tenant made a key
/// engine and an outbound fetch: 3,000 tokens, 3,000 fetches, and known tenants evicted
/// from the engine cache.
///
/// **Defence**: engines that fetch are made for unseen tenants from a token bucket
/// ([`new_tenant_budget`](crate::JwtStrategyBuilder::new_tenant_budget), 60 per minute by
/// default); over it the answer is 503 with `Retry-After` and no fetch. Tenants already
/// held are untouched.
///
/// **Proof**: `tests/issuers.rs` `a_flood_of_new_tenants_costs_at_most_the_budget_in_fetches`
/// (3,000 forged tokens, budget 10 per hour: 10 fetches, the known tenant served
/// throughout); `src/issuers.rs` `the_budget_refills_evenly`.
///
/// ## 33. A foreign token against a single issuer
///
/// **Attack**: with one issuer, a token from another issuer was looked up in this issuer's
/// keys first: a fetch per unknown `kid`, a 503 while the key server was down, and "no
/// signing key matches" instead of an issuer error.
///
/// **Defence**: one issuer is routed as several are: the unverified `iss` must equal it
/// before any key is looked up; otherwise 401 `jwt issuer invalid`, no fetch.
///
/// **Proof**: `tests/issuers.rs` `one_issuer_refuses_a_foreign_iss_before_any_fetch`.
///
/// ## 34. A leeway that makes tokens live forever
///
/// **Attack**: `leeway = "4294967295d"` built, and a token with `exp: 1` (1970) was
/// accepted.
///
/// **Defence**: leeway is clock skew, not lifetime: at most
/// [`MAX_LEEWAY`](crate::verify::MAX_LEEWAY) (10 minutes), DPoP's too; a proof's `max_age`
/// at most [`MAX_PROOF_AGE`](crate::dpop::MAX_PROOF_AGE) (1 hour). A larger value is a
/// `ConfigError` naming the field, in code and in config files.
///
/// **Proof**: `tests/validity_bounds.rs` `leeway_is_bounded_in_code_and_in_config_files`,
/// `dpop_proof_ages_are_bounded`.
///
/// ## 35. Attacker text in logs and response bodies
///
/// **Attack**: `GET /as/{5 KB name}` on the example server wrote one 5 KB ERROR line per
/// request and echoed the name in the 500 body; long `kid`s from a key set did the same
/// in warnings.
///
/// **Defence**: every attacker-influenced string (strategy names from requests, `kid`,
/// `iss`, tenant) is cut to 64 characters in logs and errors; the unknown-strategy body
/// is a fixed text; the example answers 404 to an unknown name.
///
/// **Proof**: `tests/log_bounds.rs` `attacker_strings_are_bounded_in_logs_and_never_echoed`;
/// the `server` example's tests; `tests/axum.rs`
/// `unregistered_strategy_is_a_500_named_in_the_logs_only`.
///
/// ## 36. Ambiguous, mixed or ROCA key sets
///
/// **Attack**: a set mixing an `oct` secret with public keys (Wycheproof's mixed-symmetry
/// set), two keys under one `kid` where the first won silently, or an Infineon RSALib
/// (ROCA, CVE-2017-15361) modulus whose private key can be computed.
///
/// **Defence**: a set holds secrets or public keys, never both (pinned: `ConfigError`).
/// Keys sharing a `kid` with overlapping algorithms are all left out (pinned:
/// `ConfigError`). A modulus with the ROCA fingerprint (the published test over 38 small
/// primes) is refused when parsed, JWK or PEM (pinned: an error; fetched: skipped with a
/// warning). See 18 for weak keys.
///
/// **Proof**: `tests/wycheproof.rs` `every_key_vector_is_accepted_or_refused_as_labelled`
/// (JWK tcIds 1, 4, 7), `every_crypto_vector_is_accepted_or_refused_as_labelled` (tcIds
/// 46, 47); `tests/jwks.rs` `a_fetched_set_leaves_roca_and_ambiguous_keys_out`,
/// `pinned_roca_mixed_and_repeated_kid_keys_are_refused_at_build`; `src/jwks/roca.rs`;
/// `src/jwks/keyset.rs` `a_duplicate_kid_leaves_every_key_with_it_out`.
///
/// ## 37. A configuration error that names the wrong field
///
/// **Fault**: a too-short secret in `hmac_secret_env` was refused, but the error named
/// `pem_keys`, sending the operator to the wrong setting.
///
/// **Defence**: each key source's error names its own field (`jwks_file`, `pem_keys`,
/// `hmac_secret_env`), and never quotes the secret.
///
/// **Proof**: `tests/validity_bounds.rs` `a_short_hmac_secret_env_is_an_error_of_its_field`.
///
/// ## 38. A revoked token, and a status list that points anywhere
///
/// **Fault**: a token its issuer revoked stays valid until `exp` (from the token cache
/// too); or, checking revocation, a token names a list URL that makes the service fetch
/// an internal address (SSRF), a list that inflates to gigabytes, a list signed by
/// someone else or for another URL, or a list server that is down.
///
/// **Defence**: with [`status_list`](crate::JwtStrategyBuilder::status_list), the token's
/// status is read from its issuer's Token Status List after the claims and on every
/// cache hit. The list URI must be on the issuer's origin (or an allowed one), https, no
/// redirects; the list must be `statuslist+jwt`, signed by the issuer's keys, `sub` equal
/// to its URI, unexpired, and inflate to at most `max_list_bytes`. No usable list is a
/// 503, never an accept, unless `dangerous_accept_unavailable()`.
///
/// **Proof**: `tests/status_list.rs` (every case against lists made by npm's
/// `@sd-jwt/jwt-status-list`); `src/status_list/` unit tests.
/// ## 39. Opaque tokens: an endpoint that fails, a cache that leaks, a revoked token
///
/// **Attack**: the introspection endpoint is down, slow or answers garbage (a 500 page,
/// `{"active":"true"}`, a repeated `active`) and a lax client reads that as "active"; a
/// dump of the result cache hands out live tokens; a burst of requests with one token
/// floods the authorization server; a token bound to a certificate or a DPoP key is
/// accepted as bearer because its `cnf` came from introspection, not from a JWT.
///
/// **Defence**: only a 200 whose body is a JSON object (no repeated names) with a boolean
/// `active` is an answer; anything else, or no answer within the timeout, is a 503 with
/// `Retry-After`. Answers are checked by the JWT rules (`exp`, `nbf`, `iss`, `aud`) and
/// the one `cnf` rule (`strategy/confirm.rs`). The cache is keyed by the token's SHA-256,
/// logs show 8 hex digits of it at most; one call per token in flight, on its own task.
/// A revoked token passes for at most `max_ttl` (60 s by default; documented).
///
/// **Proof**: `tests/introspection.rs` (against npm `oidc-provider`)
/// `garbage_answers_are_503_and_refused_answers_401`,
/// `the_server_stopped_is_a_503_with_retry_after_never_an_accept`,
/// `a_revoked_token_is_refused_once_its_cache_entry_ends`,
/// `concurrent_requests_with_one_token_make_one_call`,
/// `a_cancelled_waiter_stops_neither_the_call_nor_the_others`,
/// `a_dpop_bound_token_is_refused_by_the_one_confirmation_rule`.
///
/// ## 39. A scope covered by a pattern nobody meant (MCP, issue 21)
///
/// **Attack**: a token granted `*`, `orders*` or `read` passes a check for
/// `orders:delete` because a scope matcher treats prefixes or stars loosely.
///
/// **Defence**: exact match is the default ([`ScopeRule::exact`](crate::authz::ScopeRule::exact));
/// the wildcard rule covers only `prefix:*` → `prefix:` followed by at least one character,
/// case-sensitively, and a bare `*` only with `ScopeRule::wildcard_with_star()`, never by
/// accident; `*` is never advertised in `scopes_supported`.
///
/// **Proof**: `authz::tests::the_wildcard_rule_covers_its_prefix_only`;
/// `tests/layer.rs` `a_policy_scope_rule_covers_narrower_scopes`;
/// `tests/mcp_interop.rs` `the_sdk_reads_our_403_and_asks_for_the_scope` (`*`, `mcp`).
///
/// ## 40. An audience that names the resource in another spelling, or another resource
///
/// **Fault / attack**: `HTTPS://MCP.Example.com:443/mcp` refused although it names the
/// resource (RFC 3986 §6.2.2.1), or — the opposite mistake — a loose comparison accepting
/// `https://mcp.example.com/mcp/admin` or `https://mcp.example.com.evil/mcp`.
///
/// **Defence**: the configured resource is made canonical once at build time; a token's
/// `aud` values are compared part by part: scheme and host case-insensitively, the
/// default port elided, the path (and anything after it) exactly. User information is
/// refused.
///
/// **Proof**: `uri::tests`; `tests/resource_metadata.rs`
/// `the_audience_must_name_the_resource`; `tests/mcp_interop.rs`
/// `the_sdk_lists_and_calls_tools_with_a_good_token`.
///
/// ## Not covered
///
/// - Replay and revocation of bearer tokens: a valid bearer token is valid until `exp`
///   (opaque tokens: until the introspection cache entry ends; DPoP-bound tokens, above,
///   are not replayable without their key), unless its issuer publishes Token Status
///   Lists and the strategy checks them (38).
/// - Authorization beyond scopes and roles (attribute-based rules, ownership of a resource): the handler's business, with the [`Principal`](crate::Principal) it receives.
/// - TLS configuration of the key server, and the clock: `exp`/`nbf` trust the system
///   time, with [`leeway`](crate::JwtStrategyBuilder::leeway) for skew.
/// - ES512 (P-521) and encrypted tokens (JWE) are not supported; such tokens are refused.
pub mod threat_model {}
