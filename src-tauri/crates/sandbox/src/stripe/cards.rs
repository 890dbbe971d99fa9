//! Stripe's test payment methods (stripe.com/docs/testing): `pm_card_visa` succeeds,
//! `pm_card_chargeDeclined…` decline with the documented codes, `pm_card_createDispute` succeeds
//! and is disputed, `pm_card_authenticationRequired` needs 3-D Secure first.

use serde_json::{Value, json};

/// What a test card does when charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Authorised.
    Succeed,
    /// Declined with `code`, `decline_code` and the customer-facing message.
    Decline {
        /// Error `code`.
        code: &'static str,
        /// Error `decline_code` (absent for expired card, CVC and processing errors).
        decline_code: Option<&'static str>,
        /// Error `message`.
        message: &'static str,
    },
    /// Authorised, then a fraudulent-use dispute is opened.
    Dispute,
    /// Requires customer authentication (the next confirm succeeds).
    RequiresAction,
}

/// One test card.
#[derive(Debug, Clone, Copy)]
pub struct TestCard {
    /// Payment method id.
    pub id: &'static str,
    /// Card brand.
    pub brand: &'static str,
    /// Last four digits.
    pub last4: &'static str,
    /// `credit`/`debit`.
    pub funding: &'static str,
    /// Issuing country.
    pub country: &'static str,
    /// Outcome.
    pub behaviour: Behaviour,
}

const fn decline(code: &'static str, decline_code: Option<&'static str>, message: &'static str) -> Behaviour {
    Behaviour::Decline {
        code,
        decline_code,
        message,
    }
}

const DECLINED: &str = "Your card was declined.";

/// The test payment methods the simulator knows.
pub const TEST_CARDS: &[TestCard] = &[
    card("pm_card_visa", "visa", "4242", Behaviour::Succeed),
    card("pm_card_visa_debit", "visa", "5556", Behaviour::Succeed),
    card("pm_card_mastercard", "mastercard", "4444", Behaviour::Succeed),
    card("pm_card_amex", "amex", "8431", Behaviour::Succeed),
    card(
        "pm_card_chargeDeclined",
        "visa",
        "0002",
        decline("card_declined", Some("generic_decline"), DECLINED),
    ),
    card(
        "pm_card_chargeDeclinedInsufficientFunds",
        "visa",
        "9995",
        decline(
            "card_declined",
            Some("insufficient_funds"),
            "Your card has insufficient funds.",
        ),
    ),
    card(
        "pm_card_chargeDeclinedLostCard",
        "visa",
        "9987",
        decline("card_declined", Some("lost_card"), DECLINED),
    ),
    card(
        "pm_card_chargeDeclinedStolenCard",
        "visa",
        "9979",
        decline("card_declined", Some("stolen_card"), DECLINED),
    ),
    card(
        "pm_card_chargeDeclinedExpiredCard",
        "visa",
        "0069",
        decline("expired_card", None, "Your card has expired."),
    ),
    card(
        "pm_card_chargeDeclinedIncorrectCvc",
        "visa",
        "0127",
        decline("incorrect_cvc", None, "Your card's security code is incorrect."),
    ),
    card(
        "pm_card_chargeDeclinedProcessingError",
        "visa",
        "0119",
        decline(
            "processing_error",
            None,
            "An error occurred while processing your card. Try again in a little bit.",
        ),
    ),
    card("pm_card_createDispute", "visa", "0259", Behaviour::Dispute),
    card(
        "pm_card_authenticationRequired",
        "visa",
        "3184",
        Behaviour::RequiresAction,
    ),
];

const fn card(id: &'static str, brand: &'static str, last4: &'static str, behaviour: Behaviour) -> TestCard {
    TestCard {
        id,
        brand,
        last4,
        funding: "credit",
        country: "US",
        behaviour,
    }
}

/// The test card with payment method id `id`.
pub fn find(id: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.id == id)
}

impl TestCard {
    /// `charge.payment_method_details` for this card.
    pub fn payment_method_details(&self, cvc_ok: bool) -> Value {
        json!({
            "card": {
                "brand": self.brand,
                "checks": {
                    "address_line1_check": null,
                    "address_postal_code_check": null,
                    "cvc_check": if cvc_ok { "pass" } else { "fail" },
                },
                "country": self.country,
                "exp_month": 12,
                "exp_year": 2034,
                "fingerprint": format!("sb{}{}", self.last4, self.brand.len()),
                "funding": self.funding,
                "installments": null,
                "last4": self.last4,
                "mandate": null,
                "network": self.brand,
                "network_token": {"used": false},
                "three_d_secure": null,
                "wallet": null,
            },
            "type": "card",
        })
    }
}
