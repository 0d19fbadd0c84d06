//! Revocation with Token Status Lists (draft-ietf-oauth-status-list): a JWT access token
//! carrying `"status": {"status_list": {"idx": N, "uri": "https://…"}}` is checked against
//! the list its issuer publishes at `uri`. Off unless configured with
//! [`JwtStrategyBuilder::status_list`](crate::JwtStrategyBuilder::status_list); settings
//! on [`StatusListConfig`].
//!
//! The list is a **Status List Token**, a JWT fetched with
//! `Accept: application/statuslist+jwt`. Before its list is used it must pass every
//! check: header `typ` `statuslist+jwt`, an algorithm of the strategy's allow-list, a
//! signature by the referenced token's issuer's keys (the strategy's pinned keys or key
//! engine, never a key the list names), `sub` equal to the URI fetched, an `iat` not in
//! the future, an `exp` (when present) not past, an `iss` (when present) equal to the
//! token's, and `status_list.bits` ∈ {1, 2, 4, 8} with `lst` (base64url of ZLIB/DEFLATE)
//! inflating to at most [`max_list_bytes`](StatusListConfig::max_list_bytes). A list that
//! fails is not used; the failure is logged and counts as the list being unavailable.
//!
//! The token's status, the one rule of `judge`: 0x00 (VALID) passes; 0x01 (INVALID) is a
//! 401 `invalid_token`, "token revoked"; 0x02 (SUSPENDED) a 401, "token suspended"; any
//! other value a 401 ("token status not accepted") unless
//! [`accept_status`](StatusListConfig::accept_status) names it; an `idx` past the end of
//! the list, or a `status_list` that is not `{idx, uri}`, a 401 "invalid status value".
//!
//! **Where a list may be.** Never where a token alone says: the URI must be https (or the
//! key engine's rule: http to loopback; anything else only with
//! [`dangerous_allow_http`](StatusListConfig::dangerous_allow_http)), without
//! credentials or fragment, and on the token issuer's origin — or, when
//! [`allow_origin`](StatusListConfig::allow_origin) is set, on one of those origins
//! instead. A token naming any other URI is refused before any fetch. Redirects are not
//! followed.
//!
//! **Freshness.** A list is fresh for its token's `ttl` (the draft's rule: it wins over
//! HTTP caching), else the response's `Cache-Control: max-age`, else
//! [`default_ttl`](StatusListConfig::default_ttl), clamped to
//! [`min_ttl`](StatusListConfig::min_ttl)..[`max_ttl`](StatusListConfig::max_ttl), never
//! past its `exp`. One fetch per list per `ttl`: the first request after it starts the
//! refresh in the background and is answered from the held list (for at most
//! [`stale_for`](StatusListConfig::stale_for) more while refreshes fail). Concurrent
//! requests for a list not held yet wait for one fetch (single flight; the fetch runs as
//! its own task, so a cancelled request never cancels it). After a failed fetch, none for
//! [`failure_backoff`](StatusListConfig::failure_backoff).
//!
//! **No list.** When a token's list cannot be had and none is held, the request is a 503
//! with `Retry-After` ([`ErrorKind::StatusListUnavailable`](crate::ErrorKind::StatusListUnavailable)),
//! unless [`dangerous_accept_unavailable`](StatusListConfig::dangerous_accept_unavailable)
//! (fail open) is set.
//!
//! **The token cache.** A cached token keeps its place in its list (a pointer to the
//! list and its index): each hit reads its status from the held, decompressed list, so
//! a token revoked after it was cached is refused once the list is refreshed.
//!
//! **Bounds.** At most [`max_lists`](StatusListConfig::max_lists) lists and
//! [`max_bytes`](StatusListConfig::max_bytes) bytes held, least recently used evicted
//! first; lists are keyed by issuer and URI (a list is only ever checked against the
//! keys of the issuer whose token named it).
//!
//! **Telemetry.** Each fetch is a `jwt_guard.status_list_fetch` span (target
//! `jwt_guard::status_list`, INFO) with `strategy`, `uri` and `result`; with the
//! `metrics` feature, `jwt_guard_status_list_fetches_total{strategy, result}`. Refusals
//! are counted by the authentication metrics under their reasons (`revoked`,
//! `suspended`, `status_not_accepted`, `status_list_unavailable`). No token is ever
//! logged.

mod config;
mod list;
mod reference;
mod store;
mod token;

pub use config::{StatusListConfig, StatusListMode};
pub(crate) use store::{StatusLists, StatusRef};
pub(crate) use token::ListKeys;
