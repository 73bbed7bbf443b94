//! Stable ids (drift-model §7).

use sha2::{Digest, Sha256};

/// Hex digest of (kind, spec path, implementation path, symbol, member, expected, actual): the
/// same drift has the same id on every run, in the CLI and in the editor. 16 hex digits (64 bits)
/// keep ids short enough to type while collisions stay out of reach for any workspace.
pub fn drift_id(
    kind: &str,
    spec_path: Option<&str>,
    impl_path: Option<&str>,
    symbol: &str,
    member: Option<&str>,
    expected: Option<&str>,
    actual: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        Some(kind),
        spec_path,
        impl_path,
        Some(symbol),
        member,
        expected,
        actual,
    ] {
        // A marker byte distinguishes `None` from `Some("")`.
        match part {
            Some(p) => {
                hasher.update([1u8]);
                hasher.update(p.as_bytes());
            }
            None => hasher.update([0u8]),
        }
        hasher.update([0xffu8]);
    }
    let digest = hasher.finalize();
    crate::support::digest::hex(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinguish_fields() {
        let a = drift_id(
            "changed-type",
            Some("g/a.ts"),
            Some("s/a.ts"),
            "A",
            Some("x"),
            Some("number"),
            Some("string"),
        );
        assert_eq!(
            a,
            drift_id(
                "changed-type",
                Some("g/a.ts"),
                Some("s/a.ts"),
                "A",
                Some("x"),
                Some("number"),
                Some("string")
            )
        );
        assert_eq!(a.len(), 16);
        assert_ne!(
            a,
            drift_id(
                "changed-type",
                Some("g/a.ts"),
                Some("s/a.ts"),
                "A",
                Some("x"),
                Some("number"),
                None
            )
        );
        assert_ne!(
            drift_id("k", None, None, "A", Some(""), None, None),
            drift_id("k", None, None, "A", None, None, None)
        );
    }
}
