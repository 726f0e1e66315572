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
//! ```sh
//! mkdir -p dump
//! for r in nodes pods persistentvolumeclaims persistentvolumes \
//!     storageclasses.storage.k8s.io daemonsets.apps poddisruptionbudgets.policy \
//!     kubevirts.kubevirt.io virtualmachines.kubevirt.io virtualmachineinstances.kubevirt.io \
//!     storageprofiles.cdi.kubevirt.io network-attachment-definitions.k8s.cni.cncf.io \
//!     subnets.kubeovn.io nodehealthchecks.remediation.medik8s.io \
//!     selfnoderemediationtemplates.self-node-remediation.medik8s.io \
//!     fenceagentsremediationtemplates.fence-agents-remediation.medik8s.io; do
//!   kubectl get "$r" --all-namespaces -o json > "dump/$r.json" || rm -f "dump/$r.json"
//! done
//! kubectl get configmap kubeadm-config -n kube-system -o json > dump/configmaps.json || rm -f dump/configmaps.json
//! kubev-ha audit --from-dump dump
//! ```
//!
//! One file from one command works too (`kubectl get nodes,pods,... -A -o
//! json > cluster.json`), but kubectl refuses the whole command when one
//! resource type is not served, and a kind with no objects leaves no trace
//! in it, so the audit then calls it not installed.

#![warn(missing_docs, unreachable_pub)]

mod collect;
mod connect;
mod dump;
mod objects;
mod quantity;
mod selector;

pub use connect::{ConnectOptions, NoProgress, ReadProgress, read_cluster};
pub use dump::read_dump;

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
