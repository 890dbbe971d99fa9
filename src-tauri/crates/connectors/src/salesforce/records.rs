//! Single records: SOQL reads (`GET /query`, then `nextRecordsUrl` until `done`), updates
//! (`PATCH /sobjects/{object}/{id}`) and upserts on an External ID
//! (`PATCH /sobjects/{object}/{field}/{value}`), with the helpers that keep values out of the
//! query's grammar.

use chrono::{DateTime, SecondsFormat, Utc};
use paysync_core::retry::RetrySafety;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::API_VERSION;
use crate::http::{Body, Request};

/// One page of a query's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage {
    /// How many records match in all.
    pub total_size: u64,
    /// Whether this is the last page.
    pub done: bool,
    /// The path of the next page, when `done` is false.
    #[serde(default)]
    pub next_records_url: Option<String>,
    /// This page's records (each with its `attributes`).
    pub records: Vec<Map<String, Value>>,
}

impl QueryPage {
    /// The call for the next page, or `None` when this one was the last.
    pub fn next_request(&self) -> Option<Request> {
        self.next_records_url
            .as_deref()
            .filter(|_| !self.done)
            .map(query_more)
    }
}

/// `GET /services/data/vXX.X/query?q=…`.
pub fn query(soql: &str) -> Request {
    Request::get(
        format!("/services/data/{API_VERSION}/query"),
        "salesforce:GET query",
    )
    .query("q", soql)
}

/// The next page of a query: the `nextRecordsUrl` of the previous one (a path on the instance).
pub fn query_more(next_records_url: &str) -> Request {
    Request::get(next_records_url.to_owned(), "salesforce:GET query")
}

/// `PATCH /sobjects/{object}/{id}`: sets `fields` on one record. Setting the same values again
/// changes nothing, so it is safe to repeat.
pub fn update(object: &str, id: &str, fields: Map<String, Value>) -> Request {
    Request::new(
        Method::PATCH,
        format!("/services/data/{API_VERSION}/sobjects/{object}/{id}"),
        RetrySafety::ReplaySafe,
        format!("salesforce:PATCH sobjects/{object}"),
    )
    .body(Body::Json(Value::Object(fields)))
}

/// `PATCH /sobjects/{object}/{field}/{value}`: creates or updates the one record whose External ID
/// `field` is `value`. Idempotent on the key, so safe to repeat.
pub fn upsert(object: &str, field: &str, value: &str, fields: Map<String, Value>) -> Request {
    Request::new(
        Method::PATCH,
        format!(
            "/services/data/{API_VERSION}/sobjects/{object}/{field}/{}",
            urlencoding(value)
        ),
        RetrySafety::ReplaySafe,
        format!("salesforce:PATCH sobjects/{object}/{field}"),
    )
    .body(Body::Json(Value::Object(fields)))
}

/// Percent-encodes a path segment (an External ID may hold `/` or spaces).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A SOQL string literal: quoted, with `\` and `'` escaped, so a value can never end the literal.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A SOQL datetime literal (UTC, milliseconds): `2026-11-22T10:00:00.000Z`.
pub fn datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a Salesforce datetime (`2026-11-22T10:00:00.000+0000`, as records carry them).
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.3f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether `id` has the shape of a Salesforce record id (15 or 18 letters and digits), so it can be
/// put in a path or a query without quoting surprises.
pub fn is_record_id(id: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_would_end_the_literal() {
        assert_eq!(quote("O'Brien"), r"'O\'Brien'");
        assert_eq!(quote(r"a\' OR Name != '"), r"'a\\\' OR Name != \''");
    }

    #[test]
    fn datetimes_round_trip_through_salesforce_text() {
        let t = parse_datetime("2026-11-22T10:00:00.123+0000").unwrap_or_default();
        assert_eq!(datetime(t), "2026-11-22T10:00:00.123Z");
        assert_eq!(parse_datetime("2026-11-22T10:00:00.123Z"), Some(t));
        assert_eq!(parse_datetime("yesterday"), None);
    }

    #[test]
    fn an_upsert_encodes_its_key_in_the_path() {
        let req = upsert(
            "Subscription_Contract__c",
            "Stripe_Subscription_Id__c",
            "sub 1/2",
            Map::new(),
        );
        assert_eq!(
            req.path,
            "/services/data/v66.0/sobjects/Subscription_Contract__c/Stripe_Subscription_Id__c/sub%201%2F2"
        );
    }

    #[test]
    fn record_ids_are_recognised() {
        assert!(is_record_id("001000000000001AAA"));
        assert!(!is_record_id("001' OR Id != '"));
        assert!(!is_record_id("../../x"));
    }

    #[test]
    fn a_page_is_read_with_its_next_url() {
        let page: QueryPage = serde_json::from_value(serde_json::json!({
            "totalSize": 3, "done": false, "nextRecordsUrl": "/services/data/v66.0/query/01g-2000",
            "records": [{"attributes": {"type": "Account"}, "Id": "001000000000001AAA"}]
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total_size, 3);
        assert_eq!(
            page.next_request().map(|r| r.path).as_deref(),
            Some("/services/data/v66.0/query/01g-2000")
        );
        let last = QueryPage {
            done: true,
            ..page.clone()
        };
        assert!(last.next_request().is_none(), "a done page has no next");
        assert_eq!(
            page.next_records_url.as_deref(),
            Some("/services/data/v66.0/query/01g-2000")
        );
        assert_eq!(
            query_more("/services/data/v66.0/query/01g-2000").path,
            "/services/data/v66.0/query/01g-2000"
        );
    }
}
