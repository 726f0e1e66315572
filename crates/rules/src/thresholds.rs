//! Every number and severity the rules judge by, one table per profile.
//!
//! This is the only place a threshold lives: the rules read it, and the
//! catalog's "production" and "minimum" columns are rendered from it, so
//! the documentation cannot drift from what the code does.

use std::fmt::Display;

use kubev_ha_model::{ByteSize, LinkSpeed, Profile};

use crate::severity::Severity::{self, Fail, Info, Warn};

/// "A value below `below` gets `severity`." Floors are listed lowest
/// first; the first one a value falls under decides.
#[derive(Debug, Clone, Copy)]
pub struct Floor<T> {
    pub below: T,
    pub severity: Severity,
}

const fn floor<T>(below: T, severity: Severity) -> Floor<T> {
    Floor { below, severity }
}

/// The first floor `value` falls below, if any.
pub fn floor_for<T: PartialOrd + Copy>(value: T, floors: &[Floor<T>]) -> Option<Floor<T>> {
    floors.iter().copied().find(|f| value < f.below)
}

/// "fail < 4Gi, warn < 8Gi".
pub fn describe_floors<T: Copy + Display>(floors: &[Floor<T>]) -> String {
    floors.iter().map(|f| format!("{} < {}", f.severity, f.below)).collect::<Vec<_>>().join(", ")
}

#[derive(Debug)]
pub struct Thresholds {
    pub profile: Profile,

    // Control plane.
    /// Fewer control-plane nodes than this cannot form a fault-tolerant quorum.
    pub cp_count_min: u32,
    pub cp_count_too_few: Severity,
    /// etcd's FAQ: more than 7 members slow every write down for no gain.
    pub cp_count_max: u32,
    pub cp_count_even_or_large: Severity,
    pub cp_spread: Severity,
    pub cp_vcpus: &'static [Floor<u32>],
    pub cp_memory: &'static [Floor<ByteSize>],
    pub cp_etcd_on_hdd: Severity,
    /// etcd's default --quota-backend-bytes.
    pub etcd_default_quota: ByteSize,
    /// The largest quota etcd's documentation advises.
    pub etcd_max_advised_quota: ByteSize,
    /// The etcd disk must hold this many quotas (the database plus room to
    /// defragment and snapshot).
    pub cp_etcd_capacity_factor: u64,
    pub cp_etcd_capacity: Severity,
    /// A declared quota above etcd's advised maximum.
    pub cp_etcd_quota_above_advice: Severity,
    /// etcd's guidance: WAL fdatasync p99 under 10 ms.
    pub cp_etcd_fsync_p99_ms: f64,
    pub cp_etcd_fsync: Severity,
    pub cp_api_lb: Severity,
    pub cp_etcd_health_lost: Severity,
    pub cp_etcd_health_no_tolerance: Severity,

    // Workers.
    pub w_count_min: u32,
    pub w_count: Severity,
    pub w_virt_missing: Severity,
    /// When `kubevirt.useEmulation: true` is declared.
    pub w_virt_missing_emulation_allowed: Severity,
    pub w_cores: &'static [Floor<u32>],
    pub w_memory: &'static [Floor<ByteSize>],
    pub w_media_hdd: Severity,

    // Storage.
    pub st_live_migration: Severity,
    pub st_vm_disks: Severity,
    pub st_min_replicas: u32,
    pub st_replication: Severity,
    /// Above this share of raw capacity: warn.
    pub st_capacity_warn_ratio: f64,
    /// Above this share: fail.
    pub st_capacity_fail_ratio: f64,
    pub st_media_hdd: Severity,

    // Network.
    pub net_nic_speed: &'static [Floor<LinkSpeed>],
    pub net_migration_absent: Severity,
    pub net_migration_nic_missing: Severity,
    pub net_mtu_mismatch: Severity,
    pub net_mtu_shrink: Severity,
    pub net_cidr_overlap: Severity,
    pub net_dns: Severity,
    pub net_nodelocal_dns: Severity,
    /// The inventory says the infrastructure runs no NodeLocal DNSCache,
    /// yet a node binds its address.
    pub net_nodelocal_undeclared: Severity,
    pub net_ports: Severity,
    /// A matrix port held by something other than its component: a
    /// conflict before install, a stranger after; which, a probe cannot tell.
    pub net_ports_taken: Severity,

    // High availability.
    pub ha_node_failure: Severity,
    pub ha_zone_failure: Severity,
    pub ha_drain_time: Severity,
    /// A migration outlasts KubeVirt's completion timeout: it is aborted,
    /// so the drain never finishes, whatever the window.
    pub ha_drain_abort: Severity,
    pub ha_fencing: Severity,
    pub ha_eviction: Severity,

    // Host facts.
    pub host_kvm: Severity,
    pub host_kernel: Severity,
    pub host_modules: Severity,
    pub host_ipv6: Severity,
    pub host_swap: Severity,
    pub host_time: Severity,
    pub host_identity: Severity,
    pub host_drift: Severity,
}

pub static PRODUCTION: Thresholds = Thresholds {
    profile: Profile::Production,
    cp_count_min: 3,
    cp_count_too_few: Fail,
    cp_count_max: 7,
    cp_count_even_or_large: Warn,
    cp_spread: Fail,
    cp_vcpus: &[floor(2, Fail)],
    cp_memory: &[floor(ByteSize::gib(4), Fail), floor(ByteSize::gib(8), Warn)],
    cp_etcd_on_hdd: Fail,
    etcd_default_quota: ByteSize::gib(2),
    etcd_max_advised_quota: ByteSize::gib(8),
    cp_etcd_capacity_factor: 2,
    cp_etcd_capacity: Fail,
    cp_etcd_quota_above_advice: Warn,
    cp_etcd_fsync_p99_ms: 10.0,
    cp_etcd_fsync: Fail,
    cp_api_lb: Fail,
    cp_etcd_health_lost: Fail,
    cp_etcd_health_no_tolerance: Warn,
    w_count_min: 2,
    w_count: Fail,
    w_virt_missing: Fail,
    w_virt_missing_emulation_allowed: Fail,
    w_cores: &[floor(8, Fail), floor(16, Warn)],
    w_memory: &[floor(ByteSize::gib(8), Fail), floor(ByteSize::gib(16), Warn)],
    w_media_hdd: Warn,
    st_live_migration: Fail,
    st_vm_disks: Fail,
    st_min_replicas: 2,
    st_replication: Fail,
    st_capacity_warn_ratio: 0.85,
    st_capacity_fail_ratio: 1.0,
    st_media_hdd: Warn,
    net_nic_speed: &[floor(LinkSpeed::gbps(1), Fail), floor(LinkSpeed::gbps(10), Warn)],
    net_migration_absent: Warn,
    net_migration_nic_missing: Fail,
    net_mtu_mismatch: Fail,
    net_mtu_shrink: Info,
    net_cidr_overlap: Fail,
    net_dns: Fail,
    net_nodelocal_dns: Fail,
    net_nodelocal_undeclared: Warn,
    net_ports: Fail,
    net_ports_taken: Warn,
    ha_node_failure: Fail,
    ha_zone_failure: Fail,
    ha_drain_time: Warn,
    ha_drain_abort: Fail,
    ha_fencing: Warn,
    ha_eviction: Warn,
    host_kvm: Fail,
    host_kernel: Fail,
    host_modules: Fail,
    host_ipv6: Fail,
    host_swap: Fail,
    host_time: Fail,
    host_identity: Fail,
    host_drift: Warn,
};

pub static MINIMUM: Thresholds = Thresholds {
    profile: Profile::Minimum,
    cp_count_min: 3,
    cp_count_too_few: Fail,
    cp_count_max: 7,
    cp_count_even_or_large: Warn,
    cp_spread: Warn,
    cp_vcpus: &[floor(2, Fail)],
    cp_memory: &[floor(ByteSize::gib(4), Fail), floor(ByteSize::gib(8), Info)],
    cp_etcd_on_hdd: Warn,
    etcd_default_quota: ByteSize::gib(2),
    etcd_max_advised_quota: ByteSize::gib(8),
    cp_etcd_capacity_factor: 2,
    cp_etcd_capacity: Warn,
    cp_etcd_quota_above_advice: Info,
    cp_etcd_fsync_p99_ms: 10.0,
    cp_etcd_fsync: Warn,
    cp_api_lb: Warn,
    cp_etcd_health_lost: Fail,
    cp_etcd_health_no_tolerance: Warn,
    w_count_min: 2,
    w_count: Fail,
    w_virt_missing: Fail,
    w_virt_missing_emulation_allowed: Warn,
    w_cores: &[floor(8, Fail)],
    w_memory: &[floor(ByteSize::gib(8), Fail)],
    w_media_hdd: Info,
    st_live_migration: Fail,
    st_vm_disks: Warn,
    st_min_replicas: 2,
    st_replication: Warn,
    st_capacity_warn_ratio: 0.85,
    st_capacity_fail_ratio: 1.0,
    st_media_hdd: Info,
    net_nic_speed: &[floor(LinkSpeed::gbps(1), Fail)],
    net_migration_absent: Info,
    net_migration_nic_missing: Fail,
    net_mtu_mismatch: Fail,
    net_mtu_shrink: Info,
    net_cidr_overlap: Fail,
    net_dns: Warn,
    net_nodelocal_dns: Warn,
    net_nodelocal_undeclared: Warn,
    net_ports: Fail,
    net_ports_taken: Warn,
    ha_node_failure: Warn,
    ha_zone_failure: Warn,
    ha_drain_time: Info,
    ha_drain_abort: Warn,
    ha_fencing: Info,
    ha_eviction: Info,
    host_kvm: Fail,
    host_kernel: Fail,
    host_modules: Warn,
    host_ipv6: Warn,
    host_swap: Warn,
    host_time: Warn,
    host_identity: Fail,
    host_drift: Info,
};

impl Thresholds {
    pub fn for_profile(profile: Profile) -> &'static Thresholds {
        match profile {
            Profile::Production => &PRODUCTION,
            Profile::Minimum => &MINIMUM,
        }
    }
}
