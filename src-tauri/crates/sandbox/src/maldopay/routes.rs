//! The JSON-in-form API: `POST /json/auth/` (player auth → token) and `POST /json/transactions/`
//! (create a DEPOSIT/WITHDRAW), both also under `/json/sandbox/…` and without the trailing slash;
//! plus `POST /json/transactions/status/`, a **sandbox extension** (MaldoPay documents no status
//! query; the engine needs one to resolve in-doubt transactions).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use chrono::Duration;
use paysync_core::Currency;
use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;

use super::MaldoPaySim;
use super::catalog::{self, family};
use super::lifecycle::{self, code_for};
use super::state::{Token, Transaction, TxStatus, TxType};
use super::wire::{
    CODE_AUTH_OK, CODE_BAD_AMOUNT, CODE_BAD_CREDENTIALS, CODE_BAD_CURRENCY, CODE_BAD_TOKEN,
    CODE_DUPLICATE_REFERENCE, CODE_MALFORMED, CODE_NOT_FOUND, CODE_UNKNOWN_SERVICE, CODE_WRONG_TYPE,
    code_error, date, integer, ok, parse_envelope, scalar,
};

type Sim = State<Arc<MaldoPaySim>>;

/// The API routes.
pub(crate) fn routes() -> Router<Arc<MaldoPaySim>> {
    let mut router = Router::new();
    for base in ["/json", "/json/sandbox"] {
        for slash in ["/", ""] {
            router = router
                .route(&format!("{base}/auth{slash}"), post(auth))
                .route(&format!("{base}/transactions{slash}"), post(transactions))
                .route(&format!("{base}/transactions/status{slash}"), post(status));
        }
    }
    router
}

/// Checks `clientId`/`brandId` (and `apiKey` when sent or required); returns the client id.
fn check_credentials(
    sim: &MaldoPaySim,
    client: Option<&Value>,
    brand: Option<&Value>,
    api_key: Option<&str>,
) -> Result<String, Box<Response>> {
    let bad = || {
        Box::new(code_error(
            CODE_BAD_CREDENTIALS,
            "Invalid clientId, brandId or apiKey",
        ))
    };
    let (Some(client_id), Some(brand_id)) = (scalar(client), scalar(brand)) else {
        return Err(bad());
    };
    let state = sim.lock();
    let Some(registered) = state.clients.get(&client_id) else {
        return Err(bad());
    };
    if registered.brand_id != brand_id {
        return Err(bad());
    }
    match api_key {
        Some(key) if !bool::from(key.as_bytes().ct_eq(registered.api_key.as_bytes())) => return Err(bad()),
        None if state.config.require_api_key => return Err(bad()),
        _ => {}
    }
    Ok(client_id)
}

async fn auth(State(sim): Sim, body: Bytes) -> Response {
    sim.dispatch(sim.advance());
    let envelope = match parse_envelope(&body) {
        Ok(e) => e,
        Err(response) => return *response,
    };
    let auth = &envelope.json["auth"];
    let client_id = match check_credentials(
        &sim,
        auth.get("clientId"),
        auth.get("brandId"),
        envelope.api_key.as_deref(),
    ) {
        Ok(c) => c,
        Err(response) => return *response,
    };
    let request = &auth["request"];
    let Some(player_id) = scalar(request.get("playerId")) else {
        return code_error(CODE_MALFORMED, "Missing request.playerId");
    };
    let currency = scalar(request.get("currencyCode"))
        .unwrap_or_default()
        .to_ascii_uppercase();
    if Currency::from_code(&currency).and_then(|c| c.exponent()).is_err() {
        return code_error(CODE_BAD_CURRENCY, "Invalid request.currencyCode");
    }
    let mut bytes = [0u8; 16];
    sim.ctx().rng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = sim.now();
    {
        let mut state = sim.lock();
        let expires_at = now + Duration::seconds(state.config.token_ttl_secs);
        state.tokens.insert(
            token.clone(),
            Token {
                client_id,
                player_id: player_id.clone(),
                currency,
                expires_at,
            },
        );
    }
    // The SDK reads `transaction.codeId`, omnipay reads `response.codeId` and `response.userId`.
    ok(json!({
        "transaction": { "codeId": CODE_AUTH_OK, "codeMessage": "Success" },
        "response": { "codeId": CODE_AUTH_OK, "codeMessage": "Success", "token": token, "userId": player_id },
    }))
}

async fn transactions(State(sim): Sim, body: Bytes) -> Response {
    sim.dispatch(sim.advance());
    let envelope = match parse_envelope(&body) {
        Ok(e) => e,
        Err(response) => return *response,
    };
    let tx = &envelope.json["transaction"];
    let client_id = match check_credentials(
        &sim,
        tx.get("clientId"),
        tx.get("brandId"),
        envelope.api_key.as_deref(),
    ) {
        Ok(c) => c,
        Err(response) => return *response,
    };
    let brand_id = scalar(tx.get("brandId")).unwrap_or_default();
    let request = &tx["request"];
    let now = sim.now();
    let token = scalar(request.get("token")).unwrap_or_default();
    let grant = sim.lock().tokens.get(&token).cloned();
    let grant = match grant {
        Some(g) if g.client_id == client_id && g.expires_at > now => g,
        _ => return code_error(CODE_BAD_TOKEN, "Invalid or expired token"),
    };
    let Some(service) = integer(request.get("serviceId"))
        .and_then(|id| u32::try_from(id).ok())
        .and_then(catalog::service)
    else {
        return code_error(CODE_UNKNOWN_SERVICE, "Unknown serviceId");
    };
    let kind = match scalar(request.get("type")).as_deref() {
        Some("DEPOSIT") => TxType::Deposit,
        Some("WITHDRAW") => TxType::Withdraw,
        _ => return code_error(CODE_MALFORMED, "request.type must be DEPOSIT or WITHDRAW"),
    };
    if kind != service.kind {
        return code_error(
            CODE_WRONG_TYPE,
            &format!(
                "Service {} does not support {}",
                service.service_id,
                kind.as_str()
            ),
        );
    }
    let Some(amount) = integer(request.get("amount")).filter(|a| *a > 0) else {
        return code_error(
            CODE_BAD_AMOUNT,
            "amount must be a positive integer in minor units",
        );
    };
    let currency = scalar(request.get("currencyCode"))
        .unwrap_or_default()
        .to_ascii_uppercase();
    if currency != grant.currency {
        return code_error(
            CODE_BAD_CURRENCY,
            "currencyCode does not match the player's currency",
        );
    }
    let Some(reference) = scalar(request.get("referenceOrderId")) else {
        return code_error(CODE_MALFORMED, "Missing request.referenceOrderId");
    };
    let landing_pages: BTreeMap<String, String> = tx["landingPages"]
        .as_object()
        .map(|pages| {
            pages
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let transaction_id = sim.numeric_id(10);
    let mut state = sim.lock();
    if state.by_reference(&client_id, &reference).is_some() {
        state.duplicate_submissions += 1;
        return code_error(CODE_DUPLICATE_REFERENCE, "Duplicate referenceOrderId");
    }
    let config = &state.config;
    let planned = if config.declined_amounts.contains(&amount) {
        TxStatus::Declined
    } else if config.canceled_amounts.contains(&amount) {
        TxStatus::Canceled
    } else {
        TxStatus::Confirmed
    };
    // A service whose creation code is 2xx completes at once; 3xx ones stay PENDING.
    let immediate = family(service.creation_code) == 2;
    let status = if immediate { planned } else { TxStatus::Pending };
    let (code_id, reason) = code_for(kind, status, service.creation_code);
    let settle_at = (!immediate).then(|| now + Duration::seconds(config.settle_delay_secs));
    let send_pending = config.send_pending_callbacks;
    state.transactions.insert(
        transaction_id.clone(),
        Transaction {
            transaction_id: transaction_id.clone(),
            client_id,
            brand_id,
            kind,
            service_id: service.service_id,
            amount,
            currency,
            reference_order_id: reference,
            status,
            code_id,
            reason: reason.to_owned(),
            player_id: grant.player_id,
            landing_pages,
            parent_transaction_id: None,
            created_at: now,
            updated_at: now,
            settle_at,
            planned,
        },
    );
    let out = (status != TxStatus::Pending || send_pending)
        .then(|| lifecycle::callback(&state, &transaction_id, now))
        .flatten();
    drop(state);
    sim.dispatch(out.into_iter().collect());
    let mut body = json!({
        "transaction": {
            "codeId": code_id,
            "codeMessage": reason,
            "serviceId": service.service_id,
            "transactionId": transaction_id,
        }
    });
    if status == TxStatus::Pending && kind == TxType::Deposit {
        body["redirect"] =
            json!({ "url": format!("{}/__sandbox/maldopay/pay/{transaction_id}", sim.ctx().base_url) });
    }
    ok(body)
}

/// Sandbox extension: `json={"status":{"clientId","brandId","referenceOrderId"|"transactionId"}}`.
async fn status(State(sim): Sim, body: Bytes) -> Response {
    sim.dispatch(sim.advance());
    let envelope = match parse_envelope(&body) {
        Ok(e) => e,
        Err(response) => return *response,
    };
    let query = &envelope.json["status"];
    let client_id = match check_credentials(
        &sim,
        query.get("clientId"),
        query.get("brandId"),
        envelope.api_key.as_deref(),
    ) {
        Ok(c) => c,
        Err(response) => return *response,
    };
    let state = sim.lock();
    let found = match (
        scalar(query.get("transactionId")),
        scalar(query.get("referenceOrderId")),
    ) {
        (Some(id), _) => state.transactions.get(&id).filter(|t| t.client_id == client_id),
        (None, Some(reference)) => state.by_reference(&client_id, &reference),
        (None, None) => return code_error(CODE_MALFORMED, "Give transactionId or referenceOrderId"),
    };
    let Some(tx) = found else {
        return code_error(CODE_NOT_FOUND, "Transaction not found");
    };
    ok(json!({
        "transaction": {
            "codeId": tx.code_id,
            "codeMessage": tx.reason,
            "serviceId": tx.service_id,
            "transactionId": tx.transaction_id,
            "referenceOrderId": tx.reference_order_id,
            "type": tx.kind.as_str(),
            "status": tx.status.as_str(),
            "amount": tx.amount,
            "currencyCode": tx.currency,
            "dateCreated": date(tx.created_at),
            "dateUpdated": date(tx.updated_at),
        },
        "sandboxExtension": true,
    }))
}
