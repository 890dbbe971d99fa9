//! The Stripe event decoder: any bytes are decoded or refused with a named field, never a panic;
//! what it accepts re-encodes and decodes to the same event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paysync_connectors::stripe::events::decode_event;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = decode_event(data) {
        assert!(event.id.starts_with("evt_"));
        assert!(!event.object_id().is_empty());
        let again = serde_json_roundtrip(&event);
        assert_eq!(again.as_ref(), Some(&event), "an accepted event does not round-trip");
    }
});

fn serde_json_roundtrip(
    event: &paysync_connectors::stripe::events::Event,
) -> Option<paysync_connectors::stripe::events::Event> {
    let bytes = serde_json::to_vec(event).ok()?;
    decode_event(&bytes).ok()
}
