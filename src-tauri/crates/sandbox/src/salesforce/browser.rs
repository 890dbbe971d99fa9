//! A scripted browser for the simulator's consent page: opens the authorize URL, clicks Allow or
//! Deny, and follows the redirect to the app's loopback listener, as a person's browser would.
//! Tests and headless demos use it to finish an OAuth sign-in without a browser.

use std::time::Duration;

use url::Url;

/// What the browser ends up showing after the redirect to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    /// The app's HTTP status.
    pub status: u16,
    /// The app's page.
    pub body: String,
    /// Where the consent page redirected to (the app's callback with `code` and `state`).
    pub callback: String,
}

/// Plays the user: opens `authorize_url`, clicks Allow (`allow`) or Deny, follows the redirect.
pub async fn answer_consent(authorize_url: &str, allow: bool) -> Result<Landed, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("client: {e}"))?;
    let page = http
        .get(authorize_url)
        .send()
        .await
        .map_err(|e| format!("consent page: {e}"))?;
    if page.status() != 200 {
        return Err(format!("the consent page answered HTTP {}", page.status()));
    }
    let html = page.text().await.map_err(|e| format!("consent page: {e}"))?;
    let action = attribute(&html, "id=\"decision\"", "action")?;
    let request_id = attribute(&html, "name=\"request_id\"", "value")?;
    let button = attribute(&html, if allow { "id=\"allow\"" } else { "id=\"deny\"" }, "value")?;
    let action = Url::parse(authorize_url)
        .and_then(|u| u.join(&action))
        .map_err(|e| format!("form action: {e}"))?;
    let answer = http
        .post(action)
        .form(&[("request_id", request_id.as_str()), ("decision", button.as_str())])
        .send()
        .await
        .map_err(|e| format!("decision: {e}"))?;
    if answer.status() != 302 {
        return Err(format!(
            "the decision answered HTTP {}, not a redirect",
            answer.status()
        ));
    }
    let callback = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("the decision redirected nowhere")?
        .to_owned();
    let landed = http
        .get(&callback)
        .send()
        .await
        .map_err(|e| format!("callback: {e}"))?;
    Ok(Landed {
        status: landed.status().as_u16(),
        body: landed.text().await.unwrap_or_default(),
        callback,
    })
}

/// The value of `attr="…"` in the first tag of `html` that contains `anchor`.
fn attribute(html: &str, anchor: &str, attr: &str) -> Result<String, String> {
    let at = html
        .find(anchor)
        .ok_or_else(|| format!("no {anchor} on the page"))?;
    let tag_start = html[..at].rfind('<').unwrap_or(0);
    let tag_end = at + html[at..].find('>').unwrap_or(0);
    let tag = &html[tag_start..tag_end];
    let marker = format!("{attr}=\"");
    let start = tag.find(&marker).ok_or_else(|| format!("no {attr} in {tag}"))? + marker.len();
    Ok(tag[start..].split('"').next().unwrap_or_default().to_owned())
}
