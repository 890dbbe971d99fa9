//! Unit tests of the SOQL lexer, parser and binder (table-driven).

use chrono::{TimeZone, Utc};

use super::bind::{Filter, Operand, Select};
use super::parser::{Cond, LitKind, SelectItem};
use super::{bind, parse};
use crate::salesforce::value::FieldValue;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

#[test]
fn parses_valid_queries() {
    let ok = [
        "SELECT Id FROM Account",
        "select id, name from account where name = 'Acme'",
        "SELECT Id FROM Account WHERE Name != null AND BillingCountry IN ('DE', 'FR')",
        "SELECT Id FROM Account WHERE (Name LIKE 'Ac%' OR Name LIKE '_cme') AND NOT Website = null",
        "SELECT Id FROM Contact WHERE Email NOT IN ('a@x.io') ORDER BY LastName ASC NULLS LAST, Email DESC",
        "SELECT Id FROM Payment__c WHERE Amount__c >= 10.50 AND Amount__c < -3 LIMIT 10 OFFSET 5",
        "SELECT Id FROM Account WHERE LastModifiedDate > 2026-01-01T00:00:00Z",
        "SELECT Id FROM Account WHERE SystemModstamp >= 2026-01-01T00:00:00.000+0000",
        "SELECT Id FROM Account WHERE CreatedDate <= 2026-01-01T10:00:00+01:00",
        "SELECT Id FROM Opportunity WHERE CloseDate = 2026-01-31",
        "SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:30",
        "SELECT COUNT() FROM Account",
        "SELECT COUNT(Id) n FROM Account WHERE Name <> 'x'",
        "SELECT Id, Account.Name FROM Contact WHERE Account.Name = 'Acme'",
        "SELECT Id, Contact__r.Email FROM Payment_Request__c WHERE Status__c = 'Approved for Payout'",
        "SELECT Id FROM Contact WHERE Payout_Blocked__c = false",
        "SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\\ \\n'",
    ];
    for q in ok {
        let parsed = parse(q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
        bind(&parsed, now()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    }
}

#[test]
fn string_escapes_are_decoded() {
    let q = parse("SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\\ 50\\%'")
        .unwrap_or_else(|e| panic!("{e:?}"));
    let Some(Cond::Cmp { value, .. }) = q.filter else {
        panic!("cmp")
    };
    assert_eq!(value.kind, LitKind::Str("O'Brien \\ 50\\%".to_owned()));
}

#[test]
fn structure_of_a_query() {
    let q = parse("SELECT Id, Name FROM Account WHERE Name = 'A' OR Name = 'B' ORDER BY Name DESC LIMIT 3")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(q.select.len(), 2);
    assert!(matches!(&q.select[0], SelectItem::Field(n) if n.text == "Id"));
    assert!(matches!(q.filter, Some(Cond::Or(ref v)) if v.len() == 2));
    assert_eq!(q.order.len(), 1);
    assert!(!q.order[0].asc);
    assert_eq!(q.limit.map(|(n, _)| n), Some(3));
    let plan = bind(&q, now()).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!plan.order[0].nulls_first, "DESC puts nulls last by default");
    assert!(matches!(plan.select, Select::Fields(ref f) if f.len() == 2));
}

#[test]
fn date_literals_become_ranges() {
    let q = parse("SELECT Id FROM Account WHERE CreatedDate = TODAY").unwrap_or_else(|e| panic!("{e:?}"));
    let plan = bind(&q, now()).unwrap_or_else(|e| panic!("{e:?}"));
    let Some(Filter::Cmp {
        value: Operand::Range(FieldValue::DateTime(a), FieldValue::DateTime(b)),
        ..
    }) = plan.filter
    else {
        panic!("range");
    };
    assert_eq!(
        a,
        Utc.with_ymd_and_hms(2026, 3, 15, 0, 0, 0)
            .single()
            .unwrap_or_default()
    );
    assert_eq!(
        b,
        Utc.with_ymd_and_hms(2026, 3, 16, 0, 0, 0)
            .single()
            .unwrap_or_default()
    );
}

#[test]
fn errors_are_coded_and_located() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT FROM Account",
            "MALFORMED_QUERY",
            "unexpected token: 'FROM'",
        ),
        (
            "SELECT Id FROM Account WHERE",
            "MALFORMED_QUERY",
            "unexpected token: '<EOF>'",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x",
            "MALFORMED_QUERY",
            "<EOF>",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
            "MALFORMED_QUERY",
            "'OR'",
        ),
        (
            "SELECT Id FROM Account LIMIT x",
            "MALFORMED_QUERY",
            "unexpected token: 'x'",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'a\\x'",
            "MALFORMED_QUERY",
            "Illegal character sequence",
        ),
        ("SELECT Id FROM Account GROUP BY Name", "MALFORMED_QUERY", "GROUP"),
        (
            "SELECT Id FROM Account WHERE Name # 'x'",
            "MALFORMED_QUERY",
            "no viable alternative",
        ),
        (
            "SELECT Id, Id FROM Account",
            "MALFORMED_QUERY",
            "duplicate field selected: Id",
        ),
        (
            "SELECT COUNT(), Id FROM Account",
            "MALFORMED_QUERY",
            "Aggregate query",
        ),
        (
            "SELECT Id FROM Acount",
            "INVALID_TYPE",
            "sObject type 'Acount' is not supported",
        ),
        (
            "SELECT Nme FROM Account",
            "INVALID_FIELD",
            "No such column 'Nme' on entity 'Account'",
        ),
        (
            "SELECT Id FROM Account WHERE Foo__c = 1",
            "INVALID_FIELD",
            "No such column 'Foo__c'",
        ),
        (
            "SELECT Id FROM Account ORDER BY Bar",
            "INVALID_FIELD",
            "No such column 'Bar'",
        ),
        (
            "SELECT Owner.Name FROM Account",
            "INVALID_FIELD",
            "Didn't understand relationship 'Owner'",
        ),
        (
            "SELECT Id FROM Account WHERE CreatedDate > 2026-01-01",
            "INVALID_FIELD",
            "must be of type dateTime and should not be enclosed in quotes",
        ),
        (
            "SELECT Id FROM Account WHERE CreatedDate > '2026-01-01T00:00:00Z'",
            "INVALID_FIELD",
            "must be of type dateTime",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 5",
            "INVALID_FIELD",
            "must be of type string and should be enclosed",
        ),
        (
            "SELECT Id FROM Payment__c WHERE Amount__c = '5'",
            "INVALID_FIELD",
            "must be of type double",
        ),
        (
            "SELECT Id FROM Contact WHERE Payout_Blocked__c = 'true'",
            "INVALID_FIELD",
            "must be of type boolean",
        ),
        (
            "SELECT Id FROM Account WHERE Id = 'abc'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "invalid ID field: abc",
        ),
        (
            "SELECT Id FROM Account OFFSET 2001",
            "NUMBER_OUTSIDE_VALID_RANGE",
            "Maximum SOQL offset allowed is 2000",
        ),
        (
            "SELECT Id FROM Account WHERE Name = 'x' LIMIT 5 WHERE",
            "MALFORMED_QUERY",
            "unexpected token: 'WHERE'",
        ),
    ];
    for (q, code, needle) in cases {
        let err = match parse(q).and_then(|p| bind(&p, now())) {
            Ok(_) => panic!("{q}: expected {code}"),
            Err(e) => e,
        };
        assert_eq!(err.code, *code, "{q}: {err:?}");
        let sf = err.into_sf(q);
        assert!(sf.message.contains(needle), "{q}: {}", sf.message);
        assert!(
            sf.message.contains("ERROR at Row:1:Column:"),
            "{q}: {}",
            sf.message
        );
    }
}

#[test]
fn error_position_points_at_the_token() {
    let q = "SELECT Id FROM Account WHERE";
    let err = parse(q)
        .and_then(|p| bind(&p, now()))
        .err()
        .unwrap_or_else(|| panic!("error"));
    let sf = err.into_sf(q);
    assert_eq!(
        sf.message,
        "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: '<EOF>'"
    );
}
