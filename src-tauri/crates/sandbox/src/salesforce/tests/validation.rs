//! Write-time validation: schema checks, custom validation rules, injected row locks.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::start;

#[tokio::test]
async fn schema_checks_answer_salesforce_errors() {
    let org = start().await;
    let acc = org.seed(
        "Account",
        json!({"Name": "Acme", "Stripe_Customer_Id__c": "cus_1"}),
    );
    let cases = [
        (
            "Contact",
            json!({"FirstName": "Ann"}),
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [LastName]",
        ),
        (
            "Opportunity",
            json!({"Name": "Deal"}),
            "REQUIRED_FIELD_MISSING",
            "[StageName, CloseDate]",
        ),
        (
            "Account",
            json!({"Name": "Dup", "Stripe_Customer_Id__c": "cus_1"}),
            "DUPLICATE_VALUE",
            "duplicate value found: Stripe_Customer_Id__c duplicates value on record with id: ",
        ),
        (
            "Payment__c",
            json!({"Status__c": "Done"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Status: bad value for restricted picklist field: Done",
        ),
        (
            "Account",
            json!({"Name": "X", "CurrencyIsoCode": "EUR"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "EUR",
        ),
        (
            "Account",
            json!({"Name": "X", "Nope__c": 1}),
            "INVALID_FIELD",
            "No such column 'Nope__c' on sobject of type Account",
        ),
        (
            "Contact",
            json!({"LastName": "L", "Payout_Blocked__c": "yes"}),
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of boolean from VALUE_STRING value yes",
        ),
        (
            "Payment__c",
            json!({"Amount__c": "ten"}),
            "JSON_PARSER_ERROR",
            "instance of double",
        ),
        (
            "Payment__c",
            json!({"Amount__c": true}),
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "Amount: value not of required type: true",
        ),
        (
            "Payment__c",
            json!({"Paid_At__c": 12}),
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "Paid At",
        ),
        (
            "Payment__c",
            json!({"Amount__c": 1_000_000_000_000_i64}),
            "NUMBER_OUTSIDE_VALID_RANGE",
            "Amount",
        ),
        (
            "Payment__c",
            json!({"Currency__c": "EURO"}),
            "STRING_TOO_LONG",
            "Currency: data value too large: EURO (max length=3)",
        ),
        (
            "Contact",
            json!({"LastName": "L", "Email": "not-an-email"}),
            "INVALID_EMAIL_ADDRESS",
            "invalid email address",
        ),
        (
            "Contact",
            json!({"LastName": "L", "AccountId": "xyz"}),
            "MALFORMED_ID",
            "Account ID: id value of incorrect type: xyz",
        ),
        (
            "Payment__c",
            json!({"Account__c": "003Rt0000000001"}),
            "FIELD_INTEGRITY_EXCEPTION",
            "id value of incorrect type",
        ),
        (
            "Account",
            json!({"Name": "X", "CreatedDate": "2026-01-01T00:00:00Z"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields: CreatedDate",
        ),
        (
            "Account",
            json!({"Id": acc, "Name": "X"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "cannot specify Id in an insert call",
        ),
        (
            "Payment_Request__c",
            json!({"Name": "PR-1"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Name",
        ),
    ];
    for (object, body, code, needle) in cases {
        let r = org
            .call(Method::POST, &format!("/sobjects/{object}"), Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{object} {body}: {}", r.body);
        assert_eq!(r.error_code(), code, "{object} {body}: {}", r.body);
        assert!(
            r.error_message().contains(needle),
            "{object} {body}: {}",
            r.error_message()
        );
    }
    // Required fields are named in `fields`.
    let r = org.call(Method::POST, "/sobjects/Contact", Some(json!({}))).await;
    assert_eq!(r.body[0]["fields"], json!(["LastName"]));
    // Clearing a required field on update fails too.
    let r = org
        .call(
            Method::PATCH,
            &format!("/sobjects/Account/{acc}"),
            Some(json!({"Name": null})),
        )
        .await;
    assert_eq!(r.error_code(), "REQUIRED_FIELD_MISSING");
    // Money keeps its exact decimals (rounded half-up to the field's scale).
    let r = org
        .call(
            Method::POST,
            "/sobjects/Payment__c",
            Some(json!({"Amount__c": "10.0055", "Currency__c": "KWD"})),
        )
        .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let got = org.get(&format!("/sobjects/Payment__c/{id}")).await;
    assert_eq!(got.body["Amount__c"], json!(10.006));
}

#[tokio::test]
async fn lookups_by_parent_external_id() {
    let org = start().await;
    let acc = org.seed(
        "Account",
        json!({"Name": "Acme", "Stripe_Customer_Id__c": "cus_9"}),
    );
    let r = org
        .call(
            Method::POST,
            "/sobjects/Payment__c",
            Some(json!({"Amount__c": 5, "Account__r": {"Stripe_Customer_Id__c": "cus_9"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        org.get(&format!("/sobjects/Payment__c/{id}")).await.body["Account__c"],
        json!(acc)
    );
    let r = org
        .call(
            Method::POST,
            "/sobjects/Payment__c",
            Some(json!({"Account__r": {"Stripe_Customer_Id__c": "cus_none"}})),
        )
        .await;
    assert_eq!(r.error_code(), "INVALID_FIELD");
    assert!(
        r.error_message()
            .contains("Foreign key external ID: cus_none not found")
    );
}

#[tokio::test]
async fn custom_validation_rules() {
    let org = start().await;
    let rules = [
        json!({"object": "Payment_Request__c", "field": "Currency__c", "rule": "regex", "pattern": "[A-Z]{3}", "message": "Use an ISO currency code"}),
        json!({"object": "Payment_Request__c", "field": "Contact__c", "rule": "required", "message": "A payee is required"}),
        json!({"object": "Payment__c", "field": "Provider__c", "rule": "one_of", "values": ["Stripe"], "message": "Only Stripe here"}),
    ];
    for rule in rules {
        let r = org.admin(Method::POST, "/validation-rules", rule).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let bad_pattern = org
        .admin(Method::POST, "/validation-rules", json!({"object": "Payment__c", "field": "Fee__c", "rule": "regex", "pattern": "(", "message": "m"}))
        .await;
    assert_eq!(bad_pattern.status, StatusCode::BAD_REQUEST);

    let contact = org.seed("Contact", json!({"LastName": "Payee"}));
    let cases = [
        (
            "Payment_Request__c",
            json!({"Contact__c": contact, "Currency__c": "eur"}),
            "Use an ISO currency code",
            "Currency__c",
        ),
        (
            "Payment_Request__c",
            json!({"Currency__c": "EUR"}),
            "A payee is required",
            "Contact__c",
        ),
        (
            "Payment__c",
            json!({"Provider__c": "Payoneer"}),
            "Only Stripe here",
            "Provider__c",
        ),
    ];
    for (object, body, message, field) in cases {
        let r = org
            .call(Method::POST, &format!("/sobjects/{object}"), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!([{"message": message, "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": [field]}])
        );
    }
    let ok = org
        .call(
            Method::POST,
            "/sobjects/Payment_Request__c",
            Some(json!({"Contact__c": contact, "Currency__c": "EUR"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    // Seeding bypasses custom rules (the demo loads data the rules would refuse).
    org.seed("Payment__c", json!({"Provider__c": "Payoneer"}));
    let cleared = org.admin(Method::DELETE, "/validation-rules", json!({})).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn injected_row_locks() {
    let org = start().await;
    let acc = org.seed("Account", json!({"Name": "Busy"}));
    let r = org
        .admin(
            Method::PUT,
            "/lock-injection",
            json!({"next_writes": [{"record_id": acc, "count": 2}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let path = format!("/sobjects/Account/{acc}");
    for _ in 0..2 {
        let r = org.call(Method::PATCH, &path, Some(json!({"Phone": "1"}))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!([{"message": format!("unable to obtain exclusive access to this record or 1 records: {acc}"), "errorCode": "UNABLE_TO_LOCK_ROW", "fields": []}])
        );
    }
    assert_eq!(
        org.call(Method::PATCH, &path, Some(json!({"Phone": "2"})))
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    // A child write locks its parent.
    org.admin(
        Method::PUT,
        "/lock-injection",
        json!({"next_writes": [{"record_id": acc, "count": 1}]}),
    )
    .await;
    let r = org
        .call(
            Method::POST,
            "/sobjects/Contact",
            Some(json!({"LastName": "C", "AccountId": acc})),
        )
        .await;
    assert_eq!(r.error_code(), "UNABLE_TO_LOCK_ROW");

    // A 100 % rate fails every write; reads still work.
    org.admin(Method::PUT, "/lock-injection", json!({"rate_bp": 10000}))
        .await;
    let r = org
        .call(Method::POST, "/sobjects/Account", Some(json!({"Name": "N"})))
        .await;
    assert_eq!(r.error_code(), "UNABLE_TO_LOCK_ROW");
    assert_eq!(org.get(&path).await.status, StatusCode::OK);
    org.admin(Method::DELETE, "/lock-injection", json!({})).await;
    let r = org
        .call(Method::POST, "/sobjects/Account", Some(json!({"Name": "N"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}
