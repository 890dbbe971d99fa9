//! SOQL syntax tree and recursive-descent parser. Names are not checked here (see `bind`).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::QueryError;
use super::lexer::{Tok, Token, tokenize};
use crate::salesforce::value::parse_decimal;

/// A name and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    /// As written (possibly dotted: `Account.Name`).
    pub text: String,
    /// Byte offset.
    pub pos: usize,
}

/// One item of the SELECT list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SelectItem {
    /// A field path.
    Field(Name),
    /// `COUNT()`: only the number of rows.
    CountAll(usize),
    /// `COUNT(field) [alias]`: an aggregate row.
    Count {
        /// The counted field.
        field: Name,
        /// Its alias (default `expr0`).
        alias: Option<String>,
    },
}

/// A literal value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lit {
    /// The value.
    pub kind: LitKind,
    /// Byte offset.
    pub pos: usize,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LitKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(Decimal),
    /// A quoted string (LIKE escapes `\%` `\_` kept).
    Str(String),
    /// `2026-01-31`.
    Date(NaiveDate),
    /// `2026-01-31T00:00:00Z`.
    DateTime(DateTime<Utc>),
    /// A date literal such as `TODAY` or `LAST_N_DAYS:30`.
    DateFn {
        /// Upper-case name.
        name: String,
        /// The `:n` argument.
        n: Option<i64>,
    },
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cond {
    /// All must hold.
    And(Vec<Cond>),
    /// One must hold.
    Or(Vec<Cond>),
    /// Negation.
    Not(Box<Cond>),
    /// `field op value`.
    Cmp {
        /// The field.
        field: Name,
        /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
        op: &'static str,
        /// The value.
        value: Lit,
    },
    /// `field [NOT] IN (values)`.
    In {
        /// The field.
        field: Name,
        /// `NOT IN`.
        negated: bool,
        /// The values.
        values: Vec<Lit>,
    },
    /// `field LIKE 'pattern'`.
    Like {
        /// The field.
        field: Name,
        /// The pattern.
        pattern: Lit,
    },
}

/// One ORDER BY item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderItem {
    /// The field.
    pub field: Name,
    /// Ascending (default).
    pub asc: bool,
    /// Explicit `NULLS FIRST` / `NULLS LAST`.
    pub nulls_first: Option<bool>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    /// SELECT list.
    pub select: Vec<SelectItem>,
    /// FROM object.
    pub from: Name,
    /// WHERE condition.
    pub filter: Option<Cond>,
    /// ORDER BY items.
    pub order: Vec<OrderItem>,
    /// LIMIT and its position.
    pub limit: Option<(u64, usize)>,
    /// OFFSET and its position.
    pub offset: Option<(u64, usize)>,
}

const KEYWORDS: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "NULL", "TRUE", "FALSE", "ORDER", "BY",
    "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "GROUP", "HAVING", "WITH", "FOR", "USING",
    "INCLUDES", "EXCLUDES", "TYPEOF",
];

/// Date literals the simulator understands (those with `:n` take an argument).
const DATE_FNS: &[&str] = &[
    "TODAY",
    "YESTERDAY",
    "TOMORROW",
    "LAST_N_DAYS",
    "NEXT_N_DAYS",
    "THIS_MONTH",
    "LAST_MONTH",
    "NEXT_MONTH",
    "THIS_YEAR",
];

/// Clauses that are real SOQL but outside the simulator's subset.
const UNSUPPORTED: &[&str] = &[
    "GROUP", "HAVING", "WITH", "FOR", "USING", "TYPEOF", "INCLUDES", "EXCLUDES",
];

struct Parser {
    toks: Vec<Token>,
    i: usize,
}

fn is_keyword(s: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn unexpected(&self) -> QueryError {
        let t = self.peek();
        let word = t.text.to_uppercase();
        if UNSUPPORTED.contains(&word.as_str()) {
            return QueryError::malformed(
                t.pos,
                format!(
                    "unexpected token: '{}' (not supported by the Paysync Salesforce simulator)",
                    t.text
                ),
            );
        }
        QueryError::malformed(t.pos, format!("unexpected token: '{}'", t.text))
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.i += 1;
        }
        yes
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), QueryError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), QueryError> {
        if &self.peek().tok == tok {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn name(&mut self) -> Result<Name, QueryError> {
        match &self.peek().tok {
            Tok::Ident(s) if !is_keyword(s) => {
                let n = Name {
                    text: s.clone(),
                    pos: self.peek().pos,
                };
                self.i += 1;
                Ok(n)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        self.expect_kw("SELECT")?;
        let mut select = vec![];
        loop {
            let pos = self.peek().pos;
            if self.is_kw("COUNT") && self.toks.get(self.i + 1).is_some_and(|t| t.tok == Tok::LParen) {
                self.i += 2;
                if self.peek().tok == Tok::RParen {
                    self.i += 1;
                    select.push(SelectItem::CountAll(pos));
                } else {
                    let field = self.name()?;
                    self.expect(&Tok::RParen)?;
                    let alias = match &self.peek().tok {
                        Tok::Ident(s) if !is_keyword(s) => {
                            let a = s.clone();
                            self.i += 1;
                            Some(a)
                        }
                        _ => None,
                    };
                    select.push(SelectItem::Count { field, alias });
                }
            } else {
                select.push(SelectItem::Field(self.name()?));
            }
            if self.peek().tok != Tok::Comma {
                break;
            }
            self.i += 1;
        }
        self.expect_kw("FROM")?;
        let from = self.name()?;
        let filter = if self.eat_kw("WHERE") {
            Some(self.cond()?)
        } else {
            None
        };
        let mut order = vec![];
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let field = self.name()?;
                let asc = if self.eat_kw("DESC") {
                    false
                } else {
                    self.eat_kw("ASC");
                    true
                };
                let nulls_first = if self.eat_kw("NULLS") {
                    if self.eat_kw("FIRST") {
                        Some(true)
                    } else {
                        self.expect_kw("LAST")?;
                        Some(false)
                    }
                } else {
                    None
                };
                order.push(OrderItem {
                    field,
                    asc,
                    nulls_first,
                });
                if self.peek().tok != Tok::Comma {
                    break;
                }
                self.i += 1;
            }
        }
        let limit = if self.eat_kw("LIMIT") {
            Some(self.count()?)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            Some(self.count()?)
        } else {
            None
        };
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected());
        }
        Ok(Query {
            select,
            from,
            filter,
            order,
            limit,
            offset,
        })
    }

    fn count(&mut self) -> Result<(u64, usize), QueryError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Num(n) => {
                let v = n.parse::<u64>().map_err(|_| self.unexpected())?;
                self.i += 1;
                Ok((v, t.pos))
            }
            _ => Err(self.unexpected()),
        }
    }

    /// `unary (AND unary)*` or `unary (OR unary)*`; SOQL refuses to mix them unparenthesised.
    fn cond(&mut self) -> Result<Cond, QueryError> {
        let first = self.unary()?;
        let joiner = if self.is_kw("AND") {
            "AND"
        } else if self.is_kw("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let mut items = vec![first];
        while self.eat_kw(joiner) {
            items.push(self.unary()?);
        }
        if self.is_kw("AND") || self.is_kw("OR") {
            return Err(self.unexpected());
        }
        Ok(if joiner == "AND" {
            Cond::And(items)
        } else {
            Cond::Or(items)
        })
    }

    fn unary(&mut self) -> Result<Cond, QueryError> {
        if self.eat_kw("NOT") {
            return Ok(Cond::Not(Box::new(self.unary()?)));
        }
        if self.peek().tok == Tok::LParen {
            self.i += 1;
            let c = self.cond()?;
            self.expect(&Tok::RParen)?;
            return Ok(c);
        }
        let field = self.name()?;
        if let Tok::Op(op) = self.peek().tok {
            self.i += 1;
            let value = self.literal()?;
            return Ok(Cond::Cmp { field, op, value });
        }
        if self.eat_kw("LIKE") {
            let pattern = self.literal()?;
            return Ok(Cond::Like { field, pattern });
        }
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            self.expect(&Tok::LParen)?;
            let mut values = vec![self.literal()?];
            while self.peek().tok == Tok::Comma {
                self.i += 1;
                values.push(self.literal()?);
            }
            self.expect(&Tok::RParen)?;
            return Ok(Cond::In {
                field,
                negated,
                values,
            });
        }
        Err(self.unexpected())
    }

    fn literal(&mut self) -> Result<Lit, QueryError> {
        let t = self.peek().clone();
        let kind = match &t.tok {
            Tok::Str(s) => LitKind::Str(s.clone()),
            Tok::Num(n) => LitKind::Num(parse_decimal(n).ok_or_else(|| self.unexpected())?),
            Tok::Date(d) => LitKind::Date(*d),
            Tok::DateTime(d) => LitKind::DateTime(*d),
            Tok::Ident(s) if s.eq_ignore_ascii_case("null") => LitKind::Null,
            Tok::Ident(s) if s.eq_ignore_ascii_case("true") => LitKind::Bool(true),
            Tok::Ident(s) if s.eq_ignore_ascii_case("false") => LitKind::Bool(false),
            Tok::Ident(s) if DATE_FNS.iter().any(|f| f.eq_ignore_ascii_case(s)) => {
                let name = s.to_uppercase();
                let takes_n = name.contains("_N_");
                self.i += 1;
                let n = if takes_n {
                    self.expect(&Tok::Colon)?;
                    let (n, _) = self.count()?;
                    Some(i64::try_from(n).map_err(|_| self.unexpected())?)
                } else {
                    None
                };
                return Ok(Lit {
                    kind: LitKind::DateFn { name, n },
                    pos: t.pos,
                });
            }
            _ => return Err(self.unexpected()),
        };
        self.i += 1;
        Ok(Lit { kind, pos: t.pos })
    }
}

/// Parses a SOQL query.
pub(crate) fn parse(q: &str) -> Result<Query, QueryError> {
    let toks = tokenize(q)?;
    Parser { toks, i: 0 }.query()
}
