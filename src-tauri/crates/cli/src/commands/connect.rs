//! `paysync connect …` and `paysync connections list|test|disconnect`.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::Context as _;
use paysync_app::connections::{Connections, KeyCredentials};
use paysync_app::keychain::OsKeychain;
use paysync_core::{Secret, SystemClock, SystemRandom};
use paysync_store::{Connection, Store};

use super::Context;
use crate::cli::{ConnectArgs, ConnectionsCommand, ProviderArg, WebhookProviderArg, WebhooksCommand};
use crate::output::{self, when};

async fn open(ctx: &Context) -> anyhow::Result<Connections> {
    let engine = ctx.engine().await?;
    with_store(ctx, engine.store().clone())
}

/// The profile's connections over an engine's store that is already open.
pub(super) fn with_store(ctx: &Context, store: Store) -> anyhow::Result<Connections> {
    let profile = ctx.config.profile(&ctx.profile)?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    Ok(Connections::new(
        store,
        Arc::new(OsKeychain::new()),
        http,
        (Arc::new(SystemClock), Arc::new(SystemRandom)),
        profile,
        &ctx.config.engine.actor,
    ))
}

/// Runs `paysync connect`.
pub async fn connect(ctx: &Context, args: ConnectArgs) -> anyhow::Result<()> {
    let connections = open(ctx).await?;
    let conn = if args.provider == ProviderArg::Salesforce {
        let no_browser = args.no_browser;
        connections
            .connect_salesforce(move |url: &str| {
                // The URL goes to stderr so `--json` output stays one document on stdout.
                eprintln!("Sign in to Salesforce and allow Paysync access:\n  {url}");
                if no_browser { Ok(()) } else { open_browser(url) }
            })
            .await?
    } else {
        let mut stdin = std::io::stdin().lock().lines();
        let mut secret = |given: Option<String>, what: &str| -> anyhow::Result<Secret<String>> {
            match given {
                Some(v) => Ok(Secret::new(v)),
                None => {
                    let line = stdin.next().with_context(|| {
                        format!("{what}: give it on the command line or on standard input")
                    })??;
                    Ok(Secret::new(line.trim_end_matches(['\r', '\n']).to_owned()))
                }
            }
        };
        let required = |v: Option<String>, flag: &str| v.with_context(|| format!("{flag} is required"));
        let creds = match args.provider {
            ProviderArg::Stripe => KeyCredentials::Stripe {
                secret_key: secret(args.key, "the secret key")?,
            },
            // An access key id means Checkout.com's OAuth client; otherwise a secret key.
            ProviderArg::Checkout => match args.client_id {
                Some(client_id) => KeyCredentials::CheckoutOauth {
                    client_id,
                    client_secret: secret(args.client_secret, "the access key secret")?,
                },
                None => KeyCredentials::Checkout {
                    secret_key: secret(args.key, "the secret key")?,
                },
            },
            ProviderArg::Payoneer => KeyCredentials::Payoneer {
                program_id: required(args.program_id, "--program-id")?,
                client_id: required(args.client_id, "--client-id")?,
                client_secret: secret(args.client_secret, "the client secret")?,
            },
            ProviderArg::Maldopay => KeyCredentials::Maldopay {
                client_id: required(args.client_id, "--client-id")?,
                brand_id: required(args.brand_id, "--brand-id")?,
                api_key: secret(args.api_key, "the API key")?,
                callback_secret: secret(args.callback_secret, "the callback secret")?,
            },
            ProviderArg::Salesforce => anyhow::bail!("Salesforce connects through OAuth, not keys"),
        };
        connections.connect(creds).await?
    };
    if ctx.json {
        return output::json(&conn);
    }
    output::line(format!(
        "Connected {} in profile {}: {}.",
        conn.provider, conn.profile, conn.display_name
    ))
}

/// Runs `paysync connections …`.
pub async fn connections(ctx: &Context, command: ConnectionsCommand) -> anyhow::Result<()> {
    let connections = open(ctx).await?;
    match command {
        ConnectionsCommand::List => {
            let list = connections.list().await?;
            if ctx.json {
                return output::json(&list);
            }
            if list.is_empty() {
                return output::line(format!("No connections in profile {}.", ctx.profile));
            }
            for c in &list {
                output::line(describe(c))?;
            }
            Ok(())
        }
        ConnectionsCommand::Test { provider } => {
            let verdict = connections.test(provider.name()).await?;
            if ctx.json {
                output::json(&serde_json::json!({
                    "provider": verdict.provider,
                    "ok": verdict.ok,
                    "message": verdict.message,
                    "tested_at": verdict.tested_at,
                }))?;
            } else {
                output::line(format!(
                    "{}: {} {}",
                    verdict.provider,
                    if verdict.ok { "OK." } else { "FAILED:" },
                    verdict.message
                ))?;
            }
            if verdict.ok {
                Ok(())
            } else {
                anyhow::bail!("the {} connection test failed", verdict.provider)
            }
        }
        ConnectionsCommand::Disconnect { provider } => {
            connections.disconnect(provider.name()).await?;
            output::line(format!(
                "Disconnected {} from profile {}; its secret was deleted from the keychain.",
                provider.name(),
                ctx.profile
            ))
        }
    }
}

/// Runs `paysync webhooks`.
pub async fn webhooks(ctx: &Context, command: WebhooksCommand) -> anyhow::Result<()> {
    let WebhooksCommand::Secret {
        provider,
        keep_previous_hours,
    } = command;
    let provider = match provider {
        WebhookProviderArg::Stripe => "stripe",
        WebhookProviderArg::Payoneer => "payoneer",
    };
    let connections = open(ctx).await?;
    eprintln!(
        "Paste {} and press Enter:",
        if provider == "stripe" {
            "the webhook signing secret (whsec_…)"
        } else {
            "the IPCN secret Payoneer provided"
        }
    );
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the signing secret from standard input")?;
    let overlap = chrono::Duration::hours(i64::from(keep_previous_hours));
    connections
        .set_webhook_secret(provider, Secret::new(line.trim().to_owned()), overlap)
        .await?;
    output::line(format!(
        "Saved {provider}'s webhook signing secret in the keychain (profile {}); the previous one, if any, stays valid for {keep_previous_hours} h.",
        ctx.profile
    ))
}

fn describe(c: &Connection) -> String {
    format!(
        "{:<11} {:<10} {:<40} last success {}{}",
        c.provider,
        c.status,
        c.display_name,
        c.last_success_at
            .as_ref()
            .map_or_else(|| "never".to_owned(), when),
        c.last_error
            .as_ref()
            .map(|e| format!(" — last error: {e}"))
            .unwrap_or_default()
    )
}

/// Opens the system browser (RFC 8252: never an embedded view); prints the URL if there is none.
fn open_browser(url: &str) -> Result<(), String> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener).arg(url).spawn() {
        Ok(_) => Ok(()),
        Err(e) => {
            eprintln!("Could not open a browser ({opener}: {e}); open the URL above yourself.");
            Ok(())
        }
    }
}
