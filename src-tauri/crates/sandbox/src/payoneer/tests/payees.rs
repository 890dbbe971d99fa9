//! Payee registration, status, details and release.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Fixture, Receiver, new_payee};
use crate::payoneer::{IpcnConfig, IpcnEvent, PayeeStatus};

#[tokio::test]
async fn registration_link_page_registers_and_approves_with_an_ipcn() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    let mut urls = BTreeMap::new();
    urls.insert(IpcnEvent::PayeeApproved, format!("{}/approved", receiver.base));
    f.sim.set_ipcn(IpcnConfig {
        urls,
        ..IpcnConfig::default()
    });
    let (status, body) = f
        .post(
            "/payees/registration-link",
            &json!({"payee_id": "new-1", "client_session_id": "sess-9", "redirect_url": "http://127.0.0.1:1/done",
                    "payee": {"contact": {"email": "a@b.test"}, "address": {"country": "DE"}},
                    "payout_methods": [{"type": "BANK", "currency": "EUR"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let link = body["result"]["registration_link"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(link.starts_with(&f.handle.base_url), "{link}");
    assert_eq!(body["result"]["token"].as_str().map(str::len), Some(32));

    // Not a payee until the page is completed.
    let (status, body) = f.get("/payees/new-1/status").await;
    assert_eq!(status, 404, "{body}");

    let page = f.http.get(&link).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.text().await.unwrap_or_default().contains("new-1"));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let r = no_redirects
        .post(&link)
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("http://127.0.0.1:1/done")
    );

    let (status, body) = f.get("/payees/new-1/status").await;
    assert_eq!(status, 200, "{body}");
    let result = &body["result"];
    assert_eq!(result["status"]["type"], 1);
    assert_eq!(result["status"]["description"], "Active");
    assert_eq!(result["registration_date"], "2026-01-01");
    assert_eq!(result["payout_method"]["currency"], "EUR");

    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].path, "/approved");
    let ipcn: serde_json::Value = serde_json::from_str(&got[0].body).unwrap_or_default();
    assert_eq!(ipcn["Payee Id"], "new-1");
    assert_eq!(ipcn["Session Id"], "sess-9");
    assert_eq!(ipcn["Payoneer Id"], result["account_id"]);

    // A link works once.
    let r = f
        .http
        .post(&link)
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 400);
    f.stop().await;
}

#[tokio::test]
async fn inactive_payee_status_matches_the_postman_example() {
    let f = Fixture::start().await;
    let mut payee = new_payee("p-x", PayeeStatus::Inactive, "USD", None);
    payee.reasons = vec!["General account application decline (various reasons)".into()];
    f.sim.insert_payee(payee, f.now());
    let (status, body) = f.get("/payees/p-x/status").await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["status"]["type"], 99);
    assert_eq!(body["result"]["status"]["description"], "Inactive");
    assert_eq!(
        body["result"]["status"]["reasons"]["items"][0]["reason_description"],
        "General account application decline (various reasons)"
    );
    assert!(
        body["result"]["account_id"]
            .as_str()
            .is_some_and(|a| a.len() == 7)
    );
    f.sim
        .insert_payee(new_payee("p-p", PayeeStatus::Pending, "USD", None), f.now());
    let (_, body) = f.get("/payees/p-p/status").await;
    assert_eq!(body["result"]["status"]["type"], 0);
    f.stop().await;
}

#[tokio::test]
async fn details_release_and_unknown_payees() {
    let f = Fixture::start().await;
    f.payee("p-1", "USD");
    let (status, body) = f.get("/payees/p-1/details").await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["contact"]["email"], "p-1@example.test");
    assert_eq!(body["result"]["address"]["country"], "US");

    let r = f
        .http
        .delete(f.url("/payees/p-1"))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = super::read(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["payee_id"], "p-1");

    let (status, body) = f.get("/payees/p-1/status").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "Not Found");
    assert_eq!(body["error_description"], "Payee not found");
    assert_eq!(body["error_details"]["code"], 404);
    let (status, _) = f.get("/payees/ghost/details").await;
    assert_eq!(status, 404);
    f.stop().await;
}

#[tokio::test]
async fn admin_decline_sends_the_declined_ipcn() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    let mut urls = BTreeMap::new();
    urls.insert(IpcnEvent::PayeeDeclined, format!("{}/declined", receiver.base));
    f.sim.set_ipcn(IpcnConfig {
        urls,
        ..IpcnConfig::default()
    });
    f.sim
        .insert_payee(new_payee("p-2", PayeeStatus::Pending, "USD", None), f.now());
    let r = f
        .http
        .post(format!(
            "{}/__sandbox/payoneer/payees/p-2/decline",
            f.handle.base_url
        ))
        .json(&json!({"reason": "Incorrect information"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 204);
    let got = receiver.wait_for(1).await;
    let ipcn: serde_json::Value = serde_json::from_str(&got[0].body).unwrap_or_default();
    assert_eq!(ipcn["Reason Description"], "Incorrect information");
    assert_eq!(ipcn["Payee Id"], "p-2");
    let (_, body) = f.get("/payees/p-2/status").await;
    assert_eq!(body["result"]["status"]["type"], 99);
    f.stop().await;
}
