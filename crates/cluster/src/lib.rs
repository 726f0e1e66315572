//! The only crate that talks to the Kubernetes API.
//!
//! [`read_cluster`] connects as kubectl would (a kubeconfig and its
//! context, or the in-cluster service account), issues exactly the
//! requests of [`kubev_ha_spec::AUDIT_READS`] (list and get only: the audit
//! never writes), page by page with `limit` and `continue`, with a bounded
//! number of requests in flight and a deadline per request and overall,
//! and keeps of each object only the fields the rules judge
//! ([`kubev_ha_model::LiveCluster`]). A resource it may not read (403) or
//! that is not served (404, absent from discovery) becomes an
//! [`kubev_ha_model::Unreadable`] in the facts, never an error and never an
//! empty list. [`read_dump`] reads the same facts from the output of
//! `kubectl get ... -o json` (a List, or a directory of them), through the
//! same conversion, so both paths give the same facts.

#![warn(missing_docs, unreachable_pub)]

mod connect;
mod dump;
mod generate;

pub use connect::{ConnectOptions, NoProgress, ReadProgress, read_cluster};
pub use dump::read_dump;
pub use generate::{DUMP_FILES, DumpShape, DumpSummary, write_dump};

use std::path::PathBuf;

/// Why the audit could not read the cluster at all (a resource it could
/// not read is not an error: it is in the facts).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ClusterError {
    /// No kubeconfig, no such context, or a kubeconfig that does not parse.
    #[error("cannot load the Kubernetes client configuration: {reason}")]
    #[diagnostic(help("pass --kubeconfig FILE and --context NAME, or set KUBECONFIG, as for kubectl"))]
    Config {
        /// What was wrong, in one line.
        reason: String,
    },
    /// The API server could not be reached or refused the credentials.
    #[error("cannot reach the Kubernetes API at {server}: {reason}")]
    Connect {
        /// The server URL (never a credential).
        server: String,
        /// What went wrong.
        reason: String,
    },
    /// The overall `--timeout` passed before every resource was read.
    #[error("the audit did not finish within {seconds} s (--timeout)")]
    Deadline {
        /// The deadline, in seconds.
        seconds: u64,
    },
    /// A dump file or directory could not be read or is not a Kubernetes List.
    #[error("{path}: {reason}")]
    Dump {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line and column where serde_json gives them.
        reason: String,
    },
}
