//! Reconciliation data: inputs replaced by their newest reading and found by period, a run's
//! results saved with it, and decisions made once each, audited, and refused where they make no
//! sense (also by the database itself).

use paysync_store::{NewReconInput, NewReconResult, ReconSide, Resolution, ResultCategory, StoreError};
use serde_json::json;

use crate::common::{file_store, mem, raw, secs, t0};

fn input(source: &str, id: &str, day: &str, minor: i64) -> NewReconInput {
    NewReconInput {
        source: source.to_owned(),
        id: id.to_owned(),
        day: day.to_owned(),
        currency: "EUR".to_owned(),
        record: json!({"id": id, "amount_minor": minor}),
    }
}

fn result(category: ResultCategory, kind: &str, p: &[&str], s: &[&str]) -> NewReconResult {
    NewReconResult {
        category,
        kind: kind.to_owned(),
        currency: "EUR".to_owned(),
        provider_ids: p.iter().map(|x| (*x).to_owned()).collect(),
        salesforce_ids: s.iter().map(|x| (*x).to_owned()).collect(),
        reason: format!("{kind} for {p:?} / {s:?}"),
        breakdown: (category != ResultCategory::Exception)
            .then(|| json!({"gross": 100, "fee": 3, "net": 97})),
    }
}

#[tokio::test]
async fn inputs_are_replaced_by_their_newest_reading_and_found_by_period() {
    let store = mem().await;
    let r = store.reconciliation();
    let saved = r
        .save_inputs(
            ReconSide::Provider,
            &[
                input("stripe", "ch_1", "2026-11-01", 100),
                input("stripe", "ch_2", "2026-11-15", 200),
                input("stripe", "ch_3", "2026-12-01", 300),
            ],
            t0(),
        )
        .await
        .expect("save");
    assert_eq!(saved, 3);
    r.save_inputs(
        ReconSide::Provider,
        &[input("stripe", "ch_2", "2026-11-15", 250)],
        t0() + secs(5),
    )
    .await
    .expect("again");
    r.save_inputs(
        ReconSide::Salesforce,
        &[input("Payment__c", "a02X", "2026-11-02", 100)],
        t0(),
    )
    .await
    .expect("sf");
    let november = r
        .inputs(ReconSide::Provider, None, "2026-11-01", "2026-11-30")
        .await
        .expect("inputs");
    assert_eq!(
        november,
        vec![
            json!({"id": "ch_1", "amount_minor": 100}),
            json!({"id": "ch_2", "amount_minor": 250})
        ]
    );
    assert!(
        r.inputs(ReconSide::Provider, Some("payoneer"), "2026-11-01", "2026-11-30")
            .await
            .expect("one source")
            .is_empty()
    );
    // By id: its newest reading, with the source it was read for; none from the other side.
    assert_eq!(
        r.inputs_by_id(ReconSide::Provider, "ch_2").await.expect("by id"),
        vec![("stripe".to_owned(), json!({"id": "ch_2", "amount_minor": 250}))]
    );
    assert!(
        r.inputs_by_id(ReconSide::Salesforce, "ch_2")
            .await
            .expect("other side")
            .is_empty()
    );
    let counts = r.input_counts().await.expect("counts");
    assert_eq!(counts.len(), 2);
    assert_eq!((counts[0].side, counts[0].count), (ReconSide::Provider, 3));
    assert_eq!(counts[0].first_day.as_deref(), Some("2026-11-01"));
    assert_eq!(counts[0].last_day.as_deref(), Some("2026-12-01"));

    let bad = r
        .save_inputs(
            ReconSide::Provider,
            &[input("stripe", "ch_9", "01/11/2026", 1)],
            t0(),
        )
        .await;
    assert!(
        matches!(bad, Err(StoreError::Validation { field: "day", .. })),
        "{bad:?}"
    );
    let backwards = r.start_run("2026-11-30", "2026-11-01", "005U", t0()).await;
    assert!(
        matches!(backwards, Err(StoreError::Validation { field: "to", .. })),
        "{backwards:?}"
    );
}

#[tokio::test]
async fn a_runs_results_are_saved_with_it_and_decided_once_each() {
    let fs = file_store().await;
    let store = &fs.store;
    let r = store.reconciliation();
    let run = r
        .start_run("2026-11-01", "2026-11-30", "005CHECKER", t0())
        .await
        .expect("start");
    let results = [
        result(ResultCategory::Matched, "one_to_one", &["ch_1"], &["a02A"]),
        result(ResultCategory::Suggested, "one_to_one", &["ch_2"], &["a02B"]),
        result(ResultCategory::Exception, "missing_in_salesforce", &["ch_3"], &[]),
        result(ResultCategory::Exception, "amount_mismatch", &["ch_4"], &["a02D"]),
    ];
    r.finish_run(run, &json!({"totals": {}}), &results, t0() + secs(2))
        .await
        .expect("finish");
    let again = r.finish_run(run, &json!({}), &[], t0() + secs(3)).await;
    assert!(matches!(again, Err(StoreError::InvalidState { .. })), "{again:?}");
    let shown = r.run(run).await.expect("run");
    assert_eq!(shown.finished_at, Some(t0() + secs(2)));
    assert_eq!(r.runs(10).await.expect("runs").len(), 1);

    let exceptions = r
        .results(run, Some(ResultCategory::Exception), None, 10, 0)
        .await
        .expect("page");
    assert_eq!(exceptions.len(), 2);
    let missing = r
        .results(run, None, Some("missing_in_salesforce"), 10, 0)
        .await
        .expect("kind");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].provider_ids, vec!["ch_3".to_owned()]);
    let all = r.results(run, None, None, 2, 2).await.expect("second page");
    assert_eq!(all.len(), 2);

    let matched = r
        .results(run, Some(ResultCategory::Matched), None, 1, 0)
        .await
        .expect("m")[0]
        .id;
    let suggested = r
        .results(run, Some(ResultCategory::Suggested), None, 1, 0)
        .await
        .expect("s")[0]
        .id;
    let refused = r
        .resolve(matched, Resolution::Accepted, "005CHECKER", None, t0())
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Validation {
                field: "resolution",
                ..
            })
        ),
        "{refused:?}"
    );
    let refused = r
        .resolve(suggested, Resolution::Explained, "005CHECKER", Some("fine"), t0())
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Validation {
                field: "resolution",
                ..
            })
        ),
        "{refused:?}"
    );
    let no_note = r
        .resolve(
            missing[0].id,
            Resolution::Explained,
            "005CHECKER",
            Some("  "),
            t0(),
        )
        .await;
    assert!(
        matches!(no_note, Err(StoreError::Validation { field: "note", .. })),
        "{no_note:?}"
    );

    let accepted = r
        .resolve(
            suggested,
            Resolution::Accepted,
            "005CHECKER",
            None,
            t0() + secs(9),
        )
        .await
        .expect("accept");
    assert_eq!(accepted.resolution, Some(Resolution::Accepted));
    assert_eq!(accepted.resolved_by.as_deref(), Some("005CHECKER"));
    let twice = r
        .resolve(suggested, Resolution::Rejected, "005OTHER", None, t0())
        .await;
    assert!(matches!(twice, Err(StoreError::InvalidState { .. })), "{twice:?}");
    let explained = r
        .resolve(
            missing[0].id,
            Resolution::Explained,
            "005CHECKER",
            Some("Test charge, refunded"),
            t0(),
        )
        .await
        .expect("explain");
    assert_eq!(explained.note.as_deref(), Some("Test charge, refunded"));

    let counts = r.result_counts(run).await.expect("counts");
    let exception_open: u64 = counts
        .iter()
        .filter(|c| c.category == ResultCategory::Exception)
        .map(|c| c.open)
        .sum();
    assert_eq!(exception_open, 1);

    let audit = store.audit().list(10, 0).await.expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"reconcile.accepted"), "{actions:?}");
    assert!(actions.contains(&"reconcile.explained"), "{actions:?}");

    // The database keeps a decision to one, whatever writes to it.
    let mut conn = raw(&fs.path).await;
    let overwrite = sqlx::query("UPDATE recon_results SET resolution = 'rejected' WHERE id = ?1")
        .bind(suggested)
        .execute(&mut conn)
        .await;
    assert!(format!("{overwrite:?}").contains("decided once"), "{overwrite:?}");
    let on_a_match = sqlx::query(
        "UPDATE recon_results SET resolution = 'explained', resolved_by = 'x', note = 'n' WHERE id = ?1",
    )
    .bind(matched)
    .execute(&mut conn)
    .await;
    assert!(on_a_match.is_err(), "a confirmed match took a decision");
}
