//! Payoneer's IPCN `hmacauth` header and bodies: any header with any body is refused or accepted
//! without a panic, acceptance means the true signature, and any body decodes or is refused.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use paysync_connectors::payoneer::ipcn::{HmacAuth, IpcnKind, decode, sign, verify};
use paysync_core::Secret;

const SECRET: &str = "ipcn-fuzz-secret";
const URL: &str = "http://127.0.0.1:8787/webhooks/payoneer/account-loaded";

fuzz_target!(|data: &[u8]| {
    // The first line is the header, the rest the body.
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    for kind in IpcnKind::ALL {
        let _ = decode(kind, body);
    }
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let now = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let secrets = [Secret::new(SECRET.to_owned())];
    if verify(Some(header), "POST", URL, body, &secrets, now, 300).is_ok() {
        let auth = HmacAuth::parse(header).unwrap_or_else(|e| panic!("accepted an unparsable header: {e}"));
        let expected = sign(SECRET, &auth.app_name, "POST", URL, &auth.timestamp, &auth.nonce, body);
        use base64::Engine as _;
        let sent = base64::engine::general_purpose::STANDARD.encode(auth.signature);
        assert_eq!(sent, expected, "accepted a forged signature");
    }
});
