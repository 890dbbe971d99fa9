//! Binding a parsed query to the schema: the object must exist (`INVALID_TYPE`), fields must exist
//! (`INVALID_FIELD`, naming the field), literals must suit their field's type (Salesforce's
//! "must be of type … and should (not) be enclosed in quotes"), and date literals become ranges.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::QueryError;
use super::parser::{Cond, Lit, LitKind, Query, SelectItem};
use crate::salesforce::ids;
use crate::salesforce::org::reference_target;
use crate::salesforce::schema::{self, FieldDef, FieldKind, ObjectDef};
use crate::salesforce::value::FieldValue;

/// A field reached from the queried object, directly or through one parent lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Path {
    /// The lookup on the queried object and the parent object, for `Account.Name`.
    pub via: Option<(&'static FieldDef, &'static ObjectDef)>,
    /// The field read.
    pub field: &'static FieldDef,
}

/// What the query returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Select {
    /// Records with these fields.
    Fields(Vec<Path>),
    /// `COUNT()`: `totalSize` only.
    CountAll,
    /// `COUNT(field)`: one aggregate row under `alias`.
    Count {
        /// The counted field (non-null values are counted).
        field: Path,
        /// The key in the aggregate row.
        alias: String,
    },
}

/// A comparison operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operand {
    /// `null`.
    Null,
    /// A value of the field's type.
    Value(FieldValue),
    /// A date literal: `[start, end)`.
    Range(FieldValue, FieldValue),
}

/// A bound condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Filter {
    /// All.
    And(Vec<Filter>),
    /// Any.
    Or(Vec<Filter>),
    /// Not.
    Not(Box<Filter>),
    /// Comparison.
    Cmp {
        /// Field.
        path: Path,
        /// Operator.
        op: &'static str,
        /// Operand.
        value: Operand,
    },
    /// Membership.
    In {
        /// Field.
        path: Path,
        /// `NOT IN`.
        negated: bool,
        /// Operands.
        values: Vec<Operand>,
    },
    /// LIKE, with the pattern lower-cased.
    Like {
        /// Field.
        path: Path,
        /// Pattern (`%`, `_`, escapes `\%` `\_`).
        pattern: String,
    },
}

/// A sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order {
    /// Field.
    pub path: Path,
    /// Ascending.
    pub asc: bool,
    /// Nulls first (Salesforce: first when ascending, last when descending, unless told).
    pub nulls_first: bool,
}

/// A query ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The queried object.
    pub object: &'static ObjectDef,
    /// What to return.
    pub select: Select,
    /// WHERE.
    pub filter: Option<Filter>,
    /// ORDER BY.
    pub order: Vec<Order>,
    /// LIMIT.
    pub limit: Option<usize>,
    /// OFFSET.
    pub offset: usize,
}

/// Salesforce's maximum OFFSET.
const MAX_OFFSET: u64 = 2000;

fn no_such_column(pos: usize, name: &str, obj: &ObjectDef) -> QueryError {
    QueryError::at(
        "INVALID_FIELD",
        pos,
        format!(
            "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
            obj.name
        ),
    )
}

fn resolve(obj: &'static ObjectDef, text: &str, pos: usize) -> Result<Path, QueryError> {
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        [f] => obj
            .field(f)
            .map(|field| Path { via: None, field })
            .ok_or_else(|| no_such_column(pos, f, obj)),
        [rel, f] => {
            let lookup = obj
                .all_fields()
                .find(|l| l.relationship_name().is_some_and(|r| r.eq_ignore_ascii_case(rel)));
            let parent = lookup.and_then(reference_target);
            let (Some(lookup), Some(parent)) = (lookup, parent) else {
                return Err(QueryError::at(
                    "INVALID_FIELD",
                    pos,
                    format!(
                        "Didn't understand relationship '{rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
                    ),
                ));
            };
            let field = parent.field(f).ok_or_else(|| no_such_column(pos, f, parent))?;
            Ok(Path {
                via: Some((lookup, parent)),
                field,
            })
        }
        _ => Err(QueryError::at(
            "INVALID_FIELD",
            pos,
            format!("'{text}': the simulator supports one level of parent relationship"),
        )),
    }
}

fn type_error(lit: &Lit, f: &FieldDef, ty: &str, quoted: bool) -> QueryError {
    let how = if quoted {
        "should be enclosed in quotes"
    } else {
        "should not be enclosed in quotes"
    };
    QueryError::at(
        "INVALID_FIELD",
        lit.pos,
        format!(
            "value of filter criterion for field '{}' must be of type {ty} and {how}",
            f.name
        ),
    )
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn month_start(d: NaiveDate, delta: i32) -> NaiveDate {
    let months = d.year() * 12 + i32::try_from(d.month0()).unwrap_or(0) + delta;
    let (y, m0) = (months.div_euclid(12), months.rem_euclid(12));
    NaiveDate::from_ymd_opt(y, u32::try_from(m0).unwrap_or(0) + 1, 1).unwrap_or(d)
}

/// The `[start, end)` days of a date literal at `now` (UTC).
fn date_range(name: &str, n: Option<i64>, now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let today = now.date_naive();
    let days = |k: i64| today + Duration::days(k);
    let n = n.unwrap_or(0);
    match name {
        "YESTERDAY" => (days(-1), today),
        "TOMORROW" => (days(1), days(2)),
        "LAST_N_DAYS" => (days(-n), days(1)),
        "NEXT_N_DAYS" => (days(1), days(1 + n)),
        "THIS_MONTH" => (month_start(today, 0), month_start(today, 1)),
        "LAST_MONTH" => (month_start(today, -1), month_start(today, 0)),
        "NEXT_MONTH" => (month_start(today, 1), month_start(today, 2)),
        "THIS_YEAR" => {
            let y = today.year();
            let jan1 = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today);
            (jan1(y), jan1(y + 1))
        }
        _ => (today, days(1)),
    }
}

/// A literal as an operand for field `f`, or the type error Salesforce gives.
fn operand(lit: &Lit, f: &FieldDef, now: DateTime<Utc>) -> Result<Operand, QueryError> {
    use FieldKind as K;
    if lit.kind == LitKind::Null {
        return Ok(Operand::Null);
    }
    let v = match (f.kind, &lit.kind) {
        (K::Id | K::Reference(_), LitKind::Str(s)) => {
            let id = ids::normalize(s).ok_or_else(|| {
                QueryError::at(
                    "INVALID_QUERY_FILTER_OPERATOR",
                    lit.pos,
                    format!("invalid ID field: {s}"),
                )
            })?;
            FieldValue::Text(id)
        }
        (K::Id | K::Reference(_), _) => return Err(type_error(lit, f, "id", true)),
        (K::Boolean, LitKind::Bool(b)) => FieldValue::Bool(*b),
        (K::Boolean, _) => return Err(type_error(lit, f, "boolean", false)),
        (K::Currency(..) | K::Number(..), LitKind::Num(d)) => FieldValue::Num(*d),
        (K::Currency(..) | K::Number(..), _) => return Err(type_error(lit, f, "double", false)),
        (K::Int, LitKind::Num(d)) => FieldValue::Num(*d),
        (K::Int, _) => return Err(type_error(lit, f, "integer", false)),
        (K::Date, LitKind::Date(d)) => FieldValue::Date(*d),
        (K::Date, LitKind::DateFn { name, n }) => {
            let (a, b) = date_range(name, *n, now);
            return Ok(Operand::Range(FieldValue::Date(a), FieldValue::Date(b)));
        }
        (K::Date, _) => return Err(type_error(lit, f, "date", false)),
        (K::DateTime, LitKind::DateTime(d)) => FieldValue::DateTime(*d),
        (K::DateTime, LitKind::DateFn { name, n }) => {
            let (a, b) = date_range(name, *n, now);
            return Ok(Operand::Range(
                FieldValue::DateTime(day_start(a)),
                FieldValue::DateTime(day_start(b)),
            ));
        }
        (K::DateTime, _) => return Err(type_error(lit, f, "dateTime", false)),
        (_, LitKind::Str(s)) => FieldValue::Text(s.replace("\\%", "%").replace("\\_", "_")),
        (_, _) => return Err(type_error(lit, f, "string", true)),
    };
    Ok(Operand::Value(v))
}

fn bind_cond(obj: &'static ObjectDef, c: &Cond, now: DateTime<Utc>) -> Result<Filter, QueryError> {
    Ok(match c {
        Cond::And(items) => Filter::And(
            items
                .iter()
                .map(|c| bind_cond(obj, c, now))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Or(items) => Filter::Or(
            items
                .iter()
                .map(|c| bind_cond(obj, c, now))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Not(inner) => Filter::Not(Box::new(bind_cond(obj, inner, now)?)),
        Cond::Cmp { field, op, value } => {
            let path = resolve(obj, &field.text, field.pos)?;
            Filter::Cmp {
                path,
                op,
                value: operand(value, path.field, now)?,
            }
        }
        Cond::In {
            field,
            negated,
            values,
        } => {
            let path = resolve(obj, &field.text, field.pos)?;
            let values = values
                .iter()
                .map(|v| operand(v, path.field, now))
                .collect::<Result<_, _>>()?;
            Filter::In {
                path,
                negated: *negated,
                values,
            }
        }
        Cond::Like { field, pattern } => {
            let path = resolve(obj, &field.text, field.pos)?;
            let LitKind::Str(p) = &pattern.kind else {
                return Err(type_error(pattern, path.field, "string", true));
            };
            if !path.field.is_textual() {
                return Err(QueryError::at(
                    "INVALID_FIELD",
                    field.pos,
                    format!(
                        "invalid operator on field '{}': LIKE needs a text field",
                        path.field.name
                    ),
                ));
            }
            Filter::Like {
                path,
                pattern: p.to_lowercase(),
            }
        }
    })
}

/// Binds a parsed query; `now` resolves date literals.
pub(crate) fn bind(q: &Query, now: DateTime<Utc>) -> Result<Plan, QueryError> {
    let object = schema::object(&q.from.text).ok_or_else(|| {
        QueryError::at(
            "INVALID_TYPE",
            q.from.pos,
            format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                q.from.text
            ),
        )
    })?;
    let mut paths = vec![];
    let mut select = None;
    for item in &q.select {
        match item {
            SelectItem::Field(n) => {
                let p = resolve(object, &n.text, n.pos)?;
                if paths.contains(&p) {
                    return Err(QueryError::malformed(
                        n.pos,
                        format!("duplicate field selected: {}", n.text),
                    ));
                }
                paths.push(p);
            }
            SelectItem::CountAll(pos)
            | SelectItem::Count {
                field: super::parser::Name { pos, .. },
                ..
            } if q.select.len() > 1 => {
                return Err(QueryError::malformed(
                    *pos,
                    "Aggregate query does not support selecting other fields",
                ));
            }
            SelectItem::CountAll(_) => select = Some(Select::CountAll),
            SelectItem::Count { field, alias } => {
                select = Some(Select::Count {
                    field: resolve(object, &field.text, field.pos)?,
                    alias: alias.clone().unwrap_or_else(|| "expr0".to_owned()),
                });
            }
        }
    }
    let filter = q.filter.as_ref().map(|c| bind_cond(object, c, now)).transpose()?;
    let order = q
        .order
        .iter()
        .map(|o| {
            Ok(Order {
                path: resolve(object, &o.field.text, o.field.pos)?,
                asc: o.asc,
                nulls_first: o.nulls_first.unwrap_or(o.asc),
            })
        })
        .collect::<Result<_, QueryError>>()?;
    let offset = match q.offset {
        Some((n, pos)) if n > MAX_OFFSET => {
            return Err(QueryError::at(
                "NUMBER_OUTSIDE_VALID_RANGE",
                pos,
                format!("Maximum SOQL offset allowed is {MAX_OFFSET}"),
            ));
        }
        Some((n, _)) => usize::try_from(n).unwrap_or(0),
        None => 0,
    };
    Ok(Plan {
        object,
        select: select.unwrap_or(Select::Fields(paths)),
        filter,
        order,
        limit: q.limit.map(|(n, _)| usize::try_from(n).unwrap_or(usize::MAX)),
        offset,
    })
}
