//! How a failed attempt is treated: the three classes the engine's classifier produces and the
//! store records (ARCHITECTURE §3.3–3.4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The class of a failure, which decides what happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Safe to try again later (timeouts, 429, 5xx, lock contention).
    Retriable,
    /// Trying again cannot help (validation, bad data, auth refused): goes to the DLQ.
    Terminal,
    /// The side effect may or may not have happened: never re-sent blindly, resolved by a status query.
    InDoubt,
}

impl ErrorClass {
    /// The stable name stored in the database and shown in the UI.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Retriable => "retriable",
            Self::Terminal => "terminal",
            Self::InDoubt => "in_doubt",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown error-class name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown error class {0:?} (expected retriable, terminal or in_doubt)")]
pub struct UnknownErrorClass(pub String);

impl FromStr for ErrorClass {
    type Err = UnknownErrorClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "retriable" => Ok(Self::Retriable),
            "terminal" => Ok(Self::Terminal),
            "in_doubt" => Ok(Self::InDoubt),
            other => Err(UnknownErrorClass(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in [ErrorClass::Retriable, ErrorClass::Terminal, ErrorClass::InDoubt] {
            assert_eq!(c.as_str().parse::<ErrorClass>(), Ok(c));
        }
        assert!("maybe".parse::<ErrorClass>().is_err());
    }
}
