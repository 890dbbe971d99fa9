//! The Stripe event decoder: any bytes are decoded or refused with a named field, never a panic;
//! what it accepts re-encodes and decodes to the same event. The poller's head decoder agrees
//! with it: the same head for an accepted event, the same error when both refuse.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paysync_connectors::stripe::events::{EventHead, decode_event, decode_event_head};

fuzz_target!(|data: &[u8]| {
    let whole = decode_event(data);
    if let Ok(event) = &whole {
        assert!(event.id.starts_with("evt_"));
        assert!(!event.object_id().is_empty());
        let again = serde_json_roundtrip(event);
        assert_eq!(again.as_ref(), Some(event), "an accepted event does not round-trip");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        match (decode_event_head(text), whole) {
            (head, Ok(event)) => assert_eq!(
                head,
                Ok(EventHead::from(event)),
                "the head decoder refused or misread an accepted event"
            ),
            (Err(head), Err(error)) => assert_eq!(head, error, "the decoders refuse differently"),
            // Only the snapshot's unread fields can make the whole decoder refuse alone.
            (Ok(_), Err(_)) => {}
        }
    }
});

fn serde_json_roundtrip(
    event: &paysync_connectors::stripe::events::Event,
) -> Option<paysync_connectors::stripe::events::Event> {
    let bytes = serde_json::to_vec(event).ok()?;
    decode_event(&bytes).ok()
}
