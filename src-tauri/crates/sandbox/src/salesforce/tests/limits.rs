//! API usage (header, `/limits`, `REQUEST_LIMIT_EXCEEDED`, rolling window), snapshot/restore, and
//! injected faults in Salesforce's error shape.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::start;
use crate::server::Simulator;

fn usage(r: &super::Reply) -> String {
    r.headers
        .get("Sforce-Limit-Info")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn every_call_counts_and_the_header_says_so() {
    let org = start().await;
    assert_eq!(org.sim.api_usage(), (0, 100_000));
    let r = org.get("/sobjects").await;
    assert_eq!(usage(&r), "api-usage=1/100000");
    let r = org.query("SELECT Id FROM Nope").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(usage(&r), "api-usage=2/100000", "failed calls count too");
    let r = org.get("/limits").await;
    assert_eq!(
        r.body["DailyApiRequests"],
        json!({"Max": 100_000, "Remaining": 99_997})
    );
    // Unauthenticated calls and the version list are not counted.
    let bad = org
        .call_with(Method::GET, &org.data("/limits"), Some("bad-token"), None, &[])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(usage(&bad), "");
    org.call_with(
        Method::GET,
        &format!("{}/services/data", org.base()),
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(org.sim.api_usage().0, 3);
}

#[tokio::test]
async fn exhausted_allocation_is_request_limit_exceeded_until_the_window_rolls() {
    let org = start().await;
    org.sim.set_session_timeout(Duration::days(3));
    let token = org.sim.mint_token("paysync-sandbox", "api");
    let token = token["access_token"].as_str().unwrap_or_default().to_owned();
    let url = org.data("/limits");
    let limits = || org.call_with(Method::GET, &url, Some(&token), None, &[]);
    let r = org.admin(Method::PUT, "/limits", json!({"daily_limit": 3})).await;
    assert_eq!(r.body, json!({"daily_limit": 3, "used": 0}));
    for _ in 0..2 {
        assert_eq!(limits().await.status, StatusCode::OK);
    }
    org.clock.advance(Duration::hours(12));
    assert_eq!(limits().await.status, StatusCode::OK);
    let r = limits().await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body,
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    assert_eq!(usage(&r), "api-usage=3/3");
    // 24 hours after the first two calls, they drop out of the window.
    org.clock.advance(Duration::hours(12));
    let r = limits().await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(usage(&r), "api-usage=2/3");
    org.sim.set_daily_limit(10);
    assert_eq!(org.sim.api_usage(), (2, 10));
}

#[tokio::test]
async fn snapshot_and_restore_round_trip() {
    let org = start().await;
    let acc = org.seed(
        "Account",
        json!({"Name": "Acme", "Stripe_Customer_Id__c": "cus_S"}),
    );
    org.sim
        .add_validation_rule(crate::salesforce::ValidationRule {
            object: "Account".to_owned(),
            field: "Phone".to_owned(),
            kind: crate::salesforce::RuleKind::Required,
            message: "phone!".to_owned(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    org.get("/limits").await;
    let snap = org.sim.snapshot();

    let other = start().await;
    other
        .sim
        .restore(snap.clone())
        .unwrap_or_else(|e| panic!("restore: {e}"));
    assert_eq!(other.sim.snapshot(), snap);
    assert_eq!(other.sim.records("Account"), org.sim.records("Account"));
    assert_eq!(other.sim.user(), org.sim.user());
    // The first org's token is valid in the restored one; indexes were rebuilt (upsert matches).
    let url = format!(
        "{}/services/data/v66.0/sobjects/Account/Stripe_Customer_Id__c/cus_S",
        other.base()
    );
    let r = other
        .call_with(
            Method::PATCH,
            &url,
            Some(&org.token),
            Some(json!({"Phone": "5"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["id"], json!(acc));
    assert_eq!(r.body["created"], json!(false));
    let r = other
        .call_with(
            Method::PATCH,
            &url,
            Some(&org.token),
            Some(json!({"Phone": null})),
            &[],
        )
        .await;
    assert_eq!(r.error_code(), "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert!(other.sim.restore(json!({"nonsense": true})).is_err());
}

#[tokio::test]
async fn injected_faults_use_salesforce_error_shape() {
    let org = start().await;
    let faults =
        json!({"rules": [{"path_prefix": "/services/data", "errors": [{"status": 503, "rate_bp": 10000}]}]});
    let r = org
        .call_with(
            Method::PUT,
            &format!("{}/__sandbox/faults", org.base()),
            None,
            Some(faults),
            &[],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = org.get("/limits").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.error_code(), "SERVER_UNAVAILABLE");
}

#[tokio::test]
async fn seeding_api_sets_timestamps_and_validates_types() {
    let org = start().await;
    let past = org.clock_now() - Duration::days(30);
    let id = org
        .sim
        .insert_record(
            "Contact",
            super::obj(json!({"LastName": "Old", "Email": "old@example.com"})),
            past,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let later = past + Duration::days(1);
    org.sim
        .update_record("Contact", &id, super::obj(json!({"FirstName": "Very"})), later)
        .unwrap_or_else(|e| panic!("{e}"));
    let rec = org.sim.records("Contact").into_iter().next().unwrap_or_default();
    assert_eq!(
        rec["CreatedDate"],
        json!(crate::salesforce::value::format_datetime(past))
    );
    assert_eq!(
        rec["LastModifiedDate"],
        json!(crate::salesforce::value::format_datetime(later))
    );
    assert_eq!(rec["Name"], json!("Very Old"));
    let err = org.sim.insert_record(
        "Contact",
        super::obj(json!({"LastName": "X", "Payout_Blocked__c": "maybe"})),
        past,
    );
    assert!(err.is_err());
    assert!(
        org.sim
            .insert_record("Nope", super::obj(json!({})), past)
            .is_err()
    );
    let r = org
        .admin(
            Method::POST,
            "/records/Account",
            json!({"fields": {"Name": "Via admin"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let dump = org
        .call_with(
            Method::GET,
            &format!("{}/__sandbox/salesforce/records", org.base()),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(dump.body["Account"][0]["Name"], json!("Via admin"));
    assert_eq!(dump.body["CurrencyType"][0]["IsoCode"], json!("USD"));
    let md = crate::salesforce::schema::schema_markdown();
    assert!(md.contains("### `Payment__c`") && md.contains("`Paysync_Key__c`"));
}
