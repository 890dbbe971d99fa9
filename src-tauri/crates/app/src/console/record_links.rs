//! Links from a failure to the records it is about: Salesforce records open in Lightning, Stripe
//! objects in the dashboard. Against the sandbox the simulators serve those same paths, so a link
//! works before anything real is connected.

use paysync_engine::failure_records::RecordRef;

use super::api::RecordLink;

/// Stripe's API host; its objects' pages are on the dashboard host instead.
const STRIPE_API: &str = "https://api.stripe.com";
const STRIPE_DASHBOARD: &str = "https://dashboard.stripe.com";

/// Whether `s` is a plain name or id (letters, digits, `_`): what a link may carry.
fn plain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The dashboard's path for a Stripe object type.
fn stripe_resource(object: &str) -> String {
    match object {
        "charge" | "payment_intent" => "payments".to_owned(),
        other => format!("{other}s"),
    }
}

/// The page of a record at its provider, whose API is at `base_url`. `None` for a provider
/// without pages here, or a name that is not plain.
pub(crate) fn url(base_url: &str, provider: &str, object: &str, id: &str, test_mode: bool) -> Option<String> {
    if !(plain(object) && plain(id)) {
        return None;
    }
    let base = base_url.trim_end_matches('/');
    match provider {
        "salesforce" => Some(format!("{base}/lightning/r/{object}/{id}/view")),
        "stripe" => {
            let host = if base == STRIPE_API {
                STRIPE_DASHBOARD.to_owned()
            } else {
                format!("{base}/dashboard")
            };
            let test = if test_mode { "/test" } else { "" };
            Some(format!("{host}{test}/{}/{id}", stripe_resource(object)))
        }
        _ => None,
    }
}

/// A record's link, when its provider's base URL is known.
pub(crate) fn link(base_url: &str, r: &RecordRef) -> Option<RecordLink> {
    let provider = match r.provider {
        "salesforce" => "Salesforce",
        _ => "Stripe",
    };
    Some(RecordLink {
        provider: r.provider.to_owned(),
        object: r.object.clone(),
        id: r.id.clone(),
        label: format!("{provider} {} {}", r.object, r.id),
        url: url(base_url, r.provider, &r.object, &r.id, r.test_mode)?,
        test_mode: r.test_mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_link_to_their_providers_pages() {
        assert_eq!(
            url(
                "https://acme.my.salesforce.com/",
                "salesforce",
                "Account",
                "001000000000001AAA",
                false
            )
            .as_deref(),
            Some("https://acme.my.salesforce.com/lightning/r/Account/001000000000001AAA/view")
        );
        assert_eq!(
            url(STRIPE_API, "stripe", "charge", "ch_1", true).as_deref(),
            Some("https://dashboard.stripe.com/test/payments/ch_1")
        );
        assert_eq!(
            url(STRIPE_API, "stripe", "customer", "cus_1", false).as_deref(),
            Some("https://dashboard.stripe.com/customers/cus_1")
        );
        assert_eq!(
            url("http://127.0.0.1:4242", "stripe", "dispute", "dp_1", false).as_deref(),
            Some("http://127.0.0.1:4242/dashboard/disputes/dp_1"),
            "the sandbox serves its own pages"
        );
        assert_eq!(url("http://x", "payoneer", "payout", "p1", false), None);
        assert_eq!(url("http://x", "salesforce", "Account", "../../etc", false), None);
        assert_eq!(url("http://x", "stripe", "customer?x=1", "cus_1", false), None);
    }
}
