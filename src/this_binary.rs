//! This program's own bytes, for the commands that run it on every node
//! over SSH (`probe`, `net matrix`). The probe crate's remote module
//! streams the bytes; only the binary knows where it was started from.

use miette::{IntoDiagnostic, WrapErr};

/// Reads the executable this process runs.
pub fn read() -> miette::Result<Vec<u8>> {
    std::env::current_exe()
        .and_then(std::fs::read)
        .into_diagnostic()
        .wrap_err("cannot read this program to send it to the nodes")
}
