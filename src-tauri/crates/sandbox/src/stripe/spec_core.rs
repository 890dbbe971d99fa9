//! Parameter tables of the customer, payment intent, charge, refund and dispute endpoints.

use super::params::{P, Spec};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const CUSTOMER_CREATE: Spec = Spec {
    params: &[
        ("address", P::Any),
        ("balance", P::Int),
        ("cash_balance", P::Any),
        ("coupon", P::Any),
        ("description", P::Str),
        ("email", P::Str),
        ("invoice_prefix", P::Str),
        ("invoice_settings", P::Any),
        ("metadata", P::Meta),
        ("name", P::Str),
        ("next_invoice_sequence", P::Int),
        ("payment_method", P::Str),
        ("phone", P::Str),
        ("preferred_locales", P::Any),
        ("promotion_code", P::Any),
        ("shipping", P::Any),
        ("source", P::Any),
        ("tax", P::Any),
        ("tax_exempt", P::Enum(&["exempt", "none", "reverse"])),
        ("tax_id_data", P::Any),
        ("test_clock", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const CUSTOMER_UPDATE: Spec = Spec {
    params: &[
        ("address", P::Any),
        ("balance", P::Int),
        ("bank_account", P::Any),
        ("card", P::Any),
        ("cash_balance", P::Any),
        ("coupon", P::Any),
        ("default_alipay_account", P::Any),
        ("default_bank_account", P::Any),
        ("default_card", P::Any),
        ("default_source", P::Any),
        ("description", P::Str),
        ("email", P::Str),
        ("invoice_prefix", P::Str),
        ("invoice_settings", P::Any),
        ("metadata", P::Meta),
        ("name", P::Str),
        ("next_invoice_sequence", P::Int),
        ("phone", P::Str),
        ("preferred_locales", P::Any),
        ("promotion_code", P::Any),
        ("shipping", P::Any),
        ("source", P::Any),
        ("tax", P::Any),
        ("tax_exempt", P::Enum(&["exempt", "none", "reverse"])),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const CUSTOMER_LIST: Spec = Spec {
    params: &[("email", P::Str), ("test_clock", P::Any)],
    required: &[],
};

/// Allowed values of an enum parameter.
pub const CAPTURE_METHODS: &[&str] = &["automatic", "automatic_async", "manual"];

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_CREATE: Spec = Spec {
    params: &[
        ("amount", P::Int),
        ("application_fee_amount", P::Any),
        ("automatic_payment_methods", P::Any),
        ("capture_method", P::Enum(CAPTURE_METHODS)),
        ("confirm", P::Bool),
        ("confirmation_method", P::Enum(&["automatic", "manual"])),
        ("currency", P::Str),
        ("customer", P::Str),
        ("description", P::Str),
        ("error_on_requires_action", P::Bool),
        ("mandate", P::Any),
        ("mandate_data", P::Any),
        ("metadata", P::Meta),
        ("off_session", P::Any),
        ("on_behalf_of", P::Any),
        ("payment_method", P::Str),
        ("payment_method_data", P::Any),
        ("payment_method_options", P::Any),
        ("payment_method_types", P::StrList),
        ("radar_options", P::Any),
        ("receipt_email", P::Str),
        ("return_url", P::Str),
        ("setup_future_usage", P::Any),
        ("shipping", P::Any),
        ("statement_descriptor", P::Str),
        ("statement_descriptor_suffix", P::Str),
        ("transfer_data", P::Any),
        ("transfer_group", P::Str),
        ("use_stripe_sdk", P::Any),
    ],
    required: &["amount", "currency"],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_UPDATE: Spec = Spec {
    params: &[
        ("amount", P::Int),
        ("application_fee_amount", P::Any),
        ("capture_method", P::Enum(CAPTURE_METHODS)),
        ("currency", P::Str),
        ("customer", P::Str),
        ("description", P::Str),
        ("metadata", P::Meta),
        ("payment_method", P::Str),
        ("payment_method_data", P::Any),
        ("payment_method_options", P::Any),
        ("payment_method_types", P::StrList),
        ("receipt_email", P::Str),
        ("setup_future_usage", P::Any),
        ("shipping", P::Any),
        ("statement_descriptor", P::Str),
        ("statement_descriptor_suffix", P::Str),
        ("transfer_data", P::Any),
        ("transfer_group", P::Str),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_RETRIEVE: Spec = Spec {
    params: &[("client_secret", P::Str)],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_LIST: Spec = Spec {
    params: &[("customer", P::Str)],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_CONFIRM: Spec = Spec {
    params: &[
        ("capture_method", P::Enum(CAPTURE_METHODS)),
        ("client_secret", P::Str),
        ("error_on_requires_action", P::Bool),
        ("mandate", P::Any),
        ("mandate_data", P::Any),
        ("off_session", P::Any),
        ("payment_method", P::Str),
        ("payment_method_data", P::Any),
        ("payment_method_options", P::Any),
        ("payment_method_types", P::StrList),
        ("radar_options", P::Any),
        ("receipt_email", P::Str),
        ("return_url", P::Str),
        ("setup_future_usage", P::Any),
        ("shipping", P::Any),
        ("use_stripe_sdk", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_CAPTURE: Spec = Spec {
    params: &[
        ("amount_to_capture", P::Int),
        ("application_fee_amount", P::Any),
        ("metadata", P::Meta),
        ("statement_descriptor", P::Str),
        ("statement_descriptor_suffix", P::Str),
        ("transfer_data", P::Any),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const PI_CANCEL: Spec = Spec {
    params: &[(
        "cancellation_reason",
        P::Enum(&["abandoned", "duplicate", "fraudulent", "requested_by_customer"]),
    )],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const CHARGE_LIST: Spec = Spec {
    params: &[
        ("customer", P::Str),
        ("payment_intent", P::Str),
        ("transfer_group", P::Str),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const CHARGE_UPDATE: Spec = Spec {
    params: &[
        ("customer", P::Str),
        ("description", P::Str),
        ("fraud_details", P::Any),
        ("metadata", P::Meta),
        ("receipt_email", P::Str),
        ("shipping", P::Any),
        ("transfer_group", P::Str),
    ],
    required: &[],
};

/// Allowed values of an enum parameter.
pub const REFUND_REASONS: &[&str] = &["duplicate", "fraudulent", "requested_by_customer"];

/// Parameters of one endpoint (names from SPEC:stripe).
pub const REFUND_CREATE: Spec = Spec {
    params: &[
        ("amount", P::Int),
        ("charge", P::Str),
        ("currency", P::Str),
        ("customer", P::Str),
        ("instructions_email", P::Str),
        ("metadata", P::Meta),
        ("origin", P::Any),
        ("payment_intent", P::Str),
        ("reason", P::Enum(REFUND_REASONS)),
        ("refund_application_fee", P::Bool),
        ("reverse_transfer", P::Bool),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const CHARGE_REFUND_CREATE: Spec = Spec {
    params: &[
        ("amount", P::Int),
        ("currency", P::Str),
        ("customer", P::Str),
        ("instructions_email", P::Str),
        ("metadata", P::Meta),
        ("origin", P::Any),
        ("payment_intent", P::Str),
        ("reason", P::Enum(REFUND_REASONS)),
        ("refund_application_fee", P::Bool),
        ("reverse_transfer", P::Bool),
    ],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const REFUND_LIST: Spec = Spec {
    params: &[("charge", P::Str), ("payment_intent", P::Str)],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const META_ONLY: Spec = Spec {
    params: &[("metadata", P::Meta)],
    required: &[],
};

/// Parameters of one endpoint (names from SPEC:stripe).
pub const DISPUTE_UPDATE: Spec = Spec {
    params: &[("evidence", P::Any), ("metadata", P::Meta), ("submit", P::Bool)],
    required: &[],
};
