//! Base64url without padding (RFC 7515 §2), as the request path decodes it: the JOSE
//! header, the payload and the signature of every token.
//!
//! SIMD decoding (`base64-simd`: AVX2, SSE4.1 or NEON, chosen at run time; a portable
//! loop elsewhere), several times faster than a scalar decoder on the kilobyte payloads
//! of ordinary access tokens. As strict as the `base64` crate's `URL_SAFE_NO_PAD`, which
//! the rest of the crate uses off the request path: the URL-safe alphabet only, no
//! padding, no whitespace, and no non-zero bits left over in the last character (so a
//! token has one encoding only). The two agree on every input in this module's tests.
//!
//! A leaf: it uses std and base64-simd and nothing of the crate.

use std::mem::MaybeUninit;

use base64_simd::{Out, URL_SAFE_NO_PAD};

/// Why a text did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Not base64url without padding.
    Invalid,
    /// Valid, but longer than the buffer given.
    TooLarge,
}

/// The number of bytes `text` decodes to, if its length is one base64url can have.
pub(crate) fn decoded_len(text: &[u8]) -> Result<usize, DecodeError> {
    URL_SAFE_NO_PAD
        .decoded_length(text)
        .map_err(|_| DecodeError::Invalid)
}

/// Decodes `text` into the front of `out` (which need not be initialized: nothing is
/// zeroed first) and returns the decoded bytes.
pub(crate) fn decode_into<'o>(
    text: &[u8],
    out: &'o mut [MaybeUninit<u8>],
) -> Result<&'o mut [u8], DecodeError> {
    let len = decoded_len(text)?;
    let Some(out) = out.get_mut(..len) else {
        return Err(DecodeError::TooLarge);
    };
    URL_SAFE_NO_PAD
        .decode(text, Out::from_uninit_slice(out))
        .map_err(|_| DecodeError::Invalid)
}

/// Decodes `text` into a new vector of exactly its decoded length.
pub(crate) fn decode_vec(text: &[u8]) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD
        .decode_to_vec(text)
        .map_err(|_| DecodeError::Invalid)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as REFERENCE;

    use super::*;

    /// Both decoders on one input: the same bytes, or both refuse.
    fn agree(text: &[u8]) {
        let reference = REFERENCE.decode(text).ok();
        assert_eq!(
            decode_vec(text).ok(),
            reference,
            "{:?}",
            String::from_utf8_lossy(text)
        );
        let mut out = [MaybeUninit::uninit(); 64];
        let into = decode_into(text, &mut out).map(|b| b.to_vec());
        match (&reference, into) {
            (Some(bytes), Ok(got)) => assert_eq!(&got, bytes),
            (Some(bytes), Err(DecodeError::TooLarge)) => assert!(bytes.len() > 64),
            (None, Err(DecodeError::Invalid)) => {}
            // Too long for the buffer is found before the symbols are looked at.
            (None, Err(DecodeError::TooLarge)) => assert!(text.len() * 3 / 4 > 64),
            (reference, got) => panic!("{text:?}: {reference:?} vs {got:?}"),
        }
    }

    #[test]
    fn as_strict_as_the_reference() {
        for text in [
            "",
            "A",
            "AA",
            "AB",
            "AAA",
            "AAB",
            "AAAA",
            "AAAAA",
            "AA==",
            "AAA=",
            "YWJj",
            "YWJ",
            "YWI",
            "YWJjZA",
            "YWJjZB",
            "a+b/",
            "ab-_",
            "ab\n",
            " YWJj",
            "YWJj ",
            "YW=j",
            "Zm9vYmFy",
            "Zm9vYmE",
            "Zm9vYmF",
            "\u{e9}\u{e9}",
        ] {
            agree(text.as_bytes());
        }
    }

    #[test]
    fn agrees_on_every_short_text_and_on_random_long_ones() {
        // Every text of up to 3 characters over an alphabet that mixes valid and invalid
        // symbols (both alphabets, padding, a space, a high byte).
        let alphabet = b"AQgw_-+/=z0 \xc3B";
        let mut texts = vec![Vec::new()];
        for _ in 0..3 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .flat_map(|t| {
                    alphabet.iter().map(move |&c| {
                        let mut t = t.clone();
                        t.push(c);
                        t
                    })
                })
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            agree(text);
        }
        // Long texts (the SIMD loops): valid ones of every length to 200, and each with one
        // character swapped for an invalid or non-canonical one.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in 0..200usize {
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let text = REFERENCE.encode(&bytes);
            agree(text.as_bytes());
            if !text.is_empty() {
                let at = usize::try_from(next()).unwrap_or(0) % text.len();
                for bad in [b'+', b'/', b'=', b' ', 0xff, b'B'] {
                    let mut broken = text.clone().into_bytes();
                    broken[at] = bad;
                    agree(&broken);
                }
            }
        }
    }
}
