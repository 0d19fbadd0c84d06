//! Server nonces (RFC 9449 §8) without per-client state: a nonce is a time window's number
//! and its HMAC, valid in that window and the next. Replicas that share the secret accept
//! each other's nonces.

use std::time::Duration;

use aws_lc_rs::{constant_time, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Bytes of the HMAC tag kept in a nonce.
const TAG_BYTES: usize = 16;

/// The nonce key and rotation period of a strategy.
#[derive(Debug)]
pub(crate) struct Nonces {
    key: hmac::Key,
    rotate_secs: u64,
}

impl Nonces {
    /// `secret` at least 32 bytes (checked by the caller); `rotate_every` at least 1 s.
    pub(crate) fn new(secret: &[u8], rotate_every: Duration) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            rotate_secs: rotate_every.as_secs().max(1),
        }
    }

    /// The nonce of the window `now` (seconds since the epoch) falls in.
    pub(crate) fn current(&self, now: f64) -> String {
        self.make(self.window(now))
    }

    /// True for a nonce of the current window or the one before it.
    pub(crate) fn is_valid(&self, nonce: &str, now: f64) -> bool {
        let mut raw = [0u8; 8 + TAG_BYTES + 1];
        let Ok(len) = URL_SAFE_NO_PAD.decode_slice(nonce, &mut raw) else {
            return false;
        };
        if len != 8 + TAG_BYTES {
            return false;
        }
        let mut window = [0u8; 8];
        window.copy_from_slice(&raw[..8]);
        let window = u64::from_be_bytes(window);
        let current = self.window(now);
        if window != current && window.checked_add(1) != Some(current) {
            return false;
        }
        let tag = hmac::sign(&self.key, &window.to_be_bytes());
        constant_time::verify_slices_are_equal(&tag.as_ref()[..TAG_BYTES], &raw[8..len]).is_ok()
    }

    fn window(&self, now: f64) -> u64 {
        // Saturating float-to-int conversion; a clock before 1970 is window 0.
        (now.max(0.0) as u64) / self.rotate_secs
    }

    fn make(&self, window: u64) -> String {
        let counter = window.to_be_bytes();
        let tag = hmac::sign(&self.key, &counter);
        let mut raw = [0u8; 8 + TAG_BYTES];
        raw[..8].copy_from_slice(&counter);
        raw[8..].copy_from_slice(&tag.as_ref()[..TAG_BYTES]);
        URL_SAFE_NO_PAD.encode(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_rotate_and_are_bound_to_the_secret() {
        let nonces = Nonces::new(&[7; 32], Duration::from_secs(60));
        let t = 1_700_000_000.0;
        let nonce = nonces.current(t);
        assert!(nonces.is_valid(&nonce, t));
        assert!(
            nonces.is_valid(&nonce, t + 60.0),
            "the next window still accepts it"
        );
        assert!(
            !nonces.is_valid(&nonce, t + 120.0),
            "two windows later it is stale"
        );
        assert!(!nonces.is_valid(&nonce, t - 60.0), "not before its window");
        assert_ne!(nonces.current(t + 60.0), nonce, "it rotates");
        let other = Nonces::new(&[8; 32], Duration::from_secs(60));
        assert!(!other.is_valid(&nonce, t), "another secret refuses it");
        assert!(!nonces.is_valid("garbage", t));
        assert!(!nonces.is_valid("", t));
    }
}
