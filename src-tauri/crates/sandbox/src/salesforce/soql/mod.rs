//! SOQL: the useful subset Paysync and its tests need, parsed for real so malformed queries fail the
//! way Salesforce fails them.
//!
//! Supported: `SELECT` fields (one level of parent relationship, e.g. `Account.Name`,
//! `Contact__r.Email`), `COUNT()`, `COUNT(field) [alias]`; `FROM` one object; `WHERE` with
//! `= != <> < <= > >=`, `IN`, `NOT IN`, `LIKE`, `AND` / `OR` / `NOT` and parentheses (mixing `AND`
//! and `OR` without parentheses is an error, as in SOQL), literals `null`, `true`/`false`,
//! numbers, quoted strings with escapes, dates, datetimes and the date literals `TODAY`,
//! `YESTERDAY`, `TOMORROW`, `LAST_N_DAYS:n`, `NEXT_N_DAYS:n`, `THIS_MONTH`, `LAST_MONTH`,
//! `NEXT_MONTH`, `THIS_YEAR` (UTC); `ORDER BY` with `ASC`/`DESC` and `NULLS FIRST`/`LAST`;
//! `LIMIT`; `OFFSET` (≤ 2000).

mod bind;
mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod parser_tests;

pub(crate) use bind::{Select, bind};
pub(crate) use eval::{execute, record_url, render_record};
pub(crate) use parser::parse;

use super::wire::SfError;

/// A query failure, located in the query text like Salesforce's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryError {
    /// `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`, …
    pub code: &'static str,
    /// Byte offset the error points at, if any.
    pub pos: Option<usize>,
    /// The last line of the message.
    pub message: String,
}

impl QueryError {
    /// A syntax error.
    pub(crate) fn malformed(pos: usize, message: impl Into<String>) -> Self {
        Self::at("MALFORMED_QUERY", pos, message)
    }

    /// Any error code at a position.
    pub(crate) fn at(code: &'static str, pos: usize, message: impl Into<String>) -> Self {
        Self {
            code,
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// The REST error: the offending line, a caret, `ERROR at Row:r:Column:c`, then the message.
    pub(crate) fn into_sf(self, query: &str) -> SfError {
        let Some(pos) = self.pos else {
            return SfError::bad(self.code, self.message);
        };
        let pos = pos.min(query.len());
        let before = query.get(..pos).unwrap_or(query);
        let row = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = query.get(line_start..pos).map_or(0, |s| s.chars().count()) + 1;
        let line = query[line_start..].lines().next().unwrap_or("");
        let caret = format!("{}^", " ".repeat(col - 1));
        SfError::bad(
            self.code,
            format!(
                "\n{line}\n{caret}\nERROR at Row:{row}:Column:{col}\n{}",
                self.message
            ),
        )
    }
}
