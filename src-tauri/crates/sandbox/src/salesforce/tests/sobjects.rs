//! Single-record sObject resources: create / read / update / delete, upsert by External ID,
//! describe, and API versions.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::start;
use crate::salesforce::value::format_datetime;

#[tokio::test]
async fn create_read_update_delete() {
    let org = start().await;
    let created_at = format_datetime(org.clock_now());
    let r = org
        .call(
            Method::POST,
            "/sobjects/Account",
            Some(json!({"Name": "Acme", "BillingCountry": "DE"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["success"], json!(true));
    assert_eq!(r.body["errors"], json!([]));
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("001"));

    let user = org.sim.user().user_id;
    let rec = org.get(&format!("/sobjects/Account/{id}")).await.body;
    assert_eq!(rec["attributes"]["type"], json!("Account"));
    assert_eq!(rec["Name"], json!("Acme"));
    assert_eq!(rec["CreatedDate"], json!(created_at));
    assert_eq!(rec["SystemModstamp"], json!(created_at));
    assert_eq!(rec["CreatedById"], json!(user));
    assert_eq!(
        rec["CurrencyIsoCode"],
        json!("USD"),
        "defaults to the corporate currency"
    );
    assert_eq!(rec["Website"], Value::Null);

    // 15-character ids work too; ?fields= narrows the answer.
    let some = org
        .get(&format!(
            "/sobjects/Account/{}?fields=Name,BillingCountry",
            &id[..15]
        ))
        .await
        .body;
    assert_eq!(some.as_object().map(|m| m.len()), Some(3));

    org.clock.advance(Duration::minutes(5));
    let r = org
        .call(
            Method::PATCH,
            &format!("/sobjects/Account/{id}"),
            Some(json!({"Website": "https://acme.example"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let rec = org.get(&format!("/sobjects/Account/{id}")).await.body;
    assert_eq!(rec["Website"], json!("https://acme.example"));
    assert_eq!(rec["CreatedDate"], json!(created_at));
    assert_eq!(rec["LastModifiedDate"], json!(format_datetime(org.clock_now())));

    let r = org
        .call(Method::DELETE, &format!("/sobjects/Account/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"Name": "x"}))),
        (Method::DELETE, None),
    ] {
        let r = org
            .call(method.clone(), &format!("/sobjects/Account/{id}"), body)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(r.error_code(), "ENTITY_IS_DELETED", "{method}");
    }

    let r = org.get("/sobjects/Account/001Rt0000000000AAA").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = org.get("/sobjects/Nope__c/001Rt0000000000AAA").await;
    assert_eq!(
        r.body,
        json!([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])
    );
}

#[tokio::test]
async fn ids_use_each_objects_prefix() {
    let org = start().await;
    let acc = org.seed("Account", json!({"Name": "A"}));
    let cases = [
        ("Contact", json!({"LastName": "L"}), "003"),
        (
            "Opportunity",
            json!({"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-02-01"}),
            "006",
        ),
        (
            "Order",
            json!({"AccountId": acc, "EffectiveDate": "2026-01-01"}),
            "801",
        ),
        ("Payment__c", json!({"Amount__c": 1}), "a02"),
        ("Payment_Request__c", json!({"Amount__c": 1}), "a03"),
    ];
    for (object, body, prefix) in cases {
        let r = org
            .call(Method::POST, &format!("/sobjects/{object}"), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{object}: {}", r.body);
        assert!(
            r.body["id"].as_str().is_some_and(|i| i.starts_with(prefix)),
            "{object}"
        );
    }
    let pr = org.query("SELECT Name, Status__c FROM Payment_Request__c").await;
    assert_eq!(pr.body["records"][0]["Name"], json!("PR-000001"));
    assert_eq!(pr.body["records"][0]["Status__c"], json!("Draft"));
}

#[tokio::test]
async fn upsert_by_external_id() {
    let org = start().await;
    let path = "/sobjects/Account/Stripe_Customer_Id__c/cus_ABC";
    let r = org.call(Method::PATCH, path, Some(json!({"Name": "Acme"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["created"], json!(true));
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();

    let r = org
        .call(Method::PATCH, path, Some(json!({"Name": "Acme GmbH"})))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    let got = org.get(path).await;
    assert_eq!(got.body["Name"], json!("Acme GmbH"));

    // Unique External IDs here are case-sensitive: cus_abc is another customer.
    let r = org
        .call(
            Method::PATCH,
            "/sobjects/Account/Stripe_Customer_Id__c/cus_abc",
            Some(json!({"Name": "Other"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Contact's Stripe id is a non-unique External ID: two matches → 300 with the list.
    let a = org.seed(
        "Contact",
        json!({"LastName": "A", "Stripe_Customer_Id__c": "cus_DUP"}),
    );
    let b = org.seed(
        "Contact",
        json!({"LastName": "B", "Stripe_Customer_Id__c": "cus_dup"}),
    );
    let r = org
        .call(
            Method::PATCH,
            "/sobjects/Contact/Stripe_Customer_Id__c/cus_Dup",
            Some(json!({"LastName": "C"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::MULTIPLE_CHOICES);
    let expected: Vec<String> = [a, b]
        .iter()
        .map(|i| format!("/services/data/v66.0/sobjects/Contact/{i}"))
        .collect();
    assert_eq!(r.body, json!(expected));

    // Not an External ID field → 404.
    let r = org
        .call(
            Method::PATCH,
            "/sobjects/Account/Name/Acme",
            Some(json!({"Phone": "1"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "NOT_FOUND");

    // The body may not carry Id or the key field.
    for body in [
        json!({"Id": id, "Name": "x"}),
        json!({"Stripe_Customer_Id__c": "cus_ABC", "Name": "x"}),
    ] {
        let r = org.call(Method::PATCH, path, Some(body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.error_code(), "INVALID_FIELD");
    }

    // updateOnly refuses to create.
    let r = org
        .call(
            Method::PATCH,
            "/sobjects/Account/Stripe_Customer_Id__c/cus_NEW?updateOnly=true",
            Some(json!({"Name": "N"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn describe_lists_fields_from_the_schema() {
    let org = start().await;
    let d = org.get("/sobjects/Payment__c/describe").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body["name"], json!("Payment__c"));
    assert_eq!(d.body["keyPrefix"], json!("a02"));
    let fields = d.body["fields"].as_array().cloned().unwrap_or_default();
    let field = |n: &str| {
        fields
            .iter()
            .find(|f| f["name"] == json!(n))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let key = field("Paysync_Key__c");
    assert_eq!(key["externalId"], json!(true));
    assert_eq!(key["unique"], json!(true));
    assert_eq!(key["type"], json!("string"));
    let status = field("Status__c");
    assert_eq!(status["type"], json!("picklist"));
    let values: Vec<&str> = status["picklistValues"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v["value"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(values, ["Completed", "Failed", "Pending"]);
    assert_eq!(field("Amount__c")["type"], json!("currency"));
    assert_eq!(field("Paid_At__c")["type"], json!("datetime"));
    assert_eq!(field("Account__c")["referenceTo"], json!(["Account"]));
    assert_eq!(field("Id")["nillable"], json!(false));
    assert_eq!(field("Description__c")["nillable"], json!(true));
    let acc = org.get("/sobjects/Account/describe").await.body;
    let name = acc["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == json!("Name")).cloned());
    assert_eq!(name.map(|n| n["nillable"].clone()), Some(json!(false)));
    let global = org.get("/sobjects").await.body;
    assert_eq!(
        global["sobjects"].as_array().map(Vec::len),
        Some(crate::salesforce::schema::OBJECTS.len())
    );
}

#[tokio::test]
async fn api_versions() {
    let org = start().await;
    let list = org
        .call_with(
            Method::GET,
            &format!("{}/services/data", org.base()),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let versions: Vec<&str> = list
        .body
        .as_array()
        .map(|a| a.iter().filter_map(|v| v["version"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(versions.first(), Some(&"55.0"));
    assert_eq!(versions.last(), Some(&"66.0"));
    assert!(list.headers.get("Sforce-Limit-Info").is_none());
    let url = |v: &str| format!("{}/services/data/{v}/limits", org.base());
    let ok = org
        .call_with(Method::GET, &url("v60.0"), Some(&org.token), None, &[])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let gone = org
        .call_with(Method::GET, &url("v54.0"), Some(&org.token), None, &[])
        .await;
    assert_eq!(gone.status, StatusCode::GONE);
    let future = org
        .call_with(Method::GET, &url("v67.0"), Some(&org.token), None, &[])
        .await;
    assert_eq!(future.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn currency_type_cannot_be_deleted_and_rates_chain() {
    let org = start().await;
    let usd = org
        .query("SELECT Id, IsCorporate FROM CurrencyType WHERE IsoCode = 'USD'")
        .await;
    assert_eq!(usd.body["records"][0]["IsCorporate"], json!(true));
    let id = usd.body["records"][0]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = org
        .call(Method::DELETE, &format!("/sobjects/CurrencyType/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    for (start, rate) in [("2026-01-01", 0.92), ("2026-02-01", 0.95)] {
        let r = org
            .call(
                Method::POST,
                "/sobjects/DatedConversionRate",
                Some(json!({"IsoCode": "EUR", "StartDate": start, "ConversionRate": rate})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = org
        .query("SELECT StartDate, NextStartDate, ConversionRate FROM DatedConversionRate ORDER BY StartDate")
        .await;
    assert_eq!(r.body["records"][0]["NextStartDate"], json!("2026-02-01"));
    assert_eq!(r.body["records"][1]["NextStartDate"], json!("9999-12-31"));
    assert_eq!(r.body["records"][0]["ConversionRate"], json!(0.92));
}

#[tokio::test]
async fn a_record_has_a_lightning_page_by_its_18_or_15_character_id() {
    let org = start().await;
    let r = org
        .call(
            Method::POST,
            "/sobjects/Account",
            Some(json!({"Name": "Acme <Holdings>", "BillingCountry": "DE"})),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    for shown in [id.as_str(), &id[..15]] {
        let page = org
            .http
            .get(format!("{}/lightning/r/Account/{shown}/view", org.base()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap_or_default();
        assert!(
            html.contains("Acme &lt;Holdings&gt;") && html.contains(&id),
            "{html}"
        );
    }
    let missing = org
        .http
        .get(format!(
            "{}/lightning/r/Account/001000000000000AAA/view",
            org.base()
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
