//! The tour: launch, see the Overview with sandbox data, visit every screen, run a flow and
//! watch it finish, open a payment's timeline, dry-run and approve a payout batch, correct a
//! payout recipient, filter the audit log, change the theme — with a screenshot of each screen.

use crate::driver::App;

/// The Stripe simulator's published test key (not a secret).
const SANDBOX_STRIPE_KEY: &str = "sk_test_sandbox";

#[tokio::test(flavor = "multi_thread")]
async fn the_console_shows_sandbox_data_on_every_screen_and_runs_a_flow() {
    let app = App::launch().await;
    eprintln!(
        "cold start to a usable Overview: {} ms",
        app.cold_start.as_millis()
    );

    app.wait_text("[data-testid=profile-badge]", "Sandbox").await;
    for provider in ["salesforce", "stripe", "checkout", "payoneer", "maldopay"] {
        app.wait_text(&format!("[data-testid=connection-{provider}]"), "Healthy")
            .await;
    }
    // The sandbox org's API usage is read through its REST limits resource.
    app.wait_text("[data-testid=tile-sf-api]", "requests today").await;
    app.wait_text("[data-testid=tile-audit]", "Verified").await;
    // The Stripe pull ran at start-up against the sandbox: the volume chart has the demo's money.
    app.wait_css("[data-testid=volume-chart] .recharts-bar-rectangle")
        .await;
    app.wait_text("[data-testid=volume-card]", "EUR").await;
    // The first run seeded demo data in the background (the Overview answered before it was
    // done) and wrote what it seeded next to the database.
    for file in ["paysync.db", "sandbox-manifest.json", "console.lock"] {
        assert!(
            app.data_dir.path().join(file).exists(),
            "{file} missing from the data directory"
        );
    }
    app.screenshot("overview").await;
    // The chart sits below the fold: a tall window shows the whole Overview in one picture.
    let _ = app.client.set_window_size(1280, 1900).await;
    app.screenshot("overview-full").await;
    let _ = app.client.set_window_size(1280, 800).await;

    // Flows: run the audit verification now and watch it finish.
    app.click("[data-testid=nav-flows]").await;
    app.wait_css("[data-testid=screen-flows]").await;
    app.click("[data-testid='run-flow-audit.verify']").await;
    // The run started here (not the one the scheduler ran at start-up) shows up finished.
    app.wait_text("[data-testid=recent-runs]", "Manual").await;
    app.wait_text("[data-testid='flow-outcome-audit.verify']", "Succeeded")
        .await;
    app.wait_text("body", "audit.verify: Succeeded").await;
    app.wait_text("[data-testid='flow-row-stripe.payments']", "Stripe charges")
        .await;
    app.screenshot("flows").await;

    // Payments: the sandbox's Stripe charges, pulled by stripe.payments; one's timeline.
    app.click("[data-testid=nav-payments]").await;
    app.wait_css("[data-testid=screen-payments][data-ready=true]")
        .await;
    app.wait_css("[data-testid^=payment-row-]").await;
    app.screenshot("payments").await;
    app.click("[data-testid^=payment-row-] td").await;
    app.wait_css("[data-testid=payment-drawer]").await;
    app.wait_css("[data-testid=payment-timeline-entry]").await;
    // Let the drawer finish sliding in, so the picture shows it rather than its animation.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    app.screenshot("payment-timeline").await;
    // Escape closes the drawer, as a keyboard user would.
    if let Ok(focused) = app.client.active_element().await {
        let _ = focused.send_keys("\u{e00c}").await;
    }

    // Failures: a Stripe customer whose name a Salesforce validation rule refuses is parked in
    // the dead-letter queue under its root cause; support opens the group and the record,
    // corrects the name, previews the write, replays it and sees it written.
    poison_a_customer(&app).await;
    app.click("[data-testid=nav-flows]").await;
    // Each run's toast says it finished: the event is in the inbox before it is applied.
    app.click("[data-testid='run-flow-stripe.events']").await;
    app.wait_text("body", "stripe.events: Succeeded").await;
    // A scheduled run may be writing the demo's history still (a second one is refused while
    // it lives): ask until a manual run has started, then until its refusal is parked.
    run_until_started(&app, "stripe.salesforce").await;
    let group = "[data-testid='failure-group-stripe.salesforce.record-FIELD_CUSTOM_VALIDATION_EXCEPTION']";
    app.click("[data-testid=nav-failures]").await;
    app.wait_css("[data-testid=screen-failures][data-ready=true]")
        .await;
    // WebDriver reads only visible text: this waits until the screen is shown, not just rendered.
    app.wait_text("[data-testid=screen-failures]", "Records Paysync could not write")
        .await;
    wait_long(&app, group).await;
    app.wait_css("[data-testid=nav-failures-badge]").await;
    // Narrowed to Stripe customers (a native select, changed as a person's pick changes it).
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=failures-filter-object]');\
             s.value = 'customer';\
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("filter by object: {e}"));
    app.wait_css("[data-testid=failures-filters-clear]").await;
    app.wait_text("[data-testid=failures-table]", "Stripe customer")
        .await;
    wait_long(&app, group).await;
    app.screenshot("failures").await;
    app.click_js(group).await;
    app.wait_css("[data-testid=failures-group-filter]").await;
    app.wait_text(
        "[data-testid=failures-table]",
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    )
    .await;
    app.click_js("[data-testid^=failure-row-] td").await;
    app.wait_css("[data-testid=failure-drawer] [data-testid=failure-payload]")
        .await;
    // The record is linked to its page, which the sandbox serves as the dashboard would.
    let link = app
        .wait_css("[data-testid=failure-drawer] [data-testid=failure-record-link]")
        .await;
    let url = link.attr("data-url").await.ok().flatten().unwrap_or_default();
    assert!(
        url.contains("/dashboard/") && url.contains("/customers/cus_"),
        "{url}"
    );
    let page = reqwest::get(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
    assert!(page.status().is_success(), "{url}: {}", page.status());
    assert!(
        page.text().await.unwrap_or_default().contains("Tour #1 Ltd"),
        "the customer's page"
    );
    // A controlled text area: set its value the way typing does, so React sees the edit.
    app.client
        .execute(
            "const ta = document.querySelector('[data-testid=failure-payload]');\
             const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;\
             set.call(ta, ta.value.replace('Tour #1 Ltd', 'Tour One Ltd'));\
             ta.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("correct the payload: {e}"));
    app.click_js("[data-testid=failure-preview-button]").await;
    app.wait_text("[data-testid=failure-preview-action]", "create")
        .await;
    app.wait_text("[data-testid=failure-preview]", "Tour One Ltd")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    app.screenshot("failure-preview").await;
    app.click_js("[data-testid=failure-replay]").await;
    app.wait_text("[data-testid=failure-status]", "Replayed").await;
    wait_for_account(&app, "Tour One Ltd").await;
    if let Ok(focused) = app.client.active_element().await {
        let _ = focused.send_keys("\u{e00c}").await;
    }
    // Payouts: the demo's approved payment requests were drafted into batches at start-up. A
    // checker (the sandbox's user, not the maker who approved the requests in Salesforce) dry-runs
    // one and approves it; support corrects a recipient whose Contact has no e-mail.
    app.click("[data-testid=nav-payouts]").await;
    app.wait_css("[data-testid=payouts-screen][data-ready=true]")
        .await;
    app.wait_css("[data-testid=payout-batches-table] tbody tr td")
        .await;
    app.wait_text("[data-testid=payout-batches-table]", "Draft").await;
    app.screenshot("payouts").await;
    app.client
        .execute(
            "const row = [...document.querySelectorAll('[data-testid=payout-batches-table] tbody tr')]\
               .find(r => r.textContent.includes('Draft')); row.querySelector('td').click();",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("open a draft batch: {e}"));
    app.wait_css("[data-testid=payout-batch-drawer]").await;
    app.wait_text("[data-testid=payout-batch-makers]", "005").await;
    // The drawer slides in: buttons are clicked through script so a moving target is not missed.
    app.click_js("[data-testid=payout-dry-run]").await;
    app.wait_text("[data-testid=dry-run-report]", "would").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    app.screenshot("payout-dry-run").await;
    app.click_js("[data-testid=payout-approve]").await;
    // One approval is recorded under the checker's name (a large batch then needs a second
    // approver, so the status may still be Draft).
    app.wait_css("[data-testid=payout-approval]").await;
    app.wait_text("[data-testid=payout-batch-approvals]", "1 /").await;
    app.screenshot("payout-approved").await;
    if let Ok(focused) = app.client.active_element().await {
        let _ = focused.send_keys("\u{e00c}").await;
    }
    app.click("[data-testid=payouts-tab-corrections]").await;
    app.wait_css("[data-testid=payout-corrections-table] tbody tr td")
        .await;
    let filter = app.wait_css("[data-testid=payout-corrections-filter]").await;
    filter
        .send_keys("Email is empty")
        .await
        .unwrap_or_else(|e| panic!("type the filter: {e}"));
    app.wait_text("[data-testid=payout-corrections-table]", "Email is empty")
        .await;
    app.screenshot("payout-corrections").await;
    app.click_js("[data-testid=payout-corrections-table] tbody tr td")
        .await;
    let email = app.wait_css("[data-testid=correction-email]").await;
    email
        .send_keys("corrected.vendor@freelance.example")
        .await
        .unwrap_or_else(|e| panic!("type the e-mail: {e}"));
    app.click_js("[data-testid=correction-save]").await;
    // Written to the Salesforce Contact and checked again: the item leaves the queue.
    app.wait_text("body", "Recipient corrected").await;
    app.screenshot("payout-corrected").await;

    // Reconciliation: a run over the demo's whole history (Stripe and Payoneer against
    // Salesforce) balances in every currency and finds the demo's seeded differences; an amount
    // mismatch is explained with a note as the sandbox's user, the run is exported, and a status
    // mismatch is fixed by writing to Salesforce.
    // The sync has written the demo's charges by now; a person then edits two payments in
    // Salesforce: one's amount, one's status.
    drift_two_payments(&app).await;
    app.click("[data-testid=nav-reconciliation]").await;
    app.wait_css("[data-testid=reconciliation-screen][data-ready=true]")
        .await;
    let from = app.wait_css("[data-testid=recon-from]").await;
    from.clear()
        .await
        .unwrap_or_else(|e| panic!("clear the date: {e}"));
    let year_ago = (paysync_core::Clock::now(&paysync_core::SystemClock) - chrono::Duration::days(400))
        .date_naive()
        .to_string();
    from.send_keys(&year_ago)
        .await
        .unwrap_or_else(|e| panic!("type the date: {e}"));
    app.click_js("[data-testid=recon-run-now]").await;
    app.wait_css("[data-testid=recon-kind-chip][data-kind=amount_mismatch]")
        .await;
    app.wait_text("[data-testid=recon-balance]", "balance").await;
    app.screenshot("reconciliation").await;
    app.click_js("[data-testid=recon-kind-chip][data-kind=amount_mismatch]")
        .await;
    app.wait_text("[data-testid=recon-results-table]", "Amount mismatch")
        .await;
    app.click_js("[data-testid=recon-results-table] tbody tr td")
        .await;
    app.wait_css("[data-testid=recon-result-drawer]").await;
    app.click_js("[data-testid=recon-explain]").await;
    let note = app.wait_css("[data-testid=recon-explain-note]").await;
    note.send_keys("Typed one unit too many in Salesforce; corrected by finance")
        .await
        .unwrap_or_else(|e| panic!("type the note: {e}"));
    app.click_js("[data-testid=recon-explain-save]").await;
    app.wait_text("[data-testid=recon-resolution]", "explained").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    app.screenshot("reconciliation-explained").await;
    if let Ok(focused) = app.client.active_element().await {
        let _ = focused.send_keys("\u{e00c}").await;
    }
    app.click_js("[data-testid=recon-export-csv]").await;
    app.wait_text("[data-testid=recon-export-path]", ".csv").await;
    let exported = app
        .wait_css("[data-testid=recon-export-path]")
        .await
        .text()
        .await
        .unwrap_or_default();
    let path = exported
        .split_whitespace()
        .find(|w| w.ends_with(".csv"))
        .unwrap_or_default()
        .to_owned();
    let csv = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read the export {path}: {e}"));
    assert!(
        csv.contains("corrected by finance"),
        "the explanation is in the export"
    );
    // A status mismatch is fixed by writing the provider's record to Salesforce (a queued job
    // of the normal write path), recorded as fixed under the sandbox's user.
    app.click_js("[data-testid=recon-kind-chip][data-kind=status_mismatch]")
        .await;
    app.wait_text("[data-testid=recon-results-table]", "Status mismatch")
        .await;
    app.click_js("[data-testid=recon-results-table] tbody tr td")
        .await;
    app.wait_css("[data-testid=recon-write]").await;
    app.click_js("[data-testid=recon-write]").await;
    app.wait_text("[data-testid=recon-resolution]", "fixed").await;
    app.wait_text(
        "[data-testid=recon-resolution-note]",
        "Written to Salesforce from",
    )
    .await;
    app.screenshot("reconciliation-fixed").await;
    if let Ok(focused) = app.client.active_element().await {
        let _ = focused.send_keys("\u{e00c}").await;
    }

    // Connections: the sandbox banner leads there; connect Stripe with the sandbox's test key
    // (checked against the simulator, kept in the OS keychain), test it, then disconnect.
    app.click("[data-testid=connect-accounts]").await;
    app.wait_css("[data-testid=screen-connections][data-ready=true]")
        .await;
    for provider in ["salesforce", "stripe", "checkout", "payoneer", "maldopay"] {
        app.wait_text(
            &format!("[data-testid=connection-status-{provider}]"),
            "Not connected",
        )
        .await;
    }
    app.click("[data-testid=connect-stripe]").await;
    let key = app.wait_css("[data-testid=connect-field-secretKey]").await;
    key.send_keys("sk_live_not_in_a_sandbox")
        .await
        .unwrap_or_else(|e| panic!("type the key: {e}"));
    app.click("[data-testid=connect-submit]").await;
    // The engine refuses a live key in a sandbox profile and says which field and why.
    app.wait_text("[data-testid=connect-error]", "live key").await;
    key.clear().await.unwrap_or_else(|e| panic!("clear the key: {e}"));
    key.send_keys(SANDBOX_STRIPE_KEY)
        .await
        .unwrap_or_else(|e| panic!("type the key: {e}"));
    app.click("[data-testid=connect-submit]").await;
    app.wait_text("[data-testid=connection-status-stripe]", "Connected")
        .await;
    app.wait_text("[data-testid=connection-card-stripe]", "test mode")
        .await;
    // Secrets are write-only: the key is nowhere in the window after saving.
    let page: String = app
        .client
        .execute("return document.documentElement.outerHTML", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    assert!(
        !page.contains(SANDBOX_STRIPE_KEY),
        "the key came back to the window"
    );
    app.click("[data-testid=test-stripe]").await;
    app.wait_text("[data-testid=test-result-stripe]", "Connected")
        .await;
    app.screenshot("connections").await;
    app.click("[data-testid=disconnect-stripe]").await;
    app.click("[data-testid=disconnect-confirm]").await;
    app.wait_text("[data-testid=connection-status-stripe]", "Not connected")
        .await;

    // Settings: switch to the dark theme; the change is audited.
    app.click("[data-testid=nav-settings]").await;
    app.wait_css("[data-testid=screen-settings]").await;
    app.screenshot("settings").await;
    // The segmented control's radio inputs are visually hidden, so WebDriver cannot click them.
    app.wait_css("[data-testid=theme-toggle] input[value=dark]").await;
    app.client
        .execute(
            "document.querySelector('[data-testid=theme-toggle] input[value=dark]').click()",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("choose the dark theme: {e}"));
    let scheme = wait_color_scheme(&app, "dark").await;
    assert_eq!(scheme, "dark");

    // Audit: the preference change is there, filterable by action.
    app.click("[data-testid=nav-audit]").await;
    app.wait_css("[data-testid=screen-audit]").await;
    app.wait_text("[data-testid=audit-verify-status]", "verified")
        .await;
    app.wait_text("[data-testid=audit-table]", "preference.change")
        .await;
    let filter = app.wait_css("[data-testid=audit-filter-action]").await;
    filter
        .send_keys("preference.")
        .await
        .unwrap_or_else(|e| panic!("type filter: {e}"));
    app.wait_text("[data-testid=audit-table]", "console.theme").await;
    app.screenshot("audit").await;

    // Back to the Overview: the run shows in the last runs.
    app.click("[data-testid=nav-overview]").await;
    app.wait_text("[data-testid=screen-overview]", "audit.verify")
        .await;
    app.screenshot("overview-dark").await;
    app.quit().await;
}

async fn wait_color_scheme(app: &App, want: &str) -> String {
    let script = "return document.documentElement.getAttribute('data-mantine-color-scheme') || ''";
    let deadline = std::time::Instant::now() + crate::driver::UI_TIMEOUT;
    let mut last = String::new();
    while std::time::Instant::now() < deadline {
        last = app
            .client
            .execute(script, vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if last == want {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

/// The sandbox's simulators, as the console reports them: provider → base URL.
async fn simulators(app: &App) -> std::collections::BTreeMap<String, String> {
    let info = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('get_app_info').then(done, (e) => done({ error: String(e) }));",
            vec![],
        )
        .await
        .unwrap_or_else(|e| panic!("get_app_info: {e}"));
    info["sandbox"]["simulators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some((
                s["provider"].as_str()?.to_owned(),
                s["baseUrl"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// A Salesforce validation rule no name with `#` passes, and a Stripe customer named so.
async fn poison_a_customer(app: &App) {
    let sims = simulators(app).await;
    let (sf, stripe) = (&sims["salesforce"], &sims["stripe"]);
    let http = reqwest::Client::new();
    let rule = http
        .post(format!("{sf}/__sandbox/salesforce/validation-rules"))
        .json(
            &serde_json::json!({"object": "Account", "field": "Name", "rule": "regex",
                                  "pattern": "[^#]*", "message": "Account names cannot contain #"}),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("add the rule: {e}"));
    assert!(rule.status().is_success(), "add the rule: {}", rule.status());
    let customer = http
        .post(format!("{stripe}/v1/customers"))
        .bearer_auth(SANDBOX_STRIPE_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Tour%20%231%20Ltd&email=tour%40example.com")
        .send()
        .await
        .unwrap_or_else(|e| panic!("create the customer: {e}"));
    assert!(
        customer.status().is_success(),
        "create the customer: {}",
        customer.status()
    );
}

/// Waits until the sandbox org holds an Account named `name`.
async fn wait_for_account(app: &App, name: &str) {
    let sims = simulators(app).await;
    let url = format!("{}/__sandbox/salesforce/records/Account", sims["salesforce"]);
    for _ in 0..100 {
        let body = reqwest::get(&url).await.ok();
        if let Some(b) = body
            && b.text().await.unwrap_or_default().contains(name)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("no Account named {name} was written");
}

/// Edits two synced `Payment__c` records in the sandbox org as a person would: one amount, one
/// status, so reconciliation has an amount and a status mismatch to show.
async fn drift_two_payments(app: &App) {
    let sf = simulators(app).await["salesforce"].clone();
    let http = reqwest::Client::new();
    let payments: Vec<serde_json::Value> = http
        .get(format!("{sf}/__sandbox/salesforce/records/Payment__c"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("read payments: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("read payments: {e}"));
    let synced: Vec<&serde_json::Value> = payments
        .iter()
        .filter(|p| p["Stripe_Charge_Id__c"].is_string() && p["Status__c"] == "Completed")
        .collect();
    assert!(synced.len() >= 2, "the demo's charges are in Salesforce");
    let amount: rust_decimal::Decimal = synced[0]["Amount__c"]
        .to_string()
        .trim_matches('"')
        .parse()
        .unwrap_or_default();
    let more = (amount + rust_decimal::Decimal::ONE).to_string();
    for (payment, fields) in [
        (synced[0], serde_json::json!({"Amount__c": more})),
        (synced[1], serde_json::json!({"Status__c": "Failed"})),
    ] {
        let id = payment["Id"].as_str().unwrap_or_default();
        let done = http
            .patch(format!("{sf}/__sandbox/salesforce/records/Payment__c/{id}"))
            .json(&serde_json::json!({ "fields": fields }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("edit {id}: {e}"));
        assert!(done.status().is_success(), "edit {id}: {}", done.status());
    }
}

/// Presses a flow's Run now until a manual run of it shows in the recent runs.
async fn run_until_started(app: &App, flow: &str) {
    let button = format!("[data-testid='run-flow-{flow}']");
    let started = "return [...document.querySelectorAll('[data-testid=recent-runs] tr')]\
                   .some(r => r.textContent.includes(arguments[0]) && r.textContent.includes('Manual'));";
    for _ in 0..60 {
        let _ = app
            .client
            .execute(
                "const b = document.querySelector(arguments[0]); if (b && !b.disabled) b.click();",
                vec![button.clone().into()],
            )
            .await;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        if app.client.execute(started, vec![flow.into()]).await.ok() == Some(serde_json::Value::Bool(true)) {
            return;
        }
    }
    panic!("no manual run of {flow} started");
}

/// Waits up to two minutes for `css` (work the engine does in the background).
async fn wait_long(app: &App, css: &str) {
    let script = "return !!document.querySelector(arguments[0]);";
    for _ in 0..240 {
        if app.client.execute(script, vec![css.into()]).await.ok() == Some(serde_json::Value::Bool(true)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let shot = app.screenshot("failed-wait-long").await;
    panic!(
        "{css} did not appear within 2 minutes; screenshot {}",
        shot.display()
    );
}
