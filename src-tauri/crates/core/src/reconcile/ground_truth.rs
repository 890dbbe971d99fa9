//! Realistic reconciliation data with known answers, from a seed: the ground truth that the
//! property tests, the benchmark and [`score`](super::score::score) measure the engine against.
//!
//! The mix, per 10,000 scenarios: 9,135 one-to-one pairs linked by id (Stripe charges and
//! refunds, Checkout.com payments, MaldoPay transactions, Payoneer payouts, some with FX; Salesforce
//! holding gross or net); 150 invoices paid in two or three charges; 100 Stripe payouts of two to
//! six payments; 50 Payoneer batches (many-to-many); 150 pairs with no cross id but the same
//! reference (written differently on each side); 20 such pairs without a reference; 15 id-less
//! invoices paid in two charges; 30 look-alikes (same amount, date and counterparty as another
//! record, with a different or no reference); 100 gaps on each side; 60 duplicates; 80 id-linked
//! amount, currency and status mismatches; 10 id-linked pairs one minor unit apart.
//!
//! A *true group* is one that a careful person would confirm: gaps, mismatches, duplicates,
//! look-alikes and near misses belong to none.

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::record::{Record, RecordKind, Source, Status};
use super::record_id::RecordId;
use crate::currency::Currency;

/// Generated records and which of them belong together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroundTruth {
    /// Provider records, in generation order.
    pub provider: Vec<Record>,
    /// Salesforce records, in generation order.
    pub salesforce: Vec<Record>,
    /// For each provider record, the true group it belongs to; `None` when it should not be
    /// matched. (Labels rather than id lists keep a million-record truth small.)
    pub provider_group: Vec<Option<u32>>,
    /// For each Salesforce record, the true group it belongs to, as for `provider_group`.
    pub salesforce_group: Vec<Option<u32>>,
    /// How many true groups there are; labels run from 0 to `groups - 1`.
    pub groups: u32,
}

impl GroundTruth {
    /// The true groups as (provider ids, Salesforce ids), in label order.
    pub fn truth(&self) -> Vec<(Vec<&str>, Vec<&str>)> {
        fn labelled<'t>(records: &'t [Record], labels: &[Option<u32>]) -> Vec<(usize, &'t str)> {
            records
                .iter()
                .zip(labels)
                .filter_map(|(r, g)| Some((usize::try_from((*g)?).ok()?, r.id.as_str())))
                .collect()
        }
        let mut groups: Vec<(Vec<&str>, Vec<&str>)> = (0..self.groups).map(|_| Default::default()).collect();
        for (g, id) in labelled(&self.provider, &self.provider_group) {
            groups[g].0.push(id);
        }
        for (g, id) in labelled(&self.salesforce, &self.salesforce_group) {
            groups[g].1.push(id);
        }
        groups
    }
}

/// Generates about `records_per_side` records on each side (until both sides have at least that
/// many), the same for the same seed.
pub fn generate(records_per_side: usize, seed: u64) -> GroundTruth {
    let mut g = Generator::new(seed, records_per_side);
    while g.truth.provider.len().min(g.truth.salesforce.len()) < records_per_side {
        g.scenario();
    }
    g.truth
}

/// How often each scenario is drawn, per 10,000 (see the module documentation).
const MIX: [(u32, Scenario); 16] = [
    (9_135, Scenario::OneToOne),
    (150, Scenario::InvoiceSplit),
    (100, Scenario::PayoutSplit),
    (50, Scenario::Batch),
    (150, Scenario::IdlessReference),
    (20, Scenario::IdlessBare),
    (15, Scenario::IdlessSplit),
    (30, Scenario::LookAlike),
    (100, Scenario::ProviderGap),
    (100, Scenario::SalesforceGap),
    (40, Scenario::SalesforceDuplicate),
    (20, Scenario::ProviderDuplicate),
    (30, Scenario::Mismatch(Mismatch::Amount)),
    (20, Scenario::Mismatch(Mismatch::Currency)),
    (30, Scenario::Mismatch(Mismatch::Status)),
    (10, Scenario::Mismatch(Mismatch::OneMinorUnit)),
];

// The weights are a distribution over 10,000 draws.
const _: () = {
    let (mut total, mut i) = (0, 0);
    while i < MIX.len() {
        total += MIX[i].0;
        i += 1;
    }
    assert!(total == 10_000, "the scenario mix must add up to 10,000");
};

#[derive(Debug, Clone, Copy)]
enum Scenario {
    OneToOne,
    InvoiceSplit,
    PayoutSplit,
    Batch,
    IdlessReference,
    IdlessBare,
    IdlessSplit,
    LookAlike,
    ProviderGap,
    SalesforceGap,
    SalesforceDuplicate,
    ProviderDuplicate,
    Mismatch(Mismatch),
}

struct Generator {
    rng: StdRng,
    next_id: u64,
    customers: u64,
    start: NaiveDate,
    truth: GroundTruth,
}

/// What a pair of id-less records should look like.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Idless {
    WithReference,
    Bare,
}

impl Generator {
    fn new(seed: u64, records_per_side: usize) -> Self {
        let capacity = records_per_side.saturating_add(records_per_side / 20);
        Self {
            rng: StdRng::seed_from_u64(seed),
            next_id: 0,
            customers: u64::try_from(records_per_side / 4).unwrap_or(u64::MAX).max(10),
            start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or(NaiveDate::MIN),
            truth: GroundTruth {
                provider: Vec::with_capacity(capacity),
                salesforce: Vec::with_capacity(capacity),
                provider_group: Vec::with_capacity(capacity),
                salesforce_group: Vec::with_capacity(capacity),
                groups: 0,
            },
        }
    }

    fn scenario(&mut self) {
        let mut draw = self.rng.random_range(0..10_000u32);
        let scenario = MIX
            .iter()
            .find(|&&(weight, _)| {
                let hit = draw < weight;
                draw = draw.saturating_sub(weight);
                hit
            })
            .map_or(Scenario::OneToOne, |&(_, scenario)| scenario);
        match scenario {
            Scenario::OneToOne => self.one_to_one(),
            Scenario::InvoiceSplit => self.invoice_split(),
            Scenario::PayoutSplit => self.payout_split(),
            Scenario::Batch => self.batch(),
            Scenario::IdlessReference => {
                let _ = self.idless_pair(Idless::WithReference);
            }
            Scenario::IdlessBare => {
                let _ = self.idless_pair(Idless::Bare);
            }
            Scenario::IdlessSplit => self.idless_split(),
            Scenario::LookAlike => self.look_alike(),
            Scenario::ProviderGap => {
                let p = self.charge(Source::Stripe, "ch_");
                self.provider(p, None);
            }
            Scenario::SalesforceGap => {
                let (c, d) = (self.currency(), self.day());
                let amount = self.amount(c);
                let missing = self.id("ch_");
                let s = self.payment(c, amount, d).with_key(missing);
                self.salesforce(s, None);
            }
            Scenario::SalesforceDuplicate => self.salesforce_duplicate(),
            Scenario::ProviderDuplicate => self.provider_duplicate(),
            Scenario::Mismatch(kind) => self.mismatch(kind),
        }
    }

    // --- building blocks -------------------------------------------------------------------

    fn id(&mut self, prefix: &str) -> RecordId {
        self.next_id += 1;
        format!("{prefix}{:08x}", self.next_id).into()
    }

    fn salesforce_id(&mut self, prefix: &str) -> RecordId {
        self.next_id += 1;
        format!("{prefix}{:012x}", self.next_id).into()
    }

    fn group(&mut self) -> Option<u32> {
        let g = self.truth.groups;
        self.truth.groups += 1;
        Some(g)
    }

    fn provider(&mut self, r: Record, group: Option<u32>) {
        self.truth.provider.push(r);
        self.truth.provider_group.push(group);
    }

    fn salesforce(&mut self, r: Record, group: Option<u32>) {
        self.truth.salesforce.push(r);
        self.truth.salesforce_group.push(group);
    }

    fn permille(&mut self, p: u32) -> bool {
        self.rng.random_range(0..1000) < p
    }

    fn currency(&mut self) -> Currency {
        match self.rng.random_range(0..100) {
            0..40 => Currency::EUR,
            40..75 => Currency::USD,
            75..90 => Currency::GBP,
            90..95 => Currency::JPY,
            _ => Currency::KWD,
        }
    }

    fn amount(&mut self, currency: Currency) -> i64 {
        if currency == Currency::JPY {
            self.rng.random_range(100..=100_000)
        } else {
            self.rng.random_range(500..=500_000)
        }
    }

    fn day(&mut self) -> NaiveDate {
        self.start + Days::new(self.rng.random_range(0..366))
    }

    /// Salesforce books a movement on the day or up to two days later.
    fn lag(&mut self, date: NaiveDate) -> NaiveDate {
        date + Days::new(self.rng.random_range(0..=2))
    }

    fn customer(&mut self) -> String {
        let c = self.rng.random_range(0..self.customers);
        format!("cus_{c:x}")
    }

    fn reference(&mut self) -> String {
        self.next_id += 1;
        format!("ORD-{}", self.next_id)
    }

    /// A card fee: 2.9 % + 30 minor units, none on money going back.
    fn fee(amount: i64) -> i64 {
        if amount > 0 { amount * 29 / 1000 + 30 } else { 0 }
    }

    fn status(&mut self) -> Status {
        if self.permille(30) {
            Status::Pending
        } else {
            Status::Succeeded
        }
    }

    /// A provider charge with a fee and, sometimes, a counterparty and a reference.
    fn charge(&mut self, source: Source, prefix: &str) -> Record {
        let (c, d) = (self.currency(), self.day());
        let amount = self.amount(c);
        let id = self.id(prefix);
        let mut r = Record::new(id, source, RecordKind::Charge, c, amount, d).with_fee(Self::fee(amount));
        if self.permille(250) {
            r.counterparty = Some(self.customer());
        }
        if self.permille(150) {
            r.reference = Some(self.reference());
        }
        r
    }

    fn payment(&mut self, currency: Currency, amount: i64, date: NaiveDate) -> Record {
        let id = self.salesforce_id("a02");
        Record::new(
            id,
            Source::Salesforce,
            RecordKind::Payment,
            currency,
            amount,
            date,
        )
    }

    /// The Salesforce payment written from provider record `p`, holding its gross or its net.
    fn payment_for(&mut self, p: &Record, key: RecordId) -> Record {
        let date = self.lag(p.date);
        let net = p.fee_minor != 0 && self.permille(400);
        let amount = if net {
            p.amount_minor - p.fee_minor
        } else {
            p.amount_minor
        };
        let mut s = self
            .payment(p.currency, amount, date)
            .with_key(key)
            .with_status(p.status);
        if !net && p.fee_minor != 0 && self.permille(300) {
            s.fee_minor = p.fee_minor;
        }
        s
    }

    // --- scenarios -------------------------------------------------------------------------

    fn one_to_one(&mut self) {
        let g = self.group();
        match self.rng.random_range(0..100) {
            0..50 => {
                let mut p = self.charge(Source::Stripe, "ch_");
                p.status = self.status();
                let s = self.payment_for(&p, p.id.clone());
                self.provider(p, g);
                self.salesforce(s, g);
            }
            50..55 => {
                let (c, d) = (self.currency(), self.day());
                let amount = -self.amount(c) / 4;
                let id = self.id("re_");
                let p = Record::new(id, Source::Stripe, RecordKind::Refund, c, amount, d);
                let date = self.lag(d);
                let s = self.payment(c, amount, date).with_key(p.id.clone());
                self.provider(p, g);
                self.salesforce(s, g);
            }
            55..75 => {
                let p = self.charge(Source::CheckoutCom, "pay_");
                let s = self.payment_for(&p, p.id.clone());
                self.provider(p, g);
                self.salesforce(s, g);
            }
            75..90 => {
                let mut p = self.charge(Source::MaldoPay, "mp_");
                p.kind = RecordKind::PaymentTransaction;
                let s = self.payment_for(&p, p.id.clone());
                self.provider(p, g);
                self.salesforce(s, g);
            }
            _ => self.payoneer_payout(g),
        }
    }

    /// A Payoneer payout for a Salesforce payment request, often converted: Salesforce holds the
    /// converted amount, or its own estimate in the source currency with the same target.
    fn payoneer_payout(&mut self, g: Option<u32>) {
        let d = self.day();
        let amount = self.amount(Currency::USD);
        let request = self.salesforce_id("a03");
        let payout_id = self.id("pyn_");
        let p = Record::new(
            payout_id,
            Source::Payoneer,
            RecordKind::Payout,
            Currency::USD,
            amount,
            d,
        )
        .with_fee(300)
        .with_key(request.clone());
        let converted = amount * 92 / 100;
        let (p, s) = match self.rng.random_range(0..10) {
            0..5 => {
                let s = Record::new(
                    request,
                    Source::Salesforce,
                    RecordKind::PaymentRequest,
                    Currency::EUR,
                    converted,
                    d,
                );
                (p.with_fx(Currency::EUR, converted), s)
            }
            5..7 => {
                let estimate =
                    amount + self.rng.random_range(1..=200) * if self.permille(500) { 1 } else { -1 };
                let s = Record::new(
                    request,
                    Source::Salesforce,
                    RecordKind::PaymentRequest,
                    Currency::USD,
                    estimate,
                    d,
                )
                .with_fx(Currency::EUR, converted);
                (p.with_fx(Currency::EUR, converted), s)
            }
            _ => {
                let s = Record::new(
                    request,
                    Source::Salesforce,
                    RecordKind::PaymentRequest,
                    Currency::USD,
                    amount,
                    d,
                );
                (p, s)
            }
        };
        self.provider(p, g);
        self.salesforce(s, g);
    }

    /// One `Invoice__c` paid by two or three Stripe charges, a week apart.
    fn invoice_split(&mut self) {
        let g = self.group();
        let (c, d) = (self.currency(), self.day());
        let invoice = self.id("in_");
        let parts = self.rng.random_range(2..=3u64);
        let mut total = 0;
        let mut last = d;
        for i in 0..parts {
            let amount = self.amount(c);
            total += amount;
            last = d + Days::new(7 * i);
            let id = self.id("ch_");
            let p = Record::new(id, Source::Stripe, RecordKind::Charge, c, amount, last)
                .with_fee(Self::fee(amount))
                .with_part_of(invoice.clone());
            self.provider(p, g);
        }
        let id = self.salesforce_id("a01");
        let s = Record::new(id, Source::Salesforce, RecordKind::Invoice, c, total, last).with_key(invoice);
        self.salesforce(s, g);
    }

    /// One Stripe payout of two to six payments, which Salesforce holds gross with their fees.
    fn payout_split(&mut self) {
        let g = self.group();
        let (c, d) = (self.currency(), self.day());
        let payout = self.id("po_");
        let mut net = 0;
        for _ in 0..self.rng.random_range(2..=6) {
            let amount = self.amount(c);
            let fee = Self::fee(amount);
            net += amount - fee;
            let charge = self.id("ch_");
            let date = d - Days::new(self.rng.random_range(0..=2));
            let s = self
                .payment(c, amount, date)
                .with_fee(fee)
                .with_key(charge)
                .with_part_of(payout.clone());
            self.salesforce(s, g);
        }
        let p = Record::new(
            payout,
            Source::Stripe,
            RecordKind::Payout,
            c,
            net,
            d + Days::new(2),
        );
        self.provider(p, g);
    }

    /// A Payoneer batch: two or three payouts against two or three payment requests, split
    /// differently on each side, linked only by the batch id.
    fn batch(&mut self) {
        let g = self.group();
        let (c, d) = (self.currency(), self.day());
        let batch = self.id("bat_");
        let total = self.amount(c) * 3;
        for (side, parts) in [
            (true, self.rng.random_range(2..=3)),
            (false, self.rng.random_range(2..=3)),
        ] {
            let mut left = total;
            for i in 0..parts {
                let amount = if i + 1 == parts { left } else { left / 2 };
                left -= amount;
                if side {
                    let id = self.id("pyn_");
                    let p = Record::new(id, Source::Payoneer, RecordKind::Payout, c, amount, d)
                        .with_part_of(batch.clone());
                    self.provider(p, g);
                } else {
                    let id = self.salesforce_id("a03");
                    let s = Record::new(id, Source::Salesforce, RecordKind::PaymentRequest, c, amount, d)
                        .with_part_of(batch.clone());
                    self.salesforce(s, g);
                }
            }
        }
    }

    /// A provider charge and the payment recorded by hand for it: no cross id. With a
    /// reference, each side writes it its own way. Returns both for look-alikes to copy.
    fn idless_pair(&mut self, kind: Idless) -> (Record, Record) {
        let g = self.group();
        let (source, prefix) = match self.rng.random_range(0..3) {
            0 => (Source::Stripe, "ch_"),
            1 => (Source::CheckoutCom, "pay_"),
            _ => (Source::MaldoPay, "mp_"),
        };
        let mut p = self.charge(source, prefix);
        p.counterparty = Some(self.customer());
        p.reference = None;
        let mut s = self.payment_for(&p, p.id.clone());
        s.keys.clear();
        if kind == Idless::WithReference {
            let reference = self.reference();
            s.reference = Some(match self.rng.random_range(0..3) {
                0 => reference.to_lowercase(),
                1 => format!("  {reference} "),
                _ => reference.clone(),
            });
            p.reference = Some(reference);
        }
        if self.permille(700) {
            s.counterparty.clone_from(&p.counterparty);
        }
        self.provider(p.clone(), g);
        self.salesforce(s.clone(), g);
        (p, s)
    }

    /// An `Invoice__c` entered by hand and paid in two charges; only reference, counterparty and
    /// the sum tie them together.
    fn idless_split(&mut self) {
        let g = self.group();
        let (c, d) = (self.currency(), self.day());
        let (reference, customer) = (self.reference(), self.customer());
        let mut total = 0;
        for i in 0..2 {
            let amount = self.amount(c);
            total += amount;
            let id = self.id("ch_");
            let p = Record::new(
                id,
                Source::Stripe,
                RecordKind::Charge,
                c,
                amount,
                d + Days::new(i),
            )
            .with_reference(reference.clone())
            .with_counterparty(customer.clone());
            self.provider(p, g);
        }
        let id = self.salesforce_id("a01");
        let s = Record::new(
            id,
            Source::Salesforce,
            RecordKind::Invoice,
            c,
            total,
            d + Days::new(1),
        )
        .with_reference(reference)
        .with_counterparty(customer);
        self.salesforce(s, g);
    }

    /// Records that look like others: same amount, currency, date and counterparty.
    fn look_alike(&mut self) {
        match self.rng.random_range(0..5) {
            // A provider twin with another reference: ruled out, the pair still confirms.
            0 => {
                let (p, _) = self.idless_pair(Idless::WithReference);
                let mut twin = p.clone();
                twin.id = self.id("ch_");
                twin.reference = Some(self.reference());
                self.provider(twin, None);
            }
            // A provider twin without a reference: the pair can no longer be confirmed.
            1 => {
                let (p, _) = self.idless_pair(Idless::WithReference);
                let mut twin = p.clone();
                twin.id = self.id("ch_");
                twin.reference = None;
                self.provider(twin, None);
            }
            // A Salesforce twin with another reference.
            2 => {
                let (_, s) = self.idless_pair(Idless::WithReference);
                let mut twin = s.clone();
                twin.id = self.salesforce_id("a02");
                twin.reference = Some(self.reference());
                self.salesforce(twin, None);
            }
            // Two unrelated records that agree on everything but have no reference: a trap.
            3 => {
                let mut p = self.charge(Source::Stripe, "ch_");
                p.reference = None;
                p.counterparty = Some(self.customer());
                let mut s = self.payment(p.currency, p.amount_minor, p.date);
                s.counterparty.clone_from(&p.counterparty);
                self.provider(p, None);
                self.salesforce(s, None);
            }
            // Two unrelated records with different references.
            _ => {
                let mut p = self.charge(Source::Stripe, "ch_");
                p.reference = Some(self.reference());
                let mut s = self.payment(p.currency, p.amount_minor, p.date);
                s.reference = Some(self.reference());
                self.provider(p, None);
                self.salesforce(s, None);
            }
        }
    }

    /// A charge whose payment Salesforce wrote twice.
    fn salesforce_duplicate(&mut self) {
        let g = self.group();
        let p = self.charge(Source::Stripe, "ch_");
        let s = self.payment_for(&p, p.id.clone());
        let mut again = s.clone();
        again.id = self.salesforce_id("a02");
        self.provider(p, g);
        self.salesforce(s, g);
        self.salesforce(again, None);
    }

    /// A MaldoPay transaction delivered twice under two ids with the same merchant reference key.
    fn provider_duplicate(&mut self) {
        let g = self.group();
        let key = self.id("MT-");
        let mut p = self.charge(Source::MaldoPay, "mp_");
        p.kind = RecordKind::PaymentTransaction;
        p.keys.push(key.clone());
        let s = self.payment_for(&p, key);
        let mut again = p.clone();
        again.id = self.id("mp_");
        self.provider(p, g);
        self.provider(again, None);
        self.salesforce(s, g);
    }

    fn mismatch(&mut self, kind: Mismatch) {
        let mut p = self.charge(Source::Stripe, "ch_");
        let mut s = self
            .payment(p.currency, p.amount_minor, p.date)
            .with_key(p.id.clone());
        match kind {
            Mismatch::Amount => s.amount_minor += self.rng.random_range(1_000..=5_000),
            Mismatch::Currency => {
                s.currency = if p.currency == Currency::USD {
                    Currency::EUR
                } else {
                    Currency::USD
                };
            }
            Mismatch::Status => {
                p.status = if self.permille(500) {
                    Status::Refunded
                } else {
                    Status::Failed
                };
            }
            Mismatch::OneMinorUnit => {
                p.fee_minor = 0;
                s.amount_minor += 1;
            }
        }
        self.provider(p, None);
        self.salesforce(s, None);
    }
}

#[derive(Debug, Clone, Copy)]
enum Mismatch {
    Amount,
    Currency,
    Status,
    OneMinorUnit,
}
