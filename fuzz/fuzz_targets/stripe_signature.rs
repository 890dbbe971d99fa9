//! The `Stripe-Signature` header parser and verifier: any header with any body must be refused or
//! accepted without a panic, and acceptance must mean a real signature.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use paysync_connectors::stripe::signature::{SignatureHeader, sign, verify};
use paysync_core::Secret;

const SECRET: &str = "whsec_fuzz";

fuzz_target!(|data: &[u8]| {
    // The first line is the header, the rest the body.
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let parsed = SignatureHeader::parse(header);
    let now = DateTime::from_timestamp(1_763_700_000, 0).unwrap_or_default();
    let secrets = [Secret::new(SECRET.to_owned())];
    if let Ok(t) = verify(Some(header), body, &secrets, now, 300) {
        // Accepted: the header parsed, and one of its v1 values is the true signature.
        let parsed = parsed.unwrap_or_else(|e| panic!("accepted an unparsable header: {e}"));
        let expected = sign(SECRET, t, body);
        assert!(parsed.v1.iter().any(|v| hex_eq(v, &expected)), "accepted a forged signature");
    }
});

fn hex_eq(bytes: &[u8; 32], hex: &str) -> bool {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() == hex
}
