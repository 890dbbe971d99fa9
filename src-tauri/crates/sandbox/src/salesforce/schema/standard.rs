//! Standard objects as Paysync uses them (only the fields it reads or writes).

use super::*;

/// `Account`.
pub(super) const ACCOUNT: ObjectDef = ObjectDef {
    name: "Account",
    label: "Account",
    label_plural: "Accounts",
    key_prefix: "001",
    custom: false,
    deletable: true,
    doc: "A paying customer (Stripe/Checkout customer) or a payee's company.",
    fields: &[
        text("Name", "Account Name", 255, "Customer or company name.").req(),
        text("BillingCity", "Billing City", 40, "Billing address city."),
        text(
            "BillingCountry",
            "Billing Country",
            80,
            "Billing address country.",
        ),
        FieldDef::new("Website", "Website", FieldKind::Url, "Company website."),
        FieldDef::new("Phone", "Account Phone", FieldKind::Phone, "Main phone."),
        text(
            "Stripe_Customer_Id__c",
            "Stripe Customer ID",
            255,
            "Stripe `cus_…` id.",
        )
        .ext_unique(),
        checkbox(
            "Stripe_Deleted__c",
            "Deleted in Stripe",
            "Set when the Stripe customer was deleted; the account and its history stay.",
        ),
        text(
            "Payoneer_Payee_Id__c",
            "Payoneer Payee ID",
            255,
            "Payoneer payee id, when the account is paid out.",
        ),
        currency_code(),
    ],
};

/// `Contact`.
pub(super) const CONTACT: ObjectDef = ObjectDef {
    name: "Contact",
    label: "Contact",
    label_plural: "Contacts",
    key_prefix: "003",
    custom: false,
    deletable: true,
    doc: "A person: a customer's billing contact or a payee (freelancer, affiliate).",
    fields: &[
        text("FirstName", "First Name", 40, "Given name."),
        text("LastName", "Last Name", 80, "Family name.").req(),
        text("Name", "Full Name", 121, "FirstName + LastName, computed.").read_only(),
        FieldDef::new("Email", "Email", FieldKind::Email, "E-mail address."),
        lookup("AccountId", "Account ID", "Account", "The contact's account."),
        text(
            "MailingCountry",
            "Mailing Country",
            80,
            "Mailing address country.",
        ),
        text(
            "Stripe_Customer_Id__c",
            "Stripe Customer ID",
            255,
            "Stripe `cus_…` id; NOT unique.",
        )
        .ext(),
        text(
            "Payoneer_Payee_Id__c",
            "Payoneer Payee ID",
            255,
            "Payoneer payee id.",
        ),
        FieldDef::new(
            "Payoneer_Registration_Link__c",
            "Payoneer Registration Link",
            FieldKind::Url,
            "Onboarding link sent to the payee.",
        ),
        checkbox(
            "Payout_Blocked__c",
            "Payout Blocked",
            "When checked, no payout is sent to this payee.",
        ),
    ],
};

/// `Opportunity`.
pub(super) const OPPORTUNITY: ObjectDef = ObjectDef {
    name: "Opportunity",
    label: "Opportunity",
    label_plural: "Opportunities",
    key_prefix: "006",
    custom: false,
    deletable: true,
    doc: "A deal; Paysync closes it as won when the first payment succeeds.",
    fields: &[
        text("Name", "Name", 120, "Deal name.").req(),
        picklist("StageName", "Stage", STAGES, true, "Sales stage (restricted).").req(),
        date("CloseDate", "Close Date", "Expected or actual close date.").req(),
        std_money("Amount", "Amount", "Deal amount in the record currency."),
        lookup("AccountId", "Account ID", "Account", "The customer."),
        currency_code(),
        text(
            "Stripe_Subscription_Id__c",
            "Stripe Subscription ID",
            255,
            "Stripe `sub_…` id (not a key).",
        ),
        lookup(
            "Payee_Contact__c",
            "Payee",
            "Contact",
            "Who is paid out when the deal reaches the payout stage (`[sync.payouts] opportunity_stage`).",
        ),
        picklist(
            "Payout_Status__c",
            "Payout Status",
            &["Paid", "Failed", "Rejected", "Cancelled"],
            false,
            "Set by Paysync when the deal's payout ends.",
        ),
        text(
            "Payout_Id__c",
            "Payout ID",
            255,
            "The provider's payout id once sent.",
        ),
        text(
            "Payout_Rejection_Reason__c",
            "Payout Rejection Reason",
            255,
            "Why the payout was rejected or failed.",
        ),
    ],
};

/// `Order`.
pub(super) const ORDER: ObjectDef = ObjectDef {
    name: "Order",
    label: "Order",
    label_plural: "Orders",
    key_prefix: "801",
    custom: false,
    deletable: true,
    doc: "An order (one-off purchase).",
    fields: &[
        FieldDef::new(
            "OrderNumber",
            "Order Number",
            FieldKind::AutoNumber("{00000000}"),
            "Auto-number.",
        ),
        lookup("AccountId", "Account ID", "Account", "The customer.").req(),
        picklist(
            "Status",
            "Status",
            &["Draft", "Activated"],
            true,
            "Draft or Activated.",
        )
        .req()
        .default_text("Draft"),
        date("EffectiveDate", "Order Start Date", "Effective date.").req(),
        std_money(
            "TotalAmount",
            "Order Amount",
            "Roll-up of order products (read-only).",
        )
        .read_only(),
    ],
};

/// `Product2`.
pub(super) const PRODUCT2: ObjectDef = ObjectDef {
    name: "Product2",
    label: "Product",
    label_plural: "Products",
    key_prefix: "01t",
    custom: false,
    deletable: true,
    doc: "A product (Stripe product).",
    fields: &[
        text("Name", "Product Name", 255, "Product name.").req(),
        text("ProductCode", "Product Code", 255, "SKU or code."),
        checkbox("IsActive", "Active", "Whether it can be sold."),
        text(
            "Stripe_Product_Id__c",
            "Stripe Product ID",
            255,
            "Stripe `prod_…` id.",
        )
        .ext_unique(),
    ],
};

/// `Pricebook2`.
pub(super) const PRICEBOOK2: ObjectDef = ObjectDef {
    name: "Pricebook2",
    label: "Price Book",
    label_plural: "Price Books",
    key_prefix: "01s",
    custom: false,
    deletable: true,
    doc: "A price book; the org starts with the Standard Price Book.",
    fields: &[
        text("Name", "Price Book Name", 255, "Name.").req(),
        checkbox("IsActive", "Active", "Whether it can be used."),
        checkbox(
            "IsStandard",
            "Is Standard Price Book",
            "True for the standard price book.",
        )
        .read_only(),
        text("Description", "Description", 255, "Free text."),
    ],
};

/// `PricebookEntry`.
pub(super) const PRICEBOOK_ENTRY: ObjectDef = ObjectDef {
    name: "PricebookEntry",
    label: "Price Book Entry",
    label_plural: "Price Book Entries",
    key_prefix: "01u",
    custom: false,
    deletable: true,
    doc: "A product's price in a price book and currency (Stripe price).",
    fields: &[
        lookup("Product2Id", "Product ID", "Product2", "The product.")
            .req()
            .create_only(),
        lookup("Pricebook2Id", "Price Book ID", "Pricebook2", "The price book.")
            .req()
            .create_only(),
        std_money("UnitPrice", "List Price", "Unit price.").req(),
        checkbox("IsActive", "Active", "Whether it can be used."),
        currency_code(),
        text(
            "Stripe_Price_Id__c",
            "Stripe Price ID",
            255,
            "Stripe `price_…` id.",
        )
        .ext_unique(),
    ],
};

/// `OpportunityLineItem`.
pub(super) const OPPORTUNITY_LINE_ITEM: ObjectDef = ObjectDef {
    name: "OpportunityLineItem",
    label: "Opportunity Product",
    label_plural: "Opportunity Product",
    key_prefix: "00k",
    custom: false,
    deletable: true,
    doc: "A product line on an opportunity.",
    fields: &[
        lookup("OpportunityId", "Opportunity ID", "Opportunity", "The deal.")
            .req()
            .create_only(),
        lookup(
            "PricebookEntryId",
            "Price Book Entry ID",
            "PricebookEntry",
            "The price.",
        )
        .req()
        .create_only(),
        FieldDef::new("Quantity", "Quantity", FieldKind::Number(12, 2), "Quantity.").req(),
        std_money("UnitPrice", "Sales Price", "Unit price."),
        std_money("TotalPrice", "Total Price", "Quantity × UnitPrice, computed.").read_only(),
    ],
};

/// `CurrencyType`.
pub(super) const CURRENCY_TYPE: ObjectDef = ObjectDef {
    name: "CurrencyType",
    label: "Currency Type",
    label_plural: "Currency Types",
    key_prefix: "02Y",
    custom: false,
    deletable: false,
    doc: "An org currency (multi-currency). Cannot be deleted; deactivate it instead.",
    fields: &[
        text("IsoCode", "Currency ISO Code", 3, "ISO 4217 code.")
            .req()
            .unique()
            .create_only(),
        FieldDef::new(
            "ConversionRate",
            "Conversion Rate",
            FieldKind::Number(18, 6),
            "Rate vs corporate.",
        )
        .req(),
        FieldDef::new(
            "DecimalPlaces",
            "Decimal Places",
            FieldKind::Int,
            "0 JPY, 2 USD, 3 KWD.",
        )
        .default_int(2),
        checkbox(
            "IsActive",
            "Active",
            "Only active codes are valid CurrencyIsoCode values.",
        ),
        checkbox(
            "IsCorporate",
            "Corporate Currency",
            "The org's corporate currency.",
        )
        .read_only(),
    ],
};

/// `DatedConversionRate`.
pub(super) const DATED_CONVERSION_RATE: ObjectDef = ObjectDef {
    name: "DatedConversionRate",
    label: "Dated Conversion Rate",
    label_plural: "Dated Conversion Rates",
    key_prefix: "04w",
    custom: false,
    deletable: true,
    doc: "A conversion rate valid from StartDate until the next rate's StartDate (advanced currency management).",
    fields: &[
        text("IsoCode", "Currency ISO Code", 3, "ISO 4217 code.")
            .req()
            .create_only(),
        FieldDef::new(
            "ConversionRate",
            "Conversion Rate",
            FieldKind::Number(18, 6),
            "Rate vs corporate.",
        )
        .req(),
        date("StartDate", "Start Date", "First day the rate applies.").req(),
        date(
            "NextStartDate",
            "Next Start Date",
            "StartDate of the next rate (computed).",
        )
        .read_only(),
    ],
};
