//! Loads a [`DemoPlan`](super::plan::DemoPlan) into the running simulators through their seeding
//! APIs, and writes down in the manifest exactly which records carry the deliberate problems.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::plan::{self, DemoPlan, PaymentStatus, PlanPayee, UNDERFUNDED};
use super::{DemoConfig, DemoCounts, DemoManifest, Discrepancy, DiscrepancyKind, InvalidRecipient};
use crate::checkout::NewPayment as CheckoutPayment;
use crate::error::SandboxError;
use crate::maldopay::{NewTransaction, TxStatus, TxType};
use crate::payoneer::{NewPayee, PayeeStatus, PayoutFailure};
use crate::sandbox::Sandbox;
use crate::stripe::{NewCustomer, NewPayment, NewPrice, NewProduct, PaymentStatus as StripeStatus};

/// Whether the sandbox already holds data (e.g. restored from its state directory).
pub fn already_seeded(sandbox: &Sandbox) -> bool {
    !sandbox.stripe.objects("customer").is_empty()
}

/// Seeds the demo into `sandbox` and returns the manifest of what was made.
pub fn seed(
    sandbox: &Sandbox,
    config: &DemoConfig,
    now: DateTime<Utc>,
) -> Result<DemoManifest, SandboxError> {
    let plan = plan::plan(config, now);
    let mut counts = DemoCounts::default();
    seed_currencies(sandbox, &plan)?;
    let customers = seed_customers(sandbox, &plan, &mut counts)?;
    let discrepancies = seed_payments(sandbox, &plan, &customers, &mut counts)?;
    seed_subscriptions(sandbox, &plan, &customers, &mut counts)?;
    seed_payouts(sandbox, &plan, &mut counts);
    let (invalid_recipients, payees_by_status) = seed_payees(sandbox, &plan, &mut counts)?;
    seed_other_providers(sandbox, &plan, &mut counts);
    let currencies: BTreeSet<String> = plan
        .payments
        .iter()
        .map(|p| p.currency.code().to_owned())
        .collect();
    Ok(DemoManifest {
        seed: config.seed,
        currencies: currencies.into_iter().collect(),
        counts,
        discrepancies,
        invalid_recipients,
        payees_by_status,
        underfunded_currencies: vec![UNDERFUNDED.to_owned()],
    })
}

/// Salesforce's datetime format.
fn sf_datetime(at: DateTime<Utc>) -> Value {
    Value::String(
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
            .replace('Z', "+0000"),
    )
}

fn sf_date(at: DateTime<Utc>) -> Value {
    Value::String(at.format("%Y-%m-%d").to_string())
}

/// An exact decimal amount as a JSON number (Salesforce currency fields are numbers).
fn sf_amount(minor: i64, exponent: u32) -> Value {
    let text = Decimal::new(minor, exponent).to_string();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn exponent(code: &str) -> u32 {
    paysync_core::Currency::from_code(code)
        .and_then(|c| c.exponent())
        .unwrap_or(2)
}

fn fields(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// USD→currency rates of the demo, as Salesforce `CurrencyType` rows (USD is the corporate currency).
fn seed_currencies(sandbox: &Sandbox, plan: &DemoPlan) -> Result<(), SandboxError> {
    let origin = plan.customers.iter().map(|c| c.created).min().unwrap_or_default();
    let existing: BTreeSet<String> = sandbox
        .salesforce
        .records("CurrencyType")
        .iter()
        .filter_map(|r| r.get("IsoCode").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for (code, num, den) in plan::CURRENCIES {
        if existing.contains(code) {
            continue;
        }
        // Rates are per US dollar; minor-unit ratios scale by the exponents' difference.
        let e = exponent(code);
        let rate = Decimal::new(num * 100, 0) / Decimal::new(den, 0) / Decimal::new(10_i64.pow(e), 0);
        sandbox.salesforce.insert_record(
            "CurrencyType",
            fields(vec![
                ("IsoCode", json!(code)),
                (
                    "ConversionRate",
                    serde_json::from_str(&rate.normalize().to_string()).unwrap_or(Value::Null),
                ),
                ("DecimalPlaces", json!(e)),
                ("IsActive", json!(true)),
                ("IsCorporate", json!(false)),
            ]),
            origin,
        )?;
    }
    Ok(())
}

/// Ids created for each planned customer.
struct CustomerIds {
    stripe: String,
    account: String,
}

fn seed_customers(
    sandbox: &Sandbox,
    plan: &DemoPlan,
    counts: &mut DemoCounts,
) -> Result<Vec<CustomerIds>, SandboxError> {
    let sf = &sandbox.salesforce;
    plan.customers
        .iter()
        .map(|c| {
            let account = sf.insert_record(
                "Account",
                fields(vec![
                    ("Name", json!(c.company)),
                    ("BillingCountry", json!(c.country)),
                    (
                        "Website",
                        json!(format!(
                            "https://{}",
                            c.email.split('@').nth(1).unwrap_or("example.example")
                        )),
                    ),
                    ("CurrencyIsoCode", json!(c.currency.code())),
                ]),
                c.created,
            )?;
            let mut metadata = BTreeMap::new();
            if c.linked_in_salesforce {
                metadata.insert("salesforce_account_id".to_owned(), account.clone());
            }
            let stripe = sandbox.stripe.insert_customer(NewCustomer {
                email: Some(c.email.clone()),
                name: Some(format!("{} {}", c.first_name, c.last_name)),
                metadata,
                created: c.created,
            });
            if c.linked_in_salesforce {
                sf.update_record(
                    "Account",
                    &account,
                    fields(vec![("Stripe_Customer_Id__c", json!(stripe))]),
                    c.created,
                )?;
            }
            sf.insert_record(
                "Contact",
                fields(vec![
                    ("FirstName", json!(c.first_name)),
                    ("LastName", json!(c.last_name)),
                    ("Email", json!(c.email)),
                    ("AccountId", json!(account)),
                    ("MailingCountry", json!(c.country)),
                ]),
                c.created,
            )?;
            counts.customers += 1;
            Ok(CustomerIds { stripe, account })
        })
        .collect()
}

fn sf_status(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Succeeded => "Completed",
        PaymentStatus::Failed => "Failed",
        PaymentStatus::Pending => "Pending",
    }
}

fn seed_payments(
    sandbox: &Sandbox,
    plan: &DemoPlan,
    customers: &[CustomerIds],
    counts: &mut DemoCounts,
) -> Result<Vec<Discrepancy>, SandboxError> {
    let sf = &sandbox.salesforce;
    let mut discrepancies = Vec::new();
    for p in &plan.payments {
        let code = p.currency.code();
        let mut metadata = BTreeMap::new();
        if let Some(order) = &p.order_id {
            metadata.insert("order_id".to_owned(), order.clone());
        }
        let (_, charge) = sandbox.stripe.insert_payment(NewPayment {
            customer: Some(customers[p.customer].stripe.clone()),
            amount: p.amount_minor,
            currency: code.to_lowercase(),
            status: match p.status {
                PaymentStatus::Succeeded => StripeStatus::Succeeded,
                PaymentStatus::Failed => StripeStatus::Failed,
                PaymentStatus::Pending => StripeStatus::Pending,
            },
            description: p.order_id.as_ref().map(|o| format!("Order {o}")),
            metadata,
            created: p.created,
        })?;
        counts.payments += 1;
        let refunded = match p.refund {
            Some((amount, at)) => {
                let refund = sandbox.stripe.insert_refund(&charge, amount, at)?;
                counts.refunds += 1;
                Some((refund, amount, at))
            }
            None => None,
        };
        if let Some(at) = p.dispute {
            let dispute =
                sandbox
                    .stripe
                    .insert_dispute(&charge, p.amount_minor, "fraudulent", "needs_response", at)?;
            counts.disputes += 1;
            // Booked as Paysync's Stripe → Salesforce flow would (its payment link is left to it).
            sf.insert_record(
                "Dispute__c",
                fields(vec![
                    ("Stripe_Dispute_Id__c", json!(dispute)),
                    ("Amount__c", sf_amount(p.amount_minor, exponent(code))),
                    ("Currency__c", json!(code)),
                    ("Status__c", json!("needs_response")),
                    ("Reason__c", json!("fraudulent")),
                ]),
                at + Duration::minutes(2),
            )?;
        }
        if p.discrepancy == Some(DiscrepancyKind::MissingInSalesforce) {
            discrepancies.push(Discrepancy {
                kind: DiscrepancyKind::MissingInSalesforce,
                provider: "stripe".into(),
                provider_id: Some(charge.clone()),
                salesforce_ids: vec![],
                payment_key: p.key.clone(),
                detail: format!("charge {charge} has no Payment__c in Salesforce"),
            });
            continue;
        }
        let e = exponent(code);
        let (amount, status) = match p.discrepancy {
            // A typo-sized difference: one major unit more in Salesforce.
            Some(DiscrepancyKind::AmountMismatch) => (p.amount_minor + 10_i64.pow(e), "Completed"),
            Some(DiscrepancyKind::StatusMismatch) => (p.amount_minor, "Pending"),
            _ => (p.amount_minor, sf_status(p.status)),
        };
        let account = &customers[p.customer].account;
        let record = |key: String, charge_id: Option<&str>, description: &str| {
            fields(vec![
                ("Paysync_Key__c", json!(key)),
                ("Stripe_Charge_Id__c", charge_id.map_or(Value::Null, |c| json!(c))),
                ("Provider__c", json!("Stripe")),
                ("Amount__c", sf_amount(amount, e)),
                ("Currency__c", json!(code)),
                ("Status__c", json!(status)),
                (
                    "Refunded_Amount__c",
                    refunded
                        .as_ref()
                        .map_or(Value::Null, |(_, a, _)| sf_amount(*a, e)),
                ),
                ("Paid_At__c", sf_datetime(p.created)),
                ("Account__c", json!(account)),
                ("Description__c", json!(description)),
            ])
        };
        let payment_id = sf.insert_record(
            "Payment__c",
            record(format!("stripe:{charge}"), Some(&charge), "Card payment"),
            p.created + Duration::minutes(2),
        )?;
        counts.salesforce_payments += 1;
        if let Some((refund, amount, at)) = &refunded {
            sf.insert_record(
                "Refund__c",
                fields(vec![
                    ("Stripe_Refund_Id__c", json!(refund)),
                    ("Payment__c", json!(payment_id)),
                    ("Amount__c", sf_amount(*amount, e)),
                    ("Currency__c", json!(code)),
                    ("Status__c", json!("succeeded")),
                    ("Reason__c", json!("requested_by_customer")),
                ]),
                *at + Duration::minutes(2),
            )?;
        }
        let Some(kind) = p.discrepancy else { continue };
        let mut salesforce_ids = vec![payment_id];
        if kind == DiscrepancyKind::Duplicate {
            let dup = sf.insert_record(
                "Payment__c",
                record(format!("manual:{}", p.key), None, "Manual entry"),
                p.created + Duration::hours(3),
            )?;
            counts.salesforce_payments += 1;
            salesforce_ids.push(dup);
        }
        discrepancies.push(Discrepancy {
            kind,
            provider: "stripe".into(),
            provider_id: Some(charge.clone()),
            salesforce_ids,
            payment_key: p.key.clone(),
            detail: match kind {
                DiscrepancyKind::AmountMismatch => {
                    format!("Salesforce records one {code} more than charge {charge}")
                }
                DiscrepancyKind::StatusMismatch => {
                    format!("charge {charge} succeeded; Salesforce says Pending")
                }
                _ => format!("charge {charge} is recorded twice in Salesforce (one manual entry)"),
            },
        });
    }
    for (i, p) in plan.phantom_payments.iter().enumerate() {
        let code = p.currency.code();
        let fake = format!("ch_demoMissing{i:04}");
        let id = sf.insert_record(
            "Payment__c",
            fields(vec![
                ("Paysync_Key__c", json!(format!("stripe:{fake}"))),
                ("Stripe_Charge_Id__c", json!(fake)),
                ("Provider__c", json!("Stripe")),
                ("Amount__c", sf_amount(p.amount_minor, exponent(code))),
                ("Currency__c", json!(code)),
                ("Status__c", json!("Completed")),
                ("Paid_At__c", sf_datetime(p.created)),
                ("Account__c", json!(customers[p.customer].account)),
                ("Description__c", json!("Card payment")),
            ]),
            p.created,
        )?;
        counts.salesforce_payments += 1;
        discrepancies.push(Discrepancy {
            kind: DiscrepancyKind::MissingAtProvider,
            provider: "stripe".into(),
            provider_id: Some(fake.clone()),
            salesforce_ids: vec![id],
            payment_key: p.key.clone(),
            detail: format!("Payment__c points at {fake}, which Stripe does not have"),
        });
    }
    discrepancies.sort_by(|a, b| (a.kind, &a.payment_key).cmp(&(b.kind, &b.payment_key)));
    Ok(discrepancies)
}

/// Plan tiers: (name, monthly price in US cents).
const TIERS: [(&str, i64); 3] = [("Starter", 2_900), ("Growth", 9_900), ("Scale", 29_900)];

fn seed_subscriptions(
    sandbox: &Sandbox,
    plan: &DemoPlan,
    customers: &[CustomerIds],
    counts: &mut DemoCounts,
) -> Result<(), SandboxError> {
    let sf = &sandbox.salesforce;
    let origin = plan.customers.iter().map(|c| c.created).min().unwrap_or_default();
    // Every org has a standard price book; use it rather than making a second.
    let pricebook = match sf
        .records("Pricebook2")
        .iter()
        .find_map(|r| r.get("Id").and_then(Value::as_str))
    {
        Some(id) => id.to_owned(),
        None => sf.insert_record(
            "Pricebook2",
            fields(vec![
                ("Name", json!("Standard Price Book")),
                ("IsActive", json!(true)),
            ]),
            origin,
        )?,
    };
    // One product per tier, one monthly price per tier and currency, mirrored in Salesforce.
    let mut prices: BTreeMap<(usize, String), (String, String)> = BTreeMap::new();
    for (t, (name, usd_cents)) in TIERS.iter().enumerate() {
        let product = sandbox.stripe.insert_product(NewProduct {
            name: format!("Paysync demo {name}"),
            description: Some(format!("{name} plan, billed monthly")),
            metadata: BTreeMap::new(),
            created: origin,
        });
        let product2 = sf.insert_record(
            "Product2",
            fields(vec![
                ("Name", json!(format!("{name} plan"))),
                ("ProductCode", json!(name.to_uppercase())),
                ("IsActive", json!(true)),
                ("Stripe_Product_Id__c", json!(product)),
            ]),
            origin,
        )?;
        for (code, _, _) in plan::CURRENCIES {
            let amount = plan::amount_in(code, *usd_cents);
            let price = sandbox.stripe.insert_price(NewPrice {
                product: product.clone(),
                unit_amount: amount,
                currency: code.to_lowercase(),
                interval: Some("month".into()),
                interval_count: 1,
                metadata: BTreeMap::new(),
                created: origin,
            })?;
            let entry = sf.insert_record(
                "PricebookEntry",
                fields(vec![
                    ("Product2Id", json!(product2)),
                    ("Pricebook2Id", json!(pricebook)),
                    ("UnitPrice", sf_amount(amount, exponent(code))),
                    ("CurrencyIsoCode", json!(code)),
                    ("Stripe_Price_Id__c", json!(price)),
                ]),
                origin,
            )?;
            prices.insert((t, code.to_owned()), (price, entry));
        }
    }
    for (n, (customer, started)) in plan.subscriptions.iter().enumerate() {
        let c = &plan.customers[*customer];
        let tier = n % TIERS.len();
        let Some((price, entry)) = prices.get(&(tier, c.currency.code().to_owned())) else {
            continue;
        };
        let subscription =
            sandbox
                .stripe
                .insert_subscription(&customers[*customer].stripe, price, *started)?;
        counts.subscriptions += 1;
        // The deal that sold it: a Closed Won opportunity with its line item.
        let amount = plan::amount_in(c.currency.code(), TIERS[tier].1);
        let opportunity = sf.insert_record(
            "Opportunity",
            fields(vec![
                ("Name", json!(format!("{} — {} plan", c.company, TIERS[tier].0))),
                ("StageName", json!("Closed Won")),
                ("CloseDate", sf_date(*started)),
                ("Amount", sf_amount(amount, exponent(c.currency.code()))),
                ("AccountId", json!(customers[*customer].account)),
                ("CurrencyIsoCode", json!(c.currency.code())),
                ("Stripe_Subscription_Id__c", json!(subscription)),
            ]),
            *started - Duration::days(2),
        )?;
        sf.insert_record(
            "OpportunityLineItem",
            fields(vec![
                ("OpportunityId", json!(opportunity)),
                ("PricebookEntryId", json!(entry)),
                ("Quantity", json!(1)),
                ("UnitPrice", sf_amount(amount, exponent(c.currency.code()))),
            ]),
            *started - Duration::days(2),
        )?;
    }
    // Deals still in the pipeline, for the customers without a subscription.
    for (i, c) in plan.customers.iter().enumerate().filter(|(i, _)| i % 4 == 1) {
        let stage = [
            "Prospecting",
            "Qualification",
            "Proposal/Price Quote",
            "Negotiation/Review",
        ][i % 4];
        sf.insert_record(
            "Opportunity",
            fields(vec![
                ("Name", json!(format!("{} — renewal", c.company))),
                ("StageName", json!(stage)),
                ("CloseDate", sf_date(c.created + Duration::days(120))),
                ("AccountId", json!(customers[i].account)),
                ("CurrencyIsoCode", json!(c.currency.code())),
            ]),
            c.created,
        )?;
    }
    Ok(())
}

/// Weekly automatic payouts per currency; a week with nothing available simply has no payout.
fn seed_payouts(sandbox: &Sandbox, plan: &DemoPlan, counts: &mut DemoCounts) {
    for at in &plan.payout_times {
        for (code, _, _) in plan::CURRENCIES {
            let has_funds = plan.payments.iter().any(|p| {
                p.currency.code() == code
                    && p.status == PaymentStatus::Succeeded
                    && p.created < *at - Duration::days(2)
            });
            if has_funds
                && sandbox
                    .stripe
                    .insert_payout(None, &code.to_lowercase(), *at, "paid")
                    .is_ok()
            {
                counts.payouts += 1;
            }
        }
    }
}

fn payee_status(status: &str) -> PayeeStatus {
    match status {
        "pending" => PayeeStatus::Pending,
        "inactive" => PayeeStatus::Inactive,
        _ => PayeeStatus::Active,
    }
}

type PayeeSeed = (Vec<InvalidRecipient>, BTreeMap<String, Vec<String>>);

fn seed_payees(
    sandbox: &Sandbox,
    plan: &DemoPlan,
    counts: &mut DemoCounts,
) -> Result<PayeeSeed, SandboxError> {
    let sf = &sandbox.salesforce;
    let po = &sandbox.payoneer;
    let origin = plan.payees.iter().map(|p| p.created).min().unwrap_or_default();
    let vendors = sf.insert_record(
        "Account",
        fields(vec![
            ("Name", json!("Independent contractors")),
            ("BillingCountry", json!("US")),
        ]),
        origin,
    )?;
    let mut by_status: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut contacts = Vec::with_capacity(plan.payees.len());
    for (i, p) in plan.payees.iter().enumerate() {
        if p.exists_at_payoneer {
            let reasons = match p.status {
                "pending" => vec!["Identity verification in progress".to_owned()],
                "inactive" => vec!["Application declined: documents could not be verified".to_owned()],
                _ => vec![],
            };
            po.insert_payee(
                NewPayee {
                    payee_id: p.payee_id.clone(),
                    status: payee_status(p.status),
                    reasons,
                    email: p.email.clone(),
                    country: p.country.clone().unwrap_or_else(|| "US".into()),
                    payout_currency: p.payout_currency.to_owned(),
                    // Two ordinary payees whose bank rejects every payout, to exercise failures.
                    fail_payouts_with: (p.problem.is_none() && i % 17 == 3).then(|| PayoutFailure {
                        code: 10_005,
                        description: "Bank account closed".into(),
                    }),
                },
                p.created,
            );
            by_status
                .entry(p.status.to_owned())
                .or_default()
                .push(p.payee_id.clone());
            counts.payees += 1;
        }
        contacts.push(seed_vendor_contact(sandbox, p, &vendors)?);
    }
    let mut approved: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut approved_totals: BTreeMap<&str, i64> = BTreeMap::new();
    // The requests are approved in Salesforce by a finance maker, not by the sandbox's own user
    // (who checks payout batches in the console).
    let admin = sf.user();
    sf.set_user(crate::salesforce::OrgUser {
        user_id: super::DEMO_MAKER_USER_ID.to_owned(),
        name: "Finance Maker".to_owned(),
        email: "maker@paysync-sandbox.example".to_owned(),
        username: "maker@paysync-sandbox.example".to_owned(),
        ..admin.clone()
    });
    let requests = seed_requests(
        sf,
        plan,
        &contacts,
        &vendors,
        counts,
        &mut approved,
        &mut approved_totals,
    );
    sf.set_user(admin);
    requests?;
    // Enough money for everything approved, except in the deliberately underfunded currency.
    for code in plan::PAYOUT_CURRENCIES {
        let total = approved_totals.get(code).copied().unwrap_or(0);
        let funded = if code == UNDERFUNDED { total / 4 } else { total * 3 };
        po.set_balance(code, Decimal::new(funded, exponent(code)));
        po.set_fee(code, Decimal::new(150, 2));
    }
    for (from, to, rate) in [
        ("USD", "EUR", 92),
        ("USD", "GBP", 79),
        ("EUR", "USD", 109),
        ("GBP", "USD", 127),
    ] {
        po.set_fx_rate(from, to, Decimal::new(rate, 2));
    }
    let invalid = plan
        .payees
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.problem.map(|problem| InvalidRecipient {
                problem,
                contact_id: contacts[i].clone(),
                payee_id: Some(p.payee_id.clone()),
                payment_request_ids: approved.get(&i).cloned().unwrap_or_default(),
            })
        })
        .collect();
    Ok((invalid, by_status))
}

/// The demo's payment requests, as the current Salesforce user.
fn seed_requests<'p>(
    sf: &crate::salesforce::SalesforceSim,
    plan: &'p DemoPlan,
    contacts: &[String],
    vendors: &str,
    counts: &mut DemoCounts,
    approved: &mut BTreeMap<usize, Vec<String>>,
    approved_totals: &mut BTreeMap<&'p str, i64>,
) -> Result<(), SandboxError> {
    for (n, r) in plan.payment_requests.iter().enumerate() {
        let e = exponent(r.currency);
        let id = sf.insert_record(
            "Payment_Request__c",
            fields(vec![
                ("Status__c", json!(r.status)),
                ("Amount__c", sf_amount(r.amount_minor, e)),
                ("Currency__c", json!(r.currency)),
                ("Contact__c", json!(contacts[r.payee])),
                ("Account__c", json!(vendors)),
                (
                    "Description__c",
                    json!(format!("Invoice INV-{:05} — services", 40_000 + n)),
                ),
                ("Due_Date__c", sf_date(r.created + Duration::days(14))),
                (
                    "Rejection_Reason__c",
                    if r.status == "Rejected" {
                        json!("Duplicate of an earlier request")
                    } else {
                        Value::Null
                    },
                ),
            ]),
            r.created,
        )?;
        counts.payment_requests += 1;
        if r.status == "Approved for Payout" {
            approved.entry(r.payee).or_default().push(id);
            *approved_totals.entry(r.currency).or_default() += r.amount_minor;
        }
    }
    Ok(())
}

fn seed_vendor_contact(sandbox: &Sandbox, p: &PlanPayee, vendors: &str) -> Result<String, SandboxError> {
    sandbox.salesforce.insert_record(
        "Contact",
        fields(vec![
            ("FirstName", json!(p.first_name)),
            ("LastName", json!(p.last_name)),
            (
                "Email",
                if p.email.is_empty() {
                    Value::Null
                } else {
                    json!(p.email)
                },
            ),
            ("AccountId", json!(vendors)),
            (
                "MailingCountry",
                p.country.as_ref().map_or(Value::Null, |c| json!(c)),
            ),
            ("Payoneer_Payee_Id__c", json!(p.payee_id)),
            ("Payout_Blocked__c", json!(p.blocked)),
        ]),
        p.created,
    )
}

fn checkout_status(name: &str) -> crate::checkout::PaymentStatus {
    use crate::checkout::PaymentStatus as S;
    match name {
        "Declined" => S::Declined,
        "Refunded" => S::Refunded,
        "Authorized" => S::Authorized,
        _ => S::Captured,
    }
}

fn maldopay_service(deposit: bool, currency: &str) -> u32 {
    match (deposit, currency) {
        (true, "BRL") => 2157,  // PixMaldo
        (true, "TRY") => 2078,  // PayFix
        (true, _) => 2086,      // MaldoPay open banking
        (false, "TRY") => 2079, // PayFix withdraw
        (false, _) => 2091,     // open banking withdraw
    }
}

fn seed_other_providers(sandbox: &Sandbox, plan: &DemoPlan, counts: &mut DemoCounts) {
    for p in &plan.checkout_payments {
        sandbox.checkout.insert_payment(CheckoutPayment {
            amount: p.amount_minor,
            currency: p.currency.to_owned(),
            reference: Some(p.reference.clone()),
            status: checkout_status(p.status),
            customer_email: None,
            metadata: Map::new(),
            created: p.created,
        });
        counts.checkout_payments += 1;
    }
    for t in &plan.maldopay_transactions {
        let deposit = t.reference.starts_with("DEP");
        sandbox.maldopay.insert_transaction(NewTransaction {
            kind: if deposit {
                TxType::Deposit
            } else {
                TxType::Withdraw
            },
            service_id: maldopay_service(deposit, t.currency),
            amount: t.amount_minor,
            currency: t.currency.to_owned(),
            reference_order_id: t.reference.clone(),
            status: match t.status {
                "PENDING" => TxStatus::Pending,
                "DECLINED" => TxStatus::Declined,
                "CANCELED" => TxStatus::Canceled,
                _ => TxStatus::Confirmed,
            },
            created: t.created,
        });
        counts.maldopay_transactions += 1;
    }
}
