//! The simulated org's schema: THE documentation of the objects, fields and External ID fields that
//! Paysync expects in a customer's Salesforce org (standard objects plus the Paysync custom objects).
//!
//! Everything here is data (the object tables are in `standard.rs` and `custom.rs`): the simulator
//! validates writes, answers `describe` and binds SOQL from it, and [`schema_markdown`] renders it
//! as tables for the README. Conventions, as in a real org:
//! - Every object also has the system fields `Id`, `IsDeleted`, `CreatedDate`, `CreatedById`,
//!   `LastModifiedDate`, `LastModifiedById` and `SystemModstamp` (read-only, set by the server).
//! - Custom objects (`__c`) have an auto-number `Name`, so creating one never needs a name.
//! - External ID fields that hold provider ids or idempotency keys are **unique and case-sensitive**
//!   (provider ids such as Stripe's differ only by case). `Contact.Stripe_Customer_Id__c` is the one
//!   non-unique External ID (several contacts may share a customer), so an upsert on it can match
//!   several records (HTTP 300).
//! - Money on custom objects is `Currency(15,3)` so three-decimal currencies (KWD, BHD) survive;
//!   standard money fields keep Salesforce's `Currency(16,2)` and round to two decimals.
//! - `CurrencyIsoCode` accepts only active `CurrencyType` codes (the org starts with USD, corporate).

mod custom;
mod standard;

/// How a field stores and validates its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// The record's own 18-character id.
    Id,
    /// Single-line text of at most this many characters.
    Text(u32),
    /// Long text of at most this many characters.
    TextArea(u32),
    /// An e-mail address (validated).
    Email,
    /// A URL (text of at most 255 characters).
    Url,
    /// A phone number (text of at most 40 characters).
    Phone,
    /// A checkbox; never null, defaults to false.
    Boolean,
    /// Money with (precision, scale); extra decimals are rounded half-up.
    Currency(u32, u32),
    /// A decimal number with (precision, scale).
    Number(u32, u32),
    /// A whole number.
    Int,
    /// A calendar date (`2026-01-31`).
    Date,
    /// An instant (`2026-01-31T12:00:00.000+0000`).
    DateTime,
    /// A picklist; when `restricted`, values outside `values` are refused.
    Picklist {
        /// The allowed values, in display order.
        values: &'static [&'static str],
        /// Whether other values are refused (`INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`).
        restricted: bool,
    },
    /// A lookup to a record of the named object.
    Reference(&'static str),
    /// A server-assigned number in this display format, e.g. `PR-{000000}`.
    AutoNumber(&'static str),
    /// `CurrencyIsoCode`: one of the org's active `CurrencyType` codes.
    CurrencyCode,
}

/// Who may write a field through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Settable on create and update.
    ReadWrite,
    /// Settable on create only (e.g. a line item's parent).
    CreateOnly,
    /// Set by the server only (system, formula, roll-up and auto-number fields).
    ReadOnly,
}

/// A value the server fills in on create when the request leaves the field out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldDefault {
    /// No default.
    None,
    /// A checkbox default.
    Bool(bool),
    /// A text or picklist default.
    Text(&'static str),
    /// A number default.
    Int(i64),
    /// The org's corporate currency (for `CurrencyIsoCode`).
    CorporateCurrency,
}

/// One field of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// API name, e.g. `Stripe_Customer_Id__c`.
    pub name: &'static str,
    /// Label, used in error messages (`Amount: value outside of valid range…`).
    pub label: &'static str,
    /// Type and size.
    pub kind: FieldKind,
    /// Must have a value after every write (`REQUIRED_FIELD_MISSING`).
    pub required: bool,
    /// Usable as an upsert key (`PATCH /sobjects/{Object}/{Field}/{value}`).
    pub external_id: bool,
    /// No two live records may share a value (`DUPLICATE_VALUE`).
    pub unique: bool,
    /// Whether uniqueness and External ID matching distinguish letter case.
    pub case_sensitive: bool,
    /// Who may write it.
    pub access: Access,
    /// The value filled in on create when absent.
    pub default: FieldDefault,
    /// What it holds, for people.
    pub doc: &'static str,
}

impl FieldDef {
    const fn new(name: &'static str, label: &'static str, kind: FieldKind, doc: &'static str) -> Self {
        let default = match kind {
            FieldKind::Boolean => FieldDefault::Bool(false),
            FieldKind::CurrencyCode => FieldDefault::CorporateCurrency,
            _ => FieldDefault::None,
        };
        let access = match kind {
            FieldKind::Id | FieldKind::AutoNumber(_) => Access::ReadOnly,
            _ => Access::ReadWrite,
        };
        Self {
            name,
            label,
            kind,
            required: false,
            external_id: false,
            unique: false,
            case_sensitive: false,
            access,
            default,
            doc,
        }
    }
    const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    /// An External ID that is also unique and case-sensitive (provider ids, idempotency keys).
    const fn ext_unique(mut self) -> Self {
        self.external_id = true;
        self.unique = true;
        self.case_sensitive = true;
        self
    }
    /// A non-unique, case-insensitive External ID (Salesforce's defaults for the checkbox alone).
    const fn ext(mut self) -> Self {
        self.external_id = true;
        self
    }
    const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    const fn read_only(mut self) -> Self {
        self.access = Access::ReadOnly;
        self
    }
    const fn create_only(mut self) -> Self {
        self.access = Access::CreateOnly;
        self
    }
    const fn default_text(mut self, value: &'static str) -> Self {
        self.default = FieldDefault::Text(value);
        self
    }
    const fn default_int(mut self, value: i64) -> Self {
        self.default = FieldDefault::Int(value);
        self
    }

    /// Whether the API may set it on create.
    pub fn createable(&self) -> bool {
        self.access != Access::ReadOnly
    }

    /// Whether the API may change it on update.
    pub fn updateable(&self) -> bool {
        self.access == Access::ReadWrite
    }

    /// Whether it may be null (describe's `nillable`); checkboxes never are.
    pub fn nillable(&self) -> bool {
        !self.required && self.kind != FieldKind::Boolean && self.kind != FieldKind::Id
    }

    /// Whether it holds text-like values (compared case-insensitively in SOQL).
    pub fn is_textual(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Text(_)
                | FieldKind::TextArea(_)
                | FieldKind::Email
                | FieldKind::Url
                | FieldKind::Phone
                | FieldKind::Picklist { .. }
                | FieldKind::AutoNumber(_)
                | FieldKind::CurrencyCode
        )
    }

    /// The relationship name for a lookup (`AccountId` → `Account`, `Account__c` → `Account__r`).
    pub fn relationship_name(&self) -> Option<String> {
        if !matches!(self.kind, FieldKind::Reference(_)) {
            return None;
        }
        if let Some(stem) = self.name.strip_suffix("__c") {
            return Some(format!("{stem}__r"));
        }
        Some(self.name.strip_suffix("Id").unwrap_or(self.name).to_owned())
    }
}

/// One object (sObject type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectDef {
    /// API name, e.g. `Payment__c`.
    pub name: &'static str,
    /// Singular label.
    pub label: &'static str,
    /// Plural label.
    pub label_plural: &'static str,
    /// The three-character id prefix of its records.
    pub key_prefix: &'static str,
    /// Whether it is a custom object.
    pub custom: bool,
    /// Whether records can be deleted (`CurrencyType` cannot).
    pub deletable: bool,
    /// Its own fields (the system fields come first and are not listed here).
    pub fields: &'static [FieldDef],
    /// What it is for, for people.
    pub doc: &'static str,
}

/// The system fields every object has, first in describe order.
pub static SYSTEM_FIELDS: &[FieldDef] = &[
    FieldDef::new("Id", "Record ID", FieldKind::Id, "18-character record id."),
    FieldDef::new(
        "IsDeleted",
        "Deleted",
        FieldKind::Boolean,
        "True once deleted (see queryAll).",
    )
    .read_only(),
    FieldDef::new(
        "CreatedDate",
        "Created Date",
        FieldKind::DateTime,
        "Set on create.",
    )
    .read_only(),
    FieldDef::new(
        "CreatedById",
        "Created By ID",
        FieldKind::Reference("User"),
        "The creating user.",
    )
    .read_only(),
    FieldDef::new(
        "LastModifiedDate",
        "Last Modified Date",
        FieldKind::DateTime,
        "Set on every write.",
    )
    .read_only(),
    FieldDef::new(
        "LastModifiedById",
        "Last Modified By ID",
        FieldKind::Reference("User"),
        "The last writer.",
    )
    .read_only(),
    FieldDef::new(
        "SystemModstamp",
        "System Modstamp",
        FieldKind::DateTime,
        "Set on every write.",
    )
    .read_only(),
];

impl ObjectDef {
    /// System fields then the object's own fields, in describe order.
    pub fn all_fields(&self) -> impl Iterator<Item = &'static FieldDef> + use<> {
        SYSTEM_FIELDS.iter().chain(self.fields.iter())
    }

    /// A field by API name, case-insensitively as Salesforce matches them.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.all_fields().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// An object by API name, case-insensitively.
pub fn object(name: &str) -> Option<&'static ObjectDef> {
    OBJECTS.iter().find(|o| o.name.eq_ignore_ascii_case(name))
}

/// The object whose records have this id prefix.
pub fn object_by_prefix(prefix: &str) -> Option<&'static ObjectDef> {
    OBJECTS.iter().find(|o| o.key_prefix == prefix)
}

// ---- Field shorthands (the tables below read like the setup guide) ----

const fn text(name: &'static str, label: &'static str, len: u32, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Text(len), doc)
}
const fn money(name: &'static str, label: &'static str, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Currency(15, 3), doc)
}
const fn std_money(name: &'static str, label: &'static str, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Currency(16, 2), doc)
}
const fn lookup(name: &'static str, label: &'static str, to: &'static str, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Reference(to), doc)
}
const fn checkbox(name: &'static str, label: &'static str, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Boolean, doc)
}
const fn date(name: &'static str, label: &'static str, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Date, doc)
}
const fn datetime(name: &'static str, label: &'static str, doc: &'static str) -> FieldDef {
    FieldDef::new(name, label, FieldKind::DateTime, doc)
}
const fn picklist(
    name: &'static str,
    label: &'static str,
    values: &'static [&'static str],
    restricted: bool,
    doc: &'static str,
) -> FieldDef {
    FieldDef::new(name, label, FieldKind::Picklist { values, restricted }, doc)
}
const fn auto_name(format: &'static str) -> FieldDef {
    FieldDef::new(
        "Name",
        "Name",
        FieldKind::AutoNumber(format),
        "Auto-number assigned by the server.",
    )
}
const fn currency_code() -> FieldDef {
    FieldDef::new(
        "CurrencyIsoCode",
        "Currency ISO Code",
        FieldKind::CurrencyCode,
        "Record currency; an active CurrencyType code, default the corporate currency.",
    )
}
const fn iso_text(name: &'static str, label: &'static str) -> FieldDef {
    text(name, label, 3, "ISO 4217 code, upper case (e.g. EUR).")
}

const PROVIDERS: &[&str] = &["Stripe", "Checkout.com", "Payoneer", "MaldoPay"];
const STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

/// Every object of the simulated org.
pub static OBJECTS: &[ObjectDef] = &[
    standard::ACCOUNT,
    standard::CONTACT,
    standard::OPPORTUNITY,
    standard::ORDER,
    standard::PRODUCT2,
    standard::PRICEBOOK2,
    standard::PRICEBOOK_ENTRY,
    standard::OPPORTUNITY_LINE_ITEM,
    custom::INVOICE,
    custom::PAYMENT,
    custom::PAYMENT_REQUEST,
    custom::PAYMENT_TRANSACTION,
    custom::SUBSCRIPTION_CONTRACT,
    custom::REFUND,
    custom::DISPUTE,
    standard::CURRENCY_TYPE,
    standard::DATED_CONVERSION_RATE,
];

fn kind_label(kind: FieldKind) -> String {
    match kind {
        FieldKind::Id => "Id".to_owned(),
        FieldKind::Text(n) => format!("Text({n})"),
        FieldKind::TextArea(n) => format!("Long Text({n})"),
        FieldKind::Email => "Email".to_owned(),
        FieldKind::Url => "URL".to_owned(),
        FieldKind::Phone => "Phone".to_owned(),
        FieldKind::Boolean => "Checkbox".to_owned(),
        FieldKind::Currency(p, s) => format!("Currency({p},{s})"),
        FieldKind::Number(p, s) => format!("Number({p},{s})"),
        FieldKind::Int => "Number(18,0)".to_owned(),
        FieldKind::Date => "Date".to_owned(),
        FieldKind::DateTime => "Date/Time".to_owned(),
        FieldKind::Picklist { values, restricted } => {
            let list = values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let how = if restricted { "restricted" } else { "open" };
            format!("Picklist ({how}): {list}")
        }
        FieldKind::Reference(to) => format!("Lookup({to})"),
        FieldKind::AutoNumber(f) => format!("Auto Number `{f}`"),
        FieldKind::CurrencyCode => "Picklist (active CurrencyType codes)".to_owned(),
    }
}

/// The schema as Markdown: one table per object (fields, types, keys), for the README.
pub fn schema_markdown() -> String {
    let mut out = String::from(
        "Every object also has the read-only system fields `Id`, `IsDeleted`, `CreatedDate`, \
         `CreatedById`, `LastModifiedDate`, `LastModifiedById`, `SystemModstamp`.\n",
    );
    for o in OBJECTS {
        let kind = if o.custom { "custom" } else { "standard" };
        out.push_str(&format!(
            "\n### `{}` ({kind}, id prefix `{}`)\n\n{}\n\n",
            o.name, o.key_prefix, o.doc
        ));
        out.push_str("| Field | Label | Type | Required | External ID | Unique | Access | Notes |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for f in o.fields {
            let yes = |b: bool| if b { "yes" } else { "" };
            let unique = match (f.unique, f.case_sensitive) {
                (true, true) => "yes (case-sensitive)",
                (true, false) => "yes",
                _ => "",
            };
            let access = match f.access {
                Access::ReadWrite => "read/write",
                Access::CreateOnly => "create only",
                Access::ReadOnly => "read-only",
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
                f.name,
                f.label,
                kind_label(f.kind),
                yes(f.required),
                yes(f.external_id),
                unique,
                access,
                f.doc.replace('|', "\\|"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod doc_drift {
    /// `docs/salesforce-schema.md` is generated from this module; the test fails when they drift.
    /// Regenerate with `PAYSYNC_UPDATE_DOCS=1 cargo test -p paysync-sandbox schema_doc`.
    #[test]
    fn schema_doc_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../docs/salesforce-schema.md");
        let generated = super::schema_markdown();
        if std::env::var_os("PAYSYNC_UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).unwrap_or_else(|e| panic!("write {path}: {e}"));
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/salesforce-schema.md is out of date: run PAYSYNC_UPDATE_DOCS=1 cargo test -p paysync-sandbox schema_doc"
        );
    }
}
