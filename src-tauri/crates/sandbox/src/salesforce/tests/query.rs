//! SOQL over HTTP: filters, ordering, errors, relationship fields, queryAll, and cursor paging.

use std::collections::BTreeSet;

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Org, obj, start};

fn names(body: &Value) -> Vec<String> {
    body["records"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["Name"].as_str().unwrap_or("∅").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn seed_accounts(org: &Org) {
    let t0 = Utc
        .with_ymd_and_hms(2025, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let rows = [
        ("Acme", Some("DE"), Some("https://acme.example")),
        ("Globex", Some("FR"), None),
        ("Initech", None, None),
        ("O'Brien & Co", Some("IE"), None),
        ("acme labs", Some("DE"), None),
    ];
    for (i, (name, country, web)) in rows.into_iter().enumerate() {
        let at = t0 + Duration::days(i64::try_from(i).unwrap_or(0) * 10);
        org.sim
            .insert_record(
                "Account",
                obj(json!({"Name": name, "BillingCountry": country, "Website": web})),
                at,
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn where_order_limit_offset() {
    let org = start().await;
    seed_accounts(&org).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT Name FROM Account ORDER BY Name",
            &["Acme", "acme labs", "Globex", "Initech", "O'Brien & Co"],
        ),
        ("SELECT Name FROM Account WHERE Name = 'ACME'", &["Acme"]),
        (
            "SELECT Name FROM Account WHERE Name LIKE 'acme%' ORDER BY Name DESC",
            &["acme labs", "Acme"],
        ),
        ("SELECT Name FROM Account WHERE Name LIKE '_lobex'", &["Globex"]),
        (
            "SELECT Name FROM Account WHERE BillingCountry IN ('DE', 'IE') ORDER BY Name",
            &["Acme", "acme labs", "O'Brien & Co"],
        ),
        (
            "SELECT Name FROM Account WHERE BillingCountry NOT IN ('DE') ORDER BY Name",
            &["Globex", "Initech", "O'Brien & Co"],
        ),
        (
            "SELECT Name FROM Account WHERE BillingCountry = null",
            &["Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE BillingCountry != 'DE' ORDER BY Name",
            &["Globex", "Initech", "O'Brien & Co"],
        ),
        (
            "SELECT Name FROM Account WHERE Name = 'O\\'Brien & Co'",
            &["O'Brien & Co"],
        ),
        (
            "SELECT Name FROM Account WHERE (BillingCountry = 'DE' OR BillingCountry = 'FR') AND NOT Name LIKE 'acme l%' ORDER BY Name",
            &["Acme", "Globex"],
        ),
        (
            "SELECT Name FROM Account ORDER BY BillingCountry NULLS LAST, Name LIMIT 2",
            &["Acme", "acme labs"],
        ),
        (
            "SELECT Name FROM Account ORDER BY BillingCountry, Name LIMIT 1",
            &["Initech"],
        ),
        (
            "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 3",
            &["Initech", "O'Brien & Co"],
        ),
        (
            "SELECT Name FROM Account WHERE CreatedDate >= 2025-12-21T00:00:00Z ORDER BY Name",
            &["acme labs", "Initech", "O'Brien & Co"],
        ),
        (
            "SELECT Name FROM Account WHERE LastModifiedDate < 2025-12-11T00:00:00.000+0000 AND Name != 'x'",
            &["Acme"],
        ),
        (
            "SELECT Name FROM Account WHERE SystemModstamp > 2025-12-30T23:00:00-01:00",
            &["acme labs"],
        ),
    ];
    for (q, expected) in cases {
        let r = org.query(q).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        assert_eq!(names(&r.body), *expected, "{q}");
        assert_eq!(r.body["totalSize"], json!(expected.len()), "{q}");
        assert_eq!(r.body["done"], json!(true), "{q}");
    }
}

#[tokio::test]
async fn records_have_attributes_and_selected_fields_only() {
    let org = start().await;
    let id = org.seed("Account", json!({"Name": "Acme", "Phone": "+49 30 1234"}));
    let r = org.query("select id, name, phone, website from account").await;
    let rec = &r.body["records"][0];
    assert_eq!(
        rec["attributes"],
        json!({"type": "Account", "url": format!("/services/data/v66.0/sobjects/Account/{id}")})
    );
    assert_eq!(rec["Id"], json!(id));
    assert_eq!(rec["Name"], json!("Acme"));
    assert_eq!(rec["Website"], Value::Null);
    assert!(rec.get("BillingCountry").is_none());
    assert!(r.headers.get("Sforce-Limit-Info").is_some());
}

#[tokio::test]
async fn counts_and_relationships() {
    let org = start().await;
    seed_accounts(&org).await;
    let r = org
        .query("SELECT COUNT() FROM Account WHERE BillingCountry = 'DE'")
        .await;
    assert_eq!(r.body, json!({"totalSize": 2, "done": true, "records": []}));
    let r = org.query("SELECT COUNT(Id) total FROM Account").await;
    assert_eq!(r.body["records"][0]["total"], json!(5));
    let acc = org.seed("Account", json!({"Name": "Parent"}));
    org.seed(
        "Contact",
        json!({"LastName": "Child", "FirstName": "Ann", "AccountId": acc}),
    );
    org.seed("Contact", json!({"LastName": "Orphan"}));
    let r = org
        .query("SELECT Name, Account.Name FROM Contact WHERE Account.Name = 'Parent' OR Account.Name = null ORDER BY LastName")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["records"][0]["Name"], json!("Ann Child"));
    assert_eq!(r.body["records"][0]["Account"]["Name"], json!("Parent"));
    assert_eq!(
        r.body["records"][0]["Account"]["attributes"]["type"],
        json!("Account")
    );
    assert_eq!(r.body["records"][1]["Account"], Value::Null);
}

#[tokio::test]
async fn query_errors_are_400_arrays() {
    let org = start().await;
    let cases = [
        (
            "SELECT Id FROM Account WHERE",
            "MALFORMED_QUERY",
            "unexpected token",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
            "MALFORMED_QUERY",
            "'OR'",
        ),
        (
            "SELECT Id, Nope__c FROM Account",
            "INVALID_FIELD",
            "No such column 'Nope__c' on entity 'Account'",
        ),
        (
            "SELECT Id FROM Nope__c",
            "INVALID_TYPE",
            "sObject type 'Nope__c' is not supported",
        ),
        (
            "SELECT Id FROM Account WHERE CreatedDate > 2026-01-01",
            "INVALID_FIELD",
            "must be of type dateTime",
        ),
    ];
    for (q, code, needle) in cases {
        let r = org.query(q).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(r.error_code(), code, "{q}: {}", r.body);
        assert!(r.error_message().contains(needle), "{q}: {}", r.error_message());
    }
    let r = org.get("/query").await;
    assert_eq!(r.error_code(), "MALFORMED_QUERY");
}

#[tokio::test]
async fn query_all_sees_deleted_records() {
    let org = start().await;
    let keep = org.seed("Account", json!({"Name": "Keep"}));
    let gone = org.seed("Account", json!({"Name": "Gone"}));
    let d = org
        .call(Method::DELETE, &format!("/sobjects/Account/{gone}"), None)
        .await;
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    let r = org.query("SELECT Id FROM Account WHERE Name != 'Standard'").await;
    assert_eq!(r.body["records"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["records"][0]["Id"], json!(keep));
    let url = format!(
        "{}?{}",
        org.data("/queryAll"),
        serde_urlencoded::to_string([("q", "SELECT Id, IsDeleted FROM Account ORDER BY Name")])
            .unwrap_or_default()
    );
    let all = org
        .call_with(Method::GET, &url, Some(&org.token), None, &[])
        .await;
    assert_eq!(all.body["totalSize"], json!(2));
    assert_eq!(all.body["records"][0]["IsDeleted"], json!(true));
}

async fn follow_all(org: &Org, first: Value, expect_batch: usize) -> Vec<Value> {
    let mut records: Vec<Value> = first["records"].as_array().cloned().unwrap_or_default();
    let total = first["totalSize"].as_u64().unwrap_or(0);
    let mut page = first;
    while page["done"] == json!(false) {
        assert_eq!(page["records"].as_array().map(Vec::len), Some(expect_batch));
        let next = page["nextRecordsUrl"].as_str().unwrap_or_default().to_owned();
        assert!(next.starts_with("/services/data/v66.0/query/01g"), "{next}");
        let r = org
            .call_with(
                Method::GET,
                &format!("{}{next}", org.base()),
                Some(&org.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["totalSize"].as_u64(), Some(total));
        records.extend(r.body["records"].as_array().cloned().unwrap_or_default());
        page = r.body;
    }
    assert!(page.get("nextRecordsUrl").is_none());
    records
}

#[tokio::test]
async fn pagination_over_4500_records() {
    let org = start().await;
    let at = org.clock_now();
    for i in 0..4500 {
        org.sim
            .insert_record(
                "Payment__c",
                obj(json!({"Amount__c": i, "Currency__c": "EUR"})),
                at,
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let r = org
        .query("SELECT Id, Amount__c FROM Payment__c ORDER BY Amount__c")
        .await;
    assert_eq!(r.body["totalSize"], json!(4500));
    assert_eq!(r.body["done"], json!(false));
    assert!(
        r.body["nextRecordsUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("-2000"))
    );
    let all = follow_all(&org, r.body, 2000).await;
    assert_eq!(all.len(), 4500);
    let distinct: BTreeSet<&str> = all.iter().filter_map(|r| r["Id"].as_str()).collect();
    assert_eq!(distinct.len(), 4500);
    assert_eq!(all[4499]["Amount__c"], json!(4499.0));

    // Sforce-Query-Options: batchSize=500 → 9 pages of 500.
    let url = format!(
        "{}?{}",
        org.data("/query"),
        serde_urlencoded::to_string([("q", "SELECT Id FROM Payment__c")]).unwrap_or_default()
    );
    let r = org
        .call_with(
            Method::GET,
            &url,
            Some(&org.token),
            None,
            &[("Sforce-Query-Options", "batchSize=500")],
        )
        .await;
    assert_eq!(r.body["records"].as_array().map(Vec::len), Some(500));
    let all = follow_all(&org, r.body, 500).await;
    assert_eq!(all.len(), 4500);

    // A cursor idle for 15 minutes is gone.
    let r = org.query("SELECT Id FROM Payment__c").await;
    let next = r.body["nextRecordsUrl"].as_str().unwrap_or_default().to_owned();
    org.clock.advance(Duration::minutes(15));
    let stale = org
        .call_with(
            Method::GET,
            &format!("{}{next}", org.base()),
            Some(&org.token),
            None,
            &[],
        )
        .await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST);
    assert_eq!(stale.error_code(), "INVALID_QUERY_LOCATOR");
}
