//! ROCA (CVE-2017-15361): RSA moduli made by Infineon's RSALib, whose private keys can be
//! computed from the public key (Nemec, Sýs, Švenda, Klinec, Matyáš: "The Return of
//! Coppersmith's Attack", ACM CCS 2017).
//!
//! RSALib's primes are `k·M + (65537^a mod M)`, with `M` the product of the first
//! primes; so the modulus, modulo each small prime `p` of the published list, lies in the
//! subgroup that 65537 generates modulo `p`. The published fingerprint test checks exactly
//! that, prime by prime: a random modulus passes for all 38 primes with a probability
//! around 2^-154, a RSALib one always does. This is that test, written from the paper's
//! description (the authors' `detect.py` keeps the subgroups as precomputed bit masks,
//! `prints`; here they are computed, and the unit tests compare them).

/// The published list: the odd primes up to 167.
const PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// RSALib's generator.
const GENERATOR: u32 = 65_537;

/// True when the big-endian modulus `n` has the ROCA fingerprint: for every prime `p` of
/// the list, `n mod p` is a power of 65537 modulo `p`. Pure; a few thousand word
/// operations for an RSA-8192 modulus.
pub(crate) fn has_fingerprint(n: &[u8]) -> bool {
    !n.iter().all(|&b| b == 0) && PRIMES.iter().all(|&p| in_subgroup(residue(n, p), p))
}

/// `n mod p` over the big-endian bytes of `n`, in u64 (`p` is small).
fn residue(n: &[u8], p: u32) -> u32 {
    let p = u64::from(p);
    let r = n.iter().fold(0u64, |r, &b| (r * 256 + u64::from(b)) % p);
    // r < p ≤ 167.
    r as u32
}

/// True when `r` is a power of 65537 modulo `p`.
fn in_subgroup(r: u32, p: u32) -> bool {
    let (p, g) = (u64::from(p), u64::from(GENERATOR) % u64::from(p));
    let mut x = 1u64;
    // The subgroup has at most p - 1 elements: walk it once.
    for _ in 0..p {
        if x == u64::from(r) {
            return true;
        }
        x = x * g % p;
        if x == 1 {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    /// The modulus of Wycheproof's `jws_rsa_roca_key` (JWK test 7, JWS crypto test 46).
    const WYCHEPROOF_ROCA_N: &str = "AanFpofbj7KjD4Lf-N2hVMKR7yewSyXhhbirIMTGpfYEhZ_lnt5UoK98DnKIgArXGTu3MaW_HhFw16HGaTDUHqPrId7fe4r11CqRw09yBFuW79V8sYIwHdzCaWflUI6auImYbVfoN9_nD5n8N8SY9DwXw7mwZM9wREPXoDPgOoIWl6q_MPsp7n0zs3Z5ZaiQWOOzl1S9OhwAfSiiOwz6efnXEaxuTEtPd7BjSx7NaFka8Dx9U7YqXy2RFj1O9PjyaDGuRh7YXsX3iMUSP_wSyHQg_c_qHRtKUsNSGCT7OZg0hzm2KphtjnayKJvC64vAbROBR4Ubg6Bxg9IQVZ-QYyE";

    /// The subgroup of 65537 modulo `p` as a bit mask, as `detect.py` keeps it.
    fn mask(p: u32) -> u128 {
        (0..p)
            .filter(|&r| in_subgroup(r, p))
            .fold(0u128, |m, r| m | 1 << r)
    }

    #[test]
    fn subgroups_match_the_published_masks() {
        // `prints` of the authors' detect.py, for the primes whose mask fits in 128 bits.
        let published: [u128; 30] = [
            6,
            30,
            126,
            1026,
            5658,
            107286,
            199410,
            8388606,
            536870910,
            2147483646,
            67109890,
            2199023255550,
            8796093022206,
            140737488355326,
            5310023542746834,
            576460752303423486,
            1455791217086302986,
            147573952589676412926,
            20052041432995567486,
            6041388139249378920330,
            207530445072488465666,
            9671406556917033397649406,
            618970019642690137449562110,
            79228162521181866724264247298,
            2535301200456458802993406410750,
            1760368345969468176824550810518,
            50079290986288516948354744811034,
            473022961816146413042658758988474,
            10384593717069655257060992658440190,
            144390480366845522447407333004847678774,
        ];
        for (&p, &expected) in PRIMES.iter().zip(&published) {
            assert_eq!(mask(p), expected, "p = {p}");
        }
    }

    #[test]
    fn residues_are_exact() {
        assert_eq!(residue(&[], 7), 0);
        assert_eq!(residue(&[1, 0], 7), 256 % 7);
        assert_eq!(residue(&[0xff; 8], 167), (u64::MAX % 167) as u32);
    }

    /// `65537^k` (big-endian), by schoolbook multiplication.
    fn power_of_generator(k: usize) -> Vec<u8> {
        let mut digits = vec![1u64]; // little-endian base 2^32
        for _ in 0..k {
            let mut carry = 0u64;
            for d in &mut digits {
                let v = *d * u64::from(GENERATOR) + carry;
                *d = v & 0xffff_ffff;
                carry = v >> 32;
            }
            if carry > 0 {
                digits.push(carry);
            }
        }
        digits
            .iter()
            .rev()
            .flat_map(|d| (*d as u32).to_be_bytes())
            .collect()
    }

    #[test]
    fn detects_the_fingerprint() {
        let n = URL_SAFE_NO_PAD.decode(WYCHEPROOF_ROCA_N).unwrap();
        assert!(has_fingerprint(&n));
        // Any power of 65537 has it; the same plus 2 does not.
        for k in [1, 2, 130, 300] {
            let mut n = power_of_generator(k);
            assert!(has_fingerprint(&n), "65537^{k}");
            let last = n.len() - 1;
            n[last] = n[last].wrapping_add(2);
            assert!(!has_fingerprint(&n), "65537^{k} + 2");
        }
        assert!(!has_fingerprint(&[]));
        assert!(!has_fingerprint(&[0, 0]));
    }

    #[test]
    fn ordinary_keys_do_not_have_it() {
        use aws_lc_rs::rsa::KeySize;
        use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
        for _ in 0..5 {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
            let n = pair
                .public_key()
                .modulus()
                .big_endian_without_leading_zero()
                .to_vec();
            assert!(!has_fingerprint(&n));
        }
    }
}
