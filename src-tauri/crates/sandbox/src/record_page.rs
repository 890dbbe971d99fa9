//! The simulators' stand-ins for a provider's own record pages: Salesforce's Lightning record
//! view and the Stripe dashboard's object pages, at the same paths. The console links a failure
//! to the records it is about; against the sandbox those links open these pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => escape(s),
        Value::Null => String::new(),
        other => escape(&other.to_string()),
    }
}

/// A record's page: its title and every field, in order.
pub(crate) fn page(product: &str, title: &str, fields: &Map<String, Value>) -> Response {
    let rows: String = fields
        .iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), cell(v)))
        .collect();
    let title = escape(title);
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} · {product} (sandbox)</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:2rem}}th{{text-align:left;padding:2px 12px 2px 0;color:#555}}</style>\
         </head><body><p>{product} sandbox</p><h1 id=\"record-title\">{title}</h1><table id=\"record-fields\">{rows}</table></body></html>"
    ))
    .into_response()
}

/// The page for a record that does not exist.
pub(crate) fn not_found(product: &str, what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(format!(
            "<!doctype html><html><body><p>{product} sandbox</p><h1>No such record: {}</h1></body></html>",
            escape(what)
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_escaped_and_shown_as_text() {
        assert_eq!(
            cell(&Value::String("<b>Acme & Co</b>".into())),
            "&lt;b&gt;Acme &amp; Co&lt;/b&gt;"
        );
        assert_eq!(
            cell(&serde_json::json!({"a": "\"x\""})),
            "{&quot;a&quot;:&quot;\\&quot;x\\&quot;&quot;}"
        );
        assert_eq!(cell(&Value::Null), "");
        assert_eq!(cell(&serde_json::json!(12.5)), "12.5");
    }
}
