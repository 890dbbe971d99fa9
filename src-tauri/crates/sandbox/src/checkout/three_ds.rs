//! The simulated 3-D Secure challenge page behind a `202 Pending` payment's `_links.redirect`.
//! A person (or a test) clicks "complete" or "fail"; the payment then moves to Authorized (and,
//! with `capture: true`, on to Captured) or Declined, firing the same events a real issuer
//! decision would. The page then redirects to the payment's `success_url`/`failure_url`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};

use super::CheckoutSim;
use super::cards;
use super::reply::Reply;
use super::state::{Action, ActionType, PaymentStatus};
use super::{ids, wire};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /sandbox/3ds/{id}`: the challenge page.
pub(crate) async fn page(State(sim): State<Arc<CheckoutSim>>, Path(id): Path<String>) -> Reply {
    let state = sim.lock();
    let Some(p) = state.payments.get(&id) else {
        return Reply::not_found();
    };
    let open = p.status == PaymentStatus::Pending;
    let id = escape(&p.id);
    let amount = escape(&format!("{} {}", p.amount, p.currency));
    let body = if open {
        format!(
            "<form method=\"post\" action=\"/sandbox/3ds/{id}/complete\">\
             <button type=\"submit\" name=\"action\" value=\"complete\">Complete authentication</button></form>\
             <form method=\"post\" action=\"/sandbox/3ds/{id}/fail\">\
             <button type=\"submit\" name=\"action\" value=\"fail\">Fail authentication</button></form>"
        )
    } else {
        format!("<p>This authentication is finished: {}.</p>", p.status.as_str())
    };
    Reply::html(
        StatusCode::OK,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>3-D Secure (sandbox)</title></head>\
             <body><h1>3-D Secure</h1><p>Payment {id} for {amount} (Paysync sandbox issuer).</p>{body}</body></html>"
        ),
    )
}

/// `POST /sandbox/3ds/{id}/complete` or `/fail`: the cardholder's click.
pub(crate) async fn click(
    State(sim): State<Arc<CheckoutSim>>,
    Path((id, action)): Path<(String, String)>,
) -> Reply {
    let passed = match action.as_str() {
        "complete" => true,
        "fail" => false,
        _ => return Reply::not_found(),
    };
    let now = sim.now();
    let rng = &*sim.ctx.rng;
    let mut state = sim.lock();
    let Some(p) = state.payments.get_mut(&id) else {
        return Reply::not_found();
    };
    if p.status != PaymentStatus::Pending {
        return Reply::html(
            StatusCode::CONFLICT,
            format!(
                "<p>Payment {} is {}; nothing to authenticate.</p>",
                escape(&id),
                p.status.as_str()
            ),
        );
    }
    if let Some(t) = p.three_ds.as_mut() {
        t.authentication_response = Some(if passed { "Y" } else { "N" }.to_owned());
    }
    let target = if passed {
        p.success_url.clone()
    } else {
        p.failure_url.clone()
    };
    if passed {
        sim.process_authorization(&mut state, &id, now, true);
    } else {
        let (code, summary) = cards::THREE_DS_FAILED;
        p.actions.push(Action {
            id: ids::action(rng),
            kind: ActionType::Authorization,
            amount: p.amount,
            approved: false,
            response_code: code.to_owned(),
            response_summary: summary.to_owned(),
            auth_code: None,
            processed_on: now,
            reference: p.reference.clone(),
            metadata: None,
            retrieval_reference_number: ids::digits(rng, 12),
            acquirer_transaction_id: ids::digits(rng, 21),
        });
        p.status = PaymentStatus::Declined;
        p.approved = false;
        p.response_code = Some(code.to_owned());
        p.response_summary = Some(summary.to_owned());
        p.processed_on = Some(now);
        let data = sim.payment_event_data(&state, &id, None);
        sim.emit(&mut state, "payment_declined", &id, data, now, true);
    }
    let status = state.payments.get(&id).map_or("", |p| p.status.as_str());
    match target {
        Some(url) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            let mut reply = Reply::empty(StatusCode::SEE_OTHER);
            reply
                .headers
                .push((header::LOCATION, format!("{url}{sep}cko-payment-id={id}")));
            reply
        }
        None => Reply::html(
            StatusCode::OK,
            format!(
                "<!doctype html><html><body><p>Authentication {}. Payment {} is {}.</p>\
                 <p><a href=\"{}\">Payment</a></p></body></html>",
                if passed { "completed" } else { "failed" },
                escape(&id),
                status,
                escape(&wire::redirect_url(&sim.ctx.base_url, &id)),
            ),
        ),
    }
}
