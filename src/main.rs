//! The `kubev-ha` command: parses arguments, calls the libraries, prints.
//! No rule, probe or simulation lives here.
//!
//! Exit codes: 0 nothing failed, 1 a requirement failed, 2 the tool could
//! not do its job (bad input, usage, I/O).

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Output piped into `head` ends quietly, as other command-line tools do,
    // instead of failing on EPIPE.
    // SAFETY: restoring a signal's default disposition at start-up.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = cli::Cli::parse();
    output::install_error_hook(cli.color);
    match commands::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
