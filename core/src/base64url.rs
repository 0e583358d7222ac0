//! URL-safe base64 without padding (RFC 4648 §5): how Kafka prints a topic id
//! (`Uuid.toString()`) and how a link carries its scenario ([`crate::link`]).
//!
//! Written out here instead of taken from the `base64` crate: the core needs exactly this one
//! alphabet, no padding, and strict decoding, and the crate's generic engine was 1.5 KB of the
//! gzipped wasm (ARCHITECTURE.md, the bundle) for what these few lines do. The tests check it
//! against RFC 4648's vectors and every short string.

use alloc::string::String;
use alloc::vec::Vec;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The base64url text of `bytes`, without padding: 4 characters per 3 bytes, 2 or 3 for a
/// last group of 1 or 2 bytes.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(char::from(ALPHABET[((acc >> bits) & 63) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (6 - bits)) & 63) as usize]));
    }
    out
}

/// The bytes `text` encodes, or `None` unless `text` is exactly what [`encode`] writes for
/// some bytes: only the 64 characters (no `=` padding, no `+` or `/`), no length that leaves a
/// character's worth of bits over (a length of 4n + 1), and zero unused bits in the last
/// character.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    // What is left is 0, 2 or 4 bits of padding (which must be zero), or 6: a stray character.
    (bits < 6 && acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// RFC 4648 §10's test vectors, without their `=` padding (§3.2: padding may be left out
    /// when the length is known, as in a URL), and §5's two URL-safe characters.
    #[test]
    fn rfc_4648_vectors() {
        let vectors: [(&[u8], &str); 9] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            // Standard base64 "+/8=" : 62 and 63 are '-' and '_' in the URL-safe alphabet.
            (&[0xfb, 0xff], "-_8"),
            (&[0xff, 0xff, 0xff], "____"),
        ];
        for (bytes, text) in vectors {
            assert_eq!(encode(bytes), text);
            assert_eq!(decode(text).as_deref(), Some(bytes));
        }
    }

    #[test]
    fn refuses_what_encode_never_writes() {
        for bad in [
            "Zg==",   // padding
            "Zm9v+",  // the standard alphabet's '+'
            "Zm9v/w", // and its '/'
            "Z",      // 6 bits: not a byte
            "Zm9vY",  // the same after a whole group
            "Zh",     // 'h' leaves the bits 0001 over: not canonical
            "Zm9",    // '9' leaves 01 over
            "Zm 9v",  // a space
            "Zm9vYmFy\n",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    /// Every string of up to three characters over the alphabet and `=`, `+`, `/`: it decodes
    /// exactly when it is the encoding of what it decodes to.
    #[test]
    fn decode_accepts_exactly_the_encodings() {
        let chars: Vec<u8> = ALPHABET.iter().copied().chain(*b"=+/").collect();
        let mut accepted = 0;
        let mut check = |s: &[u8]| {
            let s = core::str::from_utf8(s).unwrap();
            if let Some(bytes) = decode(s) {
                assert_eq!(encode(&bytes), s);
                accepted += 1;
            }
        };
        check(b"");
        for &a in &chars {
            check(&[a]);
            for &b in &chars {
                check(&[a, b]);
                for &c in &chars {
                    check(&[a, b, c]);
                }
            }
        }
        // The empty string, 64 * 4 two-character and 64 * 64 * 16 three-character encodings
        // (one byte leaves 4 bits that must be zero, two bytes leave 2).
        assert_eq!(accepted, 1 + 64 * 4 + 64 * 64 * 16);
    }

    #[test]
    fn round_trips_bytes_of_every_length() {
        for len in 0..64usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len * 11) as u8).collect();
            let text = encode(&bytes);
            assert_eq!(text.len(), (len * 4).div_ceil(3));
            assert_eq!(decode(&text), Some(bytes));
        }
        assert_eq!(decode(&encode(&vec![0u8; 300])), Some(vec![0u8; 300]));
    }
}
