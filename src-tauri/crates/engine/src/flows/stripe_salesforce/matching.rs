//! Matching a Stripe customer Paysync has never written to an Account the org already has, so a
//! customer the sales team already keeps is not created twice: first by a Contact with the
//! customer's e-mail, then by the Account's website domain (company domains only). One candidate
//! is a match: its `Stripe_Customer_Id__c` is set, and the upsert then updates that Account. More
//! than one is never guessed: the customer goes to the review queue (the dead-letter queue, code
//! [`AMBIGUOUS`]) naming the candidates, until a person sets the id on the right Account and
//! replays it.

use std::collections::{BTreeMap, BTreeSet};

use paysync_connectors::http::HttpError;
use paysync_connectors::salesforce::records::{quote, update};
use serde_json::{Map, Value, json};

use super::apply::{Applied, Applier, Settled};
use super::plan::{Change, ObjectKey};

/// The dead-letter code of a customer more than one Account could be.
pub const AMBIGUOUS: &str = "match.ambiguous";

/// The longest list of values one query names: Salesforce takes a query in the URL of a GET,
/// which it refuses past 16,384 bytes, and percent-encoding lengthens the text by up to about half
/// again. Short addresses fit a few hundred to a query, long ones fewer.
const LIST_CHARS: usize = 8_000;

/// The SOQL terms cut into lists of at most [`LIST_CHARS`] characters each, joined by `separator`.
fn lists(terms: impl IntoIterator<Item = String>, separator: &str) -> Vec<String> {
    let mut lists: Vec<String> = Vec::new();
    let mut current = String::new();
    for term in terms {
        if !current.is_empty() && current.len() + separator.len() + term.len() > LIST_CHARS {
            lists.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str(separator);
        }
        current.push_str(&term);
    }
    if !current.is_empty() {
        lists.push(current);
    }
    lists
}

/// Mail providers whose domain says nothing about the company.
const FREE_MAIL: &[&str] = &[
    "163.com",
    "aol.com",
    "gmail.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "web.de",
    "yahoo.com",
    "yandex.ru",
];

/// Candidates by e-mail address or by domain.
type Found = BTreeMap<String, Vec<Candidate>>;

/// An Account that could be the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidate {
    /// The Account's id.
    pub account: String,
    /// The Stripe customer it is already linked to, if any.
    pub linked_to: Option<String>,
}

/// What to do with a new customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// No Account is it (or one already carries its id): the upsert creates or finds it.
    Upsert,
    /// This Account is it: link it first.
    Link(String),
    /// These Accounts could each be it: a person decides.
    Ambiguous(Vec<String>),
}

/// The verdict for `customer`, from the Accounts found by e-mail and by domain. An Account linked
/// to another customer is not a candidate; one linked to this customer settles it.
pub(super) fn verdict(customer: &str, by_email: &[Candidate], by_domain: &[Candidate]) -> Verdict {
    if by_email
        .iter()
        .chain(by_domain)
        .any(|c| c.linked_to.as_deref() == Some(customer))
    {
        return Verdict::Upsert;
    }
    let free = |cands: &[Candidate]| -> BTreeSet<String> {
        cands
            .iter()
            .filter(|c| c.linked_to.is_none())
            .map(|c| c.account.clone())
            .collect()
    };
    for found in [free(by_email), free(by_domain)] {
        match found.len() {
            0 => continue,
            1 => return Verdict::Link(found.into_iter().next().unwrap_or_default()),
            _ => return Verdict::Ambiguous(found.into_iter().collect()),
        }
    }
    Verdict::Upsert
}

/// The company domain of an e-mail address, if it has one worth matching on.
pub(super) fn company_domain(email: &str) -> Option<String> {
    let domain = email.rsplit_once('@')?.1.trim().to_ascii_lowercase();
    let plausible = domain.contains('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    (plausible && !FREE_MAIL.contains(&domain.as_str())).then_some(domain)
}

/// The host of a website as people type it (`https://www.Acme.com/about` → `acme.com`).
pub(super) fn website_domain(website: &str) -> Option<String> {
    let rest = website
        .trim()
        .split_once("://")
        .map_or(website.trim(), |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (!host.is_empty()).then_some(host)
}

fn text(record: &Map<String, Value>, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Applier {
    /// Links or holds the customers in `ready` that Paysync has never written, before they are
    /// upserted. A failed lookup defers them (the next run tries again); nothing is guessed.
    pub(super) async fn match_new_customers(
        &self,
        store: &paysync_store::Store,
        ready: &mut BTreeMap<ObjectKey, Change>,
        applied: &mut Applied,
    ) {
        if !self.options.match_existing_accounts {
            return;
        }
        let keys: Vec<ObjectKey> = ready
            .iter()
            .filter(|(k, c)| k.0 == "customer" && !c.deleted && c.snapshot["email"].is_string())
            .map(|(k, _)| k.clone())
            .collect();
        if keys.is_empty() {
            return;
        }
        let known = match store
            .object_versions()
            .get_many(super::apply::stripe_events_source(), &keys)
            .await
        {
            Ok(known) => known,
            Err(e) => {
                tracing::warn!(error = %e, "Applied versions unreadable; customers are not matched this run.");
                return;
            }
        };
        let new: Vec<(ObjectKey, String)> = keys
            .into_iter()
            .filter(|k| !known.contains_key(k))
            .filter_map(|k| {
                let email = ready.get(&k)?.snapshot["email"].as_str()?.to_ascii_lowercase();
                Some((k, email))
            })
            .collect();
        if new.is_empty() {
            return;
        }
        let found = match self.candidates(&new, applied).await {
            Ok(found) => found,
            Err(e) => {
                let message = format!("the org could not be searched for existing Accounts: {e}");
                for (key, _) in new {
                    if let Some(change) = ready.remove(&key) {
                        let settled = Settled::Deferred {
                            code: "match.lookup".to_owned(),
                            message: message.clone(),
                        };
                        applied.outcomes.insert(key, (change, settled));
                    }
                }
                return;
            }
        };
        for (key, email) in new {
            let none = Vec::new();
            let by_email = found.0.get(&email).unwrap_or(&none);
            let by_domain = company_domain(&email)
                .and_then(|d| found.1.get(&d))
                .unwrap_or(&none);
            match verdict(&key.1, by_email, by_domain) {
                Verdict::Upsert => {}
                Verdict::Link(account) => {
                    let mut set = Map::new();
                    set.insert("Stripe_Customer_Id__c".to_owned(), json!(key.1));
                    let linked = self
                        .salesforce
                        .send(
                            paysync_connectors::salesforce::PROVIDER,
                            update("Account", &account, set),
                        )
                        .await;
                    applied.sf_reads += 1;
                    if let Err(e) = linked
                        && let Some(change) = ready.remove(&key)
                    {
                        let settled = Settled::Deferred {
                            code: "match.link".to_owned(),
                            message: format!("linking Account {account} to Stripe customer {}: {e}", key.1),
                        };
                        applied.outcomes.insert(key, (change, settled));
                    }
                }
                Verdict::Ambiguous(accounts) => {
                    if let Some(change) = ready.remove(&key) {
                        let settled = Settled::Refused {
                            code: AMBIGUOUS.to_owned(),
                            message: format!(
                                "Stripe customer {} ({email}) could be any of Accounts {}: set Stripe_Customer_Id__c = {} on the right one in Salesforce, then replay",
                                key.1,
                                accounts.join(", "),
                                key.1
                            ),
                        };
                        applied.outcomes.insert(key, (change, settled));
                    }
                }
            }
        }
    }

    /// The Accounts found by each e-mail and by each company domain.
    async fn candidates(
        &self,
        new: &[(ObjectKey, String)],
        applied: &mut Applied,
    ) -> Result<(Found, Found), HttpError> {
        let emails: BTreeSet<&str> = new.iter().map(|(_, e)| e.as_str()).collect();
        let domains: BTreeSet<String> = emails.iter().filter_map(|e| company_domain(e)).collect();
        let mut by_email: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        for list in lists(emails.iter().map(|e| quote(e)), ", ") {
            let contacts = self
                .query(
                    &format!(
                        "SELECT AccountId, Account.Stripe_Customer_Id__c, Email FROM Contact \
                         WHERE Email IN ({list}) AND AccountId != null"
                    ),
                    applied,
                )
                .await?;
            for contact in contacts {
                let (Some(email), Some(account)) = (text(&contact, "Email"), text(&contact, "AccountId"))
                else {
                    continue;
                };
                let linked_to = contact
                    .get("Account")
                    .and_then(Value::as_object)
                    .and_then(|a| text(a, "Stripe_Customer_Id__c"));
                by_email
                    .entry(email.to_ascii_lowercase())
                    .or_default()
                    .push(Candidate { account, linked_to });
            }
        }
        let mut by_domain: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        let likes = domains
            .iter()
            .map(|d| format!("Website LIKE {}", quote(&format!("%{d}%"))));
        for any in lists(likes, " OR ") {
            let accounts = self
                .query(
                    &format!("SELECT Id, Website, Stripe_Customer_Id__c FROM Account WHERE {any}"),
                    applied,
                )
                .await?;
            for account in accounts {
                let (Some(id), Some(site)) = (text(&account, "Id"), text(&account, "Website")) else {
                    continue;
                };
                // LIKE finds `notacme.com` too: only the exact host counts.
                let Some(host) = website_domain(&site).filter(|h| domains.contains(h)) else {
                    continue;
                };
                by_domain.entry(host).or_default().push(Candidate {
                    account: id,
                    linked_to: text(&account, "Stripe_Customer_Id__c"),
                });
            }
        }
        Ok((by_email, by_domain))
    }

    /// Every record of a query, page after page. Reads are counted apart from writes, but they
    /// use the same daily allocation: each is checked against the flow's share first, and its
    /// answer's `Sforce-Limit-Info` is kept.
    async fn query(&self, soql: &str, applied: &mut Applied) -> Result<Vec<Map<String, Value>>, HttpError> {
        use paysync_connectors::salesforce::records::query;
        use paysync_connectors::salesforce::{ApiUsage, QueryPage};
        let mut request = Some(query(soql));
        let mut records = Vec::new();
        while let Some(req) = request.take() {
            if let Some(reason) = self.over_share(1) {
                applied.stopped.get_or_insert(reason.clone());
                return Err(HttpError::InvalidRequest(reason));
            }
            applied.sf_reads += 1;
            let response = self
                .salesforce
                .send(paysync_connectors::salesforce::PROVIDER, req)
                .await?;
            if let Some(usage) = ApiUsage::of(&response)
                && let Ok(mut last) = self.usage.lock()
            {
                *last = Some(usage);
            }
            let mut page: QueryPage = response.json()?;
            request = page.next_request();
            records.append(&mut page.records);
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(account: &str) -> Candidate {
        Candidate {
            account: account.to_owned(),
            linked_to: None,
        }
    }

    #[test]
    fn query_lists_stay_under_the_url_budget_and_keep_every_value_once() {
        let emails: Vec<String> = (0..2_000)
            .map(|i| quote(&format!("customer{i}@example.com")))
            .collect();
        let lists = lists(emails.clone(), ", ");
        assert!(lists.len() > 1 && lists.len() < 20, "{} lists", lists.len());
        assert!(lists.iter().all(|l| l.len() <= LIST_CHARS));
        let again: Vec<String> = lists
            .iter()
            .flat_map(|l| l.split(", ").map(str::to_owned))
            .collect();
        assert_eq!(again, emails);
        // One value longer than the budget still goes, alone.
        let long = "x".repeat(LIST_CHARS + 1);
        assert_eq!(
            super::lists([long.clone(), "y".to_owned()], ", "),
            vec![long, "y".to_owned()]
        );
        assert!(super::lists(Vec::<String>::new(), ", ").is_empty());
    }

    #[test]
    fn one_candidate_links_many_are_reviewed_and_an_existing_link_settles_it() {
        assert_eq!(verdict("cus_1", &[], &[]), Verdict::Upsert);
        assert_eq!(
            verdict("cus_1", &[free("001A")], &[free("001B"), free("001C")]),
            Verdict::Link("001A".into())
        );
        assert_eq!(
            verdict("cus_1", &[], &[free("001B")]),
            Verdict::Link("001B".into())
        );
        assert_eq!(
            verdict("cus_1", &[free("001A"), free("001B")], &[]),
            Verdict::Ambiguous(vec!["001A".into(), "001B".into()])
        );
        // Two contacts of one Account are one candidate.
        assert_eq!(
            verdict("cus_1", &[free("001A"), free("001A")], &[]),
            Verdict::Link("001A".into())
        );
        let other = Candidate {
            account: "001A".into(),
            linked_to: Some("cus_other".into()),
        };
        assert_eq!(
            verdict("cus_1", std::slice::from_ref(&other), &[]),
            Verdict::Upsert,
            "linked elsewhere"
        );
        let this = Candidate {
            account: "001B".into(),
            linked_to: Some("cus_1".into()),
        };
        assert_eq!(
            verdict("cus_1", &[free("001A"), this], &[]),
            Verdict::Upsert,
            "already linked"
        );
    }

    #[test]
    fn only_company_domains_are_matched_and_websites_are_read_loosely() {
        assert_eq!(company_domain("Ada@Acme.COM").as_deref(), Some("acme.com"));
        assert_eq!(company_domain("ada@gmail.com"), None);
        assert_eq!(company_domain("not-an-email"), None);
        assert_eq!(company_domain("x@acme.com' OR 'a'='a"), None);
        assert_eq!(
            website_domain("https://www.Acme.com/about").as_deref(),
            Some("acme.com")
        );
        assert_eq!(website_domain("acme.com").as_deref(), Some("acme.com"));
        assert_eq!(
            website_domain("http://shop.acme.com:8080").as_deref(),
            Some("shop.acme.com")
        );
    }
}
