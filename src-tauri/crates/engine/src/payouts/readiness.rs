//! Recipient readiness: an item is batched only when its recipient can be paid. The local checks
//! (not blocked, a valid e-mail and country, a known currency) come first, then Payoneer's
//! answer for the payee (Active; Pending and Inactive with Payoneer's reasons). An item that fails
//! waits in the correction queue with the reason, for support.
//!
//! A recipient without a payee id is invited: Paysync chooses the payee id, asks Payoneer for a
//! registration link and writes both to the Contact, and the item waits until the payee is Active.

use paysync_connectors::http::HttpError;
use paysync_connectors::payoneer::{
    self, ApiError, Envelope, PayeeStatus, RegistrationLink, SUB_PAYEE_NOT_FOUND,
};
use paysync_connectors::salesforce::records::update;
use paysync_core::{Currency, SharedClock};
use paysync_store::{ItemState, PayoutItem, Store};
use serde_json::{Map, json};

use super::{PayoutSource, Payouts, Tally, provider_down, store_failed};
use crate::scheduler::FlowError;

/// Whether `email` looks deliverable: one `@`, something before it, a dot in the domain, no
/// spaces. (Payoneer validates it again; this catches the typos support can fix.)
pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Whether `country` is an ISO 3166-1 alpha-2 code as Payoneer takes it (two capital letters).
pub(crate) fn valid_country(country: &str) -> bool {
    country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())
}

/// The problems the item's own fields show, naming the Contact and the field.
pub(crate) fn local_problem(item: &PayoutItem) -> Option<String> {
    let contact = item.contact_id.as_deref().unwrap_or("(no Contact)");
    if item.blocked {
        return Some(format!(
            "Contact {contact}: Payout_Blocked__c is set: payouts to this recipient are blocked"
        ));
    }
    match item.email.as_deref() {
        None => return Some(format!("Contact {contact}: Email is empty")),
        Some(e) if !valid_email(e) => {
            return Some(format!(
                "Contact {contact}: Email {e:?} is not a valid e-mail address"
            ));
        }
        Some(_) => {}
    }
    match item.country.as_deref() {
        None => return Some(format!("Contact {contact}: MailingCountry is empty")),
        Some(c) if !valid_country(c) => {
            return Some(format!(
                "Contact {contact}: MailingCountry {c:?} is not an ISO 3166 two-letter code (e.g. DE)"
            ));
        }
        Some(_) => {}
    }
    if Currency::from_code(&item.currency).is_err() {
        let paths = PayoutSource::of_record(&item.request_id).paths();
        return Some(format!(
            "{} {}: {} {:?} is not supported",
            paths.object, item.request_id, paths.currency, item.currency
        ));
    }
    None
}

/// Payoneer's view of a payee: `None` when it can be paid, else why not.
pub(crate) async fn payee_problem(p: &Payouts, payee_id: &str) -> Result<Option<String>, HttpError> {
    let program = &p.options.program_id;
    match p.send_payoneer(payoneer::payee_status(program, payee_id)).await {
        Ok(response) => {
            let status: Envelope<PayeeStatus> = response.json()?;
            let s = status.result.status;
            if s.is_active() {
                return Ok(None);
            }
            let reasons = s.reasons_text();
            let why = if reasons.is_empty() {
                String::new()
            } else {
                format!(": {reasons}")
            };
            Ok(Some(match s.kind {
                0 => format!("Payee {payee_id} is pending at Payoneer (KYC not complete){why}"),
                _ => format!(
                    "Payee {payee_id} is {} at Payoneer{why}",
                    s.description.to_lowercase()
                ),
            }))
        }
        Err(e) => match ApiError::from_http(&e) {
            Some(api) if api.status == 404 || api.sub_code == Some(SUB_PAYEE_NOT_FOUND) => Ok(Some(format!(
                "Payee {payee_id} does not exist in Payoneer program {program}: correct the payee id on the Contact"
            ))),
            _ => Err(e),
        },
    }
}

/// Invites a recipient who has no payee yet: chooses the payee id, asks for a registration link
/// and writes both to the Contact. Returns the reason the item waits with.
async fn invite(
    p: &Payouts,
    store: &Store,
    clock: &SharedClock,
    item: &PayoutItem,
) -> Result<String, HttpError> {
    let Some(contact) = item.contact_id.as_deref() else {
        let paths = PayoutSource::of_record(&item.request_id).paths();
        return Ok(format!(
            "{} {}: no Contact ({}) to pay and no payee id",
            paths.object, item.request_id, paths.contact_id
        ));
    };
    let payee_id = format!("ps-{}", contact.to_ascii_lowercase());
    let link: Envelope<RegistrationLink> = p
        .send_payoneer(payoneer::registration_link(
            &p.options.program_id,
            &payee_id,
            item.email.as_deref(),
            item.country.as_deref(),
            &item.currency,
        ))
        .await?
        .json()?;
    let mut fields = Map::new();
    fields.insert("Payoneer_Payee_Id__c".into(), json!(payee_id));
    fields.insert(
        "Payoneer_Registration_Link__c".into(),
        json!(link.result.registration_link),
    );
    p.send_sf(update("Contact", contact, fields)).await?;
    // Only the payee id is kept locally; the link lives on the Contact.
    store
        .payouts()
        .set_payee(item.id, &payee_id, clock.now())
        .await
        .map_err(|e| HttpError::InvalidRequest(format!("store: {e}")))?;
    Ok(format!(
        "Not registered with Payoneer yet: payee {payee_id} was invited (the registration link is on Contact {contact}); paid once Payoneer approves the payee"
    ))
}

/// Payoneer's answers about payees within one pass (many items usually share a payee).
pub(crate) type PayeeAnswers = std::collections::HashMap<String, Option<String>>;

/// Checks one item and records the verdict. `may_invite` lets a recipient without a payee be
/// invited.
pub(crate) async fn check_item(
    p: &Payouts,
    store: &Store,
    clock: &SharedClock,
    item: &PayoutItem,
    may_invite: bool,
    answers: &mut PayeeAnswers,
) -> Result<Option<String>, HttpError> {
    let problem = match local_problem(item) {
        Some(problem) => Some(problem),
        None => match item.payee_id.as_deref() {
            Some(payee) => match answers.get(payee) {
                Some(known) => known.clone(),
                None => {
                    let answer = payee_problem(p, payee).await?;
                    answers.insert(payee.to_owned(), answer.clone());
                    answer
                }
            },
            None if may_invite => Some(invite(p, store, clock, item).await?),
            None => Some(format!(
                "Contact {}: no Payoneer payee id (Payoneer_Payee_Id__c)",
                item.contact_id.as_deref().unwrap_or("(none)")
            )),
        },
    };
    store
        .payouts()
        .set_checked(item.id, problem.as_deref(), clock.now())
        .await
        .map_err(|e| HttpError::InvalidRequest(format!("store: {e}")))?;
    Ok(problem)
}

/// Checks the new items, and again the ones waiting on Payoneer (a payee may have been approved
/// since). A call that fails leaves the item for the next run.
pub(super) async fn check_pending(
    p: &Payouts,
    store: &Store,
    clock: &SharedClock,
    tally: &mut Tally,
) -> Result<(), FlowError> {
    let limit = p.options.checks_per_run;
    let fresh = store
        .payouts()
        .items_in_state(ItemState::New, limit)
        .await
        .map_err(|e| store_failed(&e))?;
    let waiting = store
        .payouts()
        .items_in_state(ItemState::NeedsCorrection, limit)
        .await
        .map_err(|e| store_failed(&e))?
        .into_iter()
        // Only what Payoneer may have changed since: a payee's status. A wrong field waits for
        // support, so checking it again would only cost a call.
        .filter(|i| i.payee_id.is_some() && local_problem(i).is_none());
    let mut answers = PayeeAnswers::new();
    for item in fresh.iter().cloned().chain(waiting) {
        match check_item(p, store, clock, &item, true, &mut answers).await {
            Ok(None) => tally.add("ready", 1),
            Ok(Some(_)) => tally.add("needs_correction", 1),
            // Payoneer is not answering: the items wait, unchecked, for the next run.
            Err(e) if provider_down(&e) => {
                tally.add("checks_deferred", 1);
                break;
            }
            Err(e) => tally.errors.push(format!(
                "checking {}: {e}",
                item.request_name.as_deref().unwrap_or(&item.request_id)
            )),
        }
    }
    Ok(())
}
