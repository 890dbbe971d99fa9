//! Parameter tables of the product, price, subscription and invoice endpoints.

use super::params::{P, Spec};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PRODUCT_CREATE: Spec = Spec {
    params: &[
        ("active", P::Bool),
        ("default_price_data", P::Any),
        ("description", P::Str),
        ("features", P::Any),
        ("id", P::Str),
        ("images", P::Any),
        ("metadata", P::Meta),
        ("name", P::Str),
        ("package_dimensions", P::Any),
        ("shippable", P::Bool),
        ("statement_descriptor", P::Str),
        ("tax_code", P::Any),
        ("unit_label", P::Str),
        ("url", P::Str),
    ],
    required: &["name"],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PRODUCT_UPDATE: Spec = Spec {
    params: &[
        ("active", P::Bool),
        ("default_price", P::Str),
        ("description", P::Str),
        ("features", P::Any),
        ("images", P::Any),
        ("metadata", P::Meta),
        ("name", P::Str),
        ("package_dimensions", P::Any),
        ("shippable", P::Bool),
        ("statement_descriptor", P::Str),
        ("tax_code", P::Any),
        ("unit_label", P::Str),
        ("url", P::Str),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PRODUCT_LIST: Spec = Spec {
    params: &[
        ("active", P::Bool),
        ("ids", P::Any),
        ("shippable", P::Bool),
        ("url", P::Str),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PRICE_CREATE: Spec = Spec {
    params: &[
        ("active", P::Bool),
        ("billing_scheme", P::Enum(&["per_unit", "tiered"])),
        ("currency", P::Str),
        ("currency_options", P::Any),
        ("custom_unit_amount", P::Any),
        ("lookup_key", P::Str),
        ("metadata", P::Meta),
        ("nickname", P::Str),
        ("product", P::Str),
        ("product_data", P::Any),
        ("recurring", P::Any),
        (
            "tax_behavior",
            P::Enum(&["exclusive", "inclusive", "unspecified"]),
        ),
        ("tiers", P::Any),
        ("tiers_mode", P::Any),
        ("transfer_lookup_key", P::Bool),
        ("transform_quantity", P::Any),
        ("unit_amount", P::Int),
        ("unit_amount_decimal", P::Any),
    ],
    required: &["currency"],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PRICE_UPDATE: Spec = Spec {
    params: &[
        ("active", P::Bool),
        ("currency_options", P::Any),
        ("lookup_key", P::Str),
        ("metadata", P::Meta),
        ("nickname", P::Str),
        (
            "tax_behavior",
            P::Enum(&["exclusive", "inclusive", "unspecified"]),
        ),
        ("transfer_lookup_key", P::Bool),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PRICE_LIST: Spec = Spec {
    params: &[
        ("active", P::Bool),
        ("currency", P::Str),
        ("lookup_keys", P::Any),
        ("product", P::Str),
        ("recurring", P::Any),
        ("type", P::Enum(&["one_time", "recurring"])),
    ],
    required: &[],
};

/// Allowed values of an enum parameter.
pub const COLLECTION: &[&str] = &["charge_automatically", "send_invoice"];

/// Parameters of one endpoint (names from SPEC:stripe).
pub const SUB_CREATE: Spec = Spec {
    params: &[
        ("add_invoice_items", P::Any),
        ("application_fee_percent", P::Any),
        ("automatic_tax", P::Any),
        ("backdate_start_date", P::Any),
        ("billing_cycle_anchor", P::Any),
        ("billing_thresholds", P::Any),
        ("cancel_at", P::Any),
        ("cancel_at_period_end", P::Bool),
        ("collection_method", P::Enum(COLLECTION)),
        ("coupon", P::Any),
        ("currency", P::Str),
        ("customer", P::Str),
        ("days_until_due", P::Int),
        ("default_payment_method", P::Str),
        ("default_source", P::Any),
        ("default_tax_rates", P::Any),
        ("description", P::Str),
        ("items", P::Any),
        ("metadata", P::Meta),
        ("off_session", P::Bool),
        ("on_behalf_of", P::Any),
        (
            "payment_behavior",
            P::Enum(&[
                "allow_incomplete",
                "default_incomplete",
                "error_if_incomplete",
                "pending_if_incomplete",
            ]),
        ),
        ("payment_settings", P::Any),
        ("pending_invoice_item_interval", P::Any),
        ("promotion_code", P::Any),
        ("proration_behavior", P::Any),
        ("transfer_data", P::Any),
        ("trial_end", P::Any),
        ("trial_from_plan", P::Bool),
        ("trial_period_days", P::Int),
        ("trial_settings", P::Any),
    ],
    required: &["customer"],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const SUB_UPDATE: Spec = Spec {
    params: &[
        ("add_invoice_items", P::Any),
        ("application_fee_percent", P::Any),
        ("automatic_tax", P::Any),
        ("billing_cycle_anchor", P::Any),
        ("billing_thresholds", P::Any),
        ("cancel_at", P::Any),
        ("cancel_at_period_end", P::Bool),
        ("cancellation_details", P::Any),
        ("collection_method", P::Enum(COLLECTION)),
        ("coupon", P::Any),
        ("days_until_due", P::Int),
        ("default_payment_method", P::Str),
        ("default_source", P::Any),
        ("default_tax_rates", P::Any),
        ("description", P::Str),
        ("items", P::Any),
        ("metadata", P::Meta),
        ("off_session", P::Bool),
        ("on_behalf_of", P::Any),
        ("pause_collection", P::Any),
        ("payment_behavior", P::Any),
        ("payment_settings", P::Any),
        ("pending_invoice_item_interval", P::Any),
        ("promotion_code", P::Any),
        ("proration_behavior", P::Any),
        ("proration_date", P::Any),
        ("transfer_data", P::Any),
        ("trial_end", P::Any),
        ("trial_from_plan", P::Bool),
        ("trial_settings", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const SUB_CANCEL: Spec = Spec {
    params: &[
        ("cancellation_details", P::Any),
        ("invoice_now", P::Bool),
        ("prorate", P::Bool),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const SUB_LIST: Spec = Spec {
    params: &[
        ("automatic_tax", P::Any),
        ("collection_method", P::Enum(COLLECTION)),
        ("current_period_end", P::Range),
        ("current_period_start", P::Range),
        ("customer", P::Str),
        ("price", P::Str),
        (
            "status",
            P::Enum(&[
                "active",
                "all",
                "canceled",
                "ended",
                "incomplete",
                "incomplete_expired",
                "past_due",
                "paused",
                "trialing",
                "unpaid",
            ]),
        ),
        ("test_clock", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const INVOICE_CREATE: Spec = Spec {
    params: &[
        ("account_tax_ids", P::Any),
        ("application_fee_amount", P::Any),
        ("auto_advance", P::Bool),
        ("automatic_tax", P::Any),
        ("collection_method", P::Enum(COLLECTION)),
        ("currency", P::Str),
        ("custom_fields", P::Any),
        ("customer", P::Str),
        ("days_until_due", P::Int),
        ("default_payment_method", P::Str),
        ("default_source", P::Any),
        ("default_tax_rates", P::Any),
        ("description", P::Str),
        ("discounts", P::Any),
        ("due_date", P::Int),
        ("effective_at", P::Any),
        ("footer", P::Str),
        ("from_invoice", P::Any),
        ("metadata", P::Meta),
        ("on_behalf_of", P::Any),
        ("payment_settings", P::Any),
        ("pending_invoice_items_behavior", P::Any),
        ("rendering_options", P::Any),
        ("shipping_cost", P::Any),
        ("shipping_details", P::Any),
        ("statement_descriptor", P::Str),
        ("subscription", P::Str),
        ("transfer_data", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const INVOICE_UPDATE: Spec = Spec {
    params: &[
        ("account_tax_ids", P::Any),
        ("application_fee_amount", P::Any),
        ("auto_advance", P::Bool),
        ("automatic_tax", P::Any),
        ("collection_method", P::Enum(COLLECTION)),
        ("custom_fields", P::Any),
        ("days_until_due", P::Int),
        ("default_payment_method", P::Str),
        ("default_source", P::Any),
        ("default_tax_rates", P::Any),
        ("description", P::Str),
        ("discounts", P::Any),
        ("due_date", P::Int),
        ("effective_at", P::Any),
        ("footer", P::Str),
        ("metadata", P::Meta),
        ("on_behalf_of", P::Any),
        ("payment_settings", P::Any),
        ("rendering_options", P::Any),
        ("shipping_cost", P::Any),
        ("shipping_details", P::Any),
        ("statement_descriptor", P::Str),
        ("transfer_data", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const INVOICE_LIST: Spec = Spec {
    params: &[
        ("collection_method", P::Enum(COLLECTION)),
        ("customer", P::Str),
        ("due_date", P::Range),
        (
            "status",
            P::Enum(&["draft", "open", "paid", "uncollectible", "void"]),
        ),
        ("subscription", P::Str),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const INVOICE_PAY: Spec = Spec {
    params: &[
        ("forgive", P::Bool),
        ("mandate", P::Any),
        ("off_session", P::Bool),
        ("paid_out_of_band", P::Bool),
        ("payment_method", P::Str),
        ("source", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const INVOICE_FINALIZE: Spec = Spec {
    params: &[("auto_advance", P::Bool)],
    required: &[],
};
