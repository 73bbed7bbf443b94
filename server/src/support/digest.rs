//! Hex encoding and SHA-256 digests: fingerprints of file contents, stable drift ids, shape
//! digests and cache checksums all go through here, so every hex string the tool writes is
//! spelled the same way (lowercase, two digits per byte).

use sha2::{Digest, Sha256};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
    out
}

/// The first `n` bytes (at most 32) of SHA-256 of `data`, in hex (`2 * n` digits).
pub fn sha256_hex(data: &[u8], n: usize) -> String {
    let d = Sha256::digest(data);
    hex(&d[..n.min(d.len())])
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// 16 hex digits of SHA-256 over `parts`, each followed by a NUL byte so that ("ab","c") and
/// ("a","bc") differ.
pub fn digest_parts(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize()[..8])
}

/// 32 hex digits of SHA-256 of a file's text: the per-file fingerprint.
pub fn content_hash(text: &str) -> String {
    sha256_hex(text.as_bytes(), 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_matches_the_format_macro() {
        let bytes: Vec<u8> = (0..=255).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&bytes), expected);
    }

    #[test]
    fn digests_are_stable_and_separated() {
        // SHA-256("abc") starts with ba7816bf.
        assert_eq!(sha256_hex(b"abc", 4), "ba7816bf");
        assert_eq!(content_hash("abc").len(), 32);
        assert_ne!(digest_parts(&["ab", "c"]), digest_parts(&["a", "bc"]));
        assert_eq!(digest_parts(&["x"]).len(), 16);
    }
}
