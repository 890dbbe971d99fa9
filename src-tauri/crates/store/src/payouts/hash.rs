//! The content hash an approval is bound to: SHA-256 over exactly what a batch sends.

use sha2::{Digest, Sha256};

use super::PayoutItem;

/// The hash of a batch's content: its id, program and currency, then for each item (in id
/// order) the request, payee, amount in minor units and currency. Any change to what would be
/// sent changes the hash, so an approval given for one content is void for another.
pub fn content_hash(batch_id: &str, program_id: &str, currency: &str, items: &[PayoutItem]) -> String {
    let mut sorted: Vec<&PayoutItem> = items.iter().collect();
    sorted.sort_by_key(|i| i.id);
    let mut hasher = Sha256::new();
    // Length-prefixed fields, so no two different contents serialize the same.
    let mut field = |value: &str| {
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value.as_bytes());
    };
    field("paysync.payout_batch.v1");
    field(batch_id);
    field(program_id);
    field(currency);
    for item in sorted {
        field(&item.id.to_string());
        field(&item.request_id);
        field(item.payee_id.as_deref().unwrap_or(""));
        field(&item.amount_minor.to_string());
        field(&item.currency);
    }
    hex::encode(hasher.finalize())
}
