//! The one async runtime of the commands that talk to many peers at once
//! (`probe`, `net`): built the same way everywhere, failing with the same
//! message.

use miette::{IntoDiagnostic, WrapErr};
use tokio::runtime::{Builder, Runtime};

/// A multi-threaded tokio runtime with I/O and timers, one worker per core
/// (tokio's default): the work is waiting on sockets and child processes,
/// so more threads would only add switching.
pub fn runtime() -> miette::Result<Runtime> {
    Builder::new_multi_thread()
        .enable_all()
        .build()
        .into_diagnostic()
        .wrap_err("cannot start the async runtime (is the open-file or thread limit, ulimit -n or -u, too low?)")
}
