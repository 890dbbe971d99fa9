//! A run's results as CSV (exact decimal text) or XLSX (a sheet of results and a sheet of
//! totals per currency, written with `rust_xlsxwriter`), for the accountants.

use paysync_core::{Currency, Money};
use paysync_store::{ReconResult, ReconRun};
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use crate::EngineError;

/// The file formats a run exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated, UTF-8, amounts as exact decimal text.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

const HEADER: [&str; 13] = [
    "Result",
    "Category",
    "Kind",
    "Currency",
    "Provider records",
    "Salesforce records",
    "Gross",
    "Fee",
    "FX difference",
    "Net",
    "Reason",
    "Decision",
    "Note",
];

/// A breakdown amount (minor units) as decimal text of its currency.
fn major(breakdown: Option<&Value>, key: &str, currency: &str) -> Option<String> {
    let minor = breakdown?.get(key)?.as_i64()?;
    let currency = Currency::from_code(currency).ok()?;
    Some(Money::from_minor(minor, currency).to_decimal().to_string())
}

fn row(r: &ReconResult) -> [String; 13] {
    let b = r.breakdown.as_ref();
    let amount = |key| major(b, key, &r.currency).unwrap_or_default();
    [
        r.id.to_string(),
        r.category.to_string(),
        r.kind.clone(),
        r.currency.clone(),
        r.provider_ids.join(" "),
        r.salesforce_ids.join(" "),
        amount("gross"),
        amount("fee"),
        amount("fx_difference"),
        amount("net"),
        r.reason.clone(),
        r.resolution
            .map(|x| format!("{x} by {}", r.resolved_by.as_deref().unwrap_or_default()))
            .unwrap_or_default(),
        r.note.clone().unwrap_or_default(),
    ]
}

fn failed(what: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::Refused(format!("exporting the run ({what}): {e}"))
}

/// Writes `results` of `run` in `format`.
pub(crate) fn export(
    run: &ReconRun,
    results: &[ReconResult],
    format: ExportFormat,
) -> Result<Vec<u8>, EngineError> {
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(HEADER).map_err(|e| failed("csv", e))?;
            for r in results {
                w.write_record(row(r)).map_err(|e| failed("csv", e))?;
            }
            w.into_inner().map_err(|e| failed("csv", e))
        }
        ExportFormat::Xlsx => xlsx(run, results).map_err(|e| failed("xlsx", e)),
    }
}

fn xlsx(run: &ReconRun, results: &[ReconResult]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Results")?;
    for (c, title) in (0u16..).zip(HEADER) {
        sheet.write_string_with_format(0, c, title, &bold)?;
    }
    for (n, r) in (1u32..).zip(results) {
        let cells = row(r);
        for (c, value) in (0u16..).zip(cells.iter()) {
            // Amounts are numbers, so the accountants can sum them; the text stays exact in CSV.
            let number = (6..=9)
                .contains(&c)
                .then(|| value.parse::<rust_decimal::Decimal>().ok())
                .flatten()
                .and_then(|d| d.to_f64());
            match number {
                Some(x) => sheet.write_number(n, c, x)?,
                None => sheet.write_string(n, c, value)?,
            };
        }
    }
    sheet.autofilter(0, 0, u32::try_from(results.len()).unwrap_or(u32::MAX), 12)?;
    sheet.set_freeze_panes(1, 0)?;

    let totals = book.add_worksheet().set_name("Totals")?;
    totals.write_string_with_format(0, 0, "Period", &bold)?;
    totals.write_string(0, 1, format!("{} to {}", run.period_from, run.period_to))?;
    let heads = [
        "Currency",
        "Provider input",
        "Provider matched",
        "Provider unmatched",
        "Salesforce input",
        "Salesforce matched",
        "Salesforce unmatched",
    ];
    for (c, title) in (0u16..).zip(heads) {
        totals.write_string_with_format(2, c, title, &bold)?;
    }
    let per_currency = run
        .summary
        .as_ref()
        .and_then(|s| s.get("totals"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (n, (code, t)) in (3u32..).zip(per_currency) {
        totals.write_string(n, 0, &code)?;
        let keys = [
            "provider_input",
            "provider_matched",
            "provider_unmatched",
            "salesforce_input",
            "salesforce_matched",
            "salesforce_unmatched",
        ];
        for (c, key) in (1u16..).zip(keys) {
            let minor: i64 = t
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let amount = Currency::from_code(&code)
                .ok()
                .and_then(|cur| Money::from_minor(minor, cur).to_decimal().to_f64());
            match amount {
                Some(x) => totals.write_number(n, c, x)?,
                None => totals.write_string(n, c, minor.to_string())?,
            };
        }
    }
    book.save_to_buffer()
}
