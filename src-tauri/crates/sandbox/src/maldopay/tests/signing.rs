//! The callback-signing model, one fixed vector per mode (computed outside Rust with Python's
//! `hmac`, `hashlib`, `base64` and `urllib.parse.parse_qsl`).

use crate::maldopay::{
    Algorithm, CallbackSigning, Canonical, Encoding, callback_signature, signature_headers,
};

const BODY: &str = "result=CONFIRMED&codeId=200&reason=Transaction+confirmed&serviceId=2157&referenceOrderId=order-1\
&maldoTransactionId=1234567890&amount=10.50&currency=BRL&dateUpdated=2026-01-01+00%3A01%3A00";
const TS: i64 = 1_767_225_660;

fn signing(algorithm: Algorithm, encoding: Encoding, canonical: Canonical) -> CallbackSigning {
    CallbackSigning {
        algorithm,
        encoding,
        canonical,
        secret: "s3cret".into(),
        ..CallbackSigning::default()
    }
}

#[test]
fn hmac_sha256_hex_over_raw_body_is_the_default_shape() {
    let s = signing(Algorithm::HmacSha256, Encoding::Hex, Canonical::RawBody);
    assert_eq!(
        callback_signature(&s, BODY, TS).as_deref(),
        Some("4ef2a2963af6170a5dbfa7fd6a3c1f5d18dceac755ba1dcb0037769db4f2bb76")
    );
    let d = CallbackSigning::default();
    assert_eq!(
        (d.algorithm, d.encoding, d.canonical, d.header.as_str()),
        (
            Algorithm::HmacSha256,
            Encoding::Hex,
            Canonical::RawBody,
            "X-Signature"
        )
    );
    // No timestamp header unless asked for.
    assert_eq!(signature_headers(&s, BODY, TS).len(), 1);
}

#[test]
fn hmac_sha256_base64_over_timestamp_dot_body_sends_the_timestamp() {
    let s = signing(
        Algorithm::HmacSha256,
        Encoding::Base64,
        Canonical::TimestampDotBody,
    );
    assert_eq!(
        callback_signature(&s, BODY, TS).as_deref(),
        Some("7KwMheYvPfjYD/JpX5fNRKhQiz5Co++aAboSdxOmdVU=")
    );
    assert_eq!(
        signature_headers(&s, BODY, TS),
        vec![
            (
                "X-Signature".to_owned(),
                "7KwMheYvPfjYD/JpX5fNRKhQiz5Co++aAboSdxOmdVU=".to_owned()
            ),
            ("X-Timestamp".to_owned(), TS.to_string()),
        ]
    );
}

#[test]
fn sha256_concat_hex_over_raw_body() {
    let s = signing(Algorithm::Sha256Concat, Encoding::Hex, Canonical::RawBody);
    assert_eq!(
        callback_signature(&s, BODY, TS).as_deref(),
        Some("13bbac27ff4b42bb72cec4d0c1d71bf85beb9753c23aee42b8445036df952f3e")
    );
}

#[test]
fn md5_concat_hex_over_sorted_values() {
    let s = signing(Algorithm::Md5Concat, Encoding::Hex, Canonical::SortedValues);
    assert_eq!(
        crate::maldopay::signing::canonical_string(&s, BODY, TS),
        "10.50:200:BRL:2026-01-01 00:01:00:1234567890:Transaction confirmed:order-1:CONFIRMED:2157:s3cret"
    );
    assert_eq!(
        callback_signature(&s, BODY, TS).as_deref(),
        Some("5f7b5fdf496b17e46995b9e62afdafdc")
    );
}

#[test]
fn sha256_concat_base64_over_sorted_values() {
    let s = signing(Algorithm::Sha256Concat, Encoding::Base64, Canonical::SortedValues);
    assert_eq!(
        callback_signature(&s, BODY, TS).as_deref(),
        Some("YSw0z1/08UaAI8OD0dW5+s70GChnCSIZvacnUdr433I=")
    );
}

#[test]
fn md5_concat_base64_over_timestamp_dot_body_with_custom_headers() {
    let mut s = signing(
        Algorithm::Md5Concat,
        Encoding::Base64,
        Canonical::TimestampDotBody,
    );
    s.header = "X-Maldo-Sign".into();
    s.timestamp_header = Some("X-Maldo-Time".into());
    assert_eq!(
        signature_headers(&s, BODY, TS),
        vec![
            ("X-Maldo-Sign".to_owned(), "ipEIpZ334DzyYWuQre4Djw==".to_owned()),
            ("X-Maldo-Time".to_owned(), TS.to_string()),
        ]
    );
}

#[test]
fn none_sends_nothing() {
    let s = signing(Algorithm::None, Encoding::Hex, Canonical::RawBody);
    assert_eq!(callback_signature(&s, BODY, TS), None);
    assert!(signature_headers(&s, BODY, TS).is_empty());
}
