//! The IPC commands: each one calls one console method and maps its error. Nothing here decides
//! anything; the console façade does.

use paysync_app::console::api::{
    AppInfo, AuditPage, AuditQuery, AuditStatus, ConnectInput, ConnectionCard, ConnectionTest, FailureDetail,
    FailureFacets, FailureGroup, FailureGroupOutcome, FailurePage, FailurePreview, FailureQuery,
    FailureScope, FlowRow, Overview, PaymentDetail, PaymentPage, PaymentQuery, Preferences, RunRow,
    SearchHit,
};
use paysync_app::console::payouts::{
    DryRunReport, PayoutBatchDetail, PayoutBatchRow, PayoutCorrection, PayoutItemRow,
};
use paysync_app::console::reconcile::{
    ReconExport, ReconResultPage, ReconResultRow, ReconRunDetail, ReconRunRow,
};
use tauri::State;

use crate::ipc_error::IpcError;
use crate::state::AppState;

/// The frame: profile, version, sandbox, preferences.
#[tauri::command]
#[specta::specta]
pub async fn get_app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(state.console().await?.app_info().await?)
}

/// Everything on the Overview.
#[tauri::command]
#[specta::specta]
pub async fn get_overview(state: State<'_, AppState>) -> Result<Overview, IpcError> {
    Ok(state.console().await?.overview().await?)
}

/// Every flow with its schedule and latest run.
#[tauri::command]
#[specta::specta]
pub async fn list_flows(state: State<'_, AppState>) -> Result<Vec<FlowRow>, IpcError> {
    Ok(state.console().await?.flows().await?)
}

/// The latest runs of one flow, or of all.
#[tauri::command]
#[specta::specta]
pub async fn list_runs(
    state: State<'_, AppState>,
    flow: Option<String>,
    limit: u32,
) -> Result<Vec<RunRow>, IpcError> {
    Ok(state.console().await?.runs(flow, limit).await?)
}

/// Runs a flow now; resolves when it finishes (progress arrives as events).
#[tauri::command]
#[specta::specta]
pub async fn run_flow(state: State<'_, AppState>, name: String) -> Result<RunRow, IpcError> {
    Ok(state.console().await?.run_flow(&name).await?)
}

/// Pauses or resumes a flow's schedule; returns the flow as it now stands.
#[tauri::command]
#[specta::specta]
pub async fn set_flow_paused(
    state: State<'_, AppState>,
    name: String,
    paused: bool,
) -> Result<FlowRow, IpcError> {
    Ok(state.console().await?.set_flow_paused(&name, paused).await?)
}

/// One page of payments, filtered and sorted.
#[tauri::command]
#[specta::specta]
pub async fn list_payments(state: State<'_, AppState>, query: PaymentQuery) -> Result<PaymentPage, IpcError> {
    Ok(state.console().await?.payments(query).await?)
}

/// One payment with its timeline of provider events and Salesforce writes.
#[tauri::command]
#[specta::specta]
pub async fn get_payment(
    state: State<'_, AppState>,
    provider: String,
    provider_id: String,
) -> Result<PaymentDetail, IpcError> {
    Ok(state.console().await?.payment(&provider, &provider_id).await?)
}

/// Failures grouped by root cause (`status`: open by default, replayed, discarded or all),
/// within a provider, object and age.
#[tauri::command]
#[specta::specta]
pub async fn list_failure_groups(
    state: State<'_, AppState>,
    status: Option<String>,
    scope: FailureScope,
) -> Result<Vec<FailureGroup>, IpcError> {
    Ok(state.console().await?.failure_groups(status, &scope).await?)
}

/// The choices of the Failures filters: providers, and the objects open failures are about.
#[tauri::command]
#[specta::specta]
pub async fn list_failure_facets(state: State<'_, AppState>) -> Result<FailureFacets, IpcError> {
    Ok(state.console().await?.failure_facets().await?)
}

/// Opens a record's page at its provider (Salesforce Lightning, the Stripe dashboard) in the
/// system browser; the URL is built by the console, never taken from the page. Returns it.
#[tauri::command]
#[specta::specta]
pub async fn open_record(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    provider: String,
    object: String,
    id: String,
    test_mode: bool,
) -> Result<String, IpcError> {
    Ok(state
        .console()
        .await?
        .open_record(&provider, &object, &id, test_mode, system_browser(app))?)
}

/// One page of failures.
#[tauri::command]
#[specta::specta]
pub async fn list_failures(state: State<'_, AppState>, query: FailureQuery) -> Result<FailurePage, IpcError> {
    Ok(state.console().await?.failures(query).await?)
}

/// One failure with its payload and attempts.
#[tauri::command]
#[specta::specta]
pub async fn get_failure(state: State<'_, AppState>, id: i64) -> Result<FailureDetail, IpcError> {
    Ok(state.console().await?.failure(id).await?)
}

/// Replays a failure, with a corrected payload (JSON text) when given.
#[tauri::command]
#[specta::specta]
pub async fn replay_failure(
    state: State<'_, AppState>,
    id: i64,
    corrected: Option<String>,
) -> Result<FailureDetail, IpcError> {
    Ok(state.console().await?.replay_failure(id, corrected).await?)
}

/// What replaying a failure (with corrections, when given) would write; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn preview_failure(
    state: State<'_, AppState>,
    id: i64,
    corrected: Option<String>,
) -> Result<FailurePreview, IpcError> {
    Ok(state.console().await?.preview_failure(id, corrected).await?)
}

/// Replays every open failure of one root cause (job kind and error code).
#[tauri::command]
#[specta::specta]
pub async fn replay_failure_group(
    state: State<'_, AppState>,
    kind: String,
    error_code: String,
    scope: FailureScope,
) -> Result<FailureGroupOutcome, IpcError> {
    Ok(state
        .console()
        .await?
        .replay_failure_group(&kind, &error_code, &scope)
        .await?)
}

/// Discards every open failure of one root cause with one reason.
#[tauri::command]
#[specta::specta]
pub async fn discard_failure_group(
    state: State<'_, AppState>,
    kind: String,
    error_code: String,
    reason: String,
    scope: FailureScope,
) -> Result<FailureGroupOutcome, IpcError> {
    Ok(state
        .console()
        .await?
        .discard_failure_group(&kind, &error_code, &reason, &scope)
        .await?)
}

/// Discards a failure with a reason.
#[tauri::command]
#[specta::specta]
pub async fn discard_failure(
    state: State<'_, AppState>,
    id: i64,
    reason: String,
) -> Result<FailureDetail, IpcError> {
    Ok(state.console().await?.discard_failure(id, &reason).await?)
}

/// One page of the audit log.
#[tauri::command]
#[specta::specta]
pub async fn list_audit(state: State<'_, AppState>, query: AuditQuery) -> Result<AuditPage, IpcError> {
    Ok(state.console().await?.audit(query).await?)
}

/// Verifies the audit chain now.
#[tauri::command]
#[specta::specta]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<AuditStatus, IpcError> {
    Ok(state.console().await?.verify_audit().await?)
}

/// The global search box.
#[tauri::command]
#[specta::specta]
pub async fn search(state: State<'_, AppState>, text: String) -> Result<Vec<SearchHit>, IpcError> {
    Ok(state.console().await?.search(&text).await?)
}

/// Saves the user's preferences.
#[tauri::command]
#[specta::specta]
pub async fn set_preferences(
    state: State<'_, AppState>,
    preferences: Preferences,
) -> Result<Preferences, IpcError> {
    let saved = state.console().await?.set_preferences(&preferences).await?;
    state.set_close_to_tray(saved.close_to_tray);
    Ok(saved)
}

/// A card per provider for the active profile.
#[tauri::command]
#[specta::specta]
pub async fn list_connections(state: State<'_, AppState>) -> Result<Vec<ConnectionCard>, IpcError> {
    Ok(state.console().await?.connections().await?)
}

/// Connects a provider with keys; the secret goes to the OS keychain and never comes back.
#[tauri::command]
#[specta::specta]
pub async fn connect_with_keys(
    state: State<'_, AppState>,
    input: ConnectInput,
) -> Result<ConnectionCard, IpcError> {
    Ok(state.console().await?.connect_with_keys(input).await?)
}

/// Opens a URL in the system browser.
fn system_browser(app: tauri::AppHandle) -> impl FnOnce(&str) -> Result<(), String> + Send {
    move |url: &str| {
        use tauri_plugin_opener::OpenerExt;
        app.opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    }
}

/// Connects Salesforce through OAuth in the system browser; resolves once the user has allowed
/// access (or the wait timed out).
#[tauri::command]
#[specta::specta]
pub async fn connect_salesforce(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
) -> Result<ConnectionCard, IpcError> {
    Ok(state
        .console()
        .await?
        .connect_salesforce(system_browser(app))
        .await?)
}

/// Tests a connection with its stored credentials.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    provider: String,
) -> Result<ConnectionTest, IpcError> {
    Ok(state.console().await?.test_connection(&provider).await?)
}

/// Disconnects a provider (Salesforce tokens are revoked first).
#[tauri::command]
#[specta::specta]
pub async fn disconnect(state: State<'_, AppState>, provider: String) -> Result<ConnectionCard, IpcError> {
    Ok(state.console().await?.disconnect(&provider).await?)
}

/// Payout batches: unfinished ones by default, `all`, or one status.
#[tauri::command]
#[specta::specta]
pub async fn list_payout_batches(
    state: State<'_, AppState>,
    status: Option<String>,
) -> Result<Vec<PayoutBatchRow>, IpcError> {
    Ok(state.console().await?.payout_batches(status).await?)
}

/// One payout batch with its items, decisions, and whether you may approve it.
#[tauri::command]
#[specta::specta]
pub async fn get_payout_batch(state: State<'_, AppState>, id: String) -> Result<PayoutBatchDetail, IpcError> {
    Ok(state.console().await?.payout_batch(&id).await?)
}

/// What sending the batch now would do, without sending anything.
#[tauri::command]
#[specta::specta]
pub async fn dry_run_payout_batch(state: State<'_, AppState>, id: String) -> Result<DryRunReport, IpcError> {
    Ok(state.console().await?.dry_run_payout_batch(&id).await?)
}

/// Approves the batch as it was shown (`content_hash`), as the Salesforce user signed in.
#[tauri::command]
#[specta::specta]
pub async fn approve_payout_batch(
    state: State<'_, AppState>,
    id: String,
    content_hash: String,
) -> Result<PayoutBatchRow, IpcError> {
    Ok(state
        .console()
        .await?
        .approve_payout_batch(&id, &content_hash)
        .await?)
}

/// Rejects the batch with a reason; its requests go back to Salesforce with it.
#[tauri::command]
#[specta::specta]
pub async fn reject_payout_batch(
    state: State<'_, AppState>,
    id: String,
    reason: String,
) -> Result<PayoutBatchRow, IpcError> {
    Ok(state.console().await?.reject_payout_batch(&id, &reason).await?)
}

/// Payout items whose recipient support must correct.
#[tauri::command]
#[specta::specta]
pub async fn list_payout_corrections(state: State<'_, AppState>) -> Result<Vec<PayoutItemRow>, IpcError> {
    Ok(state.console().await?.payout_corrections().await?)
}

/// Corrects a recipient: written to the Salesforce Contact, then checked again.
#[tauri::command]
#[specta::specta]
pub async fn correct_payout_item(
    state: State<'_, AppState>,
    correction: PayoutCorrection,
) -> Result<PayoutItemRow, IpcError> {
    Ok(state.console().await?.correct_payout_item(correction).await?)
}

/// Reconciliation runs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_reconciliation_runs(state: State<'_, AppState>) -> Result<Vec<ReconRunRow>, IpcError> {
    Ok(state.console().await?.reconciliation_runs().await?)
}

/// One reconciliation run (the latest when `id` is absent): totals, counts by kind, tie-outs.
#[tauri::command]
#[specta::specta]
pub async fn get_reconciliation_run(
    state: State<'_, AppState>,
    id: Option<i64>,
) -> Result<ReconRunDetail, IpcError> {
    Ok(state.console().await?.reconciliation_run(id).await?)
}

/// A page of a run's results, optionally of one category and kind.
#[tauri::command]
#[specta::specta]
pub async fn list_reconciliation_results(
    state: State<'_, AppState>,
    run_id: i64,
    category: Option<String>,
    kind: Option<String>,
    limit: u32,
    offset: u32,
) -> Result<ReconResultPage, IpcError> {
    Ok(state
        .console()
        .await?
        .reconciliation_results(run_id, category, kind, limit, offset)
        .await?)
}

/// Reconciles a period (YYYY-MM-DD, inclusive) now.
#[tauri::command]
#[specta::specta]
pub async fn run_reconciliation(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<ReconRunRow, IpcError> {
    Ok(state.console().await?.run_reconciliation(&from, &to).await?)
}

/// Decides about a result as the Salesforce user signed in: `accepted`/`rejected` (a
/// suggestion), `explained` with a note or `fixed` (an exception).
#[tauri::command]
#[specta::specta]
pub async fn resolve_reconciliation_result(
    state: State<'_, AppState>,
    id: i64,
    decision: String,
    note: Option<String>,
) -> Result<ReconResultRow, IpcError> {
    Ok(state
        .console()
        .await?
        .resolve_reconciliation_result(id, &decision, note)
        .await?)
}

/// Fixes an exception as the Salesforce user signed in: its provider records are written to
/// Salesforce through the normal write path, and it is marked fixed.
#[tauri::command]
#[specta::specta]
pub async fn fix_reconciliation_result(
    state: State<'_, AppState>,
    id: i64,
    note: Option<String>,
) -> Result<ReconResultRow, IpcError> {
    Ok(state.console().await?.fix_reconciliation_result(id, note).await?)
}

/// Writes a run's results (`csv` or `xlsx`) to the data directory's `exports/`.
#[tauri::command]
#[specta::specta]
pub async fn export_reconciliation_run(
    state: State<'_, AppState>,
    id: i64,
    format: String,
) -> Result<ReconExport, IpcError> {
    Ok(state
        .console()
        .await?
        .export_reconciliation_run(id, &format)
        .await?)
}
