//! SOQL tokens: identifiers (with dots), quoted strings with Salesforce's escapes, numbers, date
//! and datetime literals, operators and punctuation. Each token keeps its byte offset so errors can
//! point at it the way Salesforce does (`ERROR at Row:1:Column:29`).

use chrono::{DateTime, NaiveDate, Utc};

use super::QueryError;
use crate::salesforce::value::parse_datetime;

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name or keyword (keywords are recognised by the parser, case-insensitively).
    Ident(String),
    /// A quoted string; `\%` and `\_` stay escaped for LIKE.
    Str(String),
    /// A number as written.
    Num(String),
    /// `2026-01-31`.
    Date(NaiveDate),
    /// `2026-01-31T00:00:00Z`.
    DateTime(DateTime<Utc>),
    /// `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`.
    Op(&'static str),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// `:` (in `LAST_N_DAYS:30`).
    Colon,
    /// End of input.
    Eof,
}

/// A token and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// Kind and value.
    pub tok: Tok,
    /// Byte offset in the query.
    pub pos: usize,
    /// The source text, for "unexpected token" messages.
    pub text: String,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Splits a query into tokens (ending with [`Tok::Eof`]).
pub(crate) fn tokenize(q: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    let mut out = vec![];
    let mut i = 0;
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let offset = |i: usize| chars.get(i).map_or(q.len(), |(p, _)| *p);
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = if is_ident_start(c) {
            while at(i).is_some_and(is_ident_char) {
                i += 1;
            }
            Tok::Ident(q[pos..offset(i)].to_owned())
        } else if c == '\'' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(c) = at(i) else {
                    return Err(QueryError::malformed(pos, "unexpected token: '<EOF>'"));
                };
                i += 1;
                match c {
                    '\'' => break,
                    '\\' => {
                        let e = at(i).unwrap_or(' ');
                        i += 1;
                        match e {
                            'n' | 'N' => s.push('\n'),
                            'r' | 'R' => s.push('\r'),
                            't' | 'T' => s.push('\t'),
                            'b' | 'B' => s.push('\u{8}'),
                            'f' | 'F' => s.push('\u{c}'),
                            '\'' | '"' | '\\' => s.push(e),
                            // Kept escaped: LIKE needs to tell a literal % or _ from a wildcard.
                            '%' | '_' => {
                                s.push('\\');
                                s.push(e);
                            }
                            other => {
                                let lit = &q[pos..offset(i)];
                                return Err(QueryError::malformed(
                                    pos,
                                    format!(
                                        "Invalid string literal '{lit}'. Illegal character sequence '\\{other}' in string literal."
                                    ),
                                ));
                            }
                        }
                    }
                    c => s.push(c),
                }
            }
            Tok::Str(s)
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+') && at(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let text: String = chars[i..].iter().map(|(_, c)| *c).collect();
            let len = literal_len(&text);
            i += len;
            let lit = &q[pos..offset(i)];
            if at(i).is_some_and(is_ident_char) {
                let end = (i..chars.len())
                    .find(|j| !at(*j).is_some_and(is_ident_char))
                    .unwrap_or(chars.len());
                let bad = &q[pos..offset(end)];
                return Err(QueryError::malformed(pos, format!("unexpected token: '{bad}'")));
            }
            literal(lit).ok_or_else(|| QueryError::malformed(pos, format!("unexpected token: '{lit}'")))?
        } else {
            i += 1;
            match c {
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                ',' => Tok::Comma,
                ':' => Tok::Colon,
                '=' => Tok::Op("="),
                '!' if at(i) == Some('=') => {
                    i += 1;
                    Tok::Op("!=")
                }
                '<' if at(i) == Some('=') => {
                    i += 1;
                    Tok::Op("<=")
                }
                '<' if at(i) == Some('>') => {
                    i += 1;
                    Tok::Op("!=")
                }
                '<' => Tok::Op("<"),
                '>' if at(i) == Some('=') => {
                    i += 1;
                    Tok::Op(">=")
                }
                '>' => Tok::Op(">"),
                other => {
                    return Err(QueryError::malformed(
                        pos,
                        format!("line 1:{pos} no viable alternative at character '{other}'"),
                    ));
                }
            }
        };
        out.push(Token {
            tok,
            pos,
            text: q[pos..offset(i)].to_owned(),
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        pos: q.len(),
        text: "<EOF>".to_owned(),
    });
    Ok(out)
}

/// How many characters of `text` form a number, date or datetime literal.
fn literal_len(text: &str) -> usize {
    let c: Vec<char> = text.chars().collect();
    let digit = |i: usize| c.get(i).is_some_and(char::is_ascii_digit);
    let is = |i: usize, x: char| c.get(i) == Some(&x);
    let date = (0..4).all(digit) && is(4, '-') && digit(5) && digit(6) && is(7, '-') && digit(8) && digit(9);
    if date {
        let mut i = 10;
        if is(i, 'T') {
            i += 1;
            while c
                .get(i)
                .is_some_and(|ch| ch.is_ascii_digit() || *ch == ':' || *ch == '.')
            {
                i += 1;
            }
            if is(i, 'Z') || is(i, 'z') {
                i += 1;
            } else if is(i, '+') || is(i, '-') {
                i += 1;
                while c.get(i).is_some_and(|ch| ch.is_ascii_digit() || *ch == ':') {
                    i += 1;
                }
            }
        }
        return i;
    }
    let mut i = usize::from(is(0, '-') || is(0, '+'));
    while digit(i) {
        i += 1;
    }
    if is(i, '.') && digit(i + 1) {
        i += 1;
        while digit(i) {
            i += 1;
        }
    }
    i
}

/// A number, date or datetime literal.
fn literal(text: &str) -> Option<Tok> {
    if text.len() >= 10 && text.as_bytes()[4] == b'-' {
        if text.len() == 10 {
            return NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Tok::Date);
        }
        // SOQL datetimes carry a zone: Z or ±hh:mm.
        let zoned = text.ends_with(['Z', 'z']) || text[10..].contains(['+', '-']);
        return if zoned {
            parse_datetime(text).map(Tok::DateTime)
        } else {
            None
        };
    }
    Some(Tok::Num(text.to_owned()))
}
