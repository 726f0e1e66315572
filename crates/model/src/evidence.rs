//! Evidence: what a measuring command saved (`--save FILE`) so that
//! `kubev-ha check --evidence` can judge the design with it later.
//!
//! An evidence file is one versioned JSON document: the measurement, the
//! tool and its version, when and from which host it was taken, which
//! inventory (by node names and addresses) and which nodes it is about.
//! Reading refuses what would judge the wrong deployment: a file from
//! another inventory, from an incompatible tool version, of a newer
//! format, or not evidence at all; each error names the file (and, for a
//! syntax error, the line and column).
//!
//! docs/report-format.md ("Evidence") is the format's prose.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::host::HostProbe;
use crate::inventory::Inventory;
use crate::live::LiveCluster;
use crate::measure::{EtcdStatus, FsyncStats, MatrixCell, NetworkMeasurements};
use crate::quantity::ByteSize;

/// The `format` every evidence file starts with.
pub const EVIDENCE_FORMAT: &str = "kubev-ha-evidence";

/// The version of the evidence format this build writes; it reads this
/// one and older ones, and refuses newer ones.
pub const EVIDENCE_FORMAT_VERSION: u32 = 1;

/// One evidence file, as written to disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceFile {
    /// Always [`EVIDENCE_FORMAT`]: what tells an evidence file from any
    /// other JSON.
    pub format: String,
    /// [`EVIDENCE_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The tool and its version that measured.
    pub tool: ToolStamp,
    /// When the measurement finished, UTC.
    pub measured_at: jiff::Timestamp,
    /// The host the measuring command ran on (its hostname).
    pub measured_from: String,
    /// The command line that measured, as the user typed it (arguments
    /// that could hold secrets are never recorded).
    pub command: String,
    /// The inventory the measurement was taken against; `None` for
    /// `kubev-ha disk`, which measures this host without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventoryIdentity>,
    /// The nodes, by inventory name, the measurement is about.
    pub nodes: Vec<String>,
    /// What was measured.
    pub measured: Measured,
}

/// The tool that wrote a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolStamp {
    /// Always `kubev-ha`.
    pub name: String,
    /// Its version (semver).
    pub version: String,
}

/// Which inventory a measurement belongs to: its name and every node's
/// name and address. Evidence applies only to an inventory with the same
/// nodes at the same addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryIdentity {
    /// `metadata.name`.
    pub name: String,
    /// Every node, in the inventory's order.
    pub nodes: Vec<NodeIdentity>,
}

/// One node of an [`InventoryIdentity`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeIdentity {
    /// The node's inventory name.
    pub name: String,
    /// Its address as the inventory writes it.
    pub address: String,
}

/// The measurement an evidence file holds, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
// One per evidence file, read once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Measured {
    /// `kubev-ha disk`: fdatasync latency, by node name.
    #[serde(rename_all = "camelCase")]
    Fdatasync {
        /// The latencies, keyed by the node they were measured on.
        by_node: BTreeMap<String, FsyncStats>,
    },
    /// `kubev-ha etcd`: the cluster's members and health.
    Etcd {
        /// What `kubev-ha etcd` read.
        status: EtcdStatus,
    },
    /// `kubev-ha net check` or `net matrix`: port probes, path MTU, DNS,
    /// bandwidth; the matrix's cells when it was `net matrix`.
    Network {
        /// What the network rules judge.
        measurements: NetworkMeasurements,
        /// `net matrix`'s view: its node order and cells.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        matrix: Option<MatrixCells>,
    },
    /// `kubev-ha probe` (or `host`): every node's facts, or why it could
    /// not be read.
    Hosts {
        /// By node name.
        hosts: BTreeMap<String, HostProbe>,
    },
    /// `kubev-ha audit`: what was read from the running cluster.
    Cluster {
        /// The live facts the LIVE-* rules judge.
        live: Box<LiveCluster>,
    },
}

/// The cells of `net matrix` and the order of its nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixCells {
    /// The nodes, in the order of the matrix's rows and columns.
    pub nodes: Vec<String>,
    /// One cell per (from, to, port group).
    pub cells: Vec<MatrixCell>,
}

impl Measured {
    /// The kind as written in the file's `kind`: `fdatasync`, `etcd`,
    /// `network`, `hosts` or `cluster`.
    pub fn kind(&self) -> &'static str {
        match self {
            Measured::Fdatasync { .. } => "fdatasync",
            Measured::Etcd { .. } => "etcd",
            Measured::Network { .. } => "network",
            Measured::Hosts { .. } => "hosts",
            Measured::Cluster { .. } => "cluster",
        }
    }
}

/// An evidence file read from disk, with where it came from and how old
/// it is.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedEvidence {
    /// The file, as found (a directory's entry is the directory joined
    /// with the file name).
    pub path: PathBuf,
    /// Its content.
    pub file: EvidenceFile,
    /// How long before `now` (as [`read_evidence`] was given) it was
    /// measured; zero for a timestamp in the future.
    pub age: Duration,
}

/// Why evidence was refused; each names the file. Exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum EvidenceError {
    /// The file or directory could not be read.
    #[error("{path}: cannot read evidence: {message}")]
    Unreadable {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// Not JSON, or JSON of the wrong shape.
    #[error("{path}:{line}:{column}: not a kubev-ha evidence file: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line of the error, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Evidence, but of a format or tool version this build cannot judge with.
    #[error("{path}: {message}")]
    #[diagnostic(help("measure again with this version of kubev-ha"))]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// What differs (format version, tool version).
        message: String,
    },
    /// Evidence of another deployment: its nodes or addresses differ.
    #[error("{path}: measured against another inventory: {message}")]
    #[diagnostic(help("measure this inventory's nodes again, or leave the file out of --evidence"))]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What differs, node by node.
        message: String,
    },
    /// Older than `--max-age` in a run that must not rest on stale measurements (`--strict`).
    #[error("{path}: measured {age} ago, older than --max-age {max_age}")]
    #[diagnostic(help("measure again, or raise --max-age"))]
    Stale {
        /// The file.
        path: PathBuf,
        /// Its age, in words (`9d 2h`).
        age: String,
        /// The limit, in words.
        max_age: String,
    },
}

/// The identity of `inventory`: its name and every node's name and address.
pub fn inventory_identity(inventory: &Inventory) -> InventoryIdentity {
    let _ = inventory;
    unimplemented!("evidence: inventory_identity")
}

/// A new evidence file stamped with this build's version, the current
/// time and this host's name.
pub fn new_evidence(
    tool_version: &str,
    command: &str,
    inventory: Option<&Inventory>,
    nodes: Vec<String>,
    measured: Measured,
) -> EvidenceFile {
    let _ = (tool_version, command, inventory, nodes, measured);
    unimplemented!("evidence: new_evidence")
}

/// Writes `file` as pretty JSON to `path`, creating the parent directory;
/// the file appears whole or not at all (written beside, then renamed).
pub fn write_evidence(path: &Path, file: &EvidenceFile) -> Result<(), EvidenceError> {
    let _ = (path, file);
    unimplemented!("evidence: write_evidence")
}

/// Reads evidence from files and directories (a directory's `*.json`
/// files, in name order), each at most `max_input` bytes, refusing
/// corrupt files and incompatible versions (`tool_version` is this
/// build's). Ages are taken against `now`.
pub fn read_evidence(
    paths: &[PathBuf],
    tool_version: &str,
    now: jiff::Timestamp,
    max_input: ByteSize,
) -> Result<Vec<LoadedEvidence>, EvidenceError> {
    let _ = (paths, tool_version, now, max_input);
    unimplemented!("evidence: read_evidence")
}

/// Refuses evidence that is not about `inventory`: an identity with other
/// nodes or addresses, or (for evidence without one) a node the inventory
/// does not have.
pub fn check_evidence_belongs(inventory: &Inventory, pieces: &[LoadedEvidence]) -> Result<(), EvidenceError> {
    let _ = (inventory, pieces);
    unimplemented!("evidence: check_evidence_belongs")
}

impl Facts {
    /// These facts with every piece of evidence merged in: fdatasync by
    /// node, etcd, network (merged across pieces), probed hosts (through
    /// [`Facts::with_probes`]) and the live cluster. Where two pieces
    /// measured the same thing, the newer one wins and a note says so.
    pub fn with_evidence(self, pieces: &[LoadedEvidence]) -> Facts {
        let _ = pieces;
        unimplemented!("evidence: Facts::with_evidence")
    }
}
