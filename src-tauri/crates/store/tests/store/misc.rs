//! Links, cursors, settings and connections.

use paysync_store::{NewConnection, NewLink, StoreError};
use serde::{Deserialize, Serialize};

use crate::common::{file_store, mem, raw, secs, t0};

fn link(corr: &str, provider_id: &str, sf: Option<&str>) -> NewLink {
    NewLink {
        correlation_id: corr.to_owned(),
        provider: "stripe".to_owned(),
        provider_object: "charge".to_owned(),
        provider_id: provider_id.to_owned(),
        salesforce_object: "Payment__c".to_owned(),
        salesforce_id: sf.map(str::to_owned),
    }
}

#[tokio::test]
async fn links_upsert_and_lookups() {
    let store = mem().await;
    let links = store.links();
    let created = links
        .upsert(&link("corr-1", "ch_1", None), t0())
        .await
        .expect("upsert");
    assert_eq!(created.salesforce_id, None);
    let updated = links
        .upsert(&link("corr-other", "ch_1", Some("a01")), t0() + secs(5))
        .await
        .expect("upsert");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.correlation_id, "corr-1", "the correlation id is stable");
    assert_eq!(updated.salesforce_id.as_deref(), Some("a01"));
    assert_eq!((updated.created_at, updated.updated_at), (t0(), t0() + secs(5)));
    let kept = links
        .upsert(&link("corr-1", "ch_1", None), t0() + secs(6))
        .await
        .expect("upsert");
    assert_eq!(
        kept.salesforce_id.as_deref(),
        Some("a01"),
        "a NULL never erases a known id"
    );

    assert_eq!(
        links.by_provider("stripe", "charge", "ch_1").await.expect("get"),
        Some(kept.clone())
    );
    assert_eq!(
        links.by_correlation("corr-1").await.expect("get"),
        Some(kept.clone())
    );
    assert_eq!(
        links.by_salesforce("Payment__c", "a01").await.expect("get"),
        vec![kept]
    );
    assert_eq!(
        links
            .by_provider("stripe", "charge", "ch_404")
            .await
            .expect("get"),
        None
    );

    assert!(matches!(
        links.upsert(&link("corr-1", "ch_2", None), t0()).await,
        Err(StoreError::Conflict { .. })
    ));
}

#[tokio::test]
async fn cursors_round_trip() {
    let store = mem().await;
    let cursors = store.cursors();
    assert_eq!(cursors.get("stripe→sf", "stripe").await.expect("get"), None);
    cursors
        .set("stripe→sf", "stripe", "evt_100", t0())
        .await
        .expect("set");
    cursors
        .set("stripe→sf", "stripe", "evt_200", t0())
        .await
        .expect("set");
    cursors
        .set("stripe→sf", "checkout", "c_1", t0())
        .await
        .expect("set");
    assert_eq!(
        cursors.get("stripe→sf", "stripe").await.expect("get").as_deref(),
        Some("evt_200")
    );
    assert_eq!(
        cursors
            .get("stripe→sf", "checkout")
            .await
            .expect("get")
            .as_deref(),
        Some("c_1")
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Schedule {
    every_minutes: u32,
    flows: Vec<String>,
}

#[tokio::test]
async fn settings_round_trip_and_reserve_the_audit_keys() {
    let store = mem().await;
    let settings = store.settings();
    assert_eq!(settings.get("theme").await.expect("get"), None);
    settings.set("theme", "dark", t0()).await.expect("set");
    settings.set("theme", "light", t0()).await.expect("set");
    assert_eq!(
        settings.get("theme").await.expect("get").as_deref(),
        Some("light")
    );

    let schedule = Schedule {
        every_minutes: 5,
        flows: vec!["stripe→sf".into()],
    };
    settings.set_json("schedule", &schedule, t0()).await.expect("set");
    assert_eq!(
        settings.get_json::<Schedule>("schedule").await.expect("get"),
        Some(schedule)
    );
    assert_eq!(settings.get_json::<Schedule>("missing").await.expect("get"), None);

    assert!(matches!(
        settings.set("audit.head", "{}", t0()).await,
        Err(StoreError::Validation { field: "key", .. })
    ));
}

fn connection(id: &str, provider: &str) -> NewConnection {
    NewConnection {
        id: id.to_owned(),
        profile: "default".to_owned(),
        provider: provider.to_owned(),
        display_name: format!("{provider} (test)"),
        account_ref: Some("acct_123".to_owned()),
        keychain_ref: Some(format!("paysync/{provider}/default")),
        status: "connected".to_owned(),
    }
}

#[tokio::test]
async fn connections_are_metadata_and_every_change_is_audited() {
    let store = mem().await;
    let conns = store.connections();
    let created = conns
        .upsert(&connection("c1", "stripe"), "alice", t0())
        .await
        .expect("create");
    assert_eq!(created.created_at, t0());
    let mut changed = connection("c1", "stripe");
    changed.status = "needs_reauth".to_owned();
    let updated = conns
        .upsert(&changed, "alice", t0() + secs(1))
        .await
        .expect("update");
    assert_eq!(
        (updated.created_at, updated.status.as_str()),
        (t0(), "needs_reauth")
    );
    conns
        .upsert(&connection("c2", "salesforce"), "alice", t0())
        .await
        .expect("create");
    assert!(matches!(
        conns.upsert(&connection("c3", "stripe"), "alice", t0()).await,
        Err(StoreError::Conflict { .. })
    ));

    assert!(
        conns
            .mark_error("c1", "401 from provider", t0() + secs(2))
            .await
            .expect("error")
    );
    assert_eq!(
        conns
            .get("c1")
            .await
            .expect("get")
            .expect("exists")
            .last_error
            .as_deref(),
        Some("401 from provider")
    );
    assert!(conns.mark_success("c1", t0() + secs(3)).await.expect("success"));
    let c1 = conns.get("c1").await.expect("get").expect("exists");
    assert_eq!((c1.last_error, c1.last_success_at), (None, Some(t0() + secs(3))));

    let listed = conns.list(Some("default")).await.expect("list");
    assert_eq!(
        listed.iter().map(|c| c.provider.as_str()).collect::<Vec<_>>(),
        vec!["salesforce", "stripe"]
    );
    assert!(conns.list(Some("other")).await.expect("list").is_empty());
    let mut elsewhere = connection("c9", "stripe");
    elsewhere.profile = "other".to_owned();
    conns
        .upsert(&elsewhere, "alice", t0())
        .await
        .expect("same provider, other profile");
    assert_eq!(conns.list(None).await.expect("list").len(), 3);
    assert!(conns.delete("c9", "alice", t0()).await.expect("delete"));

    assert!(conns.delete("c2", "bob", t0() + secs(4)).await.expect("delete"));
    assert!(
        !conns
            .delete("c2", "bob", t0() + secs(4))
            .await
            .expect("delete twice")
    );
    assert_eq!(conns.get("c2").await.expect("get"), None);

    let actions: Vec<_> = store
        .audit()
        .list(10, 0)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .rev()
        .collect();
    assert_eq!(
        actions,
        vec![
            "connection.create",
            "connection.update",
            "connection.create",
            "connection.create",
            "connection.delete",
            "connection.delete"
        ]
    );
    assert_eq!(store.audit().verify().await.expect("verify").entries, 6);
}

#[tokio::test]
async fn no_column_can_hold_a_secret() {
    let fs = file_store().await;
    let mut conn = raw(&fs.path).await;
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p \
         WHERE m.type = 'table'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("schema");
    assert!(columns.len() > 50, "read the schema: {columns:?}");
    let suspicious = [
        "secret", "token", "password", "api_key", "pan", "card", "cvv", "private",
    ];
    for (table, column) in columns {
        let lower = column.to_lowercase();
        assert!(
            !suspicious
                .iter()
                .any(|s| lower.split('_').any(|part| part == *s) || lower == *s),
            "{table}.{column} looks like it could hold a secret"
        );
    }
}

#[tokio::test]
async fn provider_payments_upsert_by_provider_id_and_sum_succeeded_volume_per_day_and_currency() {
    use paysync_core::{Currency, Money};
    use paysync_store::ProviderPayment;
    let store = crate::common::mem().await;
    let eur: Currency = "EUR".parse().expect("EUR");
    let jpy: Currency = "JPY".parse().expect("JPY");
    let day1 = crate::common::t0();
    let day2 = day1 + chrono::Duration::days(1);
    let pay = |id: &str, minor: i64, currency: Currency, at, status: &str| ProviderPayment {
        provider: "stripe".into(),
        provider_id: id.into(),
        kind: "charge".into(),
        status: status.into(),
        amount: Money::from_minor(minor, currency),
        occurred_at: at,
        customer_ref: None,
    };
    let payments = store.payments();
    payments
        .upsert_many(
            &[
                pay("ch_1", 1050, eur, day1, "pending"),
                pay("ch_2", 2000, eur, day1, "succeeded"),
                pay("ch_3", 500, jpy, day1, "succeeded"),
                pay("ch_4", 700, eur, day2, "failed"),
            ],
            day2,
        )
        .await
        .expect("upsert");
    // ch_1 settles: the same provider id is updated, not duplicated.
    payments
        .upsert_many(&[pay("ch_1", 1050, eur, day1, "succeeded")], day2)
        .await
        .expect("re-upsert");
    assert_eq!(payments.count("stripe").await.expect("count"), 4);
    let volume = payments.daily_volume(day1).await.expect("volume");
    let got: Vec<(String, String, u64)> = volume
        .iter()
        .map(|v| (v.day.clone(), v.total.to_string(), v.count))
        .collect();
    let day = day1.format("%Y-%m-%d").to_string();
    assert_eq!(
        got,
        vec![
            (day.clone(), Money::from_minor(3050, eur).to_string(), 2),
            (day, Money::from_minor(500, jpy).to_string(), 1),
        ]
    );
    assert!(
        payments.daily_volume(day2).await.expect("later").is_empty(),
        "failed payments are not volume"
    );
}
