//! Measurements: what `kubev-ha disk`, `kubev-ha etcd` and the network
//! checks found, kept as facts the rules judge.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Latency percentiles of fdatasync, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FsyncStats {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub samples: u64,
    /// `kubev-ha disk PATH` or `etcd metrics (wal fsync)`.
    pub source: String,
}

/// One etcd member as the cluster and the member itself report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EtcdMember {
    pub id: String,
    pub name: String,
    pub peer_urls: Vec<String>,
    pub client_urls: Vec<String>,
    pub is_learner: bool,
    /// The endpoint this tool reached the member by, when it did.
    pub endpoint: Option<String>,
    pub health: EtcdHealth,
    pub version: Option<String>,
    pub db_size: Option<u64>,
    pub raft_term: Option<u64>,
    pub raft_index: Option<u64>,
    pub is_leader: bool,
    pub wal_fsync_p99_ms: Option<f64>,
    pub backend_commit_p99_ms: Option<f64>,
    pub leader_changes: Option<f64>,
    pub has_leader: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EtcdHealth {
    /// Answered a linearizable read within the deadline.
    Healthy { read_ms: f64 },
    /// Reachable, but the linearizable read failed (no leader, no quorum).
    Unhealthy { reason: String },
    /// Not reachable within the deadline.
    Down { reason: String },
    /// Listed by the cluster, but no endpoint of it was given.
    NotProbed,
}

impl EtcdHealth {
    pub fn is_healthy(&self) -> bool {
        matches!(self, EtcdHealth::Healthy { .. })
    }
}

/// What `kubev-ha etcd` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EtcdStatus {
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
    pub from: String,
    pub to: String,
    pub address: String,
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub component: String,
    pub state: PortState,
    pub detail: String,
    pub rtt_ms: Option<f64>,
}

/// The largest IP packet that crosses from one node to another unfragmented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathMtu {
    pub from: String,
    pub to: String,
    /// Bytes of IP packet; `None` when nothing got through.
    pub mtu: Option<u32>,
    /// The sender's own interface MTU towards `to`, the upper bound tried.
    pub local_mtu: Option<u32>,
    pub detail: String,
}

/// Whether a node name resolves to its declared address, seen from a node
/// through its system resolver (getaddrinfo: /etc/hosts, DNS, any other
/// NSS source). This says what the node's programs get, not whether a DNS
/// server works: [`DnsServerAnswer`] says that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsCheck {
    pub from: String,
    pub name: String,
    pub expected: String,
    pub resolved: Vec<String>,
    /// `None` when the lookup did not finish.
    pub matches: Option<bool>,
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
    pub from: String,
    /// `10.10.0.2:53`.
    pub server: String,
    /// The node name looked up.
    pub name: String,
    /// The fully qualified name of the last query (`cp-1.example.com.`: the
    /// node's resolv.conf search domains are tried as its resolver would).
    pub queried: String,
    pub expected: String,
    pub outcome: DnsOutcome,
    /// The A/AAAA addresses in the answer.
    pub addresses: Vec<String>,
    /// `udp`, or `tcp` when the UDP answer was truncated.
    pub transport: String,
    pub rtt_ms: Option<f64>,
    /// Whether the answer holds the declared address; `None` when the
    /// server gave no answer to judge.
    pub matches: Option<bool>,
    pub detail: String,
}

/// TCP throughput and latency from one node to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bandwidth {
    pub from: String,
    pub to: String,
    pub streams: u32,
    /// Bits per second, all streams together.
    pub total_bps: f64,
    pub per_stream_bps: Vec<f64>,
    pub rtt_ms: Option<f64>,
    pub seconds: f64,
}

/// A port a node's responder could not take: something already holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TakenPort {
    pub node: String,
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// The matrix component that should own the port (or `bandwidth sink`).
    pub component: String,
    /// The process holding it, when /proc tells (`sshd (pid 812)`).
    pub holder: Option<String>,
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
    pub from: String,
    pub to: String,
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
    pub probes: Vec<PortProbe>,
    pub path_mtu: Vec<PathMtu>,
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
    pub fdatasync: BTreeMap<String, FsyncStats>,
    pub etcd: Option<EtcdStatus>,
    pub network: Option<NetworkMeasurements>,
}
