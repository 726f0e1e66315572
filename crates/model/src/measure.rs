//! Measurements: what `kubev-ha disk`, `kubev-ha etcd` and the network
//! checks found, kept as facts the rules judge.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Latency percentiles of fdatasync, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FsyncStats {
    /// The median fdatasync latency.
    pub p50_ms: f64,
    /// The 90th percentile.
    pub p90_ms: f64,
    /// The 99th percentile: what etcd's guidance (p99 WAL fsync below 10 ms) is judged by.
    pub p99_ms: f64,
    /// The 99.9th percentile.
    pub p999_ms: f64,
    /// The slowest fdatasync seen.
    pub max_ms: f64,
    /// How many fdatasync calls the percentiles are computed from.
    pub samples: u64,
    /// `kubev-ha disk PATH` or `etcd metrics (wal fsync)`.
    pub source: String,
}

/// One etcd member as the cluster and the member itself report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EtcdMember {
    /// The member ID in hex, as etcdctl prints it.
    pub id: String,
    /// The member's name (`--name`); empty for a member added but never started.
    pub name: String,
    /// The URLs it talks to its peers on (port 2380 by default).
    pub peer_urls: Vec<String>,
    /// The URLs it serves clients on (port 2379 by default); empty for a member that never started.
    pub client_urls: Vec<String>,
    /// A learner: it replicates the log but does not vote, so it does not count towards quorum.
    pub is_learner: bool,
    /// The endpoint this tool reached the member by, when it did.
    pub endpoint: Option<String>,
    /// Whether it answered a linearizable read.
    pub health: EtcdHealth,
    /// The etcd version it reports, when it answered.
    pub version: Option<String>,
    /// The size of its backend database in bytes, when it answered.
    pub db_size: Option<u64>,
    /// The raft term it reports.
    pub raft_term: Option<u64>,
    /// The raft index it reports.
    pub raft_index: Option<u64>,
    /// The members that answered name it as their leader (in the newest raft term).
    pub is_leader: bool,
    /// The 99th percentile of WAL fsync from its /metrics (etcd_disk_wal_fsync_duration_seconds),
    /// in milliseconds.
    pub wal_fsync_p99_ms: Option<f64>,
    /// The 99th percentile of backend commits from its /metrics
    /// (etcd_disk_backend_commit_duration_seconds), in milliseconds.
    pub backend_commit_p99_ms: Option<f64>,
    /// Leader changes seen since it started (etcd_server_leader_changes_seen_total).
    pub leader_changes: Option<f64>,
    /// Whether it has a leader (etcd_server_has_leader).
    pub has_leader: Option<bool>,
}

/// How one etcd member answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EtcdHealth {
    /// Answered a linearizable read within the deadline.
    Healthy {
        /// The latency of the read that answered, in milliseconds.
        // camelCase like every other key; 0.1.0 wrote `read_ms`, which
        // measurements saved then still carry.
        #[serde(rename = "readMs", alias = "read_ms")]
        read_ms: f64,
    },
    /// Reachable, but the linearizable read failed (no leader, no quorum).
    Unhealthy {
        /// Why the read failed, in words.
        reason: String,
    },
    /// Not reachable within the deadline.
    Down {
        /// Why it did not answer, in words.
        reason: String,
    },
    /// Listed by the cluster, but no endpoint of it was given.
    NotProbed,
}

impl EtcdHealth {
    /// Whether the member answered the linearizable read.
    pub fn is_healthy(&self) -> bool {
        matches!(self, EtcdHealth::Healthy { .. })
    }
}

/// What `kubev-ha etcd` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EtcdStatus {
    /// The endpoints the tool was given.
    pub endpoints: Vec<String>,
    /// Members as the cluster lists them (empty when no endpoint answered).
    pub members: Vec<EtcdMember>,
    /// Active alarms, e.g. `NOSPACE on member 8e9e05c52164694d`.
    pub alarms: Vec<String>,
    /// Endpoints that did not answer, with the reason.
    pub unreachable: BTreeMap<String, String>,
}

impl EtcdStatus {
    /// Voting members (learners do not count towards quorum).
    pub fn voters(&self) -> impl Iterator<Item = &EtcdMember> {
        self.members.iter().filter(|m| !m.is_learner)
    }
}

/// How a probed port answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortState {
    /// Our responder answered, and it is the node we meant.
    Open,
    /// Something else answered (after install: the real component).
    OpenOther,
    /// Refused (TCP RST, or ICMP port unreachable for UDP).
    Closed,
    /// No answer at all within the deadline: a firewall drops it.
    Filtered,
    /// A different node answered: a duplicate IP or NAT.
    WrongHost,
    /// No route to the node, or the node is down.
    Unreachable,
}

impl PortState {
    /// Whether something answered on the port (our responder or the real component).
    pub fn is_open(self) -> bool {
        matches!(self, PortState::Open | PortState::OpenOther)
    }
}

/// The one wording of a probe's outcome, for every report and finding.
impl fmt::Display for PortState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortState::Open => "open",
            PortState::OpenOther => "open (another service)",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
            PortState::WrongHost => "wrong host",
            PortState::Unreachable => "unreachable",
        })
    }
}

/// One (from, to, port, protocol) probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortProbe {
    /// The node the probe ran from.
    pub from: String,
    /// The node probed.
    pub to: String,
    /// The address probed (the node's declared address).
    pub address: String,
    /// The port probed.
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The matrix component that owns the port (`etcd client`, `kubelet`).
    pub component: String,
    /// How the port answered.
    pub state: PortState,
    /// What was seen, in words (the error, or who answered).
    pub detail: String,
    /// Round-trip time of the connection or answer, in milliseconds, when one came.
    pub rtt_ms: Option<f64>,
}

/// The largest IP packet that crosses from one node to another unfragmented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathMtu {
    /// The node the packets were sent from.
    pub from: String,
    /// The node they were sent to.
    pub to: String,
    /// Bytes of IP packet; `None` when nothing got through.
    pub mtu: Option<u32>,
    /// The sender's own interface MTU towards `to`, the upper bound tried.
    pub local_mtu: Option<u32>,
    /// What was seen, in words.
    pub detail: String,
}

/// Whether a node name resolves to its declared address, seen from a node
/// through its system resolver (getaddrinfo: /etc/hosts, DNS, any other
/// NSS source). This says what the node's programs get, not whether a DNS
/// server works: [`DnsServerAnswer`] says that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsCheck {
    /// The node the lookup ran on.
    pub from: String,
    /// The node name looked up.
    pub name: String,
    /// The node's declared address.
    pub expected: String,
    /// The addresses the resolver returned.
    pub resolved: Vec<String>,
    /// `None` when the lookup did not finish.
    pub matches: Option<bool>,
    /// What was seen, in words.
    pub detail: String,
    /// Where the answer came from, as far as the node tells; `None` in
    /// measurements of older versions, which did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AnswerSource>,
}

/// Where the system resolver's answer to a name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerSource {
    /// The node's /etc/hosts lists the name with exactly the addresses
    /// resolved: the answer is the hosts file's, whatever DNS says.
    HostsFile,
    /// Not (only) from /etc/hosts: a DNS server, or another NSS source.
    Resolver,
}

/// How a DNS server answered one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsOutcome {
    /// NOERROR with at least one address.
    Answered,
    /// NXDOMAIN for the name and every search-domain form of it.
    NoSuchName,
    /// NOERROR, but no A/AAAA record (NODATA).
    NoAddress,
    /// The server answered with an error code (REFUSED, SERVFAIL, ...).
    Error,
    /// Nothing listens: ICMP port unreachable (UDP) or a reset (TCP).
    Closed,
    /// No answer within the deadline: the server is down, or dropped by a firewall.
    Silent,
    /// Something answered, but not a DNS answer to our question.
    Invalid,
}

impl DnsOutcome {
    /// Whether the server answered as a DNS server does (found or not found).
    pub fn server_answers(self) -> bool {
        matches!(self, DnsOutcome::Answered | DnsOutcome::NoSuchName | DnsOutcome::NoAddress)
    }
}

/// One declared DNS server, asked directly (not through the node's
/// resolver, so /etc/hosts plays no part) for one node name, from one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsServerAnswer {
    /// The node the query was sent from.
    pub from: String,
    /// `10.10.0.2:53`.
    pub server: String,
    /// The node name looked up.
    pub name: String,
    /// The fully qualified name of the last query (`cp-1.example.com.`: the
    /// node's resolv.conf search domains are tried as its resolver would).
    pub queried: String,
    /// The node's declared address.
    pub expected: String,
    /// How the server answered.
    pub outcome: DnsOutcome,
    /// The A/AAAA addresses in the answer.
    pub addresses: Vec<String>,
    /// `udp`, or `tcp` when the UDP answer was truncated.
    pub transport: String,
    /// Round-trip time of the answer in milliseconds, when one came.
    pub rtt_ms: Option<f64>,
    /// Whether the answer holds the declared address; `None` when the
    /// server gave no answer to judge.
    pub matches: Option<bool>,
    /// What was seen, in words.
    pub detail: String,
}

/// TCP throughput and latency from one node to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bandwidth {
    /// The sending node.
    pub from: String,
    /// The receiving node (its responder's sink).
    pub to: String,
    /// How many TCP streams ran side by side.
    pub streams: u32,
    /// Bits per second, all streams together.
    pub total_bps: f64,
    /// Bits per second of each stream.
    pub per_stream_bps: Vec<f64>,
    /// Round-trip time of a connection in milliseconds, when measured.
    pub rtt_ms: Option<f64>,
    /// How long the streams ran, in seconds.
    pub seconds: f64,
}

/// A port a node's responder could not take: something already holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TakenPort {
    /// The node whose responder could not bind the port.
    pub node: String,
    /// The port.
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The matrix component that should own the port (or `bandwidth sink`).
    pub component: String,
    /// The process holding it, when /proc tells (`sshd (pid 812)`).
    pub holder: Option<String>,
    /// The bind error.
    pub error: String,
}

/// How one cell of the matrix (a port group, from one node to another) fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellState {
    /// Every probe of the cell found its port open.
    Open,
    /// At least one probe did not find its port open.
    Failing,
    /// The sending or the receiving node could not be reached to run the check.
    Unreachable,
    /// The matrix needs this cell, but no probe of it was measured.
    NotMeasured,
}

/// The one wording of a matrix cell's state, for every report.
impl fmt::Display for CellState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CellState::Open => "open",
            CellState::Failing => "failing",
            CellState::Unreachable => "unreachable",
            CellState::NotMeasured => "not measured",
        })
    }
}

/// One cell of the N×N matrix of a port group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixCell {
    /// The port group (the matrix's component).
    pub group: String,
    /// `2379` or `30000-32767`.
    pub ports: String,
    /// `tcp`, `udp` or `tcp, udp`.
    pub protocols: String,
    /// The sending node (row).
    pub from: String,
    /// The receiving node (column).
    pub to: String,
    /// How the cell fared.
    pub state: CellState,
    /// Why the cell is not open (unreachable node, nothing measured), when
    /// not told by the failing probes.
    pub reason: Option<String>,
    /// Probes measured for this cell.
    pub probes: usize,
    /// The probes that did not find their port open.
    pub failing: Vec<PortProbe>,
}

/// What the network checks found, from one or more nodes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkMeasurements {
    /// The nodes the checks ran from.
    pub from: Vec<String>,
    /// Every port probe.
    pub probes: Vec<PortProbe>,
    /// Path MTU between nodes.
    pub path_mtu: Vec<PathMtu>,
    /// Node names through each node's system resolver.
    pub dns: Vec<DnsCheck>,
    /// The declared DNS servers asked directly, per node name.
    #[serde(default)]
    pub dns_servers: Vec<DnsServerAnswer>,
    /// Nodes where a NodeLocal DNSCache address (the declared one, else
    /// the well-known ones) is already bound.
    pub nodelocal_bound: BTreeMap<String, bool>,
    /// Which of those addresses each node binds.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nodelocal_addresses: BTreeMap<String, Vec<std::net::IpAddr>>,
    /// TCP throughput between workers.
    pub bandwidth: Vec<Bandwidth>,
    /// Nodes that could not run the checks, and why.
    pub unreachable: BTreeMap<String, String>,
    /// Ports the responders could not take, and what holds them.
    #[serde(default)]
    pub taken: Vec<TakenPort>,
    /// How ranges were sampled (stated in reports).
    pub notes: Vec<String>,
}

/// Everything measured, by node name where it belongs to a node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Measurements {
    /// fdatasync latency by node name (or by the path measured, for a local `kubev-ha disk`).
    pub fdatasync: BTreeMap<String, FsyncStats>,
    /// What `kubev-ha etcd` found, when it ran.
    pub etcd: Option<EtcdStatus>,
    /// What the network checks found, when they ran.
    pub network: Option<NetworkMeasurements>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_healthy_members_read_latency_is_keyed_in_camel_case() {
        // Regression: the field was written `read_ms`, the one snake_case key
        // of the JSON output.
        let json = serde_json::to_value(EtcdHealth::Healthy { read_ms: 1.5 }).unwrap();
        assert_eq!(json, serde_json::json!({"state": "healthy", "readMs": 1.5}));
        // Measurements saved by 0.1.0 still read.
        let old: EtcdHealth = serde_json::from_value(serde_json::json!({"state": "healthy", "read_ms": 2.0})).unwrap();
        assert_eq!(old, EtcdHealth::Healthy { read_ms: 2.0 });
    }
}
