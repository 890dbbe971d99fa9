//! The sandbox's demo data: realistic volumes, deterministic from the seed, and a manifest whose
//! every entry can be checked against the simulators' own state.

use std::collections::BTreeMap;
use std::sync::Arc;

use paysync_core::{Clock, ManualClock};
use paysync_sandbox::demo::{self, DemoConfig, DiscrepancyKind, RecipientProblem};
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn demo_data_matches_its_manifest() {
    rt().block_on(async {
        let clock = ManualClock::at_fixed_origin();
        let sandbox = Sandbox::start(&SandboxConfig::default(), Arc::new(clock.clone()))
            .await
            .unwrap_or_else(|e| panic!("start sandbox: {e}"));
        let manifest =
            demo::seed(&sandbox, &DemoConfig::default(), clock.now()).unwrap_or_else(|e| panic!("seed: {e}"));
        assert!(demo::already_seeded(&sandbox));

        // Volumes and currencies.
        assert_eq!(manifest.counts.customers, 300);
        assert_eq!(manifest.counts.payments, 3_000);
        assert!(manifest.currencies.len() >= 8, "{:?}", manifest.currencies);
        for code in ["JPY", "KWD"] {
            assert!(manifest.currencies.iter().any(|c| c == code), "{code}");
        }
        assert_eq!(sandbox.stripe.objects("customer").len(), 300);
        // Subscriptions bill themselves with their own charges; the planned payments have no invoice.
        let payment_charges = sandbox
            .stripe
            .objects("charge")
            .into_iter()
            .filter(|c| c["invoice"].is_null())
            .count();
        assert_eq!(payment_charges, 3_000);
        assert!(
            manifest.counts.refunds > 0 && manifest.counts.disputes > 0 && manifest.counts.subscriptions > 0
        );
        assert!(manifest.counts.payouts > 0);
        for status in ["active", "pending", "inactive"] {
            assert!(
                manifest
                    .payees_by_status
                    .get(status)
                    .is_some_and(|v| !v.is_empty()),
                "payees {status}"
            );
        }

        // Every seeded discrepancy is really there, and nothing else differs.
        let charges: BTreeMap<String, Value> = sandbox
            .stripe
            .objects("charge")
            .into_iter()
            .map(|c| (c["id"].as_str().unwrap_or_default().to_owned(), c))
            .collect();
        let sf_payments = sandbox.salesforce.records("Payment__c");
        let by_id: BTreeMap<String, &serde_json::Map<String, Value>> = sf_payments
            .iter()
            .map(|r| (r["Id"].as_str().unwrap_or_default().to_owned(), r))
            .collect();
        let mut kinds: BTreeMap<DiscrepancyKind, usize> = BTreeMap::new();
        for d in &manifest.discrepancies {
            *kinds.entry(d.kind).or_default() += 1;
            let charge = d.provider_id.as_deref().and_then(|id| charges.get(id));
            match d.kind {
                DiscrepancyKind::MissingInSalesforce => {
                    assert!(charge.is_some() && d.salesforce_ids.is_empty());
                    let id = d.provider_id.as_deref().unwrap_or_default();
                    assert!(
                        !sf_payments
                            .iter()
                            .any(|r| r.get("Stripe_Charge_Id__c").and_then(Value::as_str) == Some(id))
                    );
                }
                DiscrepancyKind::MissingAtProvider => {
                    assert!(charge.is_none() && d.salesforce_ids.len() == 1)
                }
                DiscrepancyKind::AmountMismatch | DiscrepancyKind::StatusMismatch => {
                    assert!(charge.is_some() && d.salesforce_ids.len() == 1);
                    assert!(by_id.contains_key(&d.salesforce_ids[0]));
                }
                DiscrepancyKind::Duplicate => assert_eq!(d.salesforce_ids.len(), 2),
            }
        }
        for kind in [
            DiscrepancyKind::MissingInSalesforce,
            DiscrepancyKind::MissingAtProvider,
            DiscrepancyKind::AmountMismatch,
            DiscrepancyKind::StatusMismatch,
            DiscrepancyKind::Duplicate,
        ] {
            assert!(kinds.get(&kind).copied().unwrap_or(0) > 0, "{kind:?} seeded");
        }
        let missing = kinds
            .get(&DiscrepancyKind::MissingInSalesforce)
            .copied()
            .unwrap_or(0);
        let phantoms = kinds
            .get(&DiscrepancyKind::MissingAtProvider)
            .copied()
            .unwrap_or(0);
        let dups = kinds.get(&DiscrepancyKind::Duplicate).copied().unwrap_or(0);
        assert_eq!(
            sf_payments.len(),
            3_000 - missing + phantoms + dups,
            "one Payment__c per charge otherwise"
        );

        // Recipient problems point at real Contacts with approved requests.
        let contacts = sandbox.salesforce.records("Contact");
        for r in &manifest.invalid_recipients {
            let contact = contacts
                .iter()
                .find(|c| c["Id"].as_str() == Some(r.contact_id.as_str()))
                .unwrap_or_else(|| panic!("contact {}", r.contact_id));
            assert!(
                !r.payment_request_ids.is_empty(),
                "{:?} has an approved request",
                r.problem
            );
            match r.problem {
                RecipientProblem::InvalidEmail => assert!(contact.get("Email").is_none_or(Value::is_null)),
                RecipientProblem::MissingCountry => {
                    assert!(contact.get("MailingCountry").is_none_or(Value::is_null))
                }
                RecipientProblem::Blocked => assert_eq!(contact["Payout_Blocked__c"], true),
                RecipientProblem::UnknownPayee => {
                    let id = r.payee_id.as_deref().unwrap_or_default();
                    assert!(!sandbox.payoneer.payees().iter().any(|p| p.payee_id == id));
                }
                RecipientProblem::PayeePending | RecipientProblem::PayeeInactive => {}
            }
        }
        sandbox.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    });
}

#[test]
fn the_same_seed_gives_the_same_sandbox() {
    let run = || {
        rt().block_on(async {
            let clock = ManualClock::at_fixed_origin();
            let sandbox = Sandbox::start(&SandboxConfig::default(), Arc::new(clock.clone()))
                .await
                .unwrap_or_else(|e| panic!("start: {e}"));
            let config = DemoConfig {
                customers: 30,
                payments: 200,
                payees: 15,
                payment_requests: 30,
                ..DemoConfig::default()
            };
            let manifest = demo::seed(&sandbox, &config, clock.now()).unwrap_or_else(|e| panic!("seed: {e}"));
            sandbox.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
            manifest
        })
    };
    assert_eq!(run(), run());
}

#[test]
fn sandbox_state_persists_between_runs() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let config = SandboxConfig {
            state_dir: Some(dir.path().to_path_buf()),
            ..SandboxConfig::default()
        };
        let clock = ManualClock::at_fixed_origin();
        let demo_config = DemoConfig {
            customers: 20,
            payments: 100,
            payees: 12,
            payment_requests: 20,
            ..DemoConfig::default()
        };
        let first = Sandbox::start(&config, Arc::new(clock.clone()))
            .await
            .unwrap_or_else(|e| panic!("start: {e}"));
        demo::seed(&first, &demo_config, clock.now()).unwrap_or_else(|e| panic!("seed: {e}"));
        let charges = first.stripe.objects("charge").len();
        let requests = first.salesforce.records("Payment_Request__c").len();
        first.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
        for name in paysync_sandbox::sandbox::SIMULATORS {
            assert!(
                dir.path().join(format!("{name}.json")).exists(),
                "{name} saved its state"
            );
        }
        let second = Sandbox::start(&config, Arc::new(clock))
            .await
            .unwrap_or_else(|e| panic!("restart: {e}"));
        assert!(
            demo::already_seeded(&second),
            "the restored sandbox is not seeded twice"
        );
        assert_eq!(second.stripe.objects("charge").len(), charges);
        assert_eq!(second.salesforce.records("Payment_Request__c").len(), requests);
        second.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    });
}
