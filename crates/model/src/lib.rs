//! The fact model of kubev-ha.
//!
//! Everything the rules judge is described here: the declared
//! [`Inventory`], Kube-V's own `KubeVCluster` manifest mapped onto it, the
//! quantities both are written in, and [`Facts`], the bundle the rule
//! engine reads. Reading files with positions is [`load_file`] and
//! [`parse_str`]; nothing in this crate opens a socket or judges a
//! requirement.

#![warn(missing_docs, unreachable_pub)]

mod error;
mod evidence;
mod facts;
mod host;
mod input;
mod inventory;
mod kubev_cluster;
mod kubevirt_version;
mod live;
mod live_inventory;
mod load;
mod location;
mod measure;
mod protocol;
mod quantity;
mod schema;
mod serve;
mod suggest;
// The one module kept public: its three functions are read as `url::host`,
// `url::normalise` and `url::to`, names that say what they do only next to
// the module's (a root `host` or `to` would say nothing).
pub mod url;
mod validate;
mod write;

// The public API is these re-exports; callers name items by the crate root
// (`kubev_ha_model::HostFacts`), never by a module path, so modules can move.

// The inventory and the values it is written in.
// The inventory format, type by type (docs/inventory.md is its prose).
pub use inventory::{
    API_VERSION, AccessMode, Address, AddressError, ApiEndpoint, Cidr, CidrError, Cpu, DEFAULT_MAX_PODS, Disk,
    DiskSource, DiskUsage, Dns, DnsPolicy, Etcd, EvictionStrategy, FailureDomain, Fencing, GuestCluster, Ha, Inventory,
    KIND, KubeVirt, Kubelet, LoadBalancerKind, Media, MemorySwap, Metadata, Migration, MigrationNetwork, Network, Nic,
    Node, NodeLocalDnsCache, Overcommit, OverheadRatio, Overlay, Profile, Role, RunStrategy, Ssh, Storage,
    StorageClass, StrategyOrigin, SwapBehavior, Tolerate, UnknownProfile, VipMode, Virtualization, VolumeMode, Waiver,
    Workload, WorkloadDisk,
};
pub use kubevirt_version::{KubeVirtVersion, KubeVirtVersionError};
pub use location::{Located, SourcePos};
pub use quantity::{ByteSize, Count, Interval, LinkSpeed, QuantityError, Ratio};

// Reading, checking and writing inventories.
pub use error::{InputError, LoadError, Problem, chain, panic_message};
pub use input::{DEFAULT_MAX_INPUT, STDIN_NAME, read_input};
pub use load::{LoadedInventory, SourceFormat, load_file, load_input, parse_bytes, parse_str};
pub use schema::inventory_schema;
pub use suggest::did_you_mean;
pub use validate::validate;
pub use write::{node_to_yaml, to_yaml};

// What the rules judge: the facts, what probes found, what was measured.
pub use evidence::{
    EVIDENCE_FORMAT, EVIDENCE_FORMAT_VERSION, EvidenceError, EvidenceFile, InventoryIdentity, LoadedEvidence,
    MatrixCells, Measured, NodeIdentity, ToolStamp, check_evidence_belongs, inventory_identity, new_evidence,
    read_evidence, write_evidence,
};
pub use facts::Facts;
pub use host::{
    HostDisk, HostFacts, HostNic, HostProbe, KvmFacts, LinkKind, ListenProtocol, Listening, ModuleState, THIS_HOST,
    TimeSync, merge_probed,
};
pub use live::{
    ClaimPropertySet, Condition, DaemonSetStatus, InfraComponent, KubeVirtConfig, KubeadmConfig, LabelExpression,
    LabelSelector, LiveCluster, LiveInterface, LiveMigrations, LiveNetworkAttachment, LiveNode, LiveNodeHealthCheck,
    LivePdb, LivePv, LivePvc, LiveStorageClass, LiveStorageProfile, LiveSubnet, LiveVm, LiveVmi, NodeLocalDns,
    NodeResources, PodPlacement, Read, Taint, Unreadable, VirtHandlerPod, WhyUnreadable, node_labels,
};
pub use measure::{
    AnswerSource, Bandwidth, CellState, DnsCheck, DnsOutcome, DnsServerAnswer, EtcdHealth, EtcdMember, EtcdStatus,
    FsyncStats, MatrixCell, Measurements, NetworkMeasurements, PathMtu, PortProbe, PortState, TakenPort,
};
pub use protocol::Protocol;
pub use serve::{Listened, ServeReport, ServeStats, Taken};
