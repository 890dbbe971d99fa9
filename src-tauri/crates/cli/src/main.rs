//! `paysync`: the headless command line and daemon of the Paysync sync engine.
//! `anyhow` lives only here, at the binary's edge; the libraries return typed errors that
//! [`exit::code_for`] turns into documented exit codes.

mod cli;
mod commands;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// The sync engine allocates and frees many short-lived JSON values per event; glibc's allocator
/// spent about a quarter of the benchmark's CPU time on them, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            report(&anyhow::Error::from(e));
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) => {
            report(&err);
            ExitCode::from(exit::code_for(&err))
        }
    }
}

fn report(err: &anyhow::Error) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {err:#}");
}
