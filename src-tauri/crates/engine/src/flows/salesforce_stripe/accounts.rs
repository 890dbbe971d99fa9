//! Reading Accounts as the customer job needs them: the synced fields, and the e-mail of the
//! Account's billing contact (its oldest Contact with an e-mail), since Accounts have none.

use std::collections::HashMap;

use paysync_connectors::http::HttpError;
use paysync_connectors::salesforce::records::{is_record_id, quote};
use serde_json::{Map, Value, json};

use super::Writer;

/// The Account fields a customer is made from.
pub(super) const ACCOUNT_FIELDS: &str =
    "Id, Name, Phone, BillingCity, BillingCountry, Stripe_Customer_Id__c, Stripe_Deleted__c, SystemModstamp";

/// Ids a query names at once (keeps the SOQL text well under Salesforce's limit).
const IDS_PER_QUERY: usize = 100;

/// `'a', 'b'` for an `IN (…)`; ids that are not record ids are left out.
fn id_list(ids: &[&str]) -> String {
    ids.iter()
        .filter(|id| is_record_id(id))
        .map(|id| quote(id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The billing e-mail of each Account that has one.
pub(super) async fn billing_emails(
    writer: &Writer,
    accounts: &[&str],
) -> Result<HashMap<String, String>, HttpError> {
    let mut emails = HashMap::new();
    for chunk in accounts.chunks(IDS_PER_QUERY) {
        let list = id_list(chunk);
        if list.is_empty() {
            continue;
        }
        let contacts = writer
            .query_all(&format!(
                "SELECT AccountId, Email FROM Contact WHERE AccountId IN ({list}) AND Email != null \
                 ORDER BY AccountId ASC, CreatedDate ASC, Id ASC"
            ))
            .await?;
        for contact in contacts {
            if let (Some(account), Some(email)) = (
                contact.get("AccountId").and_then(Value::as_str),
                contact.get("Email").and_then(Value::as_str),
            ) {
                emails
                    .entry(account.to_owned())
                    .or_insert_with(|| email.to_owned());
            }
        }
    }
    Ok(emails)
}

/// Adds each record's billing e-mail (`Email`, null when it has none) and drops `attributes`.
pub(super) async fn with_emails(
    writer: &Writer,
    mut accounts: Vec<Map<String, Value>>,
) -> Result<Vec<Map<String, Value>>, HttpError> {
    let ids: Vec<&str> = accounts
        .iter()
        .filter_map(|a| a.get("Id").and_then(Value::as_str))
        .collect();
    let emails = billing_emails(writer, &ids).await?;
    for account in &mut accounts {
        let email = account
            .get("Id")
            .and_then(Value::as_str)
            .and_then(|id| emails.get(id))
            .cloned();
        account.remove("attributes");
        account.insert("Email".to_owned(), json!(email));
    }
    Ok(accounts)
}

/// The Accounts with these ids, with their billing e-mails, by id.
pub(super) async fn accounts_by_id(
    writer: &Writer,
    ids: &[&str],
) -> Result<HashMap<String, Map<String, Value>>, HttpError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let list = id_list(chunk);
        if list.is_empty() {
            continue;
        }
        found.extend(
            writer
                .query_all(&format!(
                    "SELECT {ACCOUNT_FIELDS} FROM Account WHERE Id IN ({list})"
                ))
                .await?,
        );
    }
    Ok(with_emails(writer, found)
        .await?
        .into_iter()
        .filter_map(|a| Some((a.get("Id")?.as_str()?.to_owned(), a)))
        .collect())
}
