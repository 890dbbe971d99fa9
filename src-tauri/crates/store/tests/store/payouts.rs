//! Payouts: four eyes, approvals bound to content, frozen approved batches, the way of a sent item
//! to one final state, enforced by the store's own rules (and its triggers, tried directly).

use paysync_store::{BatchStatus, IntakeOutcome, ItemOutcome, ItemState, NewPayoutItem, Store, StoreError};
use proptest::prelude::*;

use crate::common::{file_store, mem, raw, secs, t0};

fn request(n: u32, maker: &str, minor: i64) -> NewPayoutItem {
    NewPayoutItem {
        request_id: format!("a03REQ{n:012}"),
        request_name: Some(format!("PR-{n:06}")),
        maker: maker.to_owned(),
        contact_id: Some(format!("003C{n:011}")),
        payee_name: Some(format!("Payee {n}")),
        payee_id: Some(format!("payee-{n}")),
        email: Some(format!("payee{n}@example.com")),
        country: Some("DE".to_owned()),
        blocked: false,
        amount_minor: minor,
        currency: "EUR".to_owned(),
        description: None,
        source_modstamp: 1,
    }
}

/// `count` ready items from `maker`, drafted into batches by `paysync` (two approvals above
/// 10,000.00). Returns the first batch's id.
async fn drafted(store: &Store, maker: &str, count: u32, minor: i64) -> String {
    for n in 0..count {
        let item = store
            .payouts()
            .intake(&request(n, maker, minor), t0())
            .await
            .expect("intake");
        let IntakeOutcome::Added(id) = item else {
            panic!("{item:?}")
        };
        assert!(store.payouts().set_checked(id, None, t0()).await.expect("check"));
    }
    let mut seq = 0;
    let batches = store
        .payouts()
        .draft_batches(
            "100010001",
            500,
            &|_| Some(1_000_000),
            "paysync",
            &mut || {
                seq += 1;
                format!("pb_{seq}")
            },
            t0(),
        )
        .await
        .expect("draft");
    batches[0].id.clone()
}

/// `count` items of `minor` each from `005MAKER`, drafted and approved by `005CHECKER`.
async fn approved(store: &Store, count: u32, minor: i64) -> String {
    let batch = drafted(store, "005MAKER", count, minor).await;
    let hash = store.payouts().batch(&batch).await.expect("batch").content_hash;
    store
        .payouts()
        .approve(&batch, "005CHECKER", &hash, t0())
        .await
        .expect("approve");
    batch
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>, needle: &str) {
    match result {
        Err(StoreError::InvalidState { what }) | Err(StoreError::Conflict { what }) => {
            assert!(what.contains(needle), "{what} should mention {needle}");
        }
        other => panic!("expected a refusal mentioning {needle}, got {other:?}"),
    }
}

#[tokio::test]
async fn makers_and_the_creator_cannot_approve_and_others_can() {
    let store = mem().await;
    let batch = drafted(&store, "005MAKER", 3, 10_000).await;
    let b = store.payouts().batch(&batch).await.expect("batch");
    assert_eq!((b.item_count, b.total_minor, b.approvals_needed), (3, 30_000, 1));
    assert_eq!(b.makers, vec!["005MAKER".to_owned()]);
    refused(
        store
            .payouts()
            .approve(&batch, "005MAKER", &b.content_hash, t0())
            .await,
        "maker",
    );
    refused(
        store
            .payouts()
            .approve(&batch, "paysync", &b.content_hash, t0())
            .await,
        "creator",
    );
    let approved = store
        .payouts()
        .approve(&batch, "005CHECKER", &b.content_hash, t0())
        .await
        .expect("a checker approves");
    assert_eq!(approved.status, BatchStatus::Approved);
    assert_eq!(approved.approvals, 1);
}

#[tokio::test]
async fn an_approval_is_bound_to_what_the_approver_saw() {
    let store = mem().await;
    let batch = drafted(&store, "005MAKER", 2, 10_000).await;
    refused(
        store
            .payouts()
            .approve(&batch, "005CHECKER", "not-the-hash", t0())
            .await,
        "changed since it was shown",
    );
}

#[tokio::test]
async fn an_edit_voids_the_approvals_of_a_draft_and_an_approved_batch_is_frozen() {
    let store = mem().await;
    // 2 × 6,000.00 EUR is above the 10,000.00 threshold: two approvers.
    let batch = drafted(&store, "005MAKER", 2, 600_000).await;
    let before = store.payouts().batch(&batch).await.expect("batch");
    assert_eq!(before.approvals_needed, 2);
    let one = store
        .payouts()
        .approve(&batch, "005ANNA", &before.content_hash, t0())
        .await
        .expect("first approval");
    assert_eq!((one.status, one.approvals), (BatchStatus::Draft, 1));
    refused(
        store
            .payouts()
            .approve(&batch, "005ANNA", &before.content_hash, t0())
            .await,
        "already approved",
    );

    // The request's amount changes in Salesforce: the item leaves the batch, the approval is void.
    let mut changed = request(1, "005MAKER", 650_000);
    changed.source_modstamp = 2;
    let outcome = store
        .payouts()
        .intake(&changed, t0() + secs(1))
        .await
        .expect("intake");
    assert!(matches!(outcome, IntakeOutcome::Updated(_)), "{outcome:?}");
    assert_eq!(
        store
            .payouts()
            .rehash_stale(&|_| Some(1_000_000), t0())
            .await
            .ok(),
        Some(1)
    );
    let after = store.payouts().batch(&batch).await.expect("batch");
    assert_ne!(after.content_hash, before.content_hash);
    assert_eq!(
        (after.item_count, after.approvals, after.approvals_needed),
        (1, 0, 1)
    );
    refused(
        store
            .payouts()
            .approve(&batch, "005BEN", &before.content_hash, t0())
            .await,
        "changed since it was shown",
    );
    let approved = store
        .payouts()
        .approve(&batch, "005BEN", &after.content_hash, t0())
        .await
        .expect("approval of the new content");
    assert_eq!(approved.status, BatchStatus::Approved);

    // Once approved, a change in Salesforce is not taken: the approved values stay.
    let mut again = request(0, "005MAKER", 1);
    again.source_modstamp = 3;
    let frozen = store.payouts().intake(&again, t0()).await.expect("intake");
    assert!(matches!(frozen, IntakeOutcome::Frozen(_)), "{frozen:?}");
    let items = store.payouts().batch_items(&batch).await.expect("items");
    assert_eq!(items[0].amount_minor, 600_000);
}

#[tokio::test]
async fn two_distinct_approvers_are_needed_above_the_threshold() {
    let store = mem().await;
    let batch = drafted(&store, "005MAKER", 3, 500_000).await;
    let hash = store.payouts().batch(&batch).await.expect("batch").content_hash;
    store
        .payouts()
        .approve(&batch, "005ANNA", &hash, t0())
        .await
        .expect("one");
    refused(store.payouts().begin_submission(&batch, t0()).await, "four eyes");
    let two = store
        .payouts()
        .approve(&batch, "005BEN", &hash, t0())
        .await
        .expect("two");
    assert_eq!((two.status, two.approvals), (BatchStatus::Approved, 2));
    let (sending, items) = store
        .payouts()
        .begin_submission(&batch, t0())
        .await
        .expect("intent");
    assert_eq!(sending.status, BatchStatus::Submitting);
    assert!(items.iter().all(|i| i.state == ItemState::Submitting
        && i.client_reference_id.as_deref() == Some(format!("{batch}-{}", i.id).as_str())));
}

#[tokio::test]
async fn the_database_itself_refuses_to_skip_four_eyes() {
    let fs = file_store().await;
    let store = &fs.store;
    let batch = drafted(store, "005MAKER", 1, 10_000).await;
    let mut conn = raw(&fs.path).await;
    // Approving straight in SQL as the maker.
    let hash = store.payouts().batch(&batch).await.expect("batch").content_hash;
    let as_maker = sqlx::query(
        "INSERT INTO payout_approvals (batch_id, actor, decision, content_hash, at) VALUES (?1, '005MAKER', 'approve', ?2, 0)",
    )
    .bind(&batch)
    .bind(&hash)
    .execute(&mut conn)
    .await;
    assert!(format!("{as_maker:?}").contains("four eyes"), "{as_maker:?}");
    // Marking a batch approved without approvals.
    let skip = sqlx::query("UPDATE payout_batches SET status = 'approved' WHERE id = ?1")
        .bind(&batch)
        .execute(&mut conn)
        .await;
    assert!(format!("{skip:?}").contains("four eyes"), "{skip:?}");
    // Marking an item as being sent from a draft.
    let send = sqlx::query(
        "UPDATE payout_items SET state = 'submitting', client_reference_id = 'x' WHERE batch_id = ?1",
    )
    .bind(&batch)
    .execute(&mut conn)
    .await;
    assert!(format!("{send:?}").contains("four eyes"), "{send:?}");
    // Changing an approved batch's item.
    store
        .payouts()
        .approve(&batch, "005CHECKER", &hash, t0())
        .await
        .expect("approve");
    let edit = sqlx::query("UPDATE payout_items SET amount_minor = 1 WHERE batch_id = ?1")
        .bind(&batch)
        .execute(&mut conn)
        .await;
    assert!(format!("{edit:?}").contains("cannot change"), "{edit:?}");
}

#[tokio::test]
async fn a_sent_item_reaches_one_final_state_and_completes_its_batch() {
    let store = mem().await;
    let batch = approved(&store, 2, 10_000).await;
    let (_, items) = store
        .payouts()
        .begin_submission(&batch, t0())
        .await
        .expect("intent");
    store.payouts().mark_in_doubt(&batch, t0()).await.expect("doubt");
    // Asking again returns the same references; nothing new is minted.
    let (_, again) = store
        .payouts()
        .begin_submission(&batch, t0())
        .await
        .expect("again");
    assert_eq!(
        items.iter().map(|i| &i.client_reference_id).collect::<Vec<_>>(),
        again.iter().map(|i| &i.client_reference_id).collect::<Vec<_>>()
    );
    store
        .payouts()
        .mark_submitted(&batch, t0())
        .await
        .expect("submitted");
    let items = store.payouts().batch_items(&batch).await.expect("items");
    let paid = ItemOutcome {
        state: Some(ItemState::Paid),
        payout_id: Some("9000000001".into()),
        fee_minor: Some(150),
        ..ItemOutcome::default()
    };
    assert!(
        store
            .payouts()
            .record_outcome(&items[0], &paid, t0())
            .await
            .expect("paid")
    );
    // A final state never changes again.
    let cancelled = ItemOutcome {
        state: Some(ItemState::Cancelled),
        ..ItemOutcome::default()
    };
    assert!(
        !store
            .payouts()
            .record_outcome(&items[0], &cancelled, t0())
            .await
            .expect("no-op")
    );
    assert_eq!(
        store.payouts().batch(&batch).await.expect("b").status,
        BatchStatus::Submitted
    );
    let failed = ItemOutcome {
        state: Some(ItemState::Failed),
        reason: Some("Bank account closed".into()),
        ..ItemOutcome::default()
    };
    assert!(
        store
            .payouts()
            .record_outcome(&items[1], &failed, t0())
            .await
            .expect("failed")
    );
    let b = store.payouts().batch(&batch).await.expect("b");
    assert_eq!(
        (b.status, b.paid, b.failed, b.fees_minor),
        (BatchStatus::Completed, 1, 1, Some(150))
    );
    let unreported = store.payouts().unreported(10).await.expect("unreported");
    assert_eq!(unreported.len(), 2);
    store
        .payouts()
        .mark_reported(unreported[0].id, unreported[0].state)
        .await
        .expect("mark");
    assert_eq!(store.payouts().unreported(10).await.expect("unreported").len(), 1);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_closes_the_items() {
    let store = mem().await;
    let batch = drafted(&store, "005MAKER", 2, 10_000).await;
    refused(
        store
            .payouts()
            .reject(&batch, "005CHECKER", "  ", t0())
            .await
            .map_err(|e| match e {
                StoreError::Validation { field, message } => StoreError::InvalidState {
                    what: format!("{field}: {message}"),
                },
                other => other,
            }),
        "reason",
    );
    let b = store
        .payouts()
        .reject(&batch, "005MAKER", "Duplicate invoice", t0())
        .await
        .expect("anyone may stop a payout");
    assert_eq!(b.status, BatchStatus::Rejected);
    let items = store.payouts().batch_items(&batch).await.expect("items");
    assert!(items.iter().all(|i| {
        i.state == ItemState::Rejected
            && i.reason
                .as_deref()
                .is_some_and(|r| r.contains("Duplicate invoice"))
    }));
}

#[tokio::test]
async fn a_refused_batch_sends_its_items_back_for_correction_or_a_new_batch() {
    let store = mem().await;
    let batch = approved(&store, 2, 10_000).await;
    let (_, items) = store
        .payouts()
        .begin_submission(&batch, t0())
        .await
        .expect("intent");
    store
        .payouts()
        .refuse_batch(
            &batch,
            "Payoneer refused the batch",
            &[(items[0].id, "payee_id: unknown".into())],
            t0(),
        )
        .await
        .expect("refuse");
    let first = store.payouts().item(items[0].id).await.expect("item");
    let second = store.payouts().item(items[1].id).await.expect("item");
    assert_eq!(
        (first.state, second.state),
        (ItemState::NeedsCorrection, ItemState::New)
    );
    assert_eq!((first.batch_id, first.client_reference_id), (None, None));
    let fixed = store
        .payouts()
        .correct(first.id, None, None, Some("payee-fixed"), t0())
        .await
        .expect("correct");
    assert_eq!(
        (fixed.state, fixed.payee_id.as_deref()),
        (ItemState::New, Some("payee-fixed"))
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any change to what a batch sends (amount, payee, currency, which items) changes its hash.
    #[test]
    fn the_content_hash_moves_with_every_change(
        amounts in proptest::collection::vec(1i64..10_000_000, 1..8),
        pick in any::<proptest::sample::Index>(),
        delta in 1i64..1000,
        change in 0u8..4,
    ) {
        let items: Vec<paysync_store::PayoutItem> = amounts
            .iter()
            .zip(1i64..)
            .map(|(minor, id)| sample_item(id, *minor))
            .collect();
        let base = paysync_store::payouts::content_hash("pb_1", "100010001", "EUR", &items);
        let mut edited = items.clone();
        let i = pick.index(edited.len());
        match change {
            0 => edited[i].amount_minor += delta,
            1 => edited[i].payee_id = Some(format!("other-{delta}")),
            2 => edited[i].currency = "USD".to_owned(),
            _ => { edited.remove(i); }
        }
        let after = paysync_store::payouts::content_hash("pb_1", "100010001", "EUR", &edited);
        prop_assert_ne!(base, after);
    }
}

fn sample_item(id: i64, minor: i64) -> paysync_store::PayoutItem {
    paysync_store::PayoutItem {
        id,
        request_id: format!("a03{id}"),
        request_name: None,
        maker: "005MAKER".into(),
        contact_id: None,
        payee_name: None,
        payee_id: Some(format!("payee-{id}")),
        email: None,
        country: None,
        blocked: false,
        amount_minor: minor,
        currency: "EUR".into(),
        description: None,
        state: ItemState::Batched,
        reason: None,
        batch_id: Some("pb_1".into()),
        client_reference_id: None,
        payout_id: None,
        fee_minor: None,
        target_amount: None,
        target_currency: None,
        reported_state: None,
        source_modstamp: 0,
        created_at: t0(),
        updated_at: t0(),
    }
}

#[tokio::test]
async fn a_batch_held_while_the_provider_is_down_keeps_what_is_in_doubt_and_resumes() {
    let store = mem().await;
    let batch = approved(&store, 2, 10_000).await;
    // An approved batch is held before anything is sent: its items stay batched.
    assert!(
        store
            .payouts()
            .hold_unavailable(&batch, "down", t0())
            .await
            .expect("hold")
    );
    let items = store.payouts().batch_items(&batch).await.expect("items");
    assert!(items.iter().all(|i| i.state == ItemState::Batched), "{items:?}");
    // Sent, outcome unknown, then held again: in doubt stays in doubt; holding a held batch is
    // no new hold (the reason is refreshed).
    let (_, items) = store
        .payouts()
        .begin_submission(&batch, t0())
        .await
        .expect("intent");
    assert!(items.iter().all(|i| i.state == ItemState::Submitting));
    store.payouts().mark_in_doubt(&batch, t0()).await.expect("doubt");
    assert!(
        store
            .payouts()
            .hold_unavailable(&batch, "down again", t0())
            .await
            .expect("hold")
    );
    assert!(
        !store
            .payouts()
            .hold_unavailable(&batch, "still down", t0())
            .await
            .expect("hold")
    );
    let held = store.payouts().batch(&batch).await.expect("batch");
    assert_eq!(held.status, BatchStatus::Held);
    assert_eq!(held.held_reason.as_deref(), Some("still down"));
    let items = store.payouts().batch_items(&batch).await.expect("items");
    assert!(items.iter().all(|i| i.state == ItemState::InDoubt), "{items:?}");
    // It resumes under the same references.
    let (resumed, again) = store
        .payouts()
        .begin_submission(&batch, t0())
        .await
        .expect("resume");
    assert_eq!(resumed.status, BatchStatus::Submitting);
    assert_eq!(
        items.iter().map(|i| &i.client_reference_id).collect::<Vec<_>>(),
        again.iter().map(|i| &i.client_reference_id).collect::<Vec<_>>()
    );
    store
        .payouts()
        .mark_submitted(&batch, t0())
        .await
        .expect("submitted");
    // A sent batch is not held.
    refused(
        store.payouts().hold_unavailable(&batch, "down", t0()).await,
        "only a batch waiting",
    );
}
