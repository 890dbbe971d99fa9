//! Unit tests: one per strategy, per exception kind, per rule decision, and for the reasons'
//! wording. The property tests against generated ground truth are in `properties.rs`.

use chrono::NaiveDate;

use super::*;
use crate::currency::Currency;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).unwrap_or_else(|| panic!("bad test day {d}"))
}

fn charge(id: &str, amount: i64) -> Record {
    Record::new(
        id,
        Source::Stripe,
        RecordKind::Charge,
        Currency::EUR,
        amount,
        day(1),
    )
}

fn payment(id: &str, amount: i64) -> Record {
    Record::new(
        id,
        Source::Salesforce,
        RecordKind::Payment,
        Currency::EUR,
        amount,
        day(2),
    )
}

fn run(provider: &[Record], salesforce: &[Record]) -> Outcome {
    run_with(provider, salesforce, &Rules::default())
}

fn run_with(provider: &[Record], salesforce: &[Record], rules: &Rules) -> Outcome {
    let outcome = reconcile(provider, salesforce, rules).unwrap_or_else(|e| panic!("rules rejected: {e}"));
    assert!(outcome.balances(), "totals do not balance: {:?}", outcome.totals);
    outcome
}

fn ids(refs: &[RecordRef]) -> Vec<&str> {
    refs.iter().map(|r| r.id.as_str()).collect()
}

fn only_match(outcome: &Outcome) -> &Match {
    assert_eq!(outcome.matches.len(), 1, "{outcome:#?}");
    &outcome.matches[0]
}

fn only_exception(outcome: &Outcome, kind: ExceptionKind) -> &Exception {
    let found: Vec<_> = outcome.exceptions.iter().filter(|e| e.kind == kind).collect();
    assert_eq!(found.len(), 1, "{outcome:#?}");
    found[0]
}

// --- pass 1: shared ids ----------------------------------------------------------------------

#[test]
fn one_to_one_by_shared_id_is_confirmed() {
    let outcome = run(&[charge("ch_1", 1000)], &[payment("a02x", 1000).with_key("ch_1")]);
    let m = only_match(&outcome);
    assert_eq!(m.strategy(), Strategy::OneToOne);
    assert_eq!(
        m.reason,
        Reason::SharedId {
            key: "ch_1".into(),
            basis: Basis::Equal
        }
    );
    assert_eq!(m.score, 100);
    assert!(outcome.suggestions.is_empty() && outcome.exceptions.is_empty());
    let t = outcome.totals[&Currency::EUR];
    assert_eq!(
        (t.provider_matched, t.salesforce_matched, t.provider_unmatched),
        (1000, 1000, 0)
    );
}

#[test]
fn a_fee_explains_a_net_booking_and_the_reason_says_so() {
    let outcome = run(
        &[charge("ch_123", 10_000).with_fee(320)],
        &[payment("a02abc", 9_680).with_key("ch_123")],
    );
    let m = only_match(&outcome);
    assert_eq!(m.reason.basis(), Basis::ProviderFee);
    let b = m.breakdown;
    assert_eq!((b.gross, b.fee, b.fx_difference, b.net), (10_000, 320, 0, 9_680));
    assert_eq!(
        m.to_string(),
        "Stripe charge ch_123 ↔ Payment__c a02abc: both sides carry ch_123; \
         the 3.20 EUR difference is the provider fee"
    );
}

#[test]
fn a_payout_against_its_payments_is_one_to_many_net_of_their_fees() {
    let payout = Record::new(
        "po_1",
        Source::Stripe,
        RecordKind::Payout,
        Currency::EUR,
        2_850,
        day(5),
    );
    let payments = [
        payment("a02a", 1_000)
            .with_fee(50)
            .with_part_of("po_1")
            .with_key("ch_a"),
        payment("a02b", 2_000)
            .with_fee(100)
            .with_part_of("po_1")
            .with_key("ch_b"),
    ];
    let outcome = run(&[payout], &payments);
    let m = only_match(&outcome);
    assert_eq!(m.strategy(), Strategy::OneToMany);
    assert_eq!(m.reason.basis(), Basis::SalesforceFee);
    assert_eq!(
        (m.breakdown.gross, m.breakdown.fee, m.breakdown.net),
        (3_000, 150, 2_850)
    );
    assert!(
        m.to_string()
            .contains("the 1.50 EUR difference is the fee recorded in Salesforce")
    );
}

#[test]
fn an_invoice_paid_in_three_charges_is_many_to_one() {
    let charges = [
        charge("ch_1", 100).with_part_of("in_9"),
        charge("ch_2", 100).with_part_of("in_9"),
        charge("ch_3", 300).with_part_of("in_9"),
    ];
    let invoice = Record::new(
        "a01i",
        Source::Salesforce,
        RecordKind::Invoice,
        Currency::EUR,
        500,
        day(9),
    )
    .with_key("in_9");
    let outcome = run(&charges, &[invoice]);
    let m = only_match(&outcome);
    assert_eq!(m.strategy(), Strategy::ManyToOne);
    assert_eq!(ids(&m.provider), ["ch_1", "ch_2", "ch_3"]);
    assert_eq!(
        m.reason,
        Reason::SharedId {
            key: "in_9".into(),
            basis: Basis::Equal
        }
    );
    assert!(
        m.to_string()
            .starts_with("Stripe charge ch_1, Stripe charge ch_2, Stripe charge ch_3 ↔ Invoice__c a01i")
    );
}

#[test]
fn equal_instalments_of_one_invoice_are_not_duplicates() {
    // Sharing a parent is not sharing an identity.
    let charges = [
        charge("ch_1", 100).with_part_of("in_9"),
        charge("ch_2", 100).with_part_of("in_9"),
    ];
    let invoice = payment("a01i", 200).with_key("in_9");
    let outcome = run(&charges, &[invoice]);
    assert_eq!(only_match(&outcome).strategy(), Strategy::ManyToOne);
}

#[test]
fn a_payout_batch_is_many_to_many() {
    let payouts = [
        Record::new(
            "pyn_1",
            Source::Payoneer,
            RecordKind::Payout,
            Currency::USD,
            700,
            day(1),
        )
        .with_part_of("bat_1"),
        Record::new(
            "pyn_2",
            Source::Payoneer,
            RecordKind::Payout,
            Currency::USD,
            300,
            day(1),
        )
        .with_part_of("bat_1"),
    ];
    let requests = [
        Record::new(
            "a03a",
            Source::Salesforce,
            RecordKind::PaymentRequest,
            Currency::USD,
            500,
            day(1),
        )
        .with_part_of("bat_1"),
        Record::new(
            "a03b",
            Source::Salesforce,
            RecordKind::PaymentRequest,
            Currency::USD,
            500,
            day(1),
        )
        .with_part_of("bat_1"),
    ];
    let outcome = run(&payouts, &requests);
    let m = only_match(&outcome);
    assert_eq!(m.strategy(), Strategy::ManyToMany);
    assert!(
        m.to_string()
            .starts_with("Payoneer payout pyn_1, Payoneer payout pyn_2 ↔ Payment_Request__c a03a")
    );
}

#[test]
fn salesforce_booking_the_converted_amount_is_confirmed() {
    let payout = Record::new(
        "pyn_1",
        Source::Payoneer,
        RecordKind::Payout,
        Currency::USD,
        10_850,
        day(1),
    )
    .with_fee(300)
    .with_fx(Currency::EUR, 10_000)
    .with_key("a03r");
    let request = Record::new(
        "a03r",
        Source::Salesforce,
        RecordKind::PaymentRequest,
        Currency::EUR,
        10_000,
        day(1),
    );
    let outcome = run(&[payout], &[request]);
    let m = only_match(&outcome);
    assert_eq!(
        m.reason,
        Reason::SharedId {
            key: "a03r".into(),
            basis: Basis::Converted
        }
    );
    assert_eq!(
        m.breakdown.booked,
        crate::Money::from_minor(10_000, Currency::EUR)
    );
    assert_eq!((m.breakdown.currency, m.breakdown.net), (Currency::USD, 10_550));
    assert!(
        m.to_string()
            .ends_with("Salesforce books the converted amount 100.00 EUR for 108.50 USD")
    );
}

#[test]
fn an_fx_difference_is_explained_when_both_convert_to_the_same_amount() {
    let payout = Record::new(
        "pyn_1",
        Source::Payoneer,
        RecordKind::Payout,
        Currency::USD,
        10_850,
        day(1),
    )
    .with_fx(Currency::EUR, 10_000)
    .with_key("a03r");
    let request = Record::new(
        "a03r",
        Source::Salesforce,
        RecordKind::PaymentRequest,
        Currency::USD,
        10_800,
        day(1),
    )
    .with_fx(Currency::EUR, 10_000);
    let outcome = run(&[payout], &[request]);
    let m = only_match(&outcome);
    assert_eq!(m.reason.basis(), Basis::FxDifference);
    assert_eq!(m.breakdown.fx_difference, -50);
    assert!(
        m.to_string()
            .contains("the 0.50 USD difference is foreign exchange")
    );
}

#[test]
fn a_refund_matches_with_negative_amounts() {
    let refund = Record::new(
        "re_1",
        Source::Stripe,
        RecordKind::Refund,
        Currency::EUR,
        -500,
        day(1),
    );
    let outcome = run(&[refund], &[payment("a02r", -500).with_key("re_1")]);
    assert_eq!(only_match(&outcome).reason.basis(), Basis::Equal);
    assert_eq!(outcome.totals[&Currency::EUR].provider_matched, -500);
}

// --- exceptions ------------------------------------------------------------------------------

#[test]
fn a_repeated_salesforce_payment_is_a_duplicate_and_the_first_still_matches() {
    let outcome = run(
        &[charge("ch_1", 1000)],
        &[
            payment("a02b", 1000).with_key("ch_1"),
            payment("a02a", 1000).with_key("ch_1"),
        ],
    );
    assert_eq!(ids(&only_match(&outcome).salesforce), ["a02a"]);
    let dup = only_exception(&outcome, ExceptionKind::Duplicate);
    assert_eq!(ids(&dup.salesforce), ["a02b"]);
    assert_eq!(
        dup.explanation,
        "Payment__c a02b repeats Payment__c a02a (both are ch_1, both 10.00 EUR)"
    );
}

#[test]
fn the_same_id_twice_at_the_provider_is_a_duplicate() {
    let outcome = run(
        &[charge("ch_1", 1000), charge("ch_1", 1000)],
        &[payment("a02a", 1000).with_key("ch_1")],
    );
    assert_eq!(outcome.matches.len(), 1);
    assert_eq!(
        ids(&only_exception(&outcome, ExceptionKind::Duplicate).provider),
        ["ch_1"]
    );
}

#[test]
fn an_amount_mismatch_names_both_records_and_is_not_a_match() {
    let outcome = run(&[charge("ch_1", 1000)], &[payment("a02a", 1200).with_key("ch_1")]);
    assert!(outcome.matches.is_empty() && outcome.suggestions.is_empty());
    let e = only_exception(&outcome, ExceptionKind::AmountMismatch);
    assert_eq!(
        (ids(&e.provider), ids(&e.salesforce)),
        (vec!["ch_1"], vec!["a02a"])
    );
    assert!(e.explanation.contains("differ by 2.00 EUR"), "{}", e.explanation);
}

#[test]
fn a_currency_mismatch_is_reported() {
    let usd = Record::new(
        "a02a",
        Source::Salesforce,
        RecordKind::Payment,
        Currency::USD,
        1000,
        day(1),
    )
    .with_key("ch_1");
    let outcome = run(&[charge("ch_1", 1000)], &[usd]);
    let e = only_exception(&outcome, ExceptionKind::CurrencyMismatch);
    assert_eq!(ids(&e.salesforce), ["a02a"]);
    let t = outcome.totals[&Currency::USD];
    assert_eq!((t.salesforce_input, t.salesforce_unmatched), (1000, 1000));
}

#[test]
fn a_status_mismatch_is_reported() {
    let outcome = run(
        &[charge("ch_1", 1000).with_status(Status::Refunded)],
        &[payment("a02a", 1000).with_key("ch_1")],
    );
    let e = only_exception(&outcome, ExceptionKind::StatusMismatch);
    assert!(
        e.explanation.contains("refunded") && e.explanation.contains("succeeded"),
        "{}",
        e.explanation
    );
}

#[test]
fn an_id_linked_difference_within_tolerance_is_an_amount_mismatch_not_a_match() {
    // The same movement must carry the same amount on both sides: a cent off is a difference to
    // fix or explain, never a match to accept.
    let outcome = run(&[charge("ch_1", 1000)], &[payment("a02a", 1001).with_key("ch_1")]);
    assert!(outcome.matches.is_empty() && outcome.suggestions.is_empty());
    let e = only_exception(&outcome, ExceptionKind::AmountMismatch);
    assert!(e.explanation.contains("differ by 0.01 EUR"), "{}", e.explanation);
}

#[test]
fn records_without_a_counterpart_are_missing_on_the_other_side() {
    let outcome = run(
        &[charge("ch_1", 1000)],
        &[payment("a02a", 777_700).with_key("ch_9")],
    );
    let p = only_exception(&outcome, ExceptionKind::MissingInSalesforce);
    assert_eq!(ids(&p.provider), ["ch_1"]);
    assert_eq!(
        p.explanation,
        "Stripe charge ch_1 (10.00 EUR, succeeded, 2024-03-01) has no counterpart in Salesforce"
    );
    let s = only_exception(&outcome, ExceptionKind::MissingAtProvider);
    assert!(
        s.explanation
            .ends_with("it names ch_9, which nothing at the provider carries in this run")
    );
    assert_eq!(
        s.to_string(),
        format!("missing at the provider: {}", s.explanation)
    );
}

// --- pass 2: rules ---------------------------------------------------------------------------

#[test]
fn rules_confirm_a_unique_exact_pair_with_the_same_reference() {
    let outcome = run(
        &[charge("ch_1", 5_000).with_fee(175).with_reference("ORD-7")],
        &[payment("a02a", 4_825).with_reference(" ord-7 ")],
    );
    let m = only_match(&outcome);
    assert_eq!(
        m.reason,
        Reason::Rule {
            basis: Basis::ProviderFee,
            days_apart: 1,
            reference: Evidence::Equal,
            counterparty: Evidence::Absent,
            statuses_agree: true,
            alternatives: 0,
        }
    );
    assert_eq!(
        m.to_string(),
        "Stripe charge ch_1 ↔ Payment__c a02a: no shared id; same reference, 1 day apart; \
         the 1.75 EUR difference is the provider fee"
    );
}

#[test]
fn without_a_reference_rules_only_suggest() {
    let outcome = run(
        &[charge("ch_1", 5_000).with_counterparty("cus_1")],
        &[payment("a02a", 5_000).with_counterparty("CUS_1")],
    );
    assert!(outcome.matches.is_empty());
    let s = &outcome.suggestions[0];
    assert!(matches!(
        s.reason,
        Reason::Rule {
            counterparty: Evidence::Equal,
            reference: Evidence::Absent,
            ..
        }
    ));
    assert!(s.score < 100);
}

#[test]
fn two_candidates_make_it_a_suggestion_and_the_other_is_missing() {
    let outcome = run(
        &[charge("ch_1", 5_000).with_reference("R"), charge("ch_2", 5_000)],
        &[payment("a02a", 5_000).with_reference("R")],
    );
    assert!(outcome.matches.is_empty());
    let s = &outcome.suggestions[0];
    assert_eq!(
        ids(&s.provider),
        ["ch_1"],
        "the reference makes ch_1 the better candidate"
    );
    assert!(s.to_string().contains("(1 other candidate)"), "{s}");
    assert_eq!(
        ids(&only_exception(&outcome, ExceptionKind::MissingInSalesforce).provider),
        ["ch_2"]
    );
}

#[test]
fn rules_never_confirm_across_statuses_and_say_why() {
    let outcome = run(
        &[charge("ch_1", 5_000)
            .with_reference("R")
            .with_status(Status::Pending)],
        &[payment("a02a", 5_000).with_reference("R")],
    );
    assert!(outcome.matches.is_empty());
    assert_eq!(
        outcome.suggestions[0].to_string(),
        "Stripe charge ch_1 ↔ Payment__c a02a: no shared id; same reference, 1 day apart, statuses differ; \
         amounts agree (50.00 EUR)"
    );
}

#[test]
fn a_different_reference_rules_a_pair_out() {
    let outcome = run(
        &[charge("ch_1", 5_000).with_reference("A")],
        &[payment("a02a", 5_000).with_reference("B")],
    );
    assert!(outcome.matches.is_empty() && outcome.suggestions.is_empty());
    assert_eq!(outcome.exceptions.len(), 2);
}

#[test]
fn outside_the_date_window_nothing_pairs() {
    let late = payment("a02a", 5_000).with_reference("R");
    let late = Record {
        date: day(20),
        ..late
    };
    let outcome = run(&[charge("ch_1", 5_000).with_reference("R")], &[late]);
    assert!(outcome.matches.is_empty() && outcome.suggestions.is_empty());
}

#[test]
fn a_record_claiming_an_absent_id_is_never_confirmed_by_rules() {
    let outcome = run(
        &[charge("ch_1", 5_000).with_reference("R")],
        &[payment("a02a", 5_000).with_reference("R").with_key("ch_other")],
    );
    assert!(outcome.matches.is_empty());
    assert_eq!(outcome.suggestions.len(), 1);
}

#[test]
fn a_close_amount_is_suggested_not_confirmed() {
    let outcome = run(
        &[charge("ch_1", 5_000).with_reference("R")],
        &[payment("a02a", 5_020).with_reference("R")],
    );
    assert!(outcome.matches.is_empty());
    assert_eq!(
        outcome.suggestions[0].reason.basis(),
        Basis::Tolerance { difference: 20 }
    );
}

#[test]
fn subset_search_suggests_an_invoice_paid_in_instalments() {
    let charges = [
        charge("ch_1", 1_000).with_counterparty("cus_1"),
        charge("ch_2", 2_500).with_counterparty("cus_1"),
        charge("ch_3", 4_000).with_counterparty("cus_1"),
    ];
    let invoice = Record::new(
        "a01i",
        Source::Salesforce,
        RecordKind::Invoice,
        Currency::EUR,
        5_000,
        day(2),
    )
    .with_counterparty("cus_1");
    let outcome = run(&charges, std::slice::from_ref(&invoice));
    assert!(outcome.matches.is_empty());
    assert_eq!(outcome.suggestions.len(), 1);
    let s = &outcome.suggestions[0];
    assert_eq!(
        (ids(&s.provider), s.strategy()),
        (vec!["ch_1", "ch_3"], Strategy::ManyToOne)
    );
    assert_eq!(
        ids(&only_exception(&outcome, ExceptionKind::MissingInSalesforce).provider),
        ["ch_2"]
    );

    let no_subsets = Rules {
        max_group: 1,
        ..Rules::default()
    };
    assert!(run_with(&charges, &[invoice], &no_subsets).suggestions.is_empty());
}

#[test]
fn subset_search_suggests_a_payout_of_several_payments() {
    let payout = Record::new(
        "po_1",
        Source::Stripe,
        RecordKind::Payout,
        Currency::EUR,
        2_850,
        day(2),
    )
    .with_reference("Payout March");
    let payments = [
        payment("a02a", 1_000).with_fee(50).with_reference("payout march"),
        payment("a02b", 2_000)
            .with_fee(100)
            .with_reference("payout march"),
    ];
    let outcome = run(&[payout], &payments);
    let s = &outcome.suggestions[0];
    assert_eq!(
        (s.strategy(), s.reason.basis()),
        (Strategy::OneToMany, Basis::SalesforceFee)
    );
}

// --- rules, tie-out, input order -------------------------------------------------------------

#[test]
fn rules_are_validated() {
    let bad = |rules: Rules| reconcile(&[], &[], &rules).err();
    let tolerance = Tolerance {
        minor: 0,
        basis_points: 10_001,
    };
    assert_eq!(
        bad(Rules {
            amount_tolerance: tolerance,
            ..Rules::default()
        }),
        Some(RulesError::ToleranceAbove100Percent { basis_points: 10_001 })
    );
    assert_eq!(
        bad(Rules {
            max_group: 0,
            ..Rules::default()
        }),
        Some(RulesError::MaxGroup { max_group: 0 })
    );
    assert_eq!(
        bad(Rules {
            max_group: 5,
            ..Rules::default()
        }),
        Some(RulesError::MaxGroup { max_group: 5 })
    );
    assert_eq!(
        bad(Rules {
            date_window_days: 400,
            ..Rules::default()
        })
        .map(|e| e.to_string()),
        Some("date window of 400 days is above 366".to_owned())
    );
}

#[test]
fn rules_load_from_partial_configuration() {
    let rules: Rules =
        serde_json::from_str(r#"{"date_window_days": 5, "amount_tolerance": {"basis_points": 25}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.date_window_days, 5);
    assert_eq!(
        rules.amount_tolerance,
        Tolerance {
            minor: 50,
            basis_points: 25
        }
    );
    assert_eq!(rules.max_group, 3);
    assert!(serde_json::from_str::<Rules>(r#"{"window": 5}"#).is_err());
}

#[test]
fn tolerance_takes_the_larger_allowance() {
    let t = Tolerance {
        minor: 50,
        basis_points: 10,
    };
    assert!(t.allows(100_000, 100_100));
    assert!(!t.allows(100_000, 100_101));
    assert!(t.allows(1_000, 1_050));
    assert!(!t.allows(1_000, 1_051));
}

#[test]
fn a_payout_ties_out_against_its_balance_transactions() {
    let payout = Record::new(
        "po_1",
        Source::Stripe,
        RecordKind::Payout,
        Currency::EUR,
        2_850,
        day(5),
    );
    let bt = |id: &str, amount, fee| {
        Record::new(
            id,
            Source::Stripe,
            RecordKind::BalanceTransaction,
            Currency::EUR,
            amount,
            day(3),
        )
        .with_fee(fee)
    };
    let tied = payout_tie_out(&payout, &[bt("txn_1", 1_000, 50), bt("txn_2", 2_000, 100)])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (tied.expected, tied.actual, tied.difference, tied.ties),
        (2_850, 2_850, 0, true)
    );

    let short = payout_tie_out(&payout, &[bt("txn_1", 1_000, 50)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((short.difference, short.ties), (-1_900, false));

    let usd = Record {
        currency: Currency::USD,
        ..bt("txn_3", 5, 0)
    };
    let err = payout_tie_out(&payout, &[usd]).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("balance transaction txn_3 is in USD, but payout po_1 is in EUR")
    );
}

#[test]
fn input_order_does_not_matter() {
    let provider = [
        charge("ch_2", 5_000).with_reference("R"),
        charge("ch_1", 5_000).with_reference("R"),
        charge("ch_3", 700),
    ];
    let salesforce = [
        payment("a02a", 5_000).with_reference("r"),
        payment("a02b", 700).with_key("ch_3"),
    ];
    let forward = run(&provider, &salesforce);
    let mut p = provider.to_vec();
    p.reverse();
    let mut s = salesforce.to_vec();
    s.reverse();
    assert_eq!(run(&p, &s), forward);
}

#[test]
fn an_empty_run_is_empty_and_balances() {
    let outcome = run(&[], &[]);
    assert!(outcome.matches.is_empty() && outcome.exceptions.is_empty() && outcome.totals.is_empty());
}

#[test]
fn outcomes_serialise_with_snake_case_tags() {
    let outcome = run(&[charge("ch_1", 1000)], &[payment("a02a", 1000).with_key("ch_1")]);
    let json = serde_json::to_value(&outcome).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["matches"][0]["reason"]["by"], "shared_id");
    assert_eq!(json["matches"][0]["reason"]["basis"]["kind"], "equal");
    assert_eq!(json["matches"][0]["provider"][0]["source"], "stripe");
    let back: Outcome = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, outcome);
}

#[test]
fn a_second_booking_without_the_id_is_a_duplicate_of_the_matched_one() {
    let outcome = run(
        &[charge("ch_1", 1000).with_counterparty("cus_1")],
        &[
            payment("a02a", 1000).with_key("ch_1").with_counterparty("cus_1"),
            payment("a02b", 1000).with_counterparty("cus_1"),
            payment("a02c", 1000).with_counterparty("cus_2"),
        ],
    );
    assert_eq!(outcome.matches.len(), 1);
    let dup = only_exception(&outcome, ExceptionKind::Duplicate);
    assert_eq!(ids(&dup.salesforce), ["a02b"]);
    assert!(
        dup.explanation.contains("repeats Payment__c a02a"),
        "{}",
        dup.explanation
    );
    // Another counterparty is not a repeat: it is missing at the provider.
    let missing = only_exception(&outcome, ExceptionKind::MissingAtProvider);
    assert_eq!(ids(&missing.salesforce), ["a02c"]);
    assert!(outcome.balances());
}
