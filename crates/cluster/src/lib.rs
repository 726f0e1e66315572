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
//!
//! # A complete dump
//!
//! One file per resource, in one directory, so that a component that is
//! not installed makes only its own `kubectl get` fail (and its file
//! disappear: the dump then says it is not installed), and an empty list
//! still says its resource exists (the file is named after it):
//!
#![doc = concat!("```sh\n", include_str!("dump.sh"), "```\n")]
//!
//! One file from one command works too (`kubectl get nodes,pods,... -A -o
//! json > cluster.json`), but kubectl refuses the whole command when one
//! resource type is not served, and a kind with no objects leaves no trace
//! in it, so the audit then calls it not installed.

#![warn(missing_docs, unreachable_pub)]

mod collect;
mod connect;
mod dump;
mod generate;
mod objects;
mod quantity;
mod selector;

pub use connect::{ConnectOptions, NoProgress, ReadProgress, read_cluster};
pub use dump::read_dump;
pub use generate::{DUMP_FILES, DumpShape, DumpSummary, write_dump};

/// The shell commands that make a complete dump for `kubev-ha audit
/// --from-dump` (the crate docs explain them; docs/audit.md shows them).
pub const DUMP_SCRIPT: &str = include_str!("dump.sh");

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_script_gets_every_resource_the_audit_reads() {
        for read in kubev_ha_spec::AUDIT_READS {
            let wanted = match read.name {
                Some(name) => format!("kubectl get configmap {name} -n kube-system"),
                None => format!(" {}", read.qualified()),
            };
            assert!(read.resource == "configmaps" || DUMP_SCRIPT.contains(&wanted), "{wanted}");
            assert!(DUMP_SCRIPT.contains(&format!(
                "dump/{}.json",
                if read.resource == "configmaps" { "configmaps".to_string() } else { "$r".to_string() }
            )));
        }
        assert!(
            DUMP_SCRIPT.contains("kubectl get configmap kubeadm-config -n kube-system -o json > dump/configmaps.json")
        );
    }
}
