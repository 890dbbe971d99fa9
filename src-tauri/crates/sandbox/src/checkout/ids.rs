//! Identifiers in Checkout.com's formats, drawn from the seeded random source so a seed replays the
//! same ids.

use paysync_core::RandomSource;

/// Checkout.com's ids end in lowercase base32 (`pay_mbabizu24mvu3mela5njyhpit4`).
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// `prefix_` followed by `len` base32 characters.
pub(crate) fn id(rng: &dyn RandomSource, prefix: &str, len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    let mut out = String::with_capacity(prefix.len() + 1 + len);
    out.push_str(prefix);
    out.push('_');
    out.extend(bytes.iter().map(|b| char::from(ALPHABET[usize::from(b % 32)])));
    out
}

/// A payment id: `pay_` + 26 (spec `PaymentId`: `^(pay)_(\w{26})$`).
pub(crate) fn payment(rng: &dyn RandomSource) -> String {
    id(rng, "pay", 26)
}

/// An action id: `act_` + 26 (spec `ActionId`).
pub(crate) fn action(rng: &dyn RandomSource) -> String {
    id(rng, "act", 26)
}

/// An event id: `evt_` + 26 (spec `EventId`: 30 characters).
pub(crate) fn event(rng: &dyn RandomSource) -> String {
    id(rng, "evt", 26)
}

/// A dispute id: `dsp_` + 22. The spec's `Dispute.id` pattern says 22 characters while the path
/// parameter says 26 and the example has 20; responses are validated against the schema, so 22.
pub(crate) fn dispute(rng: &dyn RandomSource) -> String {
    id(rng, "dsp", 22)
}

/// A request id for `Cko-Request-Id` and error bodies (the spec's examples use UUIDs).
pub(crate) fn request_id(rng: &dyn RandomSource) -> String {
    rng.uuid_v4().to_string()
}

/// `n` decimal digits (auth codes, retrieval reference numbers, scheme ids).
pub(crate) fn digits(rng: &dyn RandomSource, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + u8::try_from(rng.below(10)).unwrap_or(0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use paysync_core::SeededRandom;

    use super::*;

    #[test]
    fn ids_have_the_documented_shapes() {
        let rng = SeededRandom::new(1);
        let p = payment(&rng);
        assert_eq!(p.len(), 30);
        assert!(p.starts_with("pay_"));
        assert!(p[4..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(dispute(&rng).len(), 26);
        assert_eq!(digits(&rng, 6).len(), 6);
        assert_eq!(payment(&SeededRandom::new(9)), payment(&SeededRandom::new(9)));
    }
}
