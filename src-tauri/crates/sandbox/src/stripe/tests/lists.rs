//! Pagination, filters and `expand[]` on lists.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use super::T;

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pagination_in_both_directions() {
    let t = T::start().await;
    let mut created = Vec::new();
    for n in 0..25 {
        created.push(t.customer(&format!("c{n}@example.com")).await);
        if n % 3 == 0 {
            t.advance(Duration::seconds(1));
        }
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    let p1 = t.get("/v1/customers").await.ok();
    assert_eq!(p1.body["object"], "list");
    assert_eq!(p1.body["url"], "/v1/customers");
    assert_eq!(ids(&p1.body), newest_first[..10]);
    assert_eq!(p1.body["has_more"], true);

    let last = ids(&p1.body)[9].clone();
    let p2 = t
        .get(&format!("/v1/customers?limit=10&starting_after={last}"))
        .await
        .ok();
    assert_eq!(ids(&p2.body), newest_first[10..20]);
    assert_eq!(p2.body["has_more"], true);
    let last = ids(&p2.body)[9].clone();
    let p3 = t
        .get(&format!("/v1/customers?limit=10&starting_after={last}"))
        .await
        .ok();
    assert_eq!(ids(&p3.body), newest_first[20..]);
    assert_eq!(p3.body["has_more"], false);

    // Backwards from the oldest page.
    let first_of_p3 = ids(&p3.body)[0].clone();
    let back = t
        .get(&format!("/v1/customers?limit=10&ending_before={first_of_p3}"))
        .await
        .ok();
    assert_eq!(ids(&back.body), newest_first[10..20]);
    assert_eq!(back.body["has_more"], true);
    let first = ids(&back.body)[0].clone();
    let back2 = t
        .get(&format!("/v1/customers?limit=10&ending_before={first}"))
        .await
        .ok();
    assert_eq!(ids(&back2.body), newest_first[..10]);
    assert_eq!(back2.body["has_more"], false);

    let small = t
        .get(&format!(
            "/v1/customers?limit=3&ending_before={}",
            newest_first[5]
        ))
        .await
        .ok();
    assert_eq!(ids(&small.body), newest_first[2..5]);
    assert_eq!(small.body["has_more"], true);
}

#[tokio::test]
async fn limit_and_cursor_errors() {
    let t = T::start().await;
    for (q, msg) in [
        ("limit=0", "This value must be greater than or equal to 1."),
        ("limit=101", "This value must be less than or equal to 100."),
        ("limit=abc", "Invalid integer: abc"),
    ] {
        let r = t.get(&format!("/v1/customers?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(r.body["error"]["param"], "limit");
        assert_eq!(r.body["error"]["message"], msg);
    }
    assert_eq!(t.get("/v1/customers?limit=100").await.status, StatusCode::OK);
    let r = t.get("/v1/customers?starting_after=cus_nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["param"], "starting_after");
    let c = t.customer("a@b.c").await;
    let r = t
        .get(&format!("/v1/customers?starting_after={c}&ending_before={c}"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.get("/v1/customers?created[foo]=1").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_created_window_deep_in_history_pages_like_any_list() {
    let t = T::start().await;
    let mut created = Vec::new();
    for n in 0..30 {
        created.push((t.clock_now(), t.customer(&format!("w{n}@example.com")).await));
        t.advance(Duration::seconds(10));
    }
    // Customers 10..20 (inclusive bounds, then exclusive ones naming the neighbours).
    let window: Vec<String> = created[10..20].iter().rev().map(|(_, id)| id.clone()).collect();
    let (lo, hi) = (created[10].0, created[19].0);
    for range in [
        format!("created[gte]={lo}&created[lte]={hi}"),
        format!("created[gt]={}&created[lt]={}", lo - 1, hi + 1),
        format!("created[lte]={hi}&created[lt]={}&created[gte]={lo}", hi + 5),
    ] {
        let p1 = t.get(&format!("/v1/customers?limit=4&{range}")).await.ok();
        assert_eq!(ids(&p1.body), window[..4], "{range}");
        assert_eq!(p1.body["has_more"], true);
        let mut seen = ids(&p1.body);
        loop {
            let last = seen.last().unwrap().clone();
            let p = t
                .get(&format!("/v1/customers?limit=4&{range}&starting_after={last}"))
                .await
                .ok();
            seen.extend(ids(&p.body));
            if p.body["has_more"] == false {
                break;
            }
        }
        assert_eq!(seen, window, "{range}");
    }
    // A cursor newer than the window starts at the window's top; one older than it ends the list.
    let newer = created[25].1.clone();
    let r = t
        .get(&format!(
            "/v1/customers?limit=3&created[lte]={hi}&starting_after={newer}"
        ))
        .await
        .ok();
    assert_eq!(ids(&r.body), window[..3]);
    let older = created[5].1.clone();
    let r = t
        .get(&format!(
            "/v1/customers?created[lte]={hi}&created[gte]={lo}&starting_after={older}"
        ))
        .await
        .ok();
    assert!(ids(&r.body).is_empty());
    assert_eq!(r.body["has_more"], false);
    // Bounds at the ends of the integer range admit nothing beyond them, and do not overflow.
    for range in [
        format!("created[lt]={}", i64::MIN),
        format!("created[gt]={}", i64::MAX),
    ] {
        let r = t.get(&format!("/v1/customers?{range}")).await;
        assert_eq!(r.status, StatusCode::OK, "{range}");
        assert!(ids(&r.body).is_empty(), "{range}");
    }
}

#[tokio::test]
async fn created_and_customer_filters() {
    let t = T::start().await;
    let t0 = t.clock_now();
    let a = t.customer("a@example.com").await;
    t.advance(Duration::seconds(100));
    let b = t.customer("b@example.com").await;
    let r = t.get(&format!("/v1/customers?created[gt]={t0}")).await.ok();
    assert_eq!(ids(&r.body), vec![b.clone()]);
    let r = t.get(&format!("/v1/customers?created[lte]={t0}")).await.ok();
    assert_eq!(ids(&r.body), vec![a.clone()]);
    let r = t.get(&format!("/v1/customers?created={t0}")).await.ok();
    assert_eq!(ids(&r.body), vec![a.clone()]);
    let r = t.get("/v1/customers?email=b@example.com").await.ok();
    assert_eq!(ids(&r.body), vec![b.clone()]);

    let pa = t
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "1000"),
                ("currency", "usd"),
                ("customer", &a),
                ("payment_method", "pm_card_visa"),
                ("confirm", "true"),
            ],
        )
        .await
        .ok();
    t.post(
        "/v1/payment_intents",
        &[("amount", "1000"), ("currency", "usd"), ("customer", &b)],
    )
    .await
    .ok();
    let r = t.get(&format!("/v1/payment_intents?customer={a}")).await.ok();
    assert_eq!(ids(&r.body), vec![pa.id()]);
    let r = t
        .get(&format!(
            "/v1/charges?customer={a}&expand[]=data.balance_transaction&expand[]=data.customer"
        ))
        .await
        .ok();
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        r.body["data"][0]["balance_transaction"]["object"],
        "balance_transaction"
    );
    assert_eq!(r.body["data"][0]["customer"]["id"], json!(a));
    let r = t.get("/v1/charges?expand[]=balance_transaction").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("data.balance_transaction")
    );
    let r = t
        .get(&format!("/v1/charges?payment_intent={}", pa.id()))
        .await
        .ok();
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
}
