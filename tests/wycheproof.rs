//! Google Wycheproof's JSON Web Signature, JSON Web Key and JSON Web Crypto vectors
//! (`testdata/wycheproof/`, Apache-2.0, see the LICENSE beside them; `testvectors_v1` of
//! C2SP/wycheproof) through jwt-guard's key parsing and signature layer,
//! [`jwt_guard::verify::verify_jws`].
//!
//! The payloads are not JWT claims, so only the signature layer is tested: structure, size
//! caps, the header, the key (or key set) as parsed from the vector's JWK, the key lookup
//! and the signature. Every vector runs twice: once with the allow-list an application
//! would configure for the group's key (the key's `alg`), and once with every algorithm
//! allowed, so that the key's own type and `alg` pin must hold on their own. Every
//! `invalid` vector must be refused both times; every `valid` vector for a supported
//! algorithm must be accepted both times. The vectors jwt-guard does not follow are in
//! [`HELD_OUT`], each with the reason and the outcome it does have, which is checked too.
//! The JSON Web Encryption vectors of the crypto file (`jwe`) are out of scope: jwt-guard
//! verifies signed tokens only; their number is pinned.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_guard::jwks::KeySet;
use jwt_guard::verify::{Limits, verify_jws};
use jwt_guard::{Algorithm, TokenError};
use serde::Deserialize;
use serde_json::Value;

/// The vector files, by name.
const FILES: [(&str, &str); 3] = [
    (
        SIGNATURE,
        include_str!("testdata/wycheproof/json_web_signature_test.json"),
    ),
    (
        KEY,
        include_str!("testdata/wycheproof/json_web_key_test.json"),
    ),
    (
        CRYPTO,
        include_str!("testdata/wycheproof/json_web_crypto_test.json"),
    ),
];

const SIGNATURE: &str = "json_web_signature_test.json";
const KEY: &str = "json_web_key_test.json";
const CRYPTO: &str = "json_web_crypto_test.json";

/// What jwt-guard does with a vector that it does not take as Wycheproof labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected,
}

/// The vectors not held to their label (file, tcId), why, and what jwt-guard does with
/// them instead.
const HELD_OUT: &[(&str, u32, Outcome, &str)] = &[
    (
        SIGNATURE,
        346,
        Outcome::Rejected,
        "RFC 7520 figure 20 is a PS384 signature, but the group's JWK says \"alg\": \"PS256\"; \
         jwt-guard holds a key to its JWK alg (RFC 7517 §4.4), the pin that stops algorithm \
         substitution",
    ),
    (
        SIGNATURE,
        350,
        Outcome::Rejected,
        "as 346, with key_ops [\"verify\"]: PS384 token, key pinned to PS256",
    ),
    (
        SIGNATURE,
        347,
        Outcome::Rejected,
        "ES512 on P-521, but the JWK says \"alg\": \"ES521\" (RFC 7520's typo), which names no \
         algorithm: the key is refused. Without that member the key verifies the vector \
         (`es512_vector_verifies_with_the_typo_removed`)",
    ),
    (
        SIGNATURE,
        351,
        Outcome::Rejected,
        "as 347, with key_ops [\"verify\"]: the JWK's alg \"ES521\" names no algorithm",
    ),
    (
        SIGNATURE,
        372,
        Outcome::Rejected,
        "a '?' inserted into the header's base64url; the vector expects a decoder that skips \
         characters outside the alphabet. jwt-guard decodes strictly (RFC 7515 §2): skipping \
         them would make signed tokens malleable",
    ),
    (
        SIGNATURE,
        373,
        Outcome::Rejected,
        "as 372, with the '?' in the payload: strict base64url refuses it",
    ),
    (
        SIGNATURE,
        367,
        Outcome::Accepted,
        "\"invalidBase64Padding\" is labelled invalid but is byte for byte the valid vector \
         357 (the padding it meant to add is not in the file); no verifier can satisfy both \
         labels. The intended token, with '=' padding, is refused in \
         `intended_padding_vectors_are_refused`",
    ),
    (
        SIGNATURE,
        370,
        Outcome::Accepted,
        "\"invalidBase64PaddingInPayload\": as 367, identical to 357; the intended token is \
         refused in `intended_padding_vectors_are_refused`",
    ),
];

/// Every signature algorithm jwt-guard knows.
const ALL: [Algorithm; 15] = jwt_guard::Algorithm::ALL;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VectorFile {
    number_of_tests: usize,
    test_groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    comment: String,
    /// The file it is from (set after parsing).
    #[serde(skip)]
    #[allow(dead_code)]
    file: &'static str,
    private: Value,
    public: Option<Value>,
    tests: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    tc_id: u32,
    comment: String,
    /// A compact token, or an object for the JSON serialization (which jwt-guard, reading
    /// `Authorization: Bearer`, never takes); `None` for a JSON Web Encryption vector
    /// (`jwe`), out of scope.
    #[serde(default)]
    jws: Option<Value>,
    result: String,
    #[serde(default)]
    flags: Vec<String>,
}

/// One vector file, its groups labelled with its name.
fn vectors_of(name: &'static str) -> VectorFile {
    let (_, text) = FILES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a vector file");
    let mut file: VectorFile = serde_json::from_str(text).expect("the vector file parses");
    for group in &mut file.test_groups {
        group.file = name;
    }
    file
}

/// The signature vectors, the file most tests look at.
fn vectors() -> VectorFile {
    vectors_of(SIGNATURE)
}

impl Group {
    /// The verification key (a JWK, or a JWK Set `{"keys":[…]}`): the public one, or (for
    /// groups that have none, HMAC keys and key sets) the private one with every private
    /// member of an asymmetric key removed.
    fn jwk(&self) -> Value {
        if let Some(public) = &self.public {
            return public.clone();
        }
        fn public_part(key: &mut Value) {
            if key["kty"] != "oct"
                && let Some(members) = key.as_object_mut()
            {
                for private in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
                    members.remove(private);
                }
            }
        }
        let mut key = self.private.clone();
        match key.get_mut("keys").and_then(Value::as_array_mut) {
            Some(keys) => keys.iter_mut().for_each(public_part),
            None => public_part(&mut key),
        }
        key
    }

    /// `None` when jwt-guard refuses the key (or key set) itself: an encryption key, an
    /// unsupported curve, a ROCA modulus, a set mixing secrets and public keys, a
    /// repeated `kid`.
    fn key_set(&self) -> Option<KeySet> {
        let jwk = self.jwk().to_string();
        if self.jwk().get("keys").is_some() {
            KeySet::from_jwks_json(jwk.as_bytes()).ok()
        } else {
            KeySet::from_jwk_json(jwk.as_bytes()).ok()
        }
    }

    /// The allow-list an application would configure for this key: the key's `alg`, else
    /// the algorithm the token names, else everything.
    fn pinned_allow_list(&self, jws: &str) -> Vec<Algorithm> {
        let named = |name: Option<&str>| name.and_then(|n| n.parse::<Algorithm>().ok());
        if let Some(alg) = named(self.jwk()["alg"].as_str()) {
            return vec![alg];
        }
        let header = jws
            .split('.')
            .next()
            .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
            .and_then(|h| serde_json::from_slice::<Value>(&h).ok());
        match named(header.as_ref().and_then(|h| h["alg"].as_str())) {
            Some(alg) => vec![alg],
            None => ALL.to_vec(),
        }
    }
}

/// Runs one vector with both allow-lists. `Ok` only when both runs accept it.
fn run(group: &Group, case: &Case, jws: &str) -> Result<(), String> {
    let Some(keys) = group.key_set() else {
        return Err("key refused".into());
    };
    let limits = Limits::default();
    let pinned = verify_jws(jws, &keys, &group.pinned_allow_list(jws), &limits);
    let open = verify_jws(jws, &keys, &ALL, &limits);
    match (pinned, open) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.payload, b.payload);
            // The payload handed back is the decoded second segment.
            let _ = case;
            let segment = jws.split('.').nth(1).unwrap_or_default();
            assert_eq!(Some(a.payload), URL_SAFE_NO_PAD.decode(segment).ok());
            Ok(())
        }
        (Err(e), _) | (_, Err(e)) => Err(format!("{e:?}")),
    }
}

fn held_out(file: &str, tc_id: u32) -> Option<(Outcome, &'static str)> {
    HELD_OUT
        .iter()
        .find(|(f, id, ..)| *f == file && *id == tc_id)
        .map(|&(_, _, outcome, reason)| (outcome, reason))
}

#[derive(Debug, Default)]
struct Tally {
    valid_accepted: usize,
    invalid_rejected: usize,
    held_out: usize,
    /// JSON Web Encryption vectors, not run.
    jwe: usize,
    /// Why the invalid vectors were refused, for the record.
    reasons: BTreeMap<String, usize>,
    failures: Vec<String>,
}

fn tally(name: &'static str) -> Tally {
    let file = vectors_of(name);
    let mut tally = Tally::default();
    let mut seen = 0;
    for group in &file.test_groups {
        for case in &group.tests {
            seen += 1;
            let Some(jws) = &case.jws else {
                tally.jwe += 1;
                continue;
            };
            let outcome = match jws.as_str() {
                Some(jws) => run(group, case, jws),
                None => Err("the JSON serialization: only compact tokens are verified".into()),
            };
            let id = case.tc_id;
            let what = format!("{name} tcId {id} ({}: {})", group.comment, case.comment);
            if let Some((expected, reason)) = held_out(name, id) {
                tally.held_out += 1;
                let actual = if outcome.is_ok() {
                    Outcome::Accepted
                } else {
                    Outcome::Rejected
                };
                if actual != expected {
                    tally.failures.push(format!(
                        "{what}: held out as {expected:?} ({reason}) but was {actual:?}"
                    ));
                }
                continue;
            }
            match (case.result.as_str(), outcome) {
                ("valid", Ok(())) => tally.valid_accepted += 1,
                ("invalid", Err(reason)) => {
                    tally.invalid_rejected += 1;
                    *tally.reasons.entry(reason).or_default() += 1;
                }
                ("valid", Err(reason)) => tally
                    .failures
                    .push(format!("{what}: valid but refused: {reason}")),
                ("invalid", Ok(())) => tally.failures.push(format!(
                    "{what}: INVALID BUT ACCEPTED (flags {:?})",
                    case.flags
                )),
                (other, _) => tally
                    .failures
                    .push(format!("{what}: unknown result {other}")),
            }
        }
    }
    assert_eq!(seen, file.number_of_tests);
    tally
}

/// Runs one file's vectors; the counts are pinned so that a vector silently moving
/// between the buckets is noticed.
fn check_file(name: &'static str, expected: (usize, usize, usize, usize)) {
    let tally = tally(name);
    println!(
        "wycheproof {name}: {} valid accepted, {} invalid rejected, {} held out, {} jwe; \
         refusals: {:?}",
        tally.valid_accepted, tally.invalid_rejected, tally.held_out, tally.jwe, tally.reasons
    );
    assert!(
        tally.failures.is_empty(),
        "{} vectors failed:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert_eq!(
        (
            tally.valid_accepted,
            tally.invalid_rejected,
            tally.held_out,
            tally.jwe
        ),
        expected
    );
}

#[test]
fn every_vector_is_accepted_or_refused_as_labelled() {
    check_file(SIGNATURE, (40, 353, 8, 0));
}

/// The key file: key sets (mixed symmetric and asymmetric keys, tcId 1; a repeated `kid`,
/// 4), a ROCA modulus (7), small or weak RSA keys, short HMAC secrets, keys for the wrong
/// use, curve or algorithm.
#[test]
fn every_key_vector_is_accepted_or_refused_as_labelled() {
    check_file(KEY, (5, 21, 0, 0));
}

/// The crypto file's signature vectors: malformed tokens, a ROCA modulus (tcId 46), a set
/// mixing symmetric and asymmetric keys (47), key sets.
#[test]
fn every_crypto_vector_is_accepted_or_refused_as_labelled() {
    check_file(CRYPTO, (4, 45, 0, 34));
}

#[test]
fn held_out_list_names_real_vectors_once() {
    for (name, id, _, reason) in HELD_OUT {
        let file = vectors_of(name);
        let count = file
            .test_groups
            .iter()
            .flat_map(|g| &g.tests)
            .filter(|c| c.tc_id == *id)
            .count();
        assert_eq!(count, 1, "{name} tcId {id} ({reason})");
        let listed = HELD_OUT
            .iter()
            .filter(|(n, i, ..)| n == name && i == id)
            .count();
        assert_eq!(listed, 1, "{name} tcId {id}");
    }
}

#[test]
fn contradictory_padding_vectors_are_the_valid_one() {
    let file = vectors();
    let jws = |id: u32| {
        file.test_groups
            .iter()
            .flat_map(|g| &g.tests)
            .find(|c| c.tc_id == id)
            .and_then(|c| c.jws.as_ref().and_then(Value::as_str).map(str::to_owned))
    };
    assert_eq!(jws(367), jws(357));
    assert_eq!(jws(370), jws(357));
}

/// What 367 and 370 meant to test: base64 padding in the header or the payload, with a
/// MAC computed over the padded text (so the signature verifies and only strict decoding
/// can refuse it), and padding on the MAC itself.
#[test]
fn intended_padding_vectors_are_refused() {
    let file = vectors();
    let group = file
        .test_groups
        .iter()
        .find(|g| g.tests.iter().any(|c| c.tc_id == 357))
        .expect("the base64 group");
    let keys = group.key_set().expect("the HS256 key");
    let secret = URL_SAFE_NO_PAD
        .decode(group.private["k"].as_str().expect("k"))
        .expect("base64url");
    let mac = |input: &str| {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
        URL_SAFE_NO_PAD.encode(aws_lc_rs::hmac::sign(&key, input.as_bytes()))
    };
    let valid = &group
        .tests
        .iter()
        .find(|c| c.tc_id == 357)
        .and_then(|c| c.jws.as_ref().and_then(Value::as_str).map(str::to_owned))
        .expect("357");
    let (input, _) = valid.rsplit_once('.').expect("three segments");
    let (header, payload) = input.split_once('.').expect("three segments");
    let limits = Limits::default();
    let verify = |token: &str| verify_jws(token, &keys, &[Algorithm::HS256], &limits);
    // The helper signs as the vector's issuer did.
    assert!(verify(&format!("{input}.{}", mac(input))).is_ok());
    for padded in [
        format!("{header}=.{payload}"),
        format!("{header}.{payload}=="),
    ] {
        let token = format!("{padded}.{}", mac(&padded));
        assert_eq!(
            verify(&token).unwrap_err(),
            TokenError::Malformed,
            "{token}"
        );
    }
    for padding in ["=", "=="] {
        let token = format!("{input}.{}{padding}", mac(input));
        assert_eq!(
            verify(&token).unwrap_err(),
            TokenError::InvalidSignature,
            "{token}"
        );
    }
}

/// A signature's unused trailing bits are part of its encoding: changing them is refused,
/// not decoded to the same bytes (no second encoding of one signed token).
#[test]
fn non_canonical_signature_encoding_is_refused() {
    let file = vectors();
    let group = &file.test_groups[0];
    let keys = group.key_set().expect("the HS256 key");
    let valid = group.tests[0]
        .jws
        .as_ref()
        .and_then(Value::as_str)
        .expect("a jws vector");
    let limits = Limits::default();
    assert!(verify_jws(valid, &keys, &[Algorithm::HS256], &limits).is_ok());
    // A 32-byte MAC is 43 characters: the last one carries 4 bits and 2 unused ones.
    let last = valid.chars().last().expect("non-empty");
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).expect("base64url");
    for unused in 1..4 {
        let other = alphabet.as_bytes()[(index & !3) | unused] as char;
        let token = format!("{}{other}", &valid[..valid.len() - 1]);
        assert!(
            verify_jws(&token, &keys, &[Algorithm::HS256], &limits).is_err(),
            "{token}"
        );
    }
}

/// RFC 7520 figure 27 (vectors 347 and 351): an ES512 signature on P-521. With the JWK's
/// misspelt `alg` ("ES521") removed, the key parses and the signature verifies; one bit
/// changed in the signature, or another algorithm allowed, and it does not.
#[test]
fn es512_vector_verifies_with_the_typo_removed() {
    let file = vectors();
    let (group, case) = file
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |c| (g, c)))
        .find(|(_, c)| c.tc_id == 347)
        .expect("vector 347");
    let mut jwk = group.jwk();
    assert_eq!(jwk["alg"], "ES521");
    jwk.as_object_mut().expect("a JWK object").remove("alg");
    let keys = KeySet::from_jwk_json(jwk.to_string().as_bytes()).expect("a P-521 key");
    let limits = Limits::default();
    let jws = case
        .jws
        .as_ref()
        .and_then(Value::as_str)
        .expect("a jws vector");
    let verified = verify_jws(jws, &keys, &[Algorithm::ES512], &limits).expect("verifies");
    assert_eq!(verified.alg, Algorithm::ES512);
    assert!(verify_jws(jws, &keys, &[Algorithm::ES384], &limits).is_err());
    let mut tampered = jws.as_bytes().to_vec();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    assert!(verify_jws(&tampered, &keys, &[Algorithm::ES512], &limits).is_err());
}
