//! Every number and severity the rules judge by, one table per profile.
//!
//! This is the only place a threshold lives: the rules read it, and the
//! catalog's "production" and "minimum" columns are rendered from it, so
//! the documentation cannot drift from what the code does.

use std::fmt::Display;

use kubev_ha_model::{ByteSize, LinkSpeed, Profile};

use crate::severity::Severity::{self, Fail, Info, Warn};

/// The kernels kubeadm's SystemVerification preflight accepts: the regular
/// expressions of k8s.io/system-validators v1.12.1 (validators/types_unix.go,
/// `DefaultSysSpec.KernelSpec.Versions`; kubeadm uses this release since
/// Kubernetes 1.35): `^5\.4.*$`, `^5\.10.*$`, `^5\.15.*$` and
/// `^([6-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$`. A release that matches
/// none is reported by kubeadm as a warning, not an error
/// (validators/kernel_validator.go puts it among the warnings).
#[derive(Debug, Clone, Copy)]
pub struct AcceptedKernels {
    /// The long-term-support series of 5.x that are accepted, as (major, minor).
    pub lts: &'static [(u32, u32)],
    /// Every release of this major version or a later one, written
    /// major.minor.patch, is accepted.
    pub from_major: u32,
    /// Series kubeadm accepted once and dropped at their end of life, with
    /// the release of system-validators that dropped them: 4.19, dropped in
    /// v1.10.0 (commit "update kernel LTS status as 4.19 is end of life").
    pub end_of_life: &'static [(u32, u32)],
}

/// system-validators v1.12.1; the same in every profile, since it is
/// kubeadm's list, not a judgement of kubev-ha's.
pub(crate) const KUBEADM_KERNELS: AcceptedKernels =
    AcceptedKernels { lts: &[(5, 4), (5, 10), (5, 15)], from_major: 6, end_of_life: &[(4, 19)] };

/// How far probed memory and disk sizes may stray from the declared ones
/// before HOST-DRIFT calls it a difference. kubev-ha's own tolerances: the
/// kernel's MemTotal is below the installed RAM by what firmware and the
/// kernel reserve (a few percent, more with crashkernel= or large page
/// tables), and disk sizes are declared in rounded units (a "960G" SSD is
/// 960 × 10⁹ bytes, 894 GiB).
#[derive(Debug, Clone, Copy)]
pub struct DriftTolerance {
    /// Probed MemTotal above declared × this is a difference.
    pub memory_above: f64,
    /// Probed MemTotal below declared × this is a difference.
    pub memory_below: f64,
    /// A disk whose size differs by more than this share of the declared one.
    pub disk_size: f64,
}

pub(crate) const DRIFT_TOLERANCE: DriftTolerance =
    DriftTolerance { memory_above: 1.02, memory_below: 0.90, disk_size: 0.05 };

/// "A value below `below` gets `severity`." Floors are listed lowest
/// first; the first one a value falls under decides.
#[derive(Debug, Clone, Copy)]
pub struct Floor<T> {
    /// The bound, exclusive: a value equal to it is above the floor.
    pub below: T,
    /// What a value under `below` (and no lower floor) gets.
    pub severity: Severity,
}

const fn floor<T>(below: T, severity: Severity) -> Floor<T> {
    Floor { below, severity }
}

/// The first floor `value` falls below, if any.
pub(crate) fn floor_for<T: PartialOrd + Copy>(value: T, floors: &[Floor<T>]) -> Option<Floor<T>> {
    floors.iter().copied().find(|f| value < f.below)
}

/// "fail < 4Gi, warn < 8Gi".
pub(crate) fn describe_floors<T: Copy + Display>(floors: &[Floor<T>]) -> String {
    floors.iter().map(|f| format!("{} < {}", f.severity, f.below)).collect::<Vec<_>>().join(", ")
}

/// One profile's thresholds: per rule, the numbers it compares against and
/// the severity it gives when a fact falls short. Read it with
/// [`Thresholds::for_profile`].
#[derive(Debug)]
pub struct Thresholds {
    /// The profile this table is for.
    pub profile: Profile,

    // Control plane.
    /// Fewer control-plane nodes than this cannot form a fault-tolerant quorum.
    pub cp_count_min: u32,
    /// CP-COUNT: fewer than `cp_count_min` control-plane nodes.
    pub cp_count_too_few: Severity,
    /// etcd's FAQ: more than 7 members slow every write down for no gain.
    pub cp_count_max: u32,
    /// CP-COUNT: an even count, or more than `cp_count_max`.
    pub cp_count_even_or_large: Severity,
    /// CP-SPREAD: losing one failure domain loses etcd quorum.
    pub cp_spread: Severity,
    /// CP-CPU: logical CPUs per control-plane node, lowest floor first.
    pub cp_vcpus: &'static [Floor<u32>],
    /// CP-MEMORY: memory per control-plane node, lowest floor first.
    pub cp_memory: &'static [Floor<ByteSize>],
    /// The range the fix text recommends, the page's "Recommended: 8-16 GB
    /// for robust performance" (../shared/seed/ha-deployment.txt, the
    /// control-plane RAM line): advice, not a floor, so the same in every
    /// profile.
    pub cp_memory_advised: (ByteSize, ByteSize),
    /// CP-ETCD-MEDIA: etcd's disk is spinning media.
    pub cp_etcd_on_hdd: Severity,
    /// etcd's default --quota-backend-bytes: `DefaultQuotaBytes`, 2 GiB
    /// (etcd server/storage/quota.go, v3.6).
    pub etcd_default_quota: ByteSize,
    /// The largest quota etcd suggests: `MaxQuotaBytes`, 8 GiB ("a larger
    /// quota may lead to degraded performance", the same file).
    pub etcd_max_advised_quota: ByteSize,
    /// The etcd disk must hold this many quotas. kubev-ha's own heuristic:
    /// no upstream gives a disk size for etcd. The database may grow to the
    /// quota; a snapshot (`etcdctl snapshot save`, or kubeadm upgrade's
    /// backup) is a second copy of it, and defragmentation rewrites the
    /// file beside the old one, so twice the quota is what one of them
    /// needs at the worst moment.
    pub cp_etcd_capacity_factor: u64,
    /// CP-ETCD-CAPACITY: etcd's disk holds fewer than `cp_etcd_capacity_factor` quotas.
    pub cp_etcd_capacity: Severity,
    /// A declared quota above etcd's advised maximum.
    pub cp_etcd_quota_above_advice: Severity,
    /// etcd's guidance: WAL fdatasync p99 under 10 ms.
    pub cp_etcd_fsync_p99_ms: f64,
    /// CP-ETCD-FSYNC: p99 fdatasync at or above `cp_etcd_fsync_p99_ms`.
    pub cp_etcd_fsync: Severity,
    /// CP-API-LB: no load balancer or VIP in front of the API servers, or one declared incompletely.
    pub cp_api_lb: Severity,
    /// CP-ETCD-HEALTH: the running cluster has lost quorum, raised an alarm or has an unhealthy member.
    pub cp_etcd_health_lost: Severity,
    /// CP-ETCD-HEALTH: a member is down, so one more loss would cost quorum.
    pub cp_etcd_health_no_tolerance: Severity,

    // Workers.
    /// W-COUNT: the fewest VM-capable workers, so a VM has somewhere to go when one fails.
    pub w_count_min: u32,
    /// W-COUNT: fewer than `w_count_min` VM-capable workers.
    pub w_count: Severity,
    /// W-VIRT: a worker without hardware virtualisation (VT-x/AMD-V).
    pub w_virt_missing: Severity,
    /// When `kubevirt.useEmulation: true` is declared.
    pub w_virt_missing_emulation_allowed: Severity,
    /// W-CPU: physical cores per worker, lowest floor first.
    pub w_cores: &'static [Floor<u32>],
    /// W-MEMORY: memory per worker, lowest floor first.
    pub w_memory: &'static [Floor<ByteSize>],
    /// The range the fix text recommends, the page's "Recommended: 16-32 GB,
    /// depending on the number and memory requirements of your VMs" (the
    /// worker RAM line): advice, not a floor, so the same in every profile.
    pub w_memory_advised: (ByteSize, ByteSize),
    /// W-MEDIA: a worker's VM disks on spinning media.
    pub w_media_hdd: Severity,

    // Storage.
    /// ST-LIVE-MIGRATION: no ReadWriteMany storage class, so VMs cannot live-migrate.
    pub st_live_migration: Severity,
    /// ST-VM-DISKS: a workload with evictionStrategy LiveMigrate keeps a disk on a class without ReadWriteMany.
    pub st_vm_disks: Severity,
    /// ST-REPLICATION: the fewest replicas that survive one failure.
    pub st_min_replicas: u32,
    /// The replica count the fix text calls usual: Longhorn's default
    /// StorageClass keeps 3 (`persistence.defaultClassReplicaCount: 3`,
    /// longhorn chart/values.yaml, v1.3.3), as Kube-V's installer assumes
    /// for Longhorn (kubev_cluster.rs).
    pub st_usual_replicas: u32,
    /// ST-REPLICATION: fewer than `st_min_replicas` replicas, or replicas spread over a narrower failure domain than `ha.tolerate`.
    pub st_replication: Severity,
    /// Above this share of raw capacity: warn. kubev-ha's own threshold for
    /// every class: it borrows Ceph's default nearfull ratio
    /// (`mon osd nearfull ratio`, .85, ceph doc/rados/configuration/
    /// mon-config-ref.rst), past which Ceph warns and a failed disk's data
    /// may find no room to re-replicate; other backends publish no figure.
    pub st_capacity_warn_ratio: f64,
    /// Above this share: fail.
    pub st_capacity_fail_ratio: f64,
    /// ST-MEDIA: a storage class backed by spinning disks.
    pub st_media_hdd: Severity,

    // Network.
    /// NET-NIC-SPEED: link speed per NIC, lowest floor first.
    pub net_nic_speed: &'static [Floor<LinkSpeed>],
    /// NET-MIGRATION: no dedicated migration network is declared.
    pub net_migration_absent: Severity,
    /// NET-MIGRATION: a worker has no NIC on the declared migration network.
    pub net_migration_nic_missing: Severity,
    /// NET-MTU: NICs (or measured paths) disagree on the MTU.
    pub net_mtu_mismatch: Severity,
    /// NET-MTU: the overlay's header leaves pods less than a 1500-byte MTU.
    pub net_mtu_shrink: Severity,
    /// NET-CIDR: the pod, service, node or migration CIDRs overlap.
    pub net_cidr_overlap: Severity,
    /// NET-DNS: a DNS server that is missing, unreachable or answers wrongly.
    pub net_dns: Severity,
    /// NET-NODELOCAL-DNS: infra and guest clusters run NodeLocal DNSCache on the same address, and the VMs' DNS would loop.
    pub net_nodelocal_dns: Severity,
    /// The inventory says the infrastructure runs no NodeLocal DNSCache,
    /// yet a node binds its address.
    pub net_nodelocal_undeclared: Severity,
    /// NET-PORTS: a port of the matrix is unreachable from where it must be reached.
    pub net_ports: Severity,
    /// A matrix port held by something other than its component: a
    /// conflict before install, a stranger after; which, a probe cannot tell.
    pub net_ports_taken: Severity,

    // High availability.
    /// HA-NODE-FAILURE: after the loss of one node a VM finds no home.
    pub ha_node_failure: Severity,
    /// HA-ZONE-FAILURE: after the loss of one zone quorum is lost or a VM finds no home.
    pub ha_zone_failure: Severity,
    /// HA-DRAIN-TIME: draining a node takes longer than the maintenance window.
    pub ha_drain_time: Severity,
    /// A migration outlasts KubeVirt's completion timeout: it is aborted,
    /// so the drain never finishes, whatever the window.
    pub ha_drain_abort: Severity,
    /// HA-FENCING: no node fencing (remediation) is declared.
    pub ha_fencing: Severity,
    /// HA-EVICTION: a VM whose eviction strategy shuts it down on drain instead of migrating it.
    pub ha_eviction: Severity,

    // Host facts.
    /// HOST-KVM: /dev/kvm is missing or does not answer the KVM API.
    pub host_kvm: Severity,
    /// A kernel kubeadm's system validators do not accept (kubeadm warns).
    pub host_kernel: Severity,
    /// HOST-KERNEL: the kernel series kubeadm accepts.
    pub host_kernels: AcceptedKernels,
    /// HOST-MODULES: a kernel module Kube-OVN or KubeVirt needs is missing.
    pub host_modules: Severity,
    /// HOST-IPV6: IPv6 is disabled on the kernel command line.
    pub host_ipv6: Severity,
    /// Swap on while the kubelet refuses it (`failSwapOn`, default true).
    pub host_swap: Severity,
    /// Swap on, the kubelet allowing it and `LimitedSwap` letting pods swap:
    /// a configured choice, reported.
    pub host_swap_limited: Severity,
    /// HOST-TIME: the clock is not synchronised.
    pub host_time: Severity,
    /// HOST-IDENTITY: two hosts share a host name, product_uuid or MAC address.
    pub host_identity: Severity,
    /// HOST-DRIFT: a probed fact differs from the declared one.
    pub host_drift: Severity,
    /// How far probed sizes may differ before HOST-DRIFT reports them.
    pub host_drift_tolerance: DriftTolerance,

    // Live cluster (kubev-ha audit).
    /// LIVE-MIGRATABLE: a VMI with evictionStrategy LiveMigrate that is not
    /// live-migratable: KubeVirt refuses its eviction, so the drain blocks.
    pub live_not_migratable: Severity,
    /// LIVE-MIGRATABLE: a VMI with LiveMigrateIfPossible that is not
    /// live-migratable: the drain shuts it down instead.
    pub live_not_migratable_if_possible: Severity,
    /// LIVE-RESTART: a VM (runStrategy Manual or Once) or a standalone VMI
    /// that nothing restarts after its node fails.
    pub live_restart: Severity,
    /// LIVE-STORAGE-PROFILE: a class VM disks use whose StorageProfile offers no ReadWriteMany.
    pub live_storage_no_rwx: Severity,
    /// LIVE-STORAGE-PROFILE: a class VM disks use whose StorageProfile has
    /// empty claimPropertySets (CDI does not know its provisioner).
    pub live_storage_profile_empty: Severity,
    /// LIVE-STORAGE-PROFILE: a PV a VM uses is pinned to one node.
    pub live_storage_pinned: Severity,
    /// LIVE-MIGRATION-NETWORK: `migrations.network` unset, migrations on the pod network.
    pub live_migration_network_absent: Severity,
    /// LIVE-MIGRATION-NETWORK: the named NAD does not exist, or a virt-handler lacks migration0.
    pub live_migration_network_broken: Severity,
    /// LIVE-MIGRATION-NETWORK: the NAD's MTU and migration0's differ.
    pub live_migration_mtu_mismatch: Severity,
    /// LIVE-NODES: a VM node NotReady, not schedulable for KubeVirt, without
    /// KVM devices, or without a ready virt-handler.
    pub live_node_unusable: Severity,
    /// LIVE-NODES: a VM node cordoned (perhaps in maintenance).
    pub live_node_cordoned: Severity,
    /// LIVE-CPU-MODEL: no other schedulable node offers a VMI's CPU model and features.
    pub live_cpu_model: Severity,
    /// LIVE-DRAIN-BLOCKERS: a PodDisruptionBudget that allows no disruption covers pods on a node.
    pub live_drain_blocker: Severity,
    /// LIVE-INFRA: a component ready on one node (or none).
    pub live_infra_one_node: Severity,
    /// LIVE-INFRA: a component in one zone of a cluster with several.
    pub live_infra_one_zone: Severity,
    /// LIVE-WORKLOAD-UPDATE: workloadUpdateMethods without LiveMigrate.
    pub live_workload_update: Severity,
    /// LIVE-DRIFT: the live cluster differs from the declared inventory
    /// (memory compared with `host_drift_tolerance`).
    pub live_drift: Severity,
}

pub(crate) static PRODUCTION: Thresholds = Thresholds {
    profile: Profile::Production,
    cp_count_min: 3,
    cp_count_too_few: Fail,
    cp_count_max: 7,
    cp_count_even_or_large: Warn,
    cp_spread: Fail,
    cp_vcpus: &[floor(2, Fail)],
    cp_memory: &[floor(ByteSize::gib(4), Fail), floor(ByteSize::gib(8), Warn)],
    cp_memory_advised: (ByteSize::gib(8), ByteSize::gib(16)),
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
    w_memory_advised: (ByteSize::gib(16), ByteSize::gib(32)),
    w_media_hdd: Warn,
    st_live_migration: Fail,
    st_vm_disks: Fail,
    st_min_replicas: 2,
    st_usual_replicas: 3,
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
    host_kernel: Warn,
    host_kernels: KUBEADM_KERNELS,
    host_modules: Fail,
    host_ipv6: Fail,
    host_swap: Fail,
    host_swap_limited: Info,
    host_time: Fail,
    host_identity: Fail,
    host_drift: Warn,
    host_drift_tolerance: DRIFT_TOLERANCE,
    live_not_migratable: Fail,
    live_not_migratable_if_possible: Warn,
    live_restart: Warn,
    live_storage_no_rwx: Fail,
    live_storage_profile_empty: Warn,
    live_storage_pinned: Fail,
    live_migration_network_absent: Warn,
    live_migration_network_broken: Fail,
    live_migration_mtu_mismatch: Fail,
    live_node_unusable: Fail,
    live_node_cordoned: Warn,
    live_cpu_model: Fail,
    live_drain_blocker: Fail,
    live_infra_one_node: Fail,
    live_infra_one_zone: Warn,
    live_workload_update: Warn,
    live_drift: Warn,
};

pub(crate) static MINIMUM: Thresholds = Thresholds {
    profile: Profile::Minimum,
    cp_count_min: 3,
    cp_count_too_few: Fail,
    cp_count_max: 7,
    cp_count_even_or_large: Warn,
    cp_spread: Warn,
    cp_vcpus: &[floor(2, Fail)],
    cp_memory: &[floor(ByteSize::gib(4), Fail), floor(ByteSize::gib(8), Info)],
    cp_memory_advised: (ByteSize::gib(8), ByteSize::gib(16)),
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
    w_memory_advised: (ByteSize::gib(16), ByteSize::gib(32)),
    w_media_hdd: Info,
    st_live_migration: Fail,
    st_vm_disks: Warn,
    st_min_replicas: 2,
    st_usual_replicas: 3,
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
    host_kernel: Warn,
    host_kernels: KUBEADM_KERNELS,
    host_modules: Warn,
    host_ipv6: Warn,
    host_swap: Warn,
    host_swap_limited: Info,
    host_time: Warn,
    host_identity: Fail,
    host_drift: Info,
    host_drift_tolerance: DRIFT_TOLERANCE,
    live_not_migratable: Fail,
    live_not_migratable_if_possible: Info,
    live_restart: Info,
    live_storage_no_rwx: Warn,
    live_storage_profile_empty: Info,
    live_storage_pinned: Warn,
    live_migration_network_absent: Info,
    live_migration_network_broken: Fail,
    live_migration_mtu_mismatch: Warn,
    live_node_unusable: Warn,
    live_node_cordoned: Info,
    live_cpu_model: Warn,
    live_drain_blocker: Warn,
    live_infra_one_node: Warn,
    live_infra_one_zone: Info,
    live_workload_update: Info,
    live_drift: Info,
};

impl Thresholds {
    /// The table of `profile`.
    pub fn for_profile(profile: Profile) -> &'static Thresholds {
        match profile {
            Profile::Production => &PRODUCTION,
            Profile::Minimum => &MINIMUM,
        }
    }
}
