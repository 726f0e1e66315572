//! The `kubev-ha` command: parses arguments, calls the libraries, prints.
//! No rule, probe or simulation lives here.
//!
//! Exit codes: 0 nothing failed, 1 a requirement failed, 2 the tool could
//! not do its job (bad input, usage, I/O).

mod cli;
mod commands;
mod output;
mod progress;
mod runtime;
mod this_binary;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Output piped into `head` ends quietly, as other command-line tools do,
    // instead of failing on EPIPE. Not for the commands that feed ssh
    // clients through pipes (`probe`, `net matrix`): an ssh that exits
    // early (no route to the node) would otherwise kill the whole run
    // silently, where it must be one node reported unreachable.
    if !cli.command.writes_to_child_pipes() {
        // SAFETY: restoring a signal's default disposition at start-up,
        // before any thread exists.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    output::install_error_hook(cli.color);
    match commands::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}
