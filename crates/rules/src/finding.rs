//! A finding: one rule's verdict on one subject, with the evidence and the fix.

use std::fmt;

use kubev_ha_model::SourcePos;
use serde::{Serialize, Serializer};

use crate::catalog::Area;
use crate::severity::Severity;

/// What a finding is about: the cluster, or one named object in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// The deployment as a whole (`cluster`).
    Cluster,
    /// A node by its inventory name (`node/cp-1`).
    Node(String),
    /// A storage class by name (`storageclass/ceph-rbd`).
    StorageClass(String),
    /// A declared workload by name (`workload/db`).
    Workload(String),
    /// A guest (tenant) cluster by name (`guestcluster/team-a`).
    GuestCluster(String),
    /// A failure scenario of the HA simulation, a zone, a node pair...
    Other {
        /// What sort of thing it is, printed before the slash (`zone`).
        kind: &'static str,
        /// Its name, printed after the slash.
        name: String,
    },
}

impl Subject {
    pub(crate) fn node(name: &str) -> Self {
        Subject::Node(name.to_string())
    }
    pub(crate) fn storage_class(name: &str) -> Self {
        Subject::StorageClass(name.to_string())
    }
    pub(crate) fn workload(name: &str) -> Self {
        Subject::Workload(name.to_string())
    }

    /// The name without its kind: `cp-1` for `node/cp-1`.
    pub(crate) fn name(&self) -> &str {
        match self {
            Subject::Cluster => "cluster",
            Subject::Node(n) | Subject::StorageClass(n) | Subject::Workload(n) | Subject::GuestCluster(n) => n,
            Subject::Other { name, .. } => name,
        }
    }

    /// Whether a waiver's subject names this one: the full form
    /// (`node/cp-1`) or, for convenience, the bare name (`cp-1`).
    pub(crate) fn matches(&self, pattern: &str) -> bool {
        let full = self.to_string();
        pattern == full || (!pattern.contains('/') && pattern == self.name())
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Cluster => f.write_str("cluster"),
            Subject::Node(n) => write!(f, "node/{n}"),
            Subject::StorageClass(n) => write!(f, "storageclass/{n}"),
            Subject::Workload(n) => write!(f, "workload/{n}"),
            Subject::GuestCluster(n) => write!(f, "guestcluster/{n}"),
            Subject::Other { kind, name } => write!(f, "{kind}/{name}"),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An accepted exception attached to a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedWaiver {
    /// Why it was accepted, as the waiver says.
    pub reason: String,
    /// `inventory` or `command line`.
    pub origin: WaiverOrigin,
}

/// Who declared a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverOrigin {
    /// The inventory's `waivers` list.
    Inventory,
    /// A `--waive` option.
    CommandLine,
}

/// The evidence an unknown finding waits for: a measurement that no
/// inventory can state, only a command run against the real cluster.
///
/// `--strict --allow-unmeasured` accepts unknowns that await evidence and
/// fails on the rest, which the inventory could have stated. The values
/// name what fills them, so that a report from the command that measures
/// (its JSON `measurements` or `hosts`) can later be handed back as
/// evidence and close them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// fdatasync latency of etcd's disk: `kubev-ha disk` on the node, or a
    /// running member's metrics through `kubev-ha etcd`.
    Fdatasync,
    /// The running etcd cluster: `kubev-ha etcd`.
    Etcd,
    /// What the network between the hosts carries: `kubev-ha net check` or
    /// `kubev-ha net matrix`.
    Network,
    /// The hosts' own facts (kernel, modules, swap, clock, identity):
    /// `kubev-ha probe` or `kubev-ha host`.
    Hosts,
}

/// One rule's verdict on one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The ID of the rule that judged.
    pub rule: &'static str,
    /// The rule's area, the report section it goes under.
    pub area: Area,
    /// What was judged.
    pub subject: Subject,
    /// The verdict, before any waiver: a waived fail stays `Fail`.
    pub severity: Severity,
    /// The value found against the threshold, in words.
    pub message: String,
    /// The requirement the rule enforces, as the catalog states it.
    pub requirement: &'static str,
    /// What to do about it; for unknown findings, how to learn the fact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Where in the input the judged object was declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourcePos>,
    /// The waiver that accepted it; None when nothing waived it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<AppliedWaiver>,
    /// For an unknown only a measurement can fill: what kind of evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awaits: Option<Evidence>,
}

impl Finding {
    /// Points the finding at where its subject was declared.
    pub(crate) fn at(mut self, pos: Option<SourcePos>) -> Self {
        self.location = pos;
        self
    }

    /// Says what to do about it.
    pub(crate) fn fix(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    /// Marks an unknown as waiting for a measurement, not for a fact the
    /// inventory could state.
    pub(crate) fn awaiting(mut self, evidence: Evidence) -> Self {
        self.awaits = Some(evidence);
        self
    }

    /// Whether the finding counts against the run: not a pass and not waived.
    pub fn is_open(&self) -> bool {
        self.waived.is_none() && self.severity != Severity::Pass
    }
}
