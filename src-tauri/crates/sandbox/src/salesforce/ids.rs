//! Salesforce-style record ids: a 3-character key prefix (which names the object), a 2-character
//! pod, a reserved `0`, 9 base-62 characters, and the 3-character case-safe suffix that turns a
//! 15-character id into the 18-character form the REST API returns.

use paysync_core::RandomSource;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
/// The simulated instance's pod characters.
const POD: &str = "Rt";

/// `n` random base-62 characters.
pub(crate) fn base62(rng: &dyn RandomSource, n: usize) -> String {
    (0..n)
        .map(|_| {
            let i = usize::try_from(rng.below(62)).unwrap_or(0);
            char::from(BASE62[i])
        })
        .collect()
}

/// A new 18-character id with `prefix`.
pub(crate) fn new_id(rng: &dyn RandomSource, prefix: &str) -> String {
    let id15 = format!("{prefix}{POD}0{}", base62(rng, 9));
    let suffix = checksum(&id15);
    format!("{id15}{suffix}")
}

/// The 3-character suffix of a 15-character id: for each 5-character chunk, a bit per upper-case
/// letter, looked up in `A–Z0–5`.
fn checksum(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let flags = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            char::from(SUFFIX[flags & 31])
        })
        .collect()
}

/// The 18-character form of a 15- or 18-character id; `None` when it is not a well-formed id.
pub(crate) fn normalize(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        15 => Some(format!("{id}{}", checksum(id))),
        18 => {
            let (head, tail) = id.split_at(15);
            let expected = checksum(head);
            tail.eq_ignore_ascii_case(&expected)
                .then(|| format!("{head}{expected}"))
        }
        _ => None,
    }
}

/// The key prefix of an id (its first three characters).
pub(crate) fn prefix(id: &str) -> &str {
    id.get(..3).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use paysync_core::SeededRandom;

    #[test]
    fn ids_have_prefix_and_valid_suffix() {
        let rng = SeededRandom::new(1);
        let id = new_id(&rng, "001");
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("001Rt0"));
        assert_eq!(normalize(&id).as_deref(), Some(id.as_str()));
        assert_eq!(normalize(&id[..15]).as_deref(), Some(id.as_str()));
    }

    #[test]
    fn known_checksum() {
        // A documented example: 001A0000006Vm9r → 001A0000006Vm9rIAC.
        assert_eq!(
            normalize("001A0000006Vm9r").as_deref(),
            Some("001A0000006Vm9rIAC")
        );
        assert_eq!(normalize("001A0000006Vm9rXXX"), None);
        assert_eq!(normalize("not-an-id"), None);
    }
}
