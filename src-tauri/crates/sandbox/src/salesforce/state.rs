//! The simulator's whole state (records, OAuth clients and tokens, API usage, validation rules,
//! lock injection, query cursors), serialisable for snapshot/restore, plus the public
//! configuration types of the seeding API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::org::Org;

/// A registered OAuth client (Connected App / External Client App).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClient {
    /// Consumer key.
    pub client_id: String,
    /// Consumer secret; also the key of the token response `signature`.
    pub client_secret: Option<String>,
    /// "Require Secret for Web Server Flow" (and for the refresh-token flow). Off for a public
    /// desktop client using PKCE.
    pub require_secret: bool,
    /// Callback URLs. Loopback `http://127.0.0.1/...` and `http://localhost/...` entries match any
    /// port (RFC 8252 §7.3); everything else must match exactly.
    pub redirect_uris: Vec<String>,
}

/// The org's (single) user, whom every token acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUser {
    /// User id (`005…`).
    pub user_id: String,
    /// Organization id (`00D…`).
    pub org_id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Login name (`preferred_username`).
    pub username: String,
}

/// What a custom validation rule checks (on the record as it would be after the write).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum RuleKind {
    /// The field must have a value.
    Required,
    /// A non-null value must match this pattern entirely (like Salesforce's `REGEX()`).
    Regex {
        /// The pattern (a practical subset: classes, groups, alternation, quantifiers, anchors).
        pattern: String,
    },
    /// A non-null value must be one of these (case-sensitive).
    OneOf {
        /// The allowed values.
        values: Vec<String>,
    },
}

/// A custom validation rule: failing it answers `FIELD_CUSTOM_VALIDATION_EXCEPTION`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRule {
    /// Object API name.
    pub object: String,
    /// Field API name (the error names it).
    pub field: String,
    /// The check.
    #[serde(flatten)]
    pub kind: RuleKind,
    /// The error message.
    pub message: String,
}

/// "The next `count` writes touching this record fail with `UNABLE_TO_LOCK_ROW`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockTarget {
    /// The record (updated, deleted, or referenced as a parent by the written record).
    pub record_id: String,
    /// How many writes still fail.
    pub count: u32,
}

/// Injected `UNABLE_TO_LOCK_ROW` failures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockInjection {
    /// Chance of any record write failing, in basis points (1 bp = 0.01 %).
    pub rate_bp: u32,
    /// Specific records whose next writes fail.
    pub next_writes: Vec<LockTarget>,
}

/// A pending consent (the page was shown, no decision yet).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingAuth {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An issued authorization code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

/// A live access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessToken {
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    /// The refresh token it came from or with (revoking that revokes this).
    pub refresh_token: Option<String>,
}

/// A live refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RefreshToken {
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
}

/// OAuth state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OAuthState {
    pub clients: BTreeMap<String, OAuthClient>,
    pub pending: BTreeMap<String, PendingAuth>,
    pub codes: BTreeMap<String, AuthCode>,
    pub access: BTreeMap<String, AccessToken>,
    pub refresh: BTreeMap<String, RefreshToken>,
    /// Access-token lifetime (the org's session timeout), seconds.
    pub session_timeout_secs: i64,
}

impl Default for OAuthState {
    fn default() -> Self {
        Self {
            clients: BTreeMap::new(),
            pending: BTreeMap::new(),
            codes: BTreeMap::new(),
            access: BTreeMap::new(),
            refresh: BTreeMap::new(),
            session_timeout_secs: 2 * 3600,
        }
    }
}

/// The rolling 24-hour API request allocation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiUsage {
    /// Calls allowed per rolling 24 hours.
    pub daily_limit: u64,
    /// Calls by second (unix time).
    calls: BTreeMap<i64, u64>,
    total: u64,
}

/// Salesforce's 24-hour window.
const WINDOW_SECS: i64 = 86_400;

impl Default for ApiUsage {
    fn default() -> Self {
        Self {
            daily_limit: 100_000,
            calls: BTreeMap::new(),
            total: 0,
        }
    }
}

impl ApiUsage {
    fn prune(&mut self, now: DateTime<Utc>) {
        let cutoff = now.timestamp() - WINDOW_SECS;
        while let Some((&at, &n)) = self.calls.first_key_value() {
            if at > cutoff {
                break;
            }
            self.calls.pop_first();
            self.total = self.total.saturating_sub(n);
        }
    }

    /// Calls made in the last 24 hours.
    pub(crate) fn used(&mut self, now: DateTime<Utc>) -> u64 {
        self.prune(now);
        self.total
    }

    /// Counts one call if the allocation allows it: `Ok(used)` including it, or `Err(used)`.
    pub(crate) fn try_record(&mut self, now: DateTime<Utc>) -> Result<u64, u64> {
        let used = self.used(now);
        if used >= self.daily_limit {
            return Err(used);
        }
        *self.calls.entry(now.timestamp()).or_insert(0) += 1;
        self.total += 1;
        Ok(self.total)
    }

    /// Forgets all counted calls.
    pub(crate) fn reset(&mut self) {
        self.calls.clear();
        self.total = 0;
    }
}

/// A server-side query cursor (`nextRecordsUrl`), holding the result as of the query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cursor {
    pub records: Vec<Value>,
    pub batch: usize,
    pub last_used: DateTime<Utc>,
    pub opened_seq: u64,
}

/// Everything the simulator remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    pub org: Org,
    pub oauth: OAuthState,
    pub user: OrgUser,
    pub usage: ApiUsage,
    pub rules: Vec<ValidationRule>,
    pub locks: LockInjection,
    pub cursors: BTreeMap<String, Cursor>,
    pub cursor_seq: u64,
}
