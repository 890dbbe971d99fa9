//! Every object the simulator returns, validated against Stripe's published OpenAPI spec
//! (shared/specs/stripe/spec3.2023-09-12.yaml, API 2023-08-16) converted to JSON Schema:
//! `nullable: true` becomes a `null` alternative, `$ref`s point into `$defs`, `x-*` keys are
//! dropped. The schemas are not loosened; when a response fails, the response is wrong.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::T;

const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/specs/stripe/spec3.2023-09-12.yaml"
);

/// OpenAPI 3.0 schema → JSON Schema (2020-12).
fn convert(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if k.starts_with("x-") || k == "nullable" || k == "discriminator" || k == "example" {
                    continue;
                }
                if k == "$ref" {
                    let target = x
                        .as_str()
                        .unwrap_or_default()
                        .replace("#/components/schemas/", "#/$defs/");
                    out.insert(k.clone(), json!(target));
                    continue;
                }
                // `properties` maps names to schemas; everything else converts as schemas.
                out.insert(k.clone(), convert(x));
            }
            if m.get("nullable") == Some(&json!(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = out.get_mut("enum") {
                        e.push(Value::Null);
                    }
                } else if let Some(Value::Array(alts)) = out.get_mut("anyOf") {
                    alts.push(json!({"type": "null"}));
                } else if let Some(r) = out.remove("$ref") {
                    out.insert("anyOf".into(), json!([{"$ref": r}, {"type": "null"}]));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Names of component schemas referenced from `v`.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.insert(name.to_owned());
            }
            m.values().for_each(|x| refs(x, out));
        }
        _ => {}
    }
}

struct Schemas {
    components: Map<String, Value>,
    paths: Value,
    cache: BTreeMap<String, jsonschema::Validator>,
}

impl Schemas {
    fn load() -> Option<Self> {
        let text = match std::fs::read_to_string(SPEC) {
            Ok(t) => t,
            Err(e) => {
                eprintln!(
                    "\n\n!!!!!!!! STRIPE SPEC VALIDATION SKIPPED: cannot read {SPEC}: {e} !!!!!!!!\n\n"
                );
                return None;
            }
        };
        let spec: Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("parse {SPEC}: {e}"));
        Some(Self {
            components: spec["components"]["schemas"]
                .as_object()
                .cloned()
                .unwrap_or_default(),
            paths: spec["paths"].clone(),
            cache: BTreeMap::new(),
        })
    }

    /// A validator for `root` with every component it reaches in `$defs`.
    fn build(&self, root: &Value) -> jsonschema::Validator {
        let mut names = BTreeSet::new();
        refs(root, &mut names);
        let mut todo: Vec<String> = names.iter().cloned().collect();
        while let Some(n) = todo.pop() {
            let mut more = BTreeSet::new();
            refs(&self.components[&n], &mut more);
            for m in more {
                if names.insert(m.clone()) {
                    todo.push(m);
                }
            }
        }
        let defs: Map<String, Value> = names
            .iter()
            .map(|n| (n.clone(), convert(&self.components[n])))
            .collect();
        let mut schema = convert(root);
        schema["$defs"] = Value::Object(defs);
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("compile schema: {e}"))
    }

    fn check(&mut self, key: &str, root: impl FnOnce(&Self) -> Value, instance: &Value) {
        if !self.cache.contains_key(key) {
            let v = self.build(&root(self));
            self.cache.insert(key.to_owned(), v);
        }
        let errors: Vec<String> = self.cache[key]
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(10)
            .collect();
        assert!(
            errors.is_empty(),
            "{key} does not match the spec:\n{}\n{instance:#}",
            errors.join("\n")
        );
    }

    /// Validates `instance` as component schema `name`.
    fn object(&mut self, name: &str, instance: &Value) {
        self.check(
            name,
            |_| json!({"$ref": format!("#/components/schemas/{name}")}),
            instance,
        );
    }

    /// Validates a 200 response of `GET path` (a list) against the path's response schema.
    fn list(&mut self, path: &str, instance: &Value) {
        let key = format!("GET {path}");
        self.check(
            &key,
            |s| s.paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"].clone(),
            instance,
        );
    }
}

#[tokio::test]
async fn responses_match_the_openapi_spec() {
    let Some(mut s) = Schemas::load() else {
        return;
    };
    // The converted schemas do reject what they should.
    let mut bad =
        json!({"id": "cus_x", "object": "customer", "created": 1, "livemode": false, "balance": null});
    assert!(s.cache.is_empty());
    s.object(
        "customer",
        &json!({"id": "cus_x", "object": "customer", "created": 1, "livemode": false, "email": null}),
    );
    assert!(!s.cache["customer"].is_valid(&bad), "balance is not nullable");
    bad["balance"] = json!(0);
    bad.as_object_mut().unwrap().remove("created");
    assert!(!s.cache["customer"].is_valid(&bad), "created is required");

    let t = T::start().await;
    t.admin(Method::PUT, "/webhooks/config", json!({"paused": true}))
        .await
        .ok();

    // Customers.
    let cus = t
        .post(
            "/v1/customers",
            &[
                ("email", "s@example.com"),
                ("name", "Spec"),
                ("metadata[a]", "b"),
                ("invoice_settings[default_payment_method]", "pm_card_visa"),
            ],
        )
        .await
        .ok();
    s.object("customer", &cus.body);
    let cus_id = cus.id();
    s.object(
        "customer",
        &t.get(&format!("/v1/customers/{cus_id}?expand[]=subscriptions"))
            .await
            .ok()
            .body,
    );

    // Payment intents and charges in every state.
    let ok = t
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("customer", &cus_id),
                ("payment_method", "pm_card_visa"),
                ("confirm", "true"),
            ],
        )
        .await
        .ok();
    s.object("payment_intent", &ok.body);
    let declined = t.pay("2000", "usd", "pm_card_chargeDeclined").await;
    s.object("error", &declined.body);
    s.object("payment_intent", &declined.body["error"]["payment_intent"]);
    let manual = t
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "3000"),
                ("currency", "eur"),
                ("capture_method", "manual"),
                ("payment_method", "pm_card_amex"),
                ("confirm", "true"),
            ],
        )
        .await
        .ok();
    s.object("payment_intent", &manual.body);
    let action = t.pay("1000", "usd", "pm_card_authenticationRequired").await.ok();
    s.object("payment_intent", &action.body);
    let fresh = t
        .post("/v1/payment_intents", &[("amount", "1000"), ("currency", "jpy")])
        .await
        .ok();
    s.object("payment_intent", &fresh.body);
    let canceled = t
        .post(&format!("/v1/payment_intents/{}/cancel", fresh.id()), &[])
        .await
        .ok();
    s.object("payment_intent", &canceled.body);
    let captured = t
        .post(
            &format!("/v1/payment_intents/{}/capture", manual.id()),
            &[("amount_to_capture", "2500")],
        )
        .await
        .ok();
    s.object("payment_intent", &captured.body);
    let expanded = t
        .get(&format!(
            "/v1/payment_intents/{}?expand[]=latest_charge.balance_transaction&expand[]=customer",
            ok.id()
        ))
        .await
        .ok();
    s.object("payment_intent", &expanded.body);
    s.list(
        "/v1/payment_intents",
        &t.get("/v1/payment_intents?limit=100").await.ok().body,
    );

    let ch = ok.body["latest_charge"].as_str().unwrap().to_owned();
    let failed_ch = declined.body["error"]["charge"].as_str().unwrap().to_owned();
    s.object(
        "charge",
        &t.get(&format!("/v1/charges/{failed_ch}")).await.ok().body,
    );

    // Refunds and disputes.
    let re = t
        .post(
            "/v1/refunds",
            &[("charge", &ch), ("amount", "500"), ("metadata[x]", "y")],
        )
        .await
        .ok();
    s.object("refund", &re.body);
    s.object(
        "charge",
        &t.get(&format!(
            "/v1/charges/{ch}?expand[]=balance_transaction&expand[]=refunds&expand[]=payment_intent"
        ))
        .await
        .ok()
        .body,
    );
    s.list(
        "/v1/charges",
        &t.get("/v1/charges?limit=100&expand[]=data.balance_transaction")
            .await
            .ok()
            .body,
    );
    s.list("/v1/refunds", &t.get("/v1/refunds").await.ok().body);
    s.list(
        "/v1/charges/{charge}/refunds",
        &t.get(&format!("/v1/charges/{ch}/refunds")).await.ok().body,
    );
    let disputed = t.pay("4000", "usd", "pm_card_createDispute").await.ok();
    let dp = t
        .get(&format!(
            "/v1/disputes?charge={}",
            disputed.body["latest_charge"].as_str().unwrap()
        ))
        .await
        .ok();
    s.list("/v1/disputes", &dp.body);
    let dp_id = dp.body["data"][0]["id"].as_str().unwrap().to_owned();
    let updated = t
        .post(
            &format!("/v1/disputes/{dp_id}"),
            &[("evidence[customer_name]", "Spec")],
        )
        .await
        .ok();
    s.object("dispute", &updated.body);
    let won = t
        .admin(
            Method::POST,
            &format!("/disputes/{dp_id}/resolve"),
            json!({"status": "won"}),
        )
        .await
        .ok();
    s.object("dispute", &won.body);
    let ch2 = t.pay("1000", "usd", "pm_card_visa").await.ok().body["latest_charge"]
        .as_str()
        .unwrap()
        .to_owned();
    let warn = t
        .admin(
            Method::POST,
            "/disputes",
            json!({"charge": ch2, "status": "warning_needs_response"}),
        )
        .await
        .ok();
    s.object("dispute", &warn.body);
    s.object(
        "dispute",
        &t.post(&format!("/v1/disputes/{}/close", warn.id()), &[])
            .await
            .ok()
            .body,
    );

    // Products, prices, subscriptions, invoices.
    let prod = t
        .post("/v1/products", &[("name", "Spec product"), ("description", "d")])
        .await
        .ok();
    s.object("product", &prod.body);
    let price = t
        .post(
            "/v1/prices",
            &[
                ("product", &prod.id()),
                ("currency", "usd"),
                ("unit_amount", "1500"),
                ("recurring[interval]", "month"),
                ("nickname", "monthly"),
            ],
        )
        .await
        .ok();
    s.object("price", &price.body);
    let one = t
        .post(
            "/v1/prices",
            &[
                ("currency", "usd"),
                ("unit_amount", "990"),
                ("product_data[name]", "Add-on"),
            ],
        )
        .await
        .ok();
    s.object("price", &one.body);
    s.object(
        "price",
        &t.get(&format!("/v1/prices/{}?expand[]=product", one.id()))
            .await
            .ok()
            .body,
    );
    s.list("/v1/prices", &t.get("/v1/prices").await.ok().body);
    s.list("/v1/products", &t.get("/v1/products").await.ok().body);
    let lonely = t.post("/v1/products", &[("name", "Gone")]).await.ok().id();
    s.object(
        "deleted_product",
        &t.delete(&format!("/v1/products/{lonely}")).await.ok().body,
    );
    let sub = t
        .post(
            "/v1/subscriptions",
            &[
                ("customer", &cus_id),
                ("items[0][price]", &price.id()),
                ("expand[]", "latest_invoice.payment_intent"),
            ],
        )
        .await
        .ok();
    s.object("subscription", &sub.body);
    let trial = t
        .post(
            "/v1/subscriptions",
            &[
                ("customer", &cus_id),
                ("items[0][price]", &price.id()),
                ("trial_period_days", "7"),
            ],
        )
        .await
        .ok();
    s.object("subscription", &trial.body);
    let send = t
        .post(
            "/v1/subscriptions",
            &[
                ("customer", &cus_id),
                ("items[0][price]", &price.id()),
                ("collection_method", "send_invoice"),
                ("days_until_due", "10"),
            ],
        )
        .await
        .ok();
    s.object("subscription", &send.body);
    t.advance(chrono::Duration::days(32));
    let canceled_sub = t.delete(&format!("/v1/subscriptions/{}", sub.id())).await.ok();
    s.object("subscription", &canceled_sub.body);
    s.list(
        "/v1/subscriptions",
        &t.get("/v1/subscriptions?status=all&expand[]=data.customer")
            .await
            .ok()
            .body,
    );
    let draft = t
        .post(
            "/v1/invoices",
            &[("customer", &cus_id), ("description", "manual")],
        )
        .await
        .ok();
    s.object("invoice", &draft.body);
    let open = t
        .post(&format!("/v1/invoices/{}/finalize", draft.id()), &[])
        .await
        .ok();
    s.object("invoice", &open.body);
    s.object(
        "invoice",
        &t.post(&format!("/v1/invoices/{}/void", draft.id()), &[])
            .await
            .ok()
            .body,
    );
    let invoices = t
        .get("/v1/invoices?limit=100&expand[]=data.subscription&expand[]=data.charge")
        .await
        .ok();
    s.list("/v1/invoices", &invoices.body);
    for inv in invoices.body["data"].as_array().unwrap() {
        s.object("invoice", inv);
    }
    let with_lines = invoices.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["lines"]["data"] != json!([]))
        .unwrap();
    let lines = t
        .get(&format!(
            "/v1/invoices/{}/lines?limit=1",
            with_lines["id"].as_str().unwrap()
        ))
        .await
        .ok();
    s.list("/v1/invoices/{invoice}/lines", &lines.body);
    assert_eq!(lines.body["data"].as_array().unwrap().len(), 1);

    // Balance, payouts, balance transactions.
    t.advance(chrono::Duration::days(3));
    let po = t
        .admin(Method::POST, "/payouts", json!({"currency": "usd"}))
        .await
        .ok();
    s.object("payout", &po.body);
    let manual_po = t
        .post("/v1/payouts", &[("amount", "100"), ("currency", "eur")])
        .await
        .ok();
    s.object("payout", &manual_po.body);
    let failed_po = t
        .admin(
            Method::POST,
            &format!("/payouts/{}/status", manual_po.id()),
            json!({"status": "failed"}),
        )
        .await
        .ok();
    s.object("payout", &failed_po.body);
    t.advance(chrono::Duration::days(3));
    s.object(
        "payout",
        &t.get(&format!("/v1/payouts/{}?expand[]=balance_transaction", po.id()))
            .await
            .ok()
            .body,
    );
    s.list("/v1/payouts", &t.get("/v1/payouts").await.ok().body);
    s.object("balance", &t.get("/v1/balance").await.ok().body);
    let txns = t.get("/v1/balance_transactions?limit=100").await.ok();
    s.list("/v1/balance_transactions", &txns.body);
    s.list(
        "/v1/balance_transactions",
        &t.get(&format!("/v1/balance_transactions?payout={}", po.id()))
            .await
            .ok()
            .body,
    );
    for x in txns.body["data"].as_array().unwrap() {
        s.object("balance_transaction", x);
    }

    // Customers list, deletion.
    s.list("/v1/customers", &t.get("/v1/customers").await.ok().body);
    let gone = t.post("/v1/customers", &[]).await.ok().id();
    s.object(
        "deleted_customer",
        &t.delete(&format!("/v1/customers/{gone}")).await.ok().body,
    );

    // Events of every type recorded.
    let events = t.get("/v1/events?limit=100").await.ok();
    s.list("/v1/events", &events.body);
    let mut seen = BTreeSet::new();
    for e in t.sim.events() {
        s.object("event", &e);
        seen.insert(e["type"].as_str().unwrap().to_owned());
        let obj = &e["data"]["object"];
        if let Some(kind) = obj["object"].as_str()
            && obj.get("deleted").is_none()
        {
            s.object(kind, obj);
        }
    }
    assert!(seen.len() > 30, "{seen:?}");

    // Errors.
    for r in [
        t.get("/v1/customers/cus_nope").await,
        t.post("/v1/customers", &[("bogus", "1")]).await,
        t.get("/v1/customers?limit=0").await,
        t.post("/v1/payment_intents", &[("amount", "5125"), ("currency", "kwd")])
            .await,
        t.get("/v1/unknown").await,
    ] {
        assert!(r.status.is_client_error());
        s.object("error", &r.body);
    }
    let unauth = t
        .http
        .get(t.url("/v1/customers"))
        .bearer_auth("sk_test_bad")
        .send()
        .await
        .unwrap();
    s.object("error", &unauth.json::<Value>().await.unwrap());
    let form = [("email", "a@b.c")];
    t.post_h("/v1/customers", &form, &[("idempotency-key", "spec")])
        .await
        .ok();
    s.object(
        "error",
        &t.post_h(
            "/v1/customers",
            &[("email", "x@y.z")],
            &[("idempotency-key", "spec")],
        )
        .await
        .body,
    );
    s.object("error", &super::super::errors::rate_limited().body());
    s.object(
        "error",
        &super::super::errors::injected(axum::http::StatusCode::SERVICE_UNAVAILABLE).body(),
    );
}
