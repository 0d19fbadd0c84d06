//! jwt-guard against panva's `jose` (npm), the JOSE library most of the web relies on: a
//! differential test.
//!
//! Tokens are made at random and mutated (header and payload bytes and members, algorithms,
//! `kid`s, signatures, time claims, base64url, key sets with mixed and odd keys), really
//! signed with keys made here, and each is verified twice with the same JWK Set and the same
//! settings (one accepted issuer or two, which jwt-guard routes by `iss`; the algorithm
//! allow-list; `exp` required or not; audience or none; zero leeway; the same second): by
//! jwt-guard's public API (a [`JwtStrategy`] with the set pinned by `jwks_json`, through
//! [`JwtStrategy::verify_token`]), and by jose's `jwtVerify` with `createLocalJWKSet`
//! (`tests/jose-differential/verify.mjs`, one node process for the whole run, cases and
//! verdicts as JSON lines).
//!
//! The verdicts must agree. Every kind of disagreement found is in [`CLASSES`], with the
//! side that is stricter and why (the RFC); a disagreement that no class explains fails the
//! test and prints the case. The counts of cases, agreements and each class are printed.
//!
//! `JOSE_CASES` sets the number of cases (default [`DEFAULT_CASES`]), `JOSE_SEED` the seed
//! (decimal or `0x…` hex; each case has its own generator, from the seed and its number,
//! so a case is rebuilt alike by any run with the same seed; the keys are fresh each run).
//! `JOSE_SHOW=N` prints the first N cases of each disagreement class; `JOSE_TRACE=text`
//! prints every case whose notes hold `text`, with both verdicts.
//!
//! jose is installed by `tests/jose-differential/setup.sh` under `target/` (run by `.ci/run`,
//! and by the test on first use through `jwt_guard_tests::install`); without node or npm the
//! test fails, naming the command that installs it.
//!
//! Half the cases are calm (ordinary choices only; half of those carry exactly one
//! mutation, so that each is also seen alone), half are wild (any mix of mutations).
//!
//! Figures (jose 6.2.18 on node 20, debug build, 2 shared cores, default seed): the CI run
//! of 3 000 cases took 7 s (before the key-set refusals of issue 18 added two classes):
//! 2 657 agree (809 both accept, 1 848 both refuse), 343
//! explained disagreements in 21 classes. A run by hand of 100 000 cases
//! (`JOSE_CASES=100000 cargo test -p jwt-guard-tests --test jose -- --nocapture`), after
//! the key-set refusals of issue 18 (mixed sets, duplicate kids), took 335 s beside a CI
//! run: 87 990 agree (26 028 both accept, 61 962 both refuse), 12 010 explained
//! disagreements in 25 classes, none unexplained. Before jwt-guard refused JWKs carrying
//! private key material, 100 000 cases of seed `0xdead` gave 10 unexplained disagreements,
//! all of that kind (jwt-guard accepted, jose refused): see `tests/jwks.rs`
//! `a_key_set_that_publishes_a_private_key_is_refused`.
//!
//! Found equal on both sides (no class needed): ECDSA signatures with a high `s` (n - s)
//! verify on both; Ed25519 signatures with S + L are refused by both; `none`, key
//! confusion (HS256 keyed with an RSA or EC public key), `crit` naming anything but `b64`,
//! escaped member names that do not repeat, `kid` mismatches, keys whose `alg`, `use`,
//! `key_ops` or curve do not fit.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::task::{Context, Poll, Waker};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard::{Algorithm, ErrorKind, JwtStrategy};
use serde_json::{Map, Value, json};

use jwt_guard_tests::rng::Rng;

/// Cases of a run without `JOSE_CASES`: a CI run, under a minute in a debug build.
const DEFAULT_CASES: usize = 3000;
/// The seed of a run without `JOSE_SEED` ("jose").
const DEFAULT_SEED: u64 = 0x6a6f_7365;

const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "https://api.example";
/// A second accepted issuer, in the cases that configure two (jwt-guard then routes each
/// token by its `iss`, read before the signature; jose is given both).
const ISSUER2: &str = "https://login.example/tenant-b/v2.0";

// ── the classes of disagreement ─────────────────────────────────────────────────────────

/// Which side accepts in a disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepts {
    /// jose accepts, jwt-guard refuses: jwt-guard is stricter.
    Jose,
    /// jwt-guard accepts, jose refuses: jose is stricter.
    Ours,
}

/// A kind of disagreement, explained. It applies to a case that carries one of `tags`
/// (the mutations that cause it), when the side that refuses refuses for one of the listed
/// reasons (jwt-guard's error, or jose's error code; prefixes).
struct Class {
    name: &'static str,
    tags: &'static [&'static str],
    accepts: Accepts,
    /// jwt-guard's refusals (when `accepts` is `Jose`).
    ours: &'static [&'static str],
    /// jose's refusals (when `accepts` is `Ours`).
    jose: &'static [&'static str],
    reason: &'static str,
}

/// Every disagreement seen, explained. jwt-guard is stricter on purpose in the first
/// group; jose is stricter in the second, where accepting is harmless (said why).
const CLASSES: &[Class] = &[
    // ── jwt-guard stricter ──
    Class {
        name: "repeated member name",
        tags: &["dup"],
        accepts: Accepts::Jose,
        ours: &["Malformed"],
        jose: &[],
        reason: "RFC 7515 §4 and RFC 7519 §4: a JOSE header or claims set with duplicate member \
                 names MUST be rejected or parsed last-wins; jwt-guard rejects (RFC 8725 §3.x: \
                 no parser differentials, e.g. a second `alg` or `exp` read by one library and \
                 not the other); jose's JSON.parse keeps the last",
    },
    Class {
        name: "crit names b64",
        tags: &["crit:b64"],
        accepts: Accepts::Jose,
        ours: &["CriticalHeader"],
        jose: &[],
        reason: "RFC 7515 §4.1.11: a recipient MUST reject a `crit` extension it does not \
                 implement; jwt-guard implements none (RFC 7797's `b64` has no use in a JWT), \
                 jose implements `b64` and accepts `\"crit\":[\"b64\"],\"b64\":true`",
    },
    Class {
        name: "time claim out of range",
        tags: &["time:range"],
        accepts: Accepts::Jose,
        ours: &["InvalidClaim"],
        jose: &[],
        reason: "RFC 7519 §2 NumericDate: jwt-guard takes `exp`/`nbf`/`iat` from 0 to \
                 9999-12-31 only (MAX_NUMERIC_DATE); a negative time or one past year 9999 \
                 (1e300: \"never expires\") is refused as invalid, jose compares any number",
    },
    Class {
        name: "number beyond f64",
        tags: &["num:overflow"],
        accepts: Accepts::Jose,
        ours: &["Malformed"],
        jose: &[],
        reason: "RFC 8259 §6 lets a parser limit the range of numbers: serde_json refuses \
                 1e400, JSON.parse reads Infinity (an `exp` of Infinity never expires in jose)",
    },
    Class {
        name: "nesting deeper than 128",
        tags: &["json:deep"],
        accepts: Accepts::Jose,
        ours: &["Malformed"],
        jose: &[],
        reason: "RFC 8259 §9 lets a parser limit nesting depth: serde_json stops at 128 \
                 levels (a bound on stack and time per token), JSON.parse goes deeper",
    },
    Class {
        name: "unpaired surrogate escape",
        tags: &["json:surrogate"],
        accepts: Accepts::Jose,
        ours: &["Malformed"],
        jose: &[],
        reason: "RFC 8259 §8.2 (such strings are unpredictable) and RFC 7493 (I-JSON) §2.1: a \
                 string with an unpaired surrogate (\"\\ud800\") MUST NOT be sent; serde_json \
                 refuses it, JSON.parse keeps it",
    },
    Class {
        name: "byte order mark",
        tags: &["json:bom"],
        accepts: Accepts::Jose,
        ours: &["Malformed"],
        jose: &[],
        reason: "RFC 8259 §8.1: a JSON text MUST NOT begin with a byte order mark, and a \
                 parser MAY ignore one or refuse it; jwt-guard refuses, jose's TextDecoder \
                 strips it",
    },
    Class {
        name: "non-canonical base64url",
        tags: &["b64:lax"],
        accepts: Accepts::Jose,
        ours: &["Malformed", "InvalidSignature"],
        jose: &[],
        reason: "RFC 7515 §2 and §7.1: each segment is base64url without padding, and RFC \
                 4648 §3.5: canonical (no pad bits set, no characters outside the alphabet); \
                 jose on node < 25 decodes with atob, which allows `=`, set pad bits and \
                 white space",
    },
    Class {
        name: "aud array with a non-string",
        tags: &["aud:mixed"],
        accepts: Accepts::Jose,
        ours: &["InvalidClaim(\"aud\")"],
        jose: &[],
        reason: "RFC 7519 §4.1.3: `aud` is a string or an array of strings; jwt-guard refuses \
                 a malformed array, jose only looks for the audience in it",
    },
    Class {
        name: "kid not a string",
        tags: &["hdr:kid-type"],
        accepts: Accepts::Jose,
        ours: &["Malformed"],
        jose: &[],
        reason: "RFC 7515 §4.1.4: `kid` is a string; jwt-guard refuses a header with a number \
                 or object `kid`, jose treats it as no `kid` and picks a key by `alg`",
    },
    Class {
        name: "JWK kid not a string",
        tags: &["jwk:kid-type"],
        accepts: Accepts::Jose,
        ours: &["UnknownKey", "AmbiguousKey", "InvalidSignature", "config"],
        jose: &[],
        reason: "RFC 7517 §4.5: `kid` is a string; jwt-guard leaves out a JWK whose `kid` is \
                 a number (RFC 7517 §5: ignore JWKs it cannot use), jose keeps it for tokens \
                 without a `kid`",
    },
    Class {
        name: "weak key in a pinned set",
        tags: &["set:weak"],
        accepts: Accepts::Jose,
        ours: &["config"],
        jose: &[],
        reason: "fail closed: a pinned JWK Set holding a key that could never be safe (an \
                 HMAC secret under 32 bytes, RFC 7518 §3.2; an even RSA modulus, e = 1) is a \
                 configuration error in jwt-guard; jose only notices the key it is asked to use",
    },
    Class {
        name: "HMAC secret shorter than the hash",
        tags: &["hmac:short"],
        accepts: Accepts::Jose,
        ours: &["InvalidSignature"],
        jose: &[],
        reason: "RFC 7518 §3.2: a key of the hash size or larger MUST be used with HS*; \
                 jwt-guard's 32-byte secret verifies HS256 only, jose lets it verify HS384/512",
    },
    Class {
        name: "a pinned set mixing secrets and public keys",
        tags: &["set:mixed"],
        accepts: Accepts::Jose,
        ours: &["config"],
        jose: &[],
        reason: "Wycheproof's mixed symmetry key set (JWK tcId 1, crypto tcId 47): a pinned \
                 set holding HMAC secrets and public keys is a configuration error in \
                 jwt-guard (issue 18); jose uses whichever key the token selects",
    },
    Class {
        name: "duplicate kid in a pinned set",
        tags: &["set:dup-kid", "set:dup-kid-unusable"],
        accepts: Accepts::Jose,
        ours: &["config"],
        jose: &[],
        reason: "RFC 7517 §4.5: keys of a set SHOULD have distinct `kid`s; a pinned set where \
                 keys whose algorithms overlap (or a key jwt-guard cannot use) share a `kid` is \
                 a configuration error in jwt-guard, not \"first wins\" (issue 18, Wycheproof \
                 JWK tcId 4); jose picks among them by `alg` when the token is verified",
    },
    Class {
        name: "duplicate kid in the set (every key with it left out)",
        tags: &["set:dup-kid"],
        accepts: Accepts::Jose,
        ours: &["UnknownKey", "InvalidSignature"],
        jose: &[],
        reason: "RFC 7517 §4.5: keys of a set SHOULD have distinct `kid`s; jwt-guard leaves out \
                 every key of a `kid` whose algorithms overlap another's (no \"first wins\"), \
                 jose picks among them by `alg` when the token is verified",
    },
    Class {
        name: "keys jose will not use, jwt-guard does",
        tags: &["jwk:ops-dup", "jwk:ext"],
        accepts: Accepts::Jose,
        ours: &["AmbiguousKey", "InvalidSignature"],
        jose: &[],
        reason: "the other side of \"keys jose will not use\": jwt-guard holds the key, so a \
                 token without `kid` may find two keys (ambiguous), or a `kid` shared with \
                 another key finds this one first; jose, ignoring it, finds one",
    },
    Class {
        name: "a private key in a pinned set",
        tags: &["set:private"],
        accepts: Accepts::Jose,
        ours: &["config"],
        jose: &[],
        reason: "a JWK carrying private key material (`d`) means its signing key is \
                 published: jwt-guard refuses the pinned set (fetched, it skips the key); \
                 jose refuses the key only when a token selects it",
    },
    Class {
        name: "duplicate JWK Set member",
        tags: &["set:dup"],
        accepts: Accepts::Jose,
        ours: &["config"],
        jose: &[],
        reason: "RFC 7517 §5 and RFC 8259 §4: a JWK Set document with two `keys` members is \
                 refused by jwt-guard's parser (serde), jose's JSON.parse keeps the last",
    },
    // ── jose stricter ──
    Class {
        name: "kid null",
        tags: &["hdr:kid-null"],
        accepts: Accepts::Ours,
        ours: &[],
        jose: &[
            "ERR_JWKS_NO_MATCHING_KEY",
            "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
        ],
        reason: "jwt-guard reads `\"kid\":null` as no `kid` (a unit test pins it) and finds \
                 the one key that fits `alg`, or refuses as ambiguous; jose matches no key. \
                 Harmless: the signature is still checked with a key of the set",
    },
    Class {
        name: "duplicate kid in the set",
        tags: &["set:dup-kid"],
        accepts: Accepts::Ours,
        ours: &[],
        jose: &["ERR_JWKS_MULTIPLE_MATCHING_KEYS"],
        reason: "RFC 7517 §4.5: keys of a set SHOULD have distinct `kid`s; jwt-guard holds \
                 keys of one `kid` whose algorithms do not overlap (RFC 7517 §4.5's RSA and EC \
                 example) and finds the one that fits `alg`, jose refuses the token as \
                 ambiguous. Harmless: only a key of the set verifies",
    },
    Class {
        name: "unusable keys left out of the set",
        tags: &["set:unusable"],
        accepts: Accepts::Ours,
        ours: &[],
        jose: &[
            "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            "ERR_JWKS_INVALID",
            "TypeError",
            "DataError",
            "ERR_JOSE_NOT_SUPPORTED",
            "NotSupportedError",
        ],
        reason: "RFC 7517 §5: implementations SHOULD ignore JWKs they cannot use; jwt-guard \
                 leaves such keys out when the set is loaded (an RSA key under 2048 bits, a \
                 point off its curve, a number `kid`), so a token \
                 without `kid` finds the one good key; jose still counts them as candidates \
                 and refuses as ambiguous, or fails importing the bad one",
    },
    Class {
        name: "a set member that is not an object",
        tags: &["set:non-object"],
        accepts: Accepts::Ours,
        ours: &[],
        jose: &["ERR_JWKS_INVALID"],
        reason: "RFC 7517 §5: jwt-guard ignores a member of `keys` that is not a JWK, jose \
                 refuses the whole set. Harmless: only the set's real keys verify",
    },
    Class {
        name: "keys jose will not use",
        tags: &["jwk:ops-dup", "jwk:ext"],
        accepts: Accepts::Ours,
        ours: &[],
        jose: &[
            "ERR_JWKS_NO_MATCHING_KEY",
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        ],
        reason: "RFC 7517 §4.3: `key_ops` MUST NOT repeat a value, and `ext` (WebCrypto's \
                 member) is a boolean; jwt-guard (jsonwebtoken's JWK parser) checks neither \
                 and uses the key, which still says `verify`; jose will not use it (and may \
                 pick another key with the same `kid`). Harmless: the key is the issuer's",
    },
    Class {
        name: "sub-second clock",
        tags: &["time:fraction"],
        accepts: Accepts::Ours,
        ours: &[],
        jose: &["ERR_JWT_CLAIM_VALIDATION_FAILED:nbf"],
        reason: "RFC 7519 §4.1.5 (nbf: \"on or after\"): jwt-guard compares the clock to the \
                 nanosecond, jose floors it to the second, so an `nbf` of T + 0.5 s is \
                 already valid for jwt-guard at T + 0.7 s and not for jose until T + 1",
    },
];

/// The same clock difference the other way: an `exp` of T + 0.5 s is past for jwt-guard
/// at T + 0.7 s, and still valid for jose (which sees T).
const FRACTION_EXPIRED: Class = Class {
    name: "sub-second clock (exp)",
    tags: &["time:fraction"],
    accepts: Accepts::Jose,
    ours: &["Expired"],
    jose: &[],
    reason: "RFC 7519 §4.1.4 (exp: \"on or after ... MUST NOT be accepted\"): jwt-guard \
             compares the clock to the nanosecond, jose floors it to the second",
};

fn classes() -> impl Iterator<Item = &'static Class> {
    CLASSES.iter().chain(std::iter::once(&FRACTION_EXPIRED))
}

// ── the keys ────────────────────────────────────────────────────────────────────────────

enum Signer {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Hmac(Vec<u8>),
}

/// A key that can sign, with its public JWK (key members only).
struct PoolKey {
    name: &'static str,
    signer: Signer,
    jwk: Map<String, Value>,
    /// The algorithms it signs (its natural ones).
    algs: &'static [Algorithm],
}

const RSA_ALGS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];
const HS_ALGS: &[Algorithm] = &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn pool() -> Vec<PoolKey> {
    let rsa = |name| {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
        let jwk = object(json!({
            "kty": "RSA",
            "n": b64(pair.public_key().modulus().big_endian_without_leading_zero()),
            "e": b64(pair.public_key().exponent().big_endian_without_leading_zero()),
        }));
        PoolKey {
            name,
            signer: Signer::Rsa(pair),
            jwk,
            algs: RSA_ALGS,
        }
    };
    let ec = |name, alg: &'static signature::EcdsaSigningAlgorithm, crv, algs| {
        let pair = EcdsaKeyPair::generate(alg).expect("EC key");
        let point = pair.public_key().as_ref();
        let half = (point.len() - 1) / 2;
        let jwk = object(json!({
            "kty": "EC", "crv": crv,
            "x": b64(&point[1..1 + half]), "y": b64(&point[1 + half..]),
        }));
        PoolKey {
            name,
            signer: Signer::Ec(pair),
            jwk,
            algs,
        }
    };
    let ed = |name| {
        let pair = Ed25519KeyPair::generate().expect("Ed25519 key");
        let jwk = object(json!({
            "kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref()),
        }));
        PoolKey {
            name,
            signer: Signer::Ed(pair),
            jwk,
            algs: &[Algorithm::EdDSA],
        }
    };
    let secret = |name, len: usize| {
        let mut bytes = vec![0u8; len];
        aws_lc_rs::rand::fill(&mut bytes).expect("random");
        let jwk = object(json!({ "kty": "oct", "k": b64(&bytes) }));
        PoolKey {
            name,
            signer: Signer::Hmac(bytes),
            jwk,
            algs: HS_ALGS,
        }
    };
    vec![
        rsa("rsa-a"),
        rsa("rsa-b"),
        ec(
            "p256-a",
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            "P-256",
            &[Algorithm::ES256],
        ),
        ec(
            "p256-b",
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            "P-256",
            &[Algorithm::ES256],
        ),
        ec(
            "p384",
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            "P-384",
            &[Algorithm::ES384],
        ),
        ec(
            "p521",
            &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            "P-521",
            &[Algorithm::ES512],
        ),
        ed("ed-a"),
        ed("ed-b"),
        secret("hmac-32", 32),
        secret("hmac-64", 64),
    ]
}

impl PoolKey {
    fn is_hmac(&self) -> bool {
        matches!(self.signer, Signer::Hmac(_))
    }

    /// Signs `message` for `alg` (the key's natural algorithm when `alg` does not fit it:
    /// a header that lies about the algorithm).
    fn sign(&self, alg: Option<Algorithm>, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Rsa(pair) => {
                let padding: &'static dyn signature::RsaEncoding = match alg {
                    Some(Algorithm::RS384) => &signature::RSA_PKCS1_SHA384,
                    Some(Algorithm::RS512) => &signature::RSA_PKCS1_SHA512,
                    Some(Algorithm::PS256) => &signature::RSA_PSS_SHA256,
                    Some(Algorithm::PS384) => &signature::RSA_PSS_SHA384,
                    Some(Algorithm::PS512) => &signature::RSA_PSS_SHA512,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(padding, &rng, message, &mut out)
                    .expect("RSA sign");
                out
            }
            Signer::Ec(pair) => pair.sign(&rng, message).expect("EC sign").as_ref().to_vec(),
            Signer::Ed(pair) => pair.sign(message).as_ref().to_vec(),
            Signer::Hmac(secret) => {
                let hash = match alg {
                    Some(Algorithm::HS384) => hmac::HMAC_SHA384,
                    Some(Algorithm::HS512) => hmac::HMAC_SHA512,
                    _ => hmac::HMAC_SHA256,
                };
                hmac::sign(&hmac::Key::new(hash, secret), message)
                    .as_ref()
                    .to_vec()
            }
        }
    }
}

// ── the cases ───────────────────────────────────────────────────────────────────────────

struct Case {
    id: usize,
    jwks: String,
    token: String,
    algorithms: Vec<Algorithm>,
    issuers: Vec<&'static str>,
    audience: Option<&'static str>,
    require_exp: bool,
    /// The time jose is given (ms); jwt-guard's clock read the same second.
    now_ms: u64,
    /// The mutations applied (what [`Class::tag`] names).
    tags: Vec<&'static str>,
    /// What was done, for a person reading a failure.
    notes: Vec<String>,
}

/// A JSON object written member by member, so that names may repeat or be escaped.
#[derive(Default)]
struct Members(Vec<(String, String)>);

impl Members {
    fn put(&mut self, name: &str, value: Value) {
        self.0.push((json!(name).to_string(), value.to_string()));
    }

    fn raw(&mut self, name_json: &str, value_json: &str) {
        self.0.push((name_json.to_owned(), value_json.to_owned()));
    }

    fn text(&self) -> String {
        let members: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}:{v}")).collect();
        format!("{{{}}}", members.join(","))
    }
}

struct Gen<'a> {
    rng: Rng,
    /// A calm case: no mutation, only ordinary choices (so that enough tokens are valid
    /// for the comparison of accepted tokens to mean something).
    calm: bool,
    /// In half the calm cases: the one place where a mutation is made (a site number),
    /// so that each mutation is also seen alone.
    focus: Option<u8>,
    tags: Vec<&'static str>,
    notes: Vec<String>,
    pool: &'a [PoolKey],
}

impl Gen<'_> {
    fn pct(&mut self, p: usize) -> bool {
        self.rng.below(100) < p
    }

    /// A mutation with probability `p` %; never in a calm case.
    fn mutate(&mut self, site: u8, p: usize) -> bool {
        if self.calm {
            self.focus == Some(site)
        } else {
            self.pct(p)
        }
    }

    /// A roll in `0..100` whose ordinary outcomes are `0..ordinary`: a calm case draws
    /// only those, except at its focus, where it draws only the others.
    fn roll(&mut self, site: u8, ordinary: usize) -> usize {
        match (self.calm, self.focus) {
            (true, Some(focus)) if focus == site => ordinary + self.rng.below(100 - ordinary),
            (true, _) => self.rng.below(ordinary),
            (false, _) => self.rng.below(100),
        }
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.rng.below(items.len())]
    }

    fn tag(&mut self, tag: &'static str, note: impl Into<String>) {
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self.notes.push(note.into());
    }

    fn random_bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.rng.next_u64() as u8).collect()
    }
}

/// A JWK of the set: a pool key (with its signing key) or an odd one that cannot sign.
struct SetKey {
    pool: Option<usize>,
    kid: Option<String>,
    alg: Option<String>,
}

/// Odd JWKs: each is left out by jwt-guard or makes the set unusable, and none can sign.
fn odd_jwk(g: &mut Gen<'_>) -> Value {
    let kid = format!("k{}", 1 + g.rng.below(4));
    match g.rng.below(10) {
        0 => {
            let mut n = g.random_bytes(128);
            n[0] |= 0x80;
            n[127] |= 1;
            g.tag("set:unusable", "odd key: RSA-1024");
            json!({ "kty": "RSA", "kid": kid, "n": b64(&n), "e": "AQAB" })
        }
        1 => {
            let mut n = g.random_bytes(256);
            n[0] |= 0x80;
            n[255] &= 0xfe;
            g.tag("set:weak", "odd key: RSA with an even modulus");
            json!({ "kty": "RSA", "kid": kid, "n": b64(&n), "e": "AQAB" })
        }
        2 => {
            let x = b64(&g.random_bytes(32));
            let y = b64(&g.random_bytes(32));
            g.tag("set:unusable", "odd key: P-256 point off the curve");
            json!({ "kty": "EC", "crv": "P-256", "kid": kid, "x": x, "y": y })
        }
        3 => {
            // A real P-256 point labelled P-384.
            let key = &g.pool[2];
            let mut jwk = key.jwk.clone();
            jwk.insert("crv".into(), json!("P-384"));
            jwk.insert("kid".into(), json!(kid));
            g.tag("set:unusable", "odd key: P-256 point labelled P-384");
            Value::Object(jwk)
        }
        4 => {
            let x = b64(&g.random_bytes(32));
            g.notes.push("odd key: OKP X25519".into());
            json!({ "kty": "OKP", "crv": "X25519", "kid": kid, "x": x })
        }
        5 => {
            g.notes.push("odd key: kty XYZ".into());
            json!({ "kty": "XYZ", "kid": kid })
        }
        6 => {
            let k = b64(&g.random_bytes(16));
            g.tag("set:weak", "odd key: 16-byte HMAC secret");
            json!({ "kty": "oct", "kid": kid, "k": k })
        }
        7 => {
            g.tag("set:non-object", "odd key: a string");
            json!("not a key")
        }
        8 => {
            g.notes.push("odd key: {}".into());
            json!({})
        }
        _ => {
            let x = b64(&g.random_bytes(32));
            let y = b64(&g.random_bytes(32));
            g.notes.push("odd key: EC secp256k1".into());
            json!({ "kty": "EC", "crv": "secp256k1", "kid": kid, "x": x, "y": y })
        }
    }
}

fn natural_alg(g: &mut Gen<'_>, key: &PoolKey) -> Algorithm {
    *g.pick(key.algs)
}

/// The places where a mutation may be made (numbered in `build_case` and its helpers).
const SITES: u8 = 24;

const ODD_ALGS: &[&str] = &["none", "Ed25519", "ES256K", "RS1", "rs256", "", "HS256"];

/// Builds one case: settings, key set, token. `now` is the current second.
fn build_case(id: usize, seed: u64, pool: &[PoolKey], now: i64) -> Case {
    let mut state = seed ^ (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut g = Gen {
        rng: Rng(splitmix(&mut state) | 1),
        calm: false,
        focus: None,
        tags: Vec::new(),
        notes: Vec::new(),
        pool,
    };
    g.calm = g.pct(50);
    if g.calm && g.pct(50) {
        g.focus = Some(1 + g.rng.below(SITES as usize) as u8);
    }
    let hmac_family = g.pct(12);

    // The key set.
    let candidates: Vec<usize> = (0..pool.len())
        .filter(|&i| pool[i].is_hmac() == hmac_family || g.pct(15))
        .collect();
    let count = 1 + g.rng.below(4);
    let mut set: Vec<SetKey> = Vec::new();
    let mut jwks: Vec<Value> = Vec::new();
    for _ in 0..count {
        if g.mutate(19, 12) {
            jwks.push(odd_jwk(&mut g));
            set.push(SetKey {
                pool: None,
                kid: None,
                alg: None,
            });
            continue;
        }
        let index = *g.pick(&candidates);
        let key = &pool[index];
        let mut jwk = key.jwk.clone();
        let kid = if g.pct(80) {
            Some(format!("k{}", 1 + g.rng.below(5)))
        } else {
            None
        };
        let kid = match kid {
            Some(kid) if g.mutate(20, 3) => {
                // A number kid: not a string (a token names it by no string).
                let number: u64 = kid[1..].parse().unwrap_or(1);
                jwk.insert("kid".into(), json!(number));
                g.tag(
                    "jwk:kid-type",
                    format!("{}: kid {number} (a number)", key.name),
                );
                g.tag("set:unusable", "a JWK with a number kid");
                None
            }
            Some(kid) => {
                jwk.insert("kid".into(), json!(kid));
                Some(kid)
            }
            None => None,
        };
        let alg = match g.roll(1, 85) {
            0..60 => Some(natural_alg(&mut g, key).as_str().to_owned()),
            60..85 => None,
            85..95 => Some(g.pick(&Algorithm::ALL).as_str().to_owned()),
            _ => Some("XS256".to_owned()),
        };
        if let Some(alg) = &alg {
            jwk.insert("alg".into(), json!(alg));
            if key.name == "hmac-32" && matches!(alg.as_str(), "HS384" | "HS512") {
                g.tag("set:weak", "a 32-byte secret pinned to HS384/HS512");
            }
        }
        match g.roll(2, 94) {
            0..40 => {
                jwk.insert("use".into(), json!("sig"));
            }
            94.. => {
                jwk.insert("use".into(), json!("enc"));
            }
            _ => {}
        }
        match g.roll(3, 87) {
            0..8 => {
                jwk.insert("key_ops".into(), json!(["verify"]));
            }
            87..90 => {
                jwk.insert("key_ops".into(), json!(["sign"]));
            }
            90..92 => {
                jwk.insert("key_ops".into(), json!(["verify", "verify"]));
                g.tag(
                    "jwk:ops-dup",
                    format!("{}: key_ops [verify, verify]", key.name),
                );
            }
            _ => {}
        }
        match g.roll(4, 90) {
            0..3 => {
                jwk.insert("ext".into(), json!(true));
            }
            3..6 => {
                jwk.insert("x5t".into(), json!(b64(b"not a thumbprint")));
            }
            90..92 => {
                jwk.insert("ext".into(), json!("yes"));
                g.tag("jwk:ext", format!("{}: ext \"yes\"", key.name));
            }
            92..94 if !key.is_hmac() => {
                jwk.insert("d".into(), json!(b64(&g.random_bytes(32))));
                g.tag("set:private", format!("{}: a private member d", key.name));
            }
            _ => {}
        }
        g.notes.push(format!(
            "set: {} kid {:?} alg {:?}",
            key.name,
            jwk.get("kid"),
            alg
        ));
        jwks.push(Value::Object(jwk));
        set.push(SetKey {
            pool: Some(index),
            kid,
            alg,
        });
    }
    {
        let kids: Vec<&String> = set.iter().filter_map(|k| k.kid.as_ref()).collect();
        let distinct: std::collections::BTreeSet<&&String> = kids.iter().collect();
        if distinct.len() < kids.len() {
            g.tag("set:dup-kid", "two keys share a kid");
        }
        // An odd (unusable) JWK whose string kid another JWK has too.
        let all: Vec<&str> = jwks
            .iter()
            .filter_map(|j| j.get("kid").and_then(Value::as_str))
            .collect();
        let odd_shares = jwks.iter().zip(&set).any(|(jwk, key)| {
            key.pool.is_none()
                && jwk
                    .get("kid")
                    .and_then(Value::as_str)
                    .is_some_and(|kid| all.iter().filter(|k| **k == kid).count() > 1)
        });
        if odd_shares {
            g.tag("set:dup-kid-unusable", "an unusable key shares a kid");
        }
        let secrets = set
            .iter()
            .filter_map(|k| k.pool)
            .filter(|&i| pool[i].is_hmac())
            .count();
        let public = set.iter().filter(|k| k.pool.is_some()).count() - secrets;
        if secrets > 0 && public > 0 {
            g.tag("set:mixed", "HMAC secrets and public keys in one set");
        }
    }
    let keys_text = Value::Array(jwks).to_string();
    let jwks = match g.roll(5, 95) {
        0..3 => format!("{{\"keys\":{keys_text},\"issuer\":\"{ISSUER}\"}}"),
        95..97 => {
            g.tag("set:dup", "JWK Set with two keys members (the first empty)");
            format!("{{\"keys\":[],\"keys\":{keys_text}}}")
        }
        97 => {
            g.notes.push("JWK Set: keys is an object".into());
            format!("{{\"keys\":{{\"0\":{keys_text}}}}}")
        }
        98 => {
            g.notes.push("JWK Set: a bare array".into());
            keys_text
        }
        _ => format!("{{\"keys\":{keys_text}}}"),
    };

    // The signing key: mostly one of the set.
    let in_set: Vec<usize> = (0..set.len()).filter(|&i| set[i].pool.is_some()).collect();
    let (signer, entry) = if !in_set.is_empty() && !g.mutate(21, 12) {
        let entry = *g.pick(&in_set);
        (set[entry].pool.unwrap_or(0), Some(entry))
    } else {
        g.notes.push("signed with a key outside the set".into());
        (g.rng.below(pool.len()), None)
    };
    let key = &pool[signer];

    // The algorithm.
    let pinned = entry.and_then(|e| set[e].alg.clone());
    let alg_name: String = match g.roll(6, 85) {
        0..85 => match &pinned {
            Some(alg)
                if alg
                    .parse::<Algorithm>()
                    .is_ok_and(|a| key.algs.contains(&a)) =>
            {
                alg.clone()
            }
            _ => natural_alg(&mut g, key).as_str().to_owned(),
        },
        85..95 => g.pick(&Algorithm::ALL).as_str().to_owned(),
        _ => (*g.pick(ODD_ALGS)).to_owned(),
    };
    let alg = alg_name.parse::<Algorithm>().ok();
    if key.is_hmac()
        && matches!(key.name, "hmac-32")
        && matches!(alg, Some(Algorithm::HS384 | Algorithm::HS512))
    {
        g.tag("hmac:short", "a 32-byte secret signs HS384/HS512");
    }

    // The settings.
    let family: Vec<Algorithm> = Algorithm::ALL
        .into_iter()
        .filter(|a| HS_ALGS.contains(a) == hmac_family)
        .collect();
    let mut algorithms: Vec<Algorithm> = if g.pct(40) {
        family.clone()
    } else {
        let n = 1 + g.rng.below(3);
        let mut chosen = Vec::new();
        for _ in 0..n {
            let a = *g.pick(&family);
            if !chosen.contains(&a) {
                chosen.push(a);
            }
        }
        chosen
    };
    if let Some(a) = alg
        && family.contains(&a)
        && !algorithms.contains(&a)
        && !g.mutate(22, 15)
    {
        algorithms.push(a);
    }
    // A 32-byte secret when no allowed HS* algorithm suits it: a configuration error.
    if hmac_family
        && !algorithms.contains(&Algorithm::HS256)
        && set
            .iter()
            .any(|k| k.pool.is_some_and(|i| pool[i].name == "hmac-32") && k.alg.is_none())
    {
        g.tag("set:weak", "a 32-byte secret and no HS256 allowed");
    }
    let audience = g.pct(30).then_some(AUDIENCE);
    let issuers = if g.pct(20) {
        vec![ISSUER, ISSUER2]
    } else {
        vec![ISSUER]
    };
    let iss = if issuers.len() == 2 && g.pct(40) {
        ISSUER2
    } else {
        ISSUER
    };
    let require_exp = g.pct(70);

    // The header.
    let mut header = Members::default();
    match g.roll(7, 98) {
        97 if !alg_name.is_empty() => {
            // The same name, its first letter escaped: `"\u0052S256"` is `RS256`.
            let mut chars = alg_name.chars();
            let first = chars.next().map_or(0, u32::from);
            header.raw("\"alg\"", &format!("\"\\u{first:04x}{}\"", chars.as_str()));
            g.notes.push("alg with an escaped letter".into());
        }
        0..98 => header.put("alg", json!(alg_name)),
        98 => g.notes.push("no alg".into()),
        _ => header.put("alg", json!(256)),
    }
    let kid = entry.and_then(|e| set[e].kid.clone());
    match (&kid, g.roll(8, 85)) {
        (Some(kid), 0..85) => header.put("kid", json!(kid)),
        (None, 0..90) => {}
        (Some(_), 85..92) => g.notes.push("header without the key's kid".into()),
        (Some(_), 92..95) => header.put("kid", json!("k9")),
        (None, 90..95) => header.put("kid", json!(format!("k{}", 1 + g.rng.below(5)))),
        (_, 95..97) => {
            header.put(
                "kid",
                if g.pct(50) {
                    json!(1)
                } else {
                    json!({ "k": 1 })
                },
            );
            g.tag("hdr:kid-type", "header kid not a string");
        }
        (_, _) => {
            header.put("kid", Value::Null);
            g.tag("hdr:kid-null", "header kid null");
        }
    }
    match g.roll(9, 97) {
        0..50 => header.put("typ", json!("JWT")),
        50..60 => header.put("typ", json!("at+jwt")),
        97.. => header.put("typ", json!(["JWT"])),
        _ => {}
    }
    // Ordinary rolls (0..78) land on 22..100: no extra member.
    match (g.roll(10, 78) + 22) % 100 {
        0..3 => {
            header.put("crit", json!(["b64"]));
            header.put("b64", json!(true));
            g.tag("crit:b64", "crit [b64], b64 true");
        }
        3 => {
            header.put("crit", json!(["b64"]));
            header.put("b64", json!(false));
            g.notes.push("crit [b64], b64 false".into());
        }
        4 => {
            header.put("crit", json!(["exp"]));
            header.put("exp", json!(now + 60));
            g.notes.push("crit [exp]".into());
        }
        5 => {
            header.put("crit", json!([]));
            g.notes.push("crit []".into());
        }
        6 => {
            header.put("crit", Value::Null);
            g.notes.push("crit null".into());
        }
        7 => {
            header.put("b64", json!(false));
            g.notes.push("b64 false without crit".into());
        }
        8..11 => {
            header.put("jku", json!("https://evil.example/jwks.json"));
            header.put(
                "jwk",
                json!({ "kty": "oct", "k": b64(b"attacker's secret of some length") }),
            );
            g.notes.push("jku and jwk in the header".into());
        }
        11..14 => {
            header.raw(
                "\"alg\"",
                &json!(if g.pct(50) { "none" } else { "HS256" }).to_string(),
            );
            header.0.rotate_right(1);
            g.tag("dup", "header: alg twice (the first another)");
        }
        14..16 => {
            header.raw("\"\\u0061lg\"", &json!(alg_name).to_string());
            g.tag("dup", "header: \\u0061lg beside alg");
        }
        16..18 => {
            header.put("x", json!(1));
            header.put("x", json!(2));
            g.tag("dup", "header: x twice");
        }
        18..20 => {
            header.raw("\"x\"", "\"\\ud800\"");
            g.tag("json:surrogate", "header: a lone surrogate");
        }
        20..22 => {
            header.raw("\"x5u\"", "{\"a\":1,\"a\":2}");
            g.notes
                .push("header: nested repeated names in an ignored member".into());
        }
        _ => {}
    }
    let mut header_bytes = header.text().into_bytes();
    match (g.roll(11, 96) + 4) % 100 {
        0 => {
            header_bytes = b"[\"not an object\"]".to_vec();
            g.notes.push("header: an array".into());
        }
        1 => {
            header_bytes.push(0xff);
            g.notes.push("header: invalid UTF-8".into());
        }
        2 => {
            header_bytes.splice(0..0, "\u{feff}".bytes());
            g.tag("json:bom", "header: BOM");
        }
        3 => {
            header_bytes.splice(0..0, *b" \n");
            header_bytes.extend_from_slice(b"\r\n ");
            g.notes.push("header: white space around".into());
        }
        _ => {}
    }

    // The claims.
    let mut claims = Members::default();
    match g.roll(12, 86) {
        0..86 => claims.put("iss", json!(iss)),
        86..89 => {}
        89..91 => claims.put("iss", json!("https://evil.example")),
        91 => claims.put("iss", json!(ISSUER2)),
        92..94 => claims.put("iss", json!(5)),
        94..96 => claims.put("iss", json!([ISSUER])),
        96..98 => claims.put("iss", json!(format!("{ISSUER}/"))),
        98 => claims.raw("\"iss\"", "\"https:\\/\\/issuer.example\""),
        _ => claims.raw("\"\\u0069ss\"", "\"\\u0068ttps://issuer.example\""),
    }
    claims.put("sub", json!("user-1"));
    match (audience.is_some(), g.roll(13, 77)) {
        (true, 0..65) | (false, 0..20) => claims.put("aud", json!(AUDIENCE)),
        (true, 65..77) => claims.put("aud", json!(["https://other.example", AUDIENCE])),
        (_, 77..83) => {
            claims.put("aud", json!([AUDIENCE, 7]));
            g.tag("aud:mixed", "aud: an array with a number");
        }
        (true, 83..90) => claims.put("aud", json!("https://other.example")),
        (_, 90..93) => claims.put("aud", json!(5)),
        _ => {}
    }
    for (claim, usual, absent_pct) in [
        ("exp", now + 3600, 8),
        ("nbf", now - 60, 75),
        ("iat", now, 25),
    ] {
        time_claim(&mut g, &mut claims, claim, usual, absent_pct, now);
    }
    // Ordinary: 0..75 (a scope, or nothing); the extra members are 75..100, moved to 10..35.
    let roll = match g.roll(14, 75) {
        r @ 0..10 => r,
        r @ 75.. => r - 65,
        _ => 99,
    };
    match roll {
        0..10 => claims.put("scope", json!("read write")),
        10..13 => {
            claims.raw("\"ext\"", "{\"a\":1,\"a\":2}");
            g.tag("dup", "claims: repeated names in a nested object");
        }
        13..16 if g.pct(50) => {
            claims.put("sub", json!("user-2"));
            g.tag("dup", "claims: sub twice");
        }
        13..16 => {
            let other = if iss == ISSUER { ISSUER2 } else { ISSUER };
            claims
                .0
                .insert(0, (json!("iss").to_string(), json!(other).to_string()));
            g.tag("dup", "claims: iss twice (the first another issuer)");
        }
        16..19 => {
            let first = if g.pct(50) { now - 10 } else { now + 3600 };
            claims
                .0
                .insert(0, (json!("exp").to_string(), json!(first).to_string()));
            g.tag("dup", "claims: exp twice");
        }
        19..21 => {
            claims.raw("\"\\u0065xp\"", &json!(now - 10).to_string());
            g.tag("dup", "claims: \\u0065xp beside exp (or alone)");
        }
        21..23 => {
            let depth = 130 + g.rng.below(100);
            let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            claims.raw("\"deep\"", &deep);
            g.tag("json:deep", format!("claims: nesting {depth} deep"));
        }
        23..25 => {
            let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
            claims.raw("\"deep\"", &deep);
            g.notes.push("claims: nesting 100 deep".into());
        }
        25..27 => {
            claims.raw("\"note\"", "\"\\udc00 lone\"");
            g.tag("json:surrogate", "claims: a lone surrogate");
        }
        27..29 => {
            claims.raw("\"note\"", "\"\\ud83d\\ude00 paired\"");
            g.notes.push("claims: a surrogate pair".into());
        }
        29..31 => {
            claims.raw("\"big\"", "1e400");
            g.tag("num:overflow", "claims: 1e400 in an unknown claim");
        }
        31..33 => {
            claims.raw("\"big\"", "123456789012345678901234567890");
            g.notes.push("claims: a 30-digit integer".into());
        }
        33..35 => {
            claims.raw("\"z\"", "-0");
            g.notes.push("claims: -0".into());
        }
        _ => {}
    }
    let mut payload_bytes = claims.text().into_bytes();
    match (g.roll(15, 93) + 7) % 100 {
        0 => {
            payload_bytes = b"[]".to_vec();
            g.notes.push("claims: an array".into());
        }
        1 => {
            payload_bytes.clear();
            g.notes.push("claims: empty".into());
        }
        2 => {
            payload_bytes.push(0xc3);
            g.notes.push("claims: invalid UTF-8".into());
        }
        3 => {
            payload_bytes.splice(0..0, "\u{feff}".bytes());
            g.tag("json:bom", "claims: BOM");
        }
        4 => {
            payload_bytes.extend_from_slice(b"x");
            g.notes.push("claims: trailing garbage".into());
        }
        5 => {
            payload_bytes.splice(0..0, *b"\t ");
            payload_bytes.extend_from_slice(b"\n");
            g.notes.push("claims: white space around".into());
        }
        6 => {
            payload_bytes = format!("{{\"iss\":\"{ISSUER}\",\"exp\":NaN}}").into_bytes();
            g.notes.push("claims: NaN".into());
        }
        _ => {}
    }

    // Encoding, then the signature.
    let mut header_segment = b64(&header_bytes);
    let mut payload_segment = b64(&payload_bytes);
    for segment in [&mut header_segment, &mut payload_segment] {
        encoding_mutation(&mut g, segment);
    }
    let signing_input = format!("{header_segment}.{payload_segment}");
    let signature = match (g.roll(16, 98) + 2) % 100 {
        0 | 1 => {
            // The HMAC of a public key's bytes (key confusion), or another key's signature.
            let other = &pool[g.rng.below(pool.len())];
            g.notes.push(format!("signed by {} instead", other.name));
            other.sign(alg, signing_input.as_bytes())
        }
        _ if alg.is_some_and(|a| HS_ALGS.contains(&a)) && !key.is_hmac() && g.pct(50) => {
            // Key confusion: an HMAC whose secret is the public key (as its JWK's text, or
            // its first member's bytes).
            let secret = if g.pct(50) {
                Value::Object(key.jwk.clone()).to_string().into_bytes()
            } else {
                key.jwk
                    .values()
                    .filter_map(Value::as_str)
                    .find_map(|v| URL_SAFE_NO_PAD.decode(v).ok())
                    .unwrap_or_default()
            };
            g.notes
                .push(format!("HMAC keyed with {}'s public key", key.name));
            let hmac_key = PoolKey {
                name: "confusion",
                signer: Signer::Hmac(secret),
                jwk: Map::new(),
                algs: HS_ALGS,
            };
            hmac_key.sign(alg, signing_input.as_bytes())
        }
        _ => key.sign(alg, signing_input.as_bytes()),
    };
    let mut signature_segment = b64(&signature);
    match (g.roll(17, 91) + 9) % 100 {
        0..3 if !signature.is_empty() => {
            let mut flipped = signature.clone();
            let at = g.rng.below(flipped.len());
            flipped[at] ^= 1 << g.rng.below(8);
            signature_segment = b64(&flipped);
            g.notes.push("signature: a bit flipped".into());
        }
        3 => {
            signature_segment.pop();
            g.notes.push("signature: last character dropped".into());
        }
        4 if key.algs.contains(&Algorithm::EdDSA) || ec_order(&signature).is_some() => {
            // The other signature of the same message: ECDSA's (r, n - s), Ed25519's
            // S + L (a non-canonical scalar; RFC 8032 §5.1.7 refuses it).
            signature_segment = b64(&malleated(&signature));
            g.notes
                .push("signature: malleated (n - s, or S + L)".into());
        }
        8 => {
            let mut longer = vec![0u8];
            longer.extend_from_slice(&signature);
            signature_segment = b64(&longer);
            g.notes.push("signature: a zero byte before it".into());
        }
        5 => {
            signature_segment.clear();
            g.notes.push("signature: empty".into());
        }
        6 | 7 => encoding_mutation_always(&mut g, &mut signature_segment),
        _ => {}
    }
    let mut token = format!("{signing_input}.{signature_segment}");
    match (g.roll(18, 98) + 2) % 100 {
        0 => {
            token.push_str(".x");
            g.notes.push("token: four segments".into());
        }
        1 => {
            token = signing_input.clone();
            g.notes.push("token: two segments".into());
        }
        _ => {}
    }
    g.notes.push(format!(
        "signer {} alg {alg_name}; settings {algorithms:?} issuers {issuers:?} aud {audience:?} require_exp {require_exp}",
        key.name
    ));
    Case {
        id,
        jwks,
        token,
        algorithms,
        issuers,
        audience,
        require_exp,
        now_ms: 0,
        tags: g.tags,
        notes: g.notes,
    }
}

/// A time claim: usual, absent, or one of the edge and odd values.
fn time_claim(
    g: &mut Gen<'_>,
    claims: &mut Members,
    claim: &'static str,
    usual: i64,
    absent_pct: usize,
    now: i64,
) {
    if g.pct(absent_pct) {
        return;
    }
    if !g.mutate(23, 35) {
        claims.put(claim, json!(usual));
        return;
    }
    let raw = match g.rng.below(17) {
        0 => (now - 1).to_string(),
        1 => now.to_string(),
        2 => (now + 1).to_string(),
        3 => format!("{}.5", now),
        4 => format!("{}.5", now - 1),
        5 => format!("{}.999", now),
        6 => {
            g.tag("time:range", format!("{claim}: negative"));
            "-1".into()
        }
        7 => {
            g.tag("time:range", format!("{claim}: past 9999"));
            "253402300800".into()
        }
        8 => {
            g.tag("time:range", format!("{claim}: 1e300"));
            "1e300".into()
        }
        9 => {
            g.tag("num:overflow", format!("{claim}: 1e400"));
            "1e400".into()
        }
        10 => format!("\"{usual}\""),
        11 => "null".into(),
        12 => "true".into(),
        13 => format!("[{usual}]"),
        14 => {
            if g.pct(50) {
                format!("{usual}.0")
            } else {
                format!("{usual}e0")
            }
        }
        15 if g.pct(50) => "10000000000".into(),
        15 => {
            g.tag("time:range", format!("{claim}: 2^64"));
            "18446744073709551616".into()
        }
        _ => "0".into(),
    };
    if raw.contains('.') && !raw.ends_with(".0") {
        g.tag("time:fraction", format!("{claim}: {raw}"));
    } else {
        g.notes.push(format!("{claim}: {raw}"));
    }
    claims.raw(&json!(claim).to_string(), &raw);
}

/// Sometimes: a base64url segment written another way (padding, pad bits set, white space,
/// the standard alphabet).
fn encoding_mutation(g: &mut Gen<'_>, segment: &mut String) {
    if g.mutate(24, 6) {
        encoding_mutation_always(g, segment);
    }
}

fn encoding_mutation_always(g: &mut Gen<'_>, segment: &mut String) {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    match g.rng.below(4) {
        0 if !segment.len().is_multiple_of(4) => {
            while !segment.len().is_multiple_of(4) {
                segment.push('=');
            }
            g.tag("b64:lax", "base64url: padded");
        }
        1 if matches!(segment.len() % 4, 2 | 3) => {
            let last = segment.pop().map_or(0, |c| c as u8);
            let value = ALPHABET.iter().position(|&c| c == last).unwrap_or(0);
            let unused = if segment.len() % 4 == 1 { 4 } else { 2 };
            let changed = value | (1 << g.rng.below(unused));
            let changed = if changed == value { value ^ 1 } else { changed };
            segment.push(ALPHABET[changed] as char);
            g.tag("b64:lax", "base64url: pad bits set");
        }
        2 if !segment.is_empty() => {
            let at = g.rng.below(segment.len());
            segment.insert(at, *g.pick(&[' ', '\n', '\t']));
            g.tag("b64:lax", "base64url: white space inside");
        }
        3 if segment.contains(['-', '_']) => {
            *segment = segment.replace('-', "+").replace('_', "/");
            g.notes.push("base64url: standard alphabet".into());
        }
        _ => {}
    }
}

/// The group order of the curve of a fixed-size ECDSA signature (by its length), big-endian.
fn ec_order(signature: &[u8]) -> Option<Vec<u8>> {
    let hex = match signature.len() {
        64 => "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        96 => {
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"
        }
        132 => {
            "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409"
        }
        _ => return None,
    };
    let order: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    assert_eq!(
        order.len() * 2,
        signature.len(),
        "curve order of the right size"
    );
    Some(order)
}

/// ECDSA (r, s) → (r, n - s); Ed25519 (R, S) → (R, S + L). Both still verify the same
/// message under the group law; whether a verifier accepts them is what is compared.
fn malleated(signature: &[u8]) -> Vec<u8> {
    let mut out = signature.to_vec();
    if let Some(order) = ec_order(signature) {
        // s' = n - s, big-endian.
        let half = signature.len() / 2;
        let s = &signature[half..];
        let mut borrow = 0i16;
        for i in (0..half).rev() {
            let mut d = i16::from(order[i]) - i16::from(s[i]) - borrow;
            borrow = i16::from(d < 0);
            if d < 0 {
                d += 256;
            }
            out[half + i] = d as u8;
        }
    } else if signature.len() == 64 {
        // S' = S + L, little-endian (L = 2^252 + 27742317777372353535851937790883648493).
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(signature[32 + i]) + u16::from(L[i]) + carry;
            out[32 + i] = sum as u8;
            carry = sum >> 8;
        }
    }
    out
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// ── the verdicts ────────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// jwt-guard's error, or jose's code (and claim).
    Refuse(String),
}

/// Polls once: verification with pinned keys never waits.
fn now_or_never<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("verification with pinned keys waited"),
    }
}

fn ours(case: &Case) -> Verdict {
    let mut builder = JwtStrategy::builder();
    for issuer in &case.issuers {
        builder = builder.issuer(*issuer);
    }
    builder = builder
        .jwks_json(case.jwks.as_bytes())
        .algorithms(case.algorithms.iter().copied())
        .leeway(std::time::Duration::ZERO)
        .require_exp(case.require_exp);
    if let Some(audience) = case.audience {
        builder = builder.audience(audience);
    }
    let strategy = match builder.build() {
        Ok(strategy) => strategy,
        Err(_) => return Verdict::Refuse("config".into()),
    };
    match now_or_never(strategy.verify_token(&case.token)) {
        Ok(_) => Verdict::Accept,
        Err(err) => match err.kind() {
            ErrorKind::InvalidToken(token) => Verdict::Refuse(format!("{token:?}")),
            other => Verdict::Refuse(format!("{other:?}")),
        },
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Builds case `id` and verifies it with jwt-guard, all within one second of the clock
/// (rebuilt when the second turned meanwhile), so that jose can be given that second.
fn run_ours(id: usize, seed: u64, pool: &[PoolKey]) -> (Case, Verdict) {
    loop {
        let start = unix_now();
        let second = start.floor() as i64;
        let mut case = build_case(id, seed, pool, second);
        let verdict = ours(&case);
        if unix_now().floor() as i64 == second {
            case.now_ms = (start * 1000.0) as u64;
            return (case, verdict);
        }
    }
}

/// Runs every case through one jose process.
fn run_jose(dir: &Path, cases: &[Case]) -> Vec<Verdict> {
    let mut child = Command::new("node")
        .arg(dir.join("verify.mjs"))
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs (installed with jose by tests/jose-differential/setup.sh)");
    let mut stdin = child.stdin.take().expect("stdin");
    let lines: Vec<String> = cases
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "jwks": c.jwks,
                "token": c.token,
                "issuers": c.issuers,
                "algorithms": c.algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
                "audience": c.audience,
                "requireExp": c.require_exp,
                "nowMs": c.now_ms,
            })
            .to_string()
        })
        .collect();
    let writer = std::thread::spawn(move || {
        for line in lines {
            writeln!(stdin, "{line}").expect("write a case to node");
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let mut verdicts = Vec::with_capacity(cases.len());
    for (line, case) in BufReader::new(stdout).lines().zip(cases) {
        let line = line.expect("read a verdict from node");
        let v: Value = serde_json::from_str(&line).expect("a verdict is JSON");
        assert_eq!(v["id"], json!(case.id), "verdicts come in order");
        verdicts.push(if v["ok"] == json!(true) {
            Verdict::Accept
        } else {
            let code = v["code"].as_str().unwrap_or("unknown");
            match v["claim"].as_str() {
                Some(claim) => Verdict::Refuse(format!("{code}:{claim}")),
                None => Verdict::Refuse(code.to_owned()),
            }
        });
    }
    writer.join().expect("writer");
    let status = child.wait().expect("node exits");
    assert!(status.success(), "node failed: {status}");
    assert_eq!(verdicts.len(), cases.len(), "node answered every case");
    verdicts
}

fn explain(case: &Case, ours: &Verdict, jose: &Verdict) -> Option<&'static Class> {
    classes().find(|class| {
        class.tags.iter().any(|tag| case.tags.contains(tag))
            && match (class.accepts, ours, jose) {
                (Accepts::Jose, Verdict::Refuse(why), Verdict::Accept) => {
                    class.ours.iter().any(|p| why.starts_with(p))
                }
                (Accepts::Ours, Verdict::Accept, Verdict::Refuse(code)) => {
                    class.jose.iter().any(|p| code.starts_with(p))
                }
                _ => false,
            }
    })
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

// ── the test ────────────────────────────────────────────────────────────────────────────

#[test]
fn verdicts_agree_with_jose_or_are_explained() {
    let dir = jwt_guard_tests::install("jose-differential");
    let cases_wanted = env_number("JOSE_CASES").map_or(DEFAULT_CASES, |n| n as usize);
    let seed = env_number("JOSE_SEED").unwrap_or(DEFAULT_SEED);
    let show = env_number("JOSE_SHOW").unwrap_or(0) as usize;
    let started = Instant::now();
    let pool = pool();

    let mut cases = Vec::with_capacity(cases_wanted);
    let mut our_verdicts = Vec::with_capacity(cases_wanted);
    for id in 0..cases_wanted {
        let (case, verdict) = run_ours(id, seed, &pool);
        cases.push(case);
        our_verdicts.push(verdict);
    }
    let jose_verdicts = run_jose(&dir, &cases);

    let mut both_accept = 0usize;
    let mut both_refuse = 0usize;
    let mut per_class: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut shown: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let trace = std::env::var("JOSE_TRACE").ok();
    for ((case, ours), jose) in cases.iter().zip(&our_verdicts).zip(&jose_verdicts) {
        if let Some(trace) = &trace
            && case.notes.iter().any(|n| n.contains(trace.as_str()))
        {
            eprintln!("[trace] {}", describe(case, ours, jose));
        }
        match (ours, jose) {
            (Verdict::Accept, Verdict::Accept) => both_accept += 1,
            (Verdict::Refuse(_), Verdict::Refuse(_)) => both_refuse += 1,
            _ => match explain(case, ours, jose) {
                Some(class) => {
                    *per_class.entry(class.name).or_default() += 1;
                    let n = shown.entry(class.name).or_default();
                    if *n < show {
                        *n += 1;
                        eprintln!("[{}] {}", class.name, describe(case, ours, jose));
                    }
                }
                None => unexplained.push(describe(case, ours, jose)),
            },
        }
    }

    let explained: usize = per_class.values().sum();
    println!(
        "jose differential: seed {seed:#x}, {} cases in {:.1?}: {} agree ({both_accept} both \
         accept, {both_refuse} both refuse), {explained} explained disagreements, {} unexplained",
        cases.len(),
        started.elapsed(),
        both_accept + both_refuse,
        unexplained.len()
    );
    for class in classes() {
        if let Some(n) = per_class.get(class.name) {
            let stricter = match class.accepts {
                Accepts::Jose => "jwt-guard stricter",
                Accepts::Ours => "jose stricter",
            };
            println!("  {n:>6}  {} ({stricter}): {}", class.name, class.reason);
        }
    }
    assert!(
        unexplained.is_empty(),
        "{} disagreements with jose that no class in CLASSES explains (seed {seed:#x}); the \
         first ones:\n\n{}",
        unexplained.len(),
        unexplained
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(
        both_accept * 10 >= cases.len(),
        "too few valid tokens ({both_accept} of {}): the generator no longer makes cases \
         worth comparing",
        cases.len()
    );
}

fn describe(case: &Case, ours: &Verdict, jose: &Verdict) -> String {
    format!(
        "case {} (tags {:?}): jwt-guard {ours:?}, jose {jose:?}\n  {}\n  token: {}\n  jwks: {}\n  now: {} ms",
        case.id,
        case.tags,
        case.notes.join("; "),
        case.token,
        case.jwks,
        case.now_ms
    )
}
