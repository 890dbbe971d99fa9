//! Test cards: what the simulated issuer does with each card number.
//!
//! Checkout.com's sandbox publishes its own test cards; the simulator follows the common
//! convention instead of copying that table: `4242424242424242` and other well-formed numbers
//! are approved, a few `40000000000000xx` numbers are declined with Checkout.com response codes,
//! and two numbers are enrolled in 3-D Secure.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the issuer does with a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Outcome {
    /// Approved with `10000`.
    Approve,
    /// Declined with this response code and summary.
    Decline { code: String, summary: String },
    /// Enrolled in 3-D Secure; approved once authenticated.
    ThreeDs,
}

/// The response code and summary for an approval.
pub(crate) const APPROVED: (&str, &str) = ("10000", "Approved");

/// 3-D Secure authentication failed. Checkout.com's code list is not in the stored references;
/// `20151` is the code its response-code page gives for a cardholder failing 3DS [unverified].
pub(crate) const THREE_DS_FAILED: (&str, &str) = ("20151", "Cardholder failed 3DS authentication");

/// The outcome for a card number (which must already have passed [`luhn_valid`]).
pub(crate) fn outcome(number: &str) -> Outcome {
    let decline = |code: &str, summary: &str| Outcome::Decline {
        code: code.to_owned(),
        summary: summary.to_owned(),
    };
    match number {
        "4000000000000002" => decline("20051", "Insufficient Funds"),
        "4000000000000119" => decline("20005", "Declined - Do Not Honour"),
        "4000000000000069" => decline("20054", "Expired Card"),
        "4485040371536584" | "5352151570003404" => Outcome::ThreeDs,
        _ => Outcome::Approve,
    }
}

/// Whether `number` is 12–19 digits with a valid Luhn check digit.
pub(crate) fn luhn_valid(number: &str) -> bool {
    if !(12..=19).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d = d * 2;
                if d > 9 { d - 9 } else { d }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card scheme from the number's prefix.
pub(crate) fn scheme(number: &str) -> &'static str {
    let two = number.get(..2).unwrap_or("");
    if number.starts_with('4') {
        "Visa"
    } else if matches!(two, "34" | "37") {
        "Amex"
    } else if ("51"..="55").contains(&two) || ("22"..="27").contains(&two) {
        "Mastercard"
    } else if number.starts_with("6011") || number.starts_with("65") {
        "Discover"
    } else {
        "Unknown"
    }
}

/// Checkout.com's card fingerprint: a stable 64-character uppercase hex digest of the number.
pub(crate) fn fingerprint(number: &str) -> String {
    hex::encode_upper(Sha256::digest(format!("paysync-sandbox-card:{number}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_schemes() {
        for n in [
            "4242424242424242",
            "4000000000000002",
            "4485040371536584",
            "5436031030606378",
            "345678901234564",
        ] {
            assert!(luhn_valid(n), "{n}");
        }
        assert!(!luhn_valid("4242424242424241"));
        assert!(!luhn_valid("42424242x2424242"));
        assert_eq!(scheme("5436031030606378"), "Mastercard");
        assert_eq!(scheme("345678901234564"), "Amex");
        assert_eq!(outcome("4242424242424242"), Outcome::Approve);
        assert_eq!(fingerprint("4242424242424242").len(), 64);
    }
}
