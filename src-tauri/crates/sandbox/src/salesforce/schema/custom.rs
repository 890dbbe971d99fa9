//! The Paysync custom objects a customer creates (names end in `__c`).

use super::*;

/// `Invoice__c`.
pub(super) const INVOICE: ObjectDef = ObjectDef {
    name: "Invoice__c",
    label: "Invoice",
    label_plural: "Invoices",
    key_prefix: "a01",
    custom: true,
    deletable: true,
    doc: "A provider invoice (Stripe invoice).",
    fields: &[
        auto_name("INV-{000000}"),
        text(
            "Stripe_Invoice_Id__c",
            "Stripe Invoice ID",
            255,
            "Stripe `in_…` id.",
        )
        .ext_unique(),
        lookup("Account__c", "Account", "Account", "The billed customer."),
        picklist(
            "Status__c",
            "Status",
            &["draft", "open", "paid", "uncollectible", "void"],
            false,
            "Stripe invoice status.",
        ),
        money("Amount_Due__c", "Amount Due", "Amount due in major units."),
        money("Amount_Paid__c", "Amount Paid", "Amount paid in major units."),
        iso_text("Currency__c", "Currency"),
        date("Due_Date__c", "Due Date", "Payment due date."),
    ],
};

/// `Payment__c`.
pub(super) const PAYMENT: ObjectDef = ObjectDef {
    name: "Payment__c",
    label: "Payment",
    label_plural: "Payments",
    key_prefix: "a02",
    custom: true,
    deletable: true,
    doc: "A money movement in (charge/payment) from any provider.",
    fields: &[
        auto_name("PAY-{000000}"),
        text(
            "Paysync_Key__c",
            "Paysync Key",
            255,
            "Paysync's idempotency key (provider:id).",
        )
        .ext_unique(),
        text(
            "Stripe_Charge_Id__c",
            "Stripe Charge ID",
            255,
            "Stripe `ch_…`/`py_…` id.",
        )
        .ext_unique(),
        picklist(
            "Provider__c",
            "Provider",
            PROVIDERS,
            true,
            "Which provider moved the money.",
        ),
        money("Amount__c", "Amount", "Gross amount in major units."),
        iso_text("Currency__c", "Currency"),
        picklist(
            "Status__c",
            "Status",
            &["Completed", "Failed", "Pending"],
            true,
            "Outcome.",
        ),
        money("Fee__c", "Fee", "Provider fee."),
        money("Net__c", "Net", "Amount minus fee."),
        money("Refunded_Amount__c", "Refunded Amount", "Total refunded so far."),
        datetime("Paid_At__c", "Paid At", "When the provider captured it."),
        lookup("Account__c", "Account", "Account", "The payer."),
        lookup(
            "Opportunity__c",
            "Opportunity",
            "Opportunity",
            "The deal it pays.",
        ),
        lookup("Order__c", "Order", "Order", "The order it pays."),
        lookup("Invoice__c", "Invoice", "Invoice__c", "The invoice it pays."),
        FieldDef::new(
            "Description__c",
            "Description",
            FieldKind::TextArea(32768),
            "Free text.",
        ),
    ],
};

/// `Payment_Request__c`.
pub(super) const PAYMENT_REQUEST: ObjectDef = ObjectDef {
    name: "Payment_Request__c",
    label: "Payment Request",
    label_plural: "Payment Requests",
    key_prefix: "a03",
    custom: true,
    deletable: true,
    doc: "A payout to make (Payoneer/MaldoPay), approved in Salesforce.",
    fields: &[
        auto_name("PR-{000000}"),
        picklist(
            "Status__c",
            "Status",
            &[
                "Draft",
                "Approved for Payout",
                "Batched",
                "Paid",
                "Failed",
                "Rejected",
                "Cancelled",
            ],
            true,
            "Lifecycle; Paysync picks up \"Approved for Payout\".",
        )
        .default_text("Draft"),
        money("Amount__c", "Amount", "Amount to pay in major units."),
        iso_text("Currency__c", "Currency"),
        lookup("Contact__c", "Payee", "Contact", "The payee."),
        lookup("Account__c", "Account", "Account", "The payee's company."),
        FieldDef::new(
            "Description__c",
            "Description",
            FieldKind::TextArea(32768),
            "Free text.",
        ),
        date("Due_Date__c", "Due Date", "Pay by this date."),
        text(
            "Payout_Id__c",
            "Payout ID",
            255,
            "The provider's payout id once sent.",
        ),
        text(
            "Rejection_Reason__c",
            "Rejection Reason",
            255,
            "Why it was rejected or failed.",
        ),
        text("Paysync_Key__c", "Paysync Key", 255, "Paysync's idempotency key.").ext_unique(),
    ],
};

/// `Payment_Transaction__c`.
pub(super) const PAYMENT_TRANSACTION: ObjectDef = ObjectDef {
    name: "Payment_Transaction__c",
    label: "Payment Transaction",
    label_plural: "Payment Transactions",
    key_prefix: "a04",
    custom: true,
    deletable: true,
    doc: "One provider payout attempt for a payment request or an Opportunity.",
    fields: &[
        auto_name("PT-{000000}"),
        text(
            "Paysync_Key__c",
            "Paysync Key",
            255,
            "= the payout's client_reference_id.",
        )
        .ext_unique(),
        lookup(
            "Payment_Request__c",
            "Payment Request",
            "Payment_Request__c",
            "The request it pays.",
        ),
        lookup(
            "Opportunity__c",
            "Opportunity",
            "Opportunity",
            "The deal it pays, when the payout came from an Opportunity.",
        ),
        picklist(
            "Provider__c",
            "Provider",
            PROVIDERS,
            true,
            "Which provider sent it.",
        ),
        text("Payout_Id__c", "Payout ID", 255, "The provider's payout id."),
        picklist(
            "Status__c",
            "Status",
            &[
                "Pending",
                "Processing",
                "Completed",
                "Failed",
                "Cancelled",
                "Returned",
            ],
            false,
            "Provider status, normalised.",
        ),
        money("Amount__c", "Amount", "Amount sent."),
        iso_text("Currency__c", "Currency"),
        money("Fee__c", "Fee", "Provider fee."),
        money("Target_Amount__c", "Target Amount", "Amount received after FX."),
        iso_text("Target_Currency__c", "Target Currency"),
        text(
            "Failure_Reason__c",
            "Failure Reason",
            255,
            "Provider's failure reason.",
        ),
        datetime("Completed_At__c", "Completed At", "When it settled."),
    ],
};

/// `Subscription_Contract__c`.
pub(super) const SUBSCRIPTION_CONTRACT: ObjectDef = ObjectDef {
    name: "Subscription_Contract__c",
    label: "Subscription Contract",
    label_plural: "Subscription Contracts",
    key_prefix: "a05",
    custom: true,
    deletable: true,
    doc: "A recurring contract (Stripe subscription).",
    fields: &[
        auto_name("SUB-{000000}"),
        text(
            "Stripe_Subscription_Id__c",
            "Stripe Subscription ID",
            255,
            "Stripe `sub_…` id.",
        )
        .ext_unique(),
        lookup("Account__c", "Account", "Account", "The customer."),
        lookup(
            "Opportunity__c",
            "Opportunity",
            "Opportunity",
            "The deal that started it.",
        ),
        picklist(
            "Status__c",
            "Status",
            &[
                "incomplete",
                "incomplete_expired",
                "trialing",
                "active",
                "past_due",
                "canceled",
                "unpaid",
                "paused",
            ],
            false,
            "Stripe subscription status.",
        ),
        money("Amount__c", "Amount", "Amount per interval."),
        iso_text("Currency__c", "Currency"),
        picklist(
            "Interval__c",
            "Interval",
            &["day", "week", "month", "year"],
            false,
            "Billing interval.",
        ),
        datetime(
            "Current_Period_End__c",
            "Current Period End",
            "End of the paid period.",
        ),
    ],
};

/// `Refund__c`.
pub(super) const REFUND: ObjectDef = ObjectDef {
    name: "Refund__c",
    label: "Refund",
    label_plural: "Refunds",
    key_prefix: "a06",
    custom: true,
    deletable: true,
    doc: "A refund of a payment.",
    fields: &[
        auto_name("REF-{000000}"),
        text(
            "Stripe_Refund_Id__c",
            "Stripe Refund ID",
            255,
            "Stripe `re_…` id.",
        )
        .ext_unique(),
        lookup("Payment__c", "Payment", "Payment__c", "The refunded payment."),
        money("Amount__c", "Amount", "Refunded amount."),
        iso_text("Currency__c", "Currency"),
        picklist(
            "Status__c",
            "Status",
            &["pending", "requires_action", "succeeded", "failed", "canceled"],
            false,
            "Stripe refund status.",
        ),
        text("Reason__c", "Reason", 255, "Refund reason."),
    ],
};

/// `Dispute__c`.
pub(super) const DISPUTE: ObjectDef = ObjectDef {
    name: "Dispute__c",
    label: "Dispute",
    label_plural: "Disputes",
    key_prefix: "a07",
    custom: true,
    deletable: true,
    doc: "A chargeback on a payment.",
    fields: &[
        auto_name("DSP-{000000}"),
        text(
            "Stripe_Dispute_Id__c",
            "Stripe Dispute ID",
            255,
            "Stripe `dp_…`/`du_…` id.",
        )
        .ext_unique(),
        lookup("Payment__c", "Payment", "Payment__c", "The disputed payment."),
        money("Amount__c", "Amount", "Disputed amount."),
        iso_text("Currency__c", "Currency"),
        picklist(
            "Status__c",
            "Status",
            &[
                "warning_needs_response",
                "warning_under_review",
                "warning_closed",
                "needs_response",
                "under_review",
                "won",
                "lost",
            ],
            false,
            "Stripe dispute status.",
        ),
        text("Reason__c", "Reason", 255, "Dispute reason."),
        datetime("Evidence_Due_By__c", "Evidence Due By", "Deadline for evidence."),
    ],
};
