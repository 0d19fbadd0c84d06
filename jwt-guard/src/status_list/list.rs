//! One Status List, decompressed: `bits` per status, statuses packed from the least
//! significant bit of each byte (draft-ietf-oauth-status-list §4.1), read one at a time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A decompressed list. Its bytes are read, never copied, on each request.
#[derive(Debug)]
pub(crate) struct Statuses {
    bits: u8,
    bytes: Box<[u8]>,
}

impl Statuses {
    /// The list of `lst` (base64url of ZLIB/DEFLATE data) with `bits` per status; at most
    /// `max_bytes` decompressed.
    pub(crate) fn decode(bits: u64, lst: &str, max_bytes: usize) -> Result<Self, String> {
        let bits = match bits {
            1 | 2 | 4 | 8 => bits as u8,
            other => return Err(format!("bits is {other}, not 1, 2, 4 or 8")),
        };
        // The compressed list is at most the token's size: its own cap bounds this.
        let compressed = URL_SAFE_NO_PAD
            .decode(lst)
            .map_err(|_| "lst is not base64url (without padding)".to_owned())?;
        let bytes = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&compressed, max_bytes)
            .map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    format!("the list inflates to more than the {max_bytes}-byte cap")
                }
                _ => "lst is not ZLIB/DEFLATE data".to_owned(),
            })?;
        if bytes.is_empty() {
            return Err("the list is empty".to_owned());
        }
        Ok(Self {
            bits,
            bytes: bytes.into_boxed_slice(),
        })
    }

    /// The status at `idx`, or `None` past the end of the list.
    pub(crate) fn status(&self, idx: u64) -> Option<u8> {
        let bits = u64::from(self.bits);
        let position = idx.checked_mul(bits)?;
        let byte = *self.bytes.get(usize::try_from(position / 8).ok()?)?;
        let mask = ((1u16 << bits) - 1) as u8;
        Some((byte >> (position % 8)) & mask)
    }

    /// Decompressed bytes held.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(bits: u8, bytes: &[u8]) -> Statuses {
        Statuses {
            bits,
            bytes: bytes.into(),
        }
    }

    #[test]
    fn the_drafts_examples() {
        // §4.1: 1 bit, bytes 0xB9 0xA3 are statuses 1 0 0 1 1 1 0 1 / 1 1 0 0 0 1 0 1.
        let one = list(1, &[0xB9, 0xA3]);
        let read: Vec<u8> = (0..16).map(|i| one.status(i).unwrap()).collect();
        assert_eq!(read, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
        assert_eq!(one.status(16), None);
        // 2 bits: 0xC9 0x44 0xF9 are 1 2 0 3 / 0 1 0 1 / 1 2 3 3.
        let two = list(2, &[0xC9, 0x44, 0xF9]);
        let read: Vec<u8> = (0..12).map(|i| two.status(i).unwrap()).collect();
        assert_eq!(read, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]);
        assert_eq!(two.status(12), None);
        assert_eq!(two.status(u64::MAX), None);
        let four = list(4, &[0x21]);
        assert_eq!(
            (four.status(0), four.status(1), four.status(2)),
            (Some(1), Some(2), None)
        );
        let eight = list(8, &[0xFF, 0x03]);
        assert_eq!((eight.status(0), eight.status(1)), (Some(0xFF), Some(3)));
    }

    #[test]
    fn decoding_refuses_what_the_draft_does_not_allow() {
        // The draft's 1-bit example list, compressed.
        let lst = "eNrbuRgAAhcBXQ";
        let decoded = Statuses::decode(1, lst, 1024).unwrap();
        assert_eq!((decoded.status(0), decoded.status(1)), (Some(1), Some(0)));
        for bits in [0, 3, 5, 16] {
            assert!(Statuses::decode(bits, lst, 1024).is_err(), "bits {bits}");
        }
        assert!(Statuses::decode(1, "not base64!", 1024).is_err());
        assert!(Statuses::decode(1, "AAAA", 1024).is_err(), "not zlib");
        // 64 KiB of zeros, compressed to a few bytes: over a 1 KiB cap.
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&[0u8; 65536], 9);
        let bomb = URL_SAFE_NO_PAD.encode(bomb);
        let err = Statuses::decode(1, &bomb, 1024).unwrap_err();
        assert!(err.contains("cap"), "{err}");
        assert_eq!(Statuses::decode(1, &bomb, 65536).unwrap().len(), 65536);
    }
}
