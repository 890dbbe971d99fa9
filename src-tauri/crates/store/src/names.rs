//! Closed sets of names stored as TEXT (statuses, outcomes, triggers): one macro gives each enum the
//! same `as_str` / `FromStr` / `Display` / serde shape, so the database, the API and the UI agree.

use crate::error::StoreError;

/// A stored or supplied name that is not one of the enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownName {
    /// What kind of name was expected ("job status", …).
    pub what: &'static str,
    /// The name that was found.
    pub value: String,
}

impl From<UnknownName> for StoreError {
    fn from(err: UnknownName) -> Self {
        StoreError::corrupt(err.to_string())
    }
}

/// Parses a stored error class.
pub(crate) fn error_class(s: &str) -> Result<paysync_core::ErrorClass, StoreError> {
    s.parse()
        .map_err(|e: paysync_core::error_class::UnknownErrorClass| StoreError::corrupt(e.to_string()))
}

/// Parses an optional stored error class.
pub(crate) fn error_class_opt(s: Option<&str>) -> Result<Option<paysync_core::ErrorClass>, StoreError> {
    s.map(error_class).transpose()
}

/// Declares a closed enum stored by name. Variant names map to `snake_case` in serde and in SQL.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $s:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable name stored in the database and shown in the UI.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $s ),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $s => Ok(Self::$variant), )+
                    other => Err($crate::names::UnknownName { what: $what, value: other.to_owned() }),
                }
            }
        }
    };
}

pub(crate) use string_enum;
