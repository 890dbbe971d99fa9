//! sObject Collections: limits, allOrNone rollback, per-record errors, upsert, retrieve, delete.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::start;

fn account(name: &str) -> Value {
    json!({"attributes": {"type": "Account"}, "Name": name})
}

#[tokio::test]
async fn create_mixed_types_and_partial_failure() {
    let org = start().await;
    let body = json!({"allOrNone": false, "records": [
        account("A1"),
        {"attributes": {"type": "Contact"}, "LastName": "C1"},
        {"attributes": {"type": "Contact"}, "FirstName": "no last name"},
        account("A2"),
    ]});
    let r = org.call(Method::POST, "/composite/sobjects", Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let res = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(res.len(), 4);
    assert!(res[0]["id"].as_str().is_some_and(|i| i.starts_with("001")));
    assert!(res[1]["id"].as_str().is_some_and(|i| i.starts_with("003")));
    assert_eq!(
        res[2],
        json!({"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]})
    );
    assert_eq!(res[3]["success"], json!(true));
    assert_eq!(org.sim.records("Account").len(), 2);
}

#[tokio::test]
async fn all_or_none_rolls_everything_back() {
    let org = start().await;
    let existing = org.seed("Account", json!({"Name": "Keep", "Phone": "1"}));
    let body = json!({"allOrNone": true, "records": [
        account("New1"),
        {"attributes": {"type": "Payment__c"}, "Status__c": "Bogus"},
        account("New2"),
    ]});
    let r = org.call(Method::POST, "/composite/sobjects", Some(body)).await;
    assert_eq!(r.status, StatusCode::OK);
    let res = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(res[0]["success"], json!(false));
    assert_eq!(
        res[0]["errors"][0]["statusCode"],
        json!("ALL_OR_NONE_OPERATION_ROLLED_BACK")
    );
    assert_eq!(
        res[1]["errors"][0]["statusCode"],
        json!("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    );
    assert_eq!(res[1]["errors"][0]["fields"], json!(["Status__c"]));
    assert_eq!(
        res[2]["errors"][0]["statusCode"],
        json!("ALL_OR_NONE_OPERATION_ROLLED_BACK")
    );
    assert_eq!(org.sim.records("Account").len(), 1);
    assert!(org.sim.records("Payment__c").is_empty());

    // Updates roll back too, including ones that had succeeded.
    let body = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Account"}, "Id": existing, "Phone": "2"},
        {"attributes": {"type": "Account"}, "Id": existing, "Name": null},
    ]});
    let r = org.call(Method::PATCH, "/composite/sobjects", Some(body)).await;
    assert_eq!(r.body[0]["id"], json!(existing));
    assert_eq!(
        r.body[0]["errors"][0]["statusCode"],
        json!("ALL_OR_NONE_OPERATION_ROLLED_BACK")
    );
    assert_eq!(
        r.body[1]["errors"][0]["statusCode"],
        json!("REQUIRED_FIELD_MISSING")
    );
    assert_eq!(
        org.get(&format!("/sobjects/Account/{existing}")).await.body["Phone"],
        json!("1")
    );
}

#[tokio::test]
async fn at_most_200_records() {
    let org = start().await;
    let records: Vec<Value> = (0..201).map(|i| account(&format!("A{i}"))).collect();
    let r = org
        .call(
            Method::POST,
            "/composite/sobjects",
            Some(json!({"records": records})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "EXCEEDED_ID_LIMIT");
    let records: Vec<Value> = (0..200).map(|i| account(&format!("A{i}"))).collect();
    let r = org
        .call(
            Method::POST,
            "/composite/sobjects",
            Some(json!({"records": records})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<String> = r
        .body
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids.len(), 200);
    let many: Vec<String> = ids.iter().cloned().chain(ids.iter().take(1).cloned()).collect();
    let r = org
        .call(
            Method::DELETE,
            &format!("/composite/sobjects?ids={}", many.join(",")),
            None,
        )
        .await;
    assert_eq!(r.error_code(), "EXCEEDED_ID_LIMIT");
    // A request the server cannot read fails whole.
    let r = org
        .call(
            Method::POST,
            "/composite/sobjects",
            Some(json!({"records": [{"Name": "no type"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "INVALID_TYPE");
    let r = org
        .call(
            Method::POST,
            "/composite/sobjects",
            Some(json!({"records": [{"attributes": {"type": "Account"}, "Nope__c": 1}]})),
        )
        .await;
    assert_eq!(r.error_code(), "INVALID_FIELD");
}

#[tokio::test]
async fn update_per_record_errors() {
    let org = start().await;
    let a = org.seed("Account", json!({"Name": "A"}));
    let gone = org.seed("Account", json!({"Name": "Gone"}));
    org.call(Method::DELETE, &format!("/sobjects/Account/{gone}"), None)
        .await;
    let body = json!({"records": [
        {"attributes": {"type": "Account"}, "Id": a, "Phone": "9"},
        {"attributes": {"type": "Account"}, "Phone": "9"},
        {"attributes": {"type": "Account"}, "Id": gone, "Phone": "9"},
    ]});
    let r = org.call(Method::PATCH, "/composite/sobjects", Some(body)).await;
    assert_eq!(r.body[0], json!({"id": a, "success": true, "errors": []}));
    assert_eq!(r.body[1]["errors"][0]["statusCode"], json!("MISSING_ARGUMENT"));
    assert_eq!(r.body[2]["errors"][0]["statusCode"], json!("ENTITY_IS_DELETED"));
    assert_eq!(r.body[2]["id"], json!(gone));
}

#[tokio::test]
async fn upsert_collection_reports_created() {
    let org = start().await;
    org.seed(
        "Payment__c",
        json!({"Paysync_Key__c": "stripe:ch_1", "Amount__c": 1}),
    );
    let body = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Payment__c"}, "Paysync_Key__c": "stripe:ch_1", "Amount__c": 10},
        {"attributes": {"type": "Payment__c"}, "Paysync_Key__c": "stripe:ch_2", "Amount__c": 20},
        {"attributes": {"type": "Payment__c"}, "Amount__c": 30},
        {"attributes": {"type": "Payment__c"}, "Paysync_Key__c": "stripe:ch_3", "Status__c": "Nope"},
    ]});
    let r = org
        .call(
            Method::PATCH,
            "/composite/sobjects/Payment__c/Paysync_Key__c",
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body[0]["created"], json!(false));
    assert_eq!(r.body[1]["created"], json!(true));
    assert_eq!(r.body[2]["errors"][0]["statusCode"], json!("MISSING_ARGUMENT"));
    assert_eq!(
        r.body[3]["errors"][0]["statusCode"],
        json!("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    );
    let q = org
        .query("SELECT Paysync_Key__c, Amount__c FROM Payment__c ORDER BY Paysync_Key__c")
        .await;
    assert_eq!(q.body["records"][0]["Amount__c"], json!(10.0));
    assert_eq!(q.body["totalSize"], json!(2));
    let r = org
        .call(
            Method::PATCH,
            "/composite/sobjects/Payment__c/Amount__c",
            Some(json!({"records": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn retrieve_and_delete() {
    let org = start().await;
    let a = org.seed("Account", json!({"Name": "A"}));
    let b = org.seed("Account", json!({"Name": "B"}));
    let missing = "001Rt0000000000";
    let r = org
        .get(&format!(
            "/composite/sobjects/Account?ids={a},{missing},{b}&fields=Id,Name"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["Name"], json!("A"));
    assert_eq!(r.body[1], Value::Null);
    assert_eq!(r.body[2]["Name"], json!("B"));
    let r = org
        .get(&format!("/composite/sobjects/Account?ids={a}&fields=Nope"))
        .await;
    assert_eq!(r.error_code(), "INVALID_FIELD");

    let r = org
        .call(
            Method::DELETE,
            &format!("/composite/sobjects?ids={a},bad-id&allOrNone=true"),
            None,
        )
        .await;
    assert_eq!(
        r.body[0]["errors"][0]["statusCode"],
        json!("ALL_OR_NONE_OPERATION_ROLLED_BACK")
    );
    assert_eq!(r.body[1]["errors"][0]["statusCode"], json!("MALFORMED_ID"));
    assert_eq!(org.sim.records("Account").len(), 2);
    let r = org
        .call(Method::DELETE, &format!("/composite/sobjects?ids={a},{b}"), None)
        .await;
    assert_eq!(
        r.body,
        json!([{"id": a, "success": true, "errors": []}, {"id": b, "success": true, "errors": []}])
    );
    assert!(org.sim.records("Account").is_empty());
}

#[tokio::test]
async fn lock_failures_are_per_record() {
    let org = start().await;
    let a = org.seed("Account", json!({"Name": "A"}));
    let b = org.seed("Account", json!({"Name": "B"}));
    org.admin(
        Method::PUT,
        "/lock-injection",
        json!({"next_writes": [{"record_id": b, "count": 1}]}),
    )
    .await;
    let body = json!({"records": [
        {"attributes": {"type": "Account"}, "Id": a, "Phone": "1"},
        {"attributes": {"type": "Account"}, "Id": b, "Phone": "1"},
    ]});
    let r = org.call(Method::PATCH, "/composite/sobjects", Some(body)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["success"], json!(true));
    assert_eq!(
        r.body[1],
        json!({"id": b, "success": false, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": format!("unable to obtain exclusive access to this record or 1 records: {b}"), "fields": []}]})
    );
}
