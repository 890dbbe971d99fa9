//! The demo plan: every customer, payment, payee and deliberate problem, decided from the seed
//! alone, before anything touches a simulator. Pure, so it is tested on its own.

use chrono::{DateTime, Duration, Utc};
use paysync_core::{Currency, RandomSource, SeededRandom};

use super::{DemoConfig, DiscrepancyKind, RecipientProblem};

/// Currencies of the Stripe demo payments, with USD→currency rates as (numerator, denominator) of
/// minor units per US cent, so amounts are computed in integers.
pub const CURRENCIES: [(&str, i64, i64); 9] = [
    ("USD", 1, 1),
    ("EUR", 92, 100),
    ("GBP", 79, 100),
    ("JPY", 150, 100),
    ("KWD", 307, 100),
    ("CAD", 137, 100),
    ("AUD", 152, 100),
    ("CHF", 88, 100),
    ("SEK", 1_050, 100),
];

/// Currencies of payout requests.
pub const PAYOUT_CURRENCIES: [&str; 3] = ["USD", "EUR", "GBP"];

/// The currency whose Payoneer balance is deliberately short.
pub const UNDERFUNDED: &str = "GBP";

const FIRST: [&str; 20] = [
    "Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luis",
    "Maya", "Nikolai", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Yuki",
];
const LAST: [&str; 20] = [
    "Almeida", "Bauer", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber",
];
const COMPANY_A: [&str; 12] = [
    "Acme",
    "Blue Harbor",
    "Cobalt",
    "Driftwood",
    "Evergreen",
    "Falcon",
    "Granite",
    "Helix",
    "Ironbark",
    "Juniper",
    "Kestrel",
    "Lumen",
];
const COMPANY_B: [&str; 8] = [
    "Logistics",
    "Analytics",
    "Studios",
    "Foods",
    "Labs",
    "Outfitters",
    "Health",
    "Systems",
];
const COUNTRIES: [&str; 9] = ["US", "DE", "GB", "JP", "KW", "CA", "AU", "CH", "SE"];

/// A Stripe customer with its Salesforce Account and Contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCustomer {
    /// Stable key, e.g. `cust-0001`.
    pub key: String,
    /// Company name (the Account).
    pub company: String,
    /// Contact first name.
    pub first_name: String,
    /// Contact last name.
    pub last_name: String,
    /// Contact email (fictional `.example` domain).
    pub email: String,
    /// ISO country code.
    pub country: String,
    /// The customer's currency.
    pub currency: Currency,
    /// Whether the Salesforce Account already carries the Stripe customer id (else matched by email).
    pub linked_in_salesforce: bool,
    /// When the customer was created.
    pub created: DateTime<Utc>,
}

/// A Stripe payment outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Money captured.
    Succeeded,
    /// Declined.
    Failed,
    /// Still processing.
    Pending,
}

/// A Stripe payment (PaymentIntent + Charge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPayment {
    /// Stable key, e.g. `pay-00001`.
    pub key: String,
    /// Index into the customers.
    pub customer: usize,
    /// Amount in the currency's minor units (Stripe-valid: three-decimal amounts end in 0).
    pub amount_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// Outcome.
    pub status: PaymentStatus,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// An order reference in metadata, for some payments.
    pub order_id: Option<String>,
    /// A refund (amount, when), for some succeeded payments.
    pub refund: Option<(i64, DateTime<Utc>)>,
    /// A dispute opened (when), for a few succeeded payments.
    pub dispute: Option<DateTime<Utc>>,
    /// A deliberate Salesforce-side discrepancy.
    pub discrepancy: Option<DiscrepancyKind>,
}

/// A Payoneer payee and its Salesforce vendor Contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPayee {
    /// The payee id (also on the Contact), e.g. `vendor-0001`.
    pub payee_id: String,
    /// `active`, `pending` or `inactive`.
    pub status: &'static str,
    /// Vendor name.
    pub first_name: String,
    /// Vendor surname.
    pub last_name: String,
    /// Contact email (empty for the deliberately broken records).
    pub email: String,
    /// Mailing country (possibly deliberately missing).
    pub country: Option<String>,
    /// The currency the payee is paid out in.
    pub payout_currency: &'static str,
    /// Whether the payee exists at Payoneer at all.
    pub exists_at_payoneer: bool,
    /// Whether the Contact is blocked from payouts.
    pub blocked: bool,
    /// The deliberate problem, if any.
    pub problem: Option<RecipientProblem>,
    /// When the payee registered.
    pub created: DateTime<Utc>,
}

/// A Salesforce payment request to pay a payee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPaymentRequest {
    /// Index into the payees.
    pub payee: usize,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: &'static str,
    /// Salesforce status.
    pub status: &'static str,
    /// When it was raised.
    pub created: DateTime<Utc>,
}

/// A Checkout.com or MaldoPay payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOtherPayment {
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: &'static str,
    /// Provider status name.
    pub status: &'static str,
    /// Reference.
    pub reference: String,
    /// When it was made.
    pub created: DateTime<Utc>,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPlan {
    /// Customers.
    pub customers: Vec<PlanCustomer>,
    /// Stripe payments.
    pub payments: Vec<PlanPayment>,
    /// Customers (indexes) with a monthly subscription, and when it started.
    pub subscriptions: Vec<(usize, DateTime<Utc>)>,
    /// Salesforce-only payments that Stripe never saw (missing at the provider).
    pub phantom_payments: Vec<PlanPayment>,
    /// Payees.
    pub payees: Vec<PlanPayee>,
    /// Payment requests.
    pub payment_requests: Vec<PlanPaymentRequest>,
    /// Checkout.com payments.
    pub checkout_payments: Vec<PlanOtherPayment>,
    /// MaldoPay transactions (deposits and withdrawals).
    pub maldopay_transactions: Vec<PlanOtherPayment>,
    /// Weekly Stripe payout times.
    pub payout_times: Vec<DateTime<Utc>>,
}

fn pick<'a, T>(rng: &dyn RandomSource, items: &'a [T]) -> &'a T {
    let i = usize::try_from(rng.below(items.len() as u64)).unwrap_or(0);
    &items[i]
}

/// True with probability `percent` %.
fn chance(rng: &dyn RandomSource, percent: u64) -> bool {
    rng.below(100) < percent
}

fn currency(code: &str) -> Currency {
    Currency::from_code(code).unwrap_or(Currency::USD)
}

/// A time in the last `days` days, uniformly, to the second.
fn some_time(rng: &dyn RandomSource, now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let span = i64::from(days.max(1)) * 86_400;
    now - Duration::seconds(i64::try_from(rng.below(span.unsigned_abs())).unwrap_or(0) + 60)
}

/// Converts a USD-cent amount to `code` minor units, rounded to what Stripe accepts.
pub fn amount_in(code: &str, usd_cents: i64) -> i64 {
    let (_, num, den) = CURRENCIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .copied()
        .unwrap_or(("USD", 1, 1));
    let minor = usd_cents * num / den;
    // Three-decimal currencies must end in 0 at Stripe and Checkout.com.
    if currency(code).exponent().unwrap_or(2) == 3 {
        (minor / 10).max(1) * 10
    } else {
        minor.max(1)
    }
}

/// Decides the whole demo from `config.seed`, relative to `now`.
pub fn plan(config: &DemoConfig, now: DateTime<Utc>) -> DemoPlan {
    let rng = SeededRandom::new(config.seed);
    let rng: &dyn RandomSource = &rng;
    let days = config.days.max(1);
    let customers: Vec<PlanCustomer> = (0..config.customers.max(1))
        .map(|i| {
            let (first, last) = (pick(rng, &FIRST).to_string(), pick(rng, &LAST).to_string());
            let company = format!("{} {}", pick(rng, &COMPANY_A), pick(rng, &COMPANY_B));
            let slot = usize::try_from(rng.below(CURRENCIES.len() as u64)).unwrap_or(0);
            let domain = company.to_lowercase().replace(' ', "-");
            PlanCustomer {
                key: format!("cust-{i:04}"),
                email: format!("{}.{}.{i}@{domain}.example", ascii(&first), ascii(&last)),
                company: format!("{company} {}", i + 1),
                first_name: first,
                last_name: last,
                country: COUNTRIES[slot].to_owned(),
                currency: currency(CURRENCIES[slot].0),
                linked_in_salesforce: chance(rng, 85),
                created: now
                    - Duration::days(i64::from(days))
                    - Duration::days(i64::try_from(rng.below(200)).unwrap_or(0)),
            }
        })
        .collect();
    let mut payments: Vec<PlanPayment> = (0..config.payments)
        .map(|i| {
            let customer = usize::try_from(rng.below(customers.len() as u64)).unwrap_or(0);
            let c = &customers[customer];
            let usd_cents = 500 + i64::try_from(rng.below(150_000)).unwrap_or(0);
            let status = match rng.below(100) {
                0..=89 => PaymentStatus::Succeeded,
                90..=96 => PaymentStatus::Failed,
                _ => PaymentStatus::Pending,
            };
            let created = some_time(rng, now, days);
            let succeeded = status == PaymentStatus::Succeeded;
            let amount_minor = amount_in(c.currency.code(), usd_cents);
            let refund = (succeeded && chance(rng, 5)).then(|| {
                let part = if chance(rng, 50) {
                    amount_minor
                } else {
                    amount_in(c.currency.code(), usd_cents / 2)
                };
                (
                    part.min(amount_minor),
                    created + Duration::hours(1 + i64::try_from(rng.below(240)).unwrap_or(0)),
                )
            });
            let dispute = (succeeded && refund.is_none() && chance(rng, 1))
                .then(|| created + Duration::days(1 + i64::try_from(rng.below(20)).unwrap_or(0)));
            PlanPayment {
                key: format!("pay-{i:05}"),
                customer,
                amount_minor,
                currency: c.currency,
                status,
                created,
                order_id: chance(rng, 40).then(|| format!("ORD-{:06}", 100_000 + i)),
                refund: refund.filter(|(_, at)| *at < now),
                dispute: dispute.filter(|at| *at < now),
                discrepancy: None,
            }
        })
        .collect();
    let phantom_payments = assign_discrepancies(rng, &mut payments, &customers, now, days);
    let subscriptions = customers
        .iter()
        .enumerate()
        .filter(|_| chance(rng, 20))
        .map(|(i, _)| (i, some_time(rng, now, days)))
        .collect();
    let payees = plan_payees(rng, config, now, days);
    let payment_requests = plan_requests(rng, config, &payees, now, days);
    let checkout_payments = (0..config.checkout_payments)
        .map(|i| {
            let code = *pick(rng, &["USD", "EUR", "GBP", "BHD", "JPY"]);
            let status = *pick(
                rng,
                &[
                    "Captured",
                    "Captured",
                    "Captured",
                    "Captured",
                    "Declined",
                    "Refunded",
                    "Authorized",
                ],
            );
            PlanOtherPayment {
                amount_minor: amount_in_any(code, 500 + i64::try_from(rng.below(80_000)).unwrap_or(0)),
                currency: code,
                status,
                reference: format!("CKO-ORD-{:06}", 200_000 + i),
                created: some_time(rng, now, days),
            }
        })
        .collect();
    let maldopay_transactions = (0..config.maldopay_transactions)
        .map(|i| {
            let code = *pick(rng, &["BRL", "TRY", "INR", "EUR"]);
            let status = *pick(
                rng,
                &[
                    "CONFIRMED",
                    "CONFIRMED",
                    "CONFIRMED",
                    "PENDING",
                    "DECLINED",
                    "CANCELED",
                ],
            );
            PlanOtherPayment {
                amount_minor: 1_000 + i64::try_from(rng.below(500_000)).unwrap_or(0),
                currency: code,
                status,
                reference: format!(
                    "{}-{:06}",
                    if chance(rng, 70) { "DEP" } else { "WDR" },
                    300_000 + i
                ),
                created: some_time(rng, now, days),
            }
        })
        .collect();
    let payout_times = (1..=i64::from(days / 7))
        .map(|w| now - Duration::days(w * 7) + Duration::hours(2))
        .rev()
        .collect();
    DemoPlan {
        customers,
        payments,
        subscriptions,
        phantom_payments,
        payees,
        payment_requests,
        checkout_payments,
        maldopay_transactions,
        payout_times,
    }
}

fn ascii(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_lowercase()
}

/// Minor units for currencies outside the Stripe table (BHD is three-decimal at Checkout.com).
fn amount_in_any(code: &str, usd_cents: i64) -> i64 {
    match code {
        "BHD" => (usd_cents * 377 / 100 / 10).max(1) * 10,
        other => amount_in(other, usd_cents),
    }
}

/// Marks some succeeded payments with Salesforce-side discrepancies and makes the Salesforce-only
/// phantoms. Counts scale with volume but never reach zero, so every kind is always present.
fn assign_discrepancies(
    rng: &dyn RandomSource,
    payments: &mut [PlanPayment],
    customers: &[PlanCustomer],
    now: DateTime<Utc>,
    days: u32,
) -> Vec<PlanPayment> {
    let scale = (payments.len() / 500).max(1);
    let per_kind = |n: usize| scale * n;
    let wanted = [
        (DiscrepancyKind::MissingInSalesforce, per_kind(3)),
        (DiscrepancyKind::AmountMismatch, per_kind(3)),
        (DiscrepancyKind::StatusMismatch, per_kind(2)),
        (DiscrepancyKind::Duplicate, per_kind(2)),
    ];
    let mut candidates: Vec<usize> = payments
        .iter()
        .enumerate()
        .filter(|(_, p)| p.status == PaymentStatus::Succeeded && p.refund.is_none() && p.dispute.is_none())
        .map(|(i, _)| i)
        .collect();
    for (kind, count) in wanted {
        for _ in 0..count {
            if candidates.is_empty() {
                break;
            }
            let at = usize::try_from(rng.below(candidates.len() as u64)).unwrap_or(0);
            let i = candidates.swap_remove(at);
            payments[i].discrepancy = Some(kind);
        }
    }
    (0..per_kind(2))
        .map(|i| {
            let customer = usize::try_from(rng.below(customers.len() as u64)).unwrap_or(0);
            let c = &customers[customer];
            PlanPayment {
                key: format!("phantom-{i:03}"),
                customer,
                amount_minor: amount_in(
                    c.currency.code(),
                    2_000 + i64::try_from(rng.below(50_000)).unwrap_or(0),
                ),
                currency: c.currency,
                status: PaymentStatus::Succeeded,
                created: some_time(rng, now, days),
                order_id: None,
                refund: None,
                dispute: None,
                discrepancy: Some(DiscrepancyKind::MissingAtProvider),
            }
        })
        .collect()
}

fn plan_payees(rng: &dyn RandomSource, config: &DemoConfig, now: DateTime<Utc>, days: u32) -> Vec<PlanPayee> {
    let n = config.payees.max(12);
    // A fixed set of deliberately broken recipients first, then ordinary ones in every status.
    let broken = [
        RecipientProblem::InvalidEmail,
        RecipientProblem::InvalidEmail,
        RecipientProblem::MissingCountry,
        RecipientProblem::MissingCountry,
        RecipientProblem::UnknownPayee,
        RecipientProblem::UnknownPayee,
        RecipientProblem::Blocked,
    ];
    (0..n)
        .map(|i| {
            let problem = broken.get(i as usize).copied();
            let status = match problem {
                Some(_) => "active",
                None => match rng.below(100) {
                    0..=69 => "active",
                    70..=84 => "pending",
                    _ => "inactive",
                },
            };
            let (first, last) = (pick(rng, &FIRST).to_string(), pick(rng, &LAST).to_string());
            let email = match problem {
                // Salesforce refuses a malformed address, so the broken records have none at all.
                Some(RecipientProblem::InvalidEmail) => String::new(),
                _ => format!("{}.{}.{i}@freelance.example", ascii(&first), ascii(&last)),
            };
            let problem = problem.or(match status {
                "pending" => Some(RecipientProblem::PayeePending),
                "inactive" => Some(RecipientProblem::PayeeInactive),
                _ => None,
            });
            PlanPayee {
                payee_id: format!("vendor-{i:04}"),
                status,
                first_name: first,
                last_name: last,
                email,
                country: (problem != Some(RecipientProblem::MissingCountry))
                    .then(|| (*pick(rng, &COUNTRIES)).to_owned()),
                payout_currency: PAYOUT_CURRENCIES[i as usize % PAYOUT_CURRENCIES.len()],
                exists_at_payoneer: problem != Some(RecipientProblem::UnknownPayee),
                blocked: problem == Some(RecipientProblem::Blocked),
                problem,
                created: some_time(rng, now, days + 180),
            }
        })
        .collect()
}

fn plan_requests(
    rng: &dyn RandomSource,
    config: &DemoConfig,
    payees: &[PlanPayee],
    now: DateTime<Utc>,
    days: u32,
) -> Vec<PlanPaymentRequest> {
    let n = config
        .payment_requests
        .max(u32::try_from(payees.len()).unwrap_or(u32::MAX));
    (0..n)
        .map(|i| {
            // Every payee gets at least one request; problem payees' first one is approved.
            let payee = if (i as usize) < payees.len() {
                i as usize
            } else {
                usize::try_from(rng.below(payees.len() as u64)).unwrap_or(0)
            };
            let status = if (i as usize) < payees.len() && payees[payee].problem.is_some() {
                "Approved for Payout"
            } else {
                match rng.below(100) {
                    0..=64 => "Approved for Payout",
                    65..=84 => "Paid",
                    85..=94 => "Draft",
                    _ => "Rejected",
                }
            };
            let currency = payees[payee].payout_currency;
            PlanPaymentRequest {
                payee,
                amount_minor: 5_000 + i64::try_from(rng.below(495_000)).unwrap_or(0),
                currency,
                status,
                created: some_time(rng, now, days.min(30)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn the_same_seed_gives_the_same_plan() {
        let config = DemoConfig {
            customers: 50,
            payments: 400,
            ..DemoConfig::default()
        };
        assert_eq!(plan(&config, now()), plan(&config, now()));
        let other = DemoConfig {
            seed: 1,
            ..config.clone()
        };
        assert_ne!(plan(&config, now()).payments, plan(&other, now()).payments);
    }

    #[test]
    fn every_discrepancy_kind_and_problem_is_present() {
        let p = plan(&DemoConfig::default(), now());
        for kind in [
            DiscrepancyKind::MissingInSalesforce,
            DiscrepancyKind::AmountMismatch,
            DiscrepancyKind::StatusMismatch,
            DiscrepancyKind::Duplicate,
        ] {
            assert!(p.payments.iter().any(|x| x.discrepancy == Some(kind)), "{kind:?}");
        }
        assert!(!p.phantom_payments.is_empty());
        for problem in [
            RecipientProblem::InvalidEmail,
            RecipientProblem::MissingCountry,
            RecipientProblem::UnknownPayee,
            RecipientProblem::Blocked,
            RecipientProblem::PayeePending,
            RecipientProblem::PayeeInactive,
        ] {
            assert!(p.payees.iter().any(|x| x.problem == Some(problem)), "{problem:?}");
        }
        for (i, payee) in p.payees.iter().enumerate().filter(|(_, x)| x.problem.is_some()) {
            assert!(
                p.payment_requests
                    .iter()
                    .any(|r| r.payee == i && r.status == "Approved for Payout"),
                "{} needs an approved request",
                payee.payee_id
            );
        }
    }

    #[test]
    fn volumes_currencies_and_history_match_the_config() {
        let config = DemoConfig::default();
        let p = plan(&config, now());
        assert_eq!(p.payments.len(), 3_000);
        assert_eq!(p.customers.len(), 300);
        let codes: std::collections::BTreeSet<&str> = p.payments.iter().map(|x| x.currency.code()).collect();
        assert!(
            codes.len() >= 8 && codes.contains("JPY") && codes.contains("KWD"),
            "{codes:?}"
        );
        assert!(
            p.payments
                .iter()
                .all(|x| x.created < now() && x.created > now() - Duration::days(91))
        );
        assert!(
            p.payments
                .iter()
                .filter(|x| x.currency.code() == "KWD")
                .all(|x| x.amount_minor % 10 == 0)
        );
    }
}
