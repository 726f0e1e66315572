//! What a worker offers the scheduler and what a VM asks of it, in the
//! scheduler's own units: millicores of CPU request, bytes of memory
//! request, and pods.
//!
//! KubeVirt turns a VM's vCPUs into a CPU request of
//! `vCPUs / cpuAllocationRatio` cores (whole cores with dedicated CPUs), and
//! its memory into a request of the guest memory (after memory overcommit)
//! plus the virt-launcher pod's overhead, which depends on the KubeVirt
//! release (the table `OVERHEAD_TABLE`). Every VM is one virt-launcher
//! pod. A worker offers its logical CPUs, its memory less what the kubelet
//! keeps back, and its kubelet's maxPods less the DaemonSet pods.

use std::ops::{Add, AddAssign, Sub, SubAssign};

use kubev_ha_model::{ByteSize, Inventory, KubeVirtVersion, Node, Workload};
use serde::Serialize;

/// An amount of the resources the scheduler places VMs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize)]
pub struct Res {
    /// CPU request in millicores.
    pub cpu: u64,
    /// Memory request in bytes.
    pub mem: u64,
    /// Pods: one virt-launcher pod per VM; what a worker offers is its
    /// kubelet's maxPods less its DaemonSet pods. kube-scheduler's
    /// NodeResourcesFit filter refuses a node whose pods are at that limit
    /// ("Too many pods", pkg/scheduler/framework/plugins/noderesources/fit.go,
    /// fitsRequest), so pods are one more dimension a VM must fit in.
    pub pods: u64,
}

impl Res {
    /// No resources.
    pub const ZERO: Res = Res { cpu: 0, mem: 0, pods: 0 };

    /// `cpu` millicores, `mem` bytes, `pods` pods.
    pub fn new(cpu: u64, mem: u64, pods: u64) -> Res {
        Res { cpu, mem, pods }
    }

    /// Whether `other` fits inside `self` in every resource.
    pub fn holds(self, other: Res) -> bool {
        other.cpu <= self.cpu && other.mem <= self.mem && other.pods <= self.pods
    }

    /// What is left of `self` after `other`, each resource at least zero.
    pub fn saturating_sub(self, other: Res) -> Res {
        Res {
            cpu: self.cpu.saturating_sub(other.cpu),
            mem: self.mem.saturating_sub(other.mem),
            pods: self.pods.saturating_sub(other.pods),
        }
    }
}

impl Add for Res {
    type Output = Res;
    fn add(self, o: Res) -> Res {
        Res {
            cpu: self.cpu.saturating_add(o.cpu),
            mem: self.mem.saturating_add(o.mem),
            pods: self.pods.saturating_add(o.pods),
        }
    }
}

impl AddAssign for Res {
    fn add_assign(&mut self, o: Res) {
        *self = *self + o;
    }
}

impl Sub for Res {
    type Output = Res;
    fn sub(self, o: Res) -> Res {
        self.saturating_sub(o)
    }
}

impl SubAssign for Res {
    fn sub_assign(&mut self, o: Res) {
        *self = *self - o;
    }
}

impl std::iter::Sum for Res {
    fn sum<I: Iterator<Item = Res>>(iter: I) -> Res {
        iter.fold(Res::ZERO, Add::add)
    }
}

/// The kubelet's default hard eviction threshold, `memory.available<100Mi`
/// (kubelet --eviction-hard default): the scheduler cannot fill a node to
/// the last byte.
pub(crate) const DEFAULT_RESERVED_MEMORY: ByteSize = ByteSize::mib(100);

/// DaemonSet pods per node assumed when `kubelet.daemonSetPods` is not
/// declared. kubev-ha's own estimate, not an upstream number: a Kube-V node
/// runs kube-proxy, Kube-OVN's kube-ovn-cni, ovs-ovn and kube-ovn-pinger,
/// KubeVirt's virt-handler, NodeLocal DNSCache, a CSI node plugin or two,
/// a node exporter and a remediation agent: about ten. Stated in every plan.
pub(crate) const ASSUMED_DAEMON_SET_PODS: u32 = 10;

const MI: u64 = 1 << 20;

/// KubeVirt's fixed per-VM overheads of one range of releases, read in
/// KubeVirt's source: `GetMemoryOverhead` in
/// pkg/virt-controller/services/renderresources.go with the constants in
/// pkg/virt-controller/services/template.go up to v1.7, and
/// `KvmHypervisorBackend.GetMemoryOverhead` in
/// pkg/hypervisor/kvm/hypervisorbackend.go from v1.8.0 on. A row holds from
/// its `since` release until the next row's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OverheadConstants {
    /// The first KubeVirt release the row holds for.
    pub since: KubeVirtVersion,
    /// The file and tag the numbers were read in.
    pub source: &'static str,
    /// The RSS of virt-launcher-monitor, virt-launcher, virtlogd, virtqemud
    /// and qemu, in MiB (VirtLauncherMonitorOverhead ... QemuOverhead).
    pub processes_mib: [u64; 5],
    /// Video RAM of the default graphics device (autoattachGraphicsDevice).
    pub video_mib: u64,
    /// Whether dedicated CPUs' 100Mi is added before the
    /// additionalGuestMemoryOverheadRatio is applied (so it is scaled too):
    /// from v1.5.3 and v1.6.0; before, it was added after.
    pub dedicated_scaled_by_ratio: bool,
}

/// KubeVirt's overheads by release, oldest first. Between the rows nothing
/// the inventory can describe changed: every v1.2.0 to v1.9.0 tag has 8Mi
/// per vCPU, 8Mi for the IOThread, page tables of 1/512 of the memory
/// request and +100Mi for dedicated CPUs. KubeVirt's main branch (after
/// v1.9.0) raises QemuOverhead to 50Mi; that release gets a row when it is
/// tagged.
pub(crate) const OVERHEAD_TABLE: &[OverheadConstants] = &[
    OverheadConstants {
        since: KubeVirtVersion::new(1, 2, 0),
        source: "pkg/virt-controller/services/template.go, v1.2.0 to v1.4.0",
        processes_mib: [25, 100, 20, 35, 30],
        video_mib: 16,
        dedicated_scaled_by_ratio: false,
    },
    OverheadConstants {
        since: KubeVirtVersion::new(1, 4, 1),
        source: "pkg/virt-controller/services/template.go, v1.4.1 (VirtqemudOverhead 40Mi)",
        processes_mib: [25, 100, 20, 40, 30],
        video_mib: 16,
        dedicated_scaled_by_ratio: false,
    },
    OverheadConstants {
        since: KubeVirtVersion::new(1, 5, 0),
        source: "pkg/virt-controller/services/template.go, v1.5.0 to v1.5.2 (VirtlogdOverhead 25Mi)",
        processes_mib: [25, 100, 25, 40, 30],
        video_mib: 16,
        dedicated_scaled_by_ratio: false,
    },
    OverheadConstants {
        since: KubeVirtVersion::new(1, 5, 3),
        source: "pkg/virt-controller/services/renderresources.go, v1.5.3 (dedicated CPUs' 100Mi before the ratio)",
        processes_mib: [25, 100, 25, 40, 30],
        video_mib: 16,
        dedicated_scaled_by_ratio: true,
    },
    OverheadConstants {
        since: KubeVirtVersion::new(1, 6, 0),
        source: "pkg/virt-controller/services/renderresources.go v1.6.0 to v1.7.4, pkg/hypervisor/kvm/hypervisorbackend.go v1.8.0 to v1.9.0 (video RAM 32Mi)",
        processes_mib: [25, 100, 25, 40, 30],
        video_mib: 32,
        dedicated_scaled_by_ratio: true,
    },
];

/// The overhead row of `version`: the last row at or before it.
pub(crate) fn overhead_constants(version: KubeVirtVersion) -> &'static OverheadConstants {
    OVERHEAD_TABLE.iter().rev().find(|row| row.since.key() <= version.key()).unwrap_or(&OVERHEAD_TABLE[0])
}

/// What KubeVirt's overhead computation reads of one VM.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OverheadInput {
    /// The VM's memory request after memory overcommit, in bytes.
    pub memory_request: u64,
    /// vCPUs of the VM.
    pub vcpus: u32,
    /// dedicatedCpuPlacement: +100Mi.
    pub dedicated_cpus: bool,
    /// additionalGuestMemoryOverheadRatio; `None` is KubeVirt's 1.
    pub ratio: Option<f64>,
}

/// KubeVirt's per-VM memory overhead of the virt-launcher pod, in bytes, as
/// `GetMemoryOverhead` computes it for a VM of the shape the inventory
/// describes: page tables (the memory request, in whole kB, over 512), the
/// fixed RSS of the launcher's processes, 8Mi per vCPU, 8Mi for the
/// IOThread, video RAM (the graphics device is attached by default), +100Mi
/// for dedicated CPUs, and the whole scaled by
/// additionalGuestMemoryOverheadRatio (KubeVirt adds
/// trunc(kB × (ratio − 1)) kB). Devices the inventory does not describe
/// (VFIO +1Gi, TPM +53Mi, SEV +256Mi, exec probes, arm64's +128Mi) add more
/// and are left out.
///
/// Page tables are sized from the memory request, which KubeVirt's defaults
/// set to guest memory × 100 / memoryOvercommit up to v1.6; from v1.7.0 on
/// only a VM that states resources.requests.memory has one there, and a VM
/// that states only memory.guest gets no page-table term. kubev-ha counts
/// the term for every release: at most 1/512 of the request too much, never
/// too little.
pub(crate) fn kubevirt_memory_overhead(c: &OverheadConstants, vm: OverheadInput) -> u64 {
    let page_tables = vm.memory_request.div_ceil(1000) * 1000 / 512;
    let processes: u64 = c.processes_mib.iter().sum::<u64>() * MI;
    let per_vcpu = 8 * MI * u64::from(vm.vcpus.max(1));
    let io_thread = 8 * MI;
    let video = c.video_mib * MI;
    let dedicated = if vm.dedicated_cpus { 100 * MI } else { 0 };
    let base = page_tables + processes + per_vcpu + io_thread + video;
    if c.dedicated_scaled_by_ratio {
        scale_by_ratio(base + dedicated, vm.ratio)
    } else {
        scale_by_ratio(base, vm.ratio) + dedicated
    }
}

/// KubeVirt's MultiplyMemory: adds trunc(kB × (ratio − 1)) kB, where kB is
/// the quantity rounded up to whole kilobytes.
fn scale_by_ratio(bytes: u64, ratio: Option<f64>) -> u64 {
    match ratio {
        Some(r) if r > 1.0 => {
            let extra_kb = (bytes.div_ceil(1000) as f64 * (r - 1.0)) as u64;
            bytes.saturating_add(extra_kb.saturating_mul(1000))
        }
        _ => bytes,
    }
}

/// The ratios, reservations and releases a plan assumes, stated in every plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assumptions {
    /// vCPUs per logical CPU (KubeVirt's cpuAllocationRatio).
    pub cpu_overcommit: f64,
    /// Guest memory per byte of memory request.
    pub memory_overcommit: f64,
    /// Memory every worker keeps back from the scheduler.
    pub reserved_memory: ByteSize,
    /// The KubeVirt release whose overhead is modelled.
    pub kubevirt_version: KubeVirtVersion,
    /// Whether the inventory states it (`kubevirt.version`); else it is the
    /// newest modelled release.
    pub kubevirt_version_declared: bool,
    /// KubeVirt's additionalGuestMemoryOverheadRatio (1 when not declared).
    pub additional_guest_memory_overhead_ratio: f64,
    /// The kubelet's maxPods.
    pub max_pods: u32,
    /// Pods per node taken by DaemonSets.
    pub daemon_set_pods: u32,
    /// Whether the inventory states them (`kubelet.daemonSetPods`); else
    /// kubev-ha's estimate, `ASSUMED_DAEMON_SET_PODS`.
    pub daemon_set_pods_declared: bool,
    /// The workers' capacity is their allocatable resources as a live
    /// cluster reports them (`LivePlacement`): `reserved_memory` is then
    /// not taken, as allocatable already excludes the kubelet's reserves.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allocatable_as_is: bool,
}

impl Assumptions {
    /// The assumptions the plan of `inventory` takes.
    pub fn of(inventory: &Inventory) -> Assumptions {
        let declared_version = inventory.kubevirt.as_ref().and_then(|k| k.version);
        Assumptions {
            cpu_overcommit: inventory.cpu_overcommit(),
            memory_overcommit: inventory.memory_overcommit(),
            reserved_memory: DEFAULT_RESERVED_MEMORY,
            kubevirt_version: inventory.kubevirt_version(),
            kubevirt_version_declared: declared_version.is_some(),
            additional_guest_memory_overhead_ratio: inventory.overhead_ratio().map_or(1.0, |r| r.get()),
            max_pods: inventory.max_pods(),
            daemon_set_pods: inventory.daemon_set_pods().unwrap_or(ASSUMED_DAEMON_SET_PODS),
            daemon_set_pods_declared: inventory.daemon_set_pods().is_some(),
            allocatable_as_is: false,
        }
    }

    /// VMs (virt-launcher pods) one worker can take.
    pub fn pods_per_worker(&self) -> u64 {
        u64::from(self.max_pods.saturating_sub(self.daemon_set_pods))
    }
}

/// Why a node or workload cannot be sized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingFact {
    /// `node/w-1`, `workload/web`.
    pub subject: String,
    /// What is missing: `cpu.threads`, `memory`...
    pub fact: &'static str,
}

/// What a worker offers: its logical CPUs (as millicores of request) and
/// its memory less the reservation.
pub(crate) fn host_capacity(node: &Node, a: &Assumptions) -> Result<Res, MissingFact> {
    let missing = |fact| MissingFact { subject: format!("node/{}", node.name), fact };
    let threads = node.cpu.as_ref().and_then(|c| c.threads.or(c.cores)).ok_or_else(|| missing("cpu.threads"))?;
    let memory = node.memory.ok_or_else(|| missing("memory"))?;
    Ok(Res {
        cpu: u64::from(threads.get()) * 1000,
        mem: memory.as_u64().saturating_sub(a.reserved_memory.as_u64()),
        pods: a.pods_per_worker(),
    })
}

/// What one VM of `workload` asks the scheduler for.
pub(crate) fn vm_demand(workload: &Workload, a: &Assumptions) -> Result<Res, MissingFact> {
    let missing = |fact| MissingFact { subject: format!("workload/{}", workload.name), fact };
    let vcpus = workload.cpu.ok_or_else(|| missing("cpu"))?.get();
    let memory = workload.memory.ok_or_else(|| missing("memory"))?;
    let dedicated = workload.dedicated_cpus == Some(true);
    // KubeVirt's CPU request per vCPU is 1/cpuAllocationRatio of a core;
    // with dedicated CPUs it is a whole core per vCPU, requests equal to
    // limits (renderresources.go: WithCPUPinning, v1.9.0).
    let cpu =
        if dedicated { u64::from(vcpus) * 1000 } else { (f64::from(vcpus) * 1000.0 / a.cpu_overcommit).ceil() as u64 };
    let request = (memory.as_u64() as f64 / a.memory_overcommit).ceil() as u64;
    let overhead = kubevirt_memory_overhead(
        overhead_constants(a.kubevirt_version),
        OverheadInput {
            memory_request: request,
            vcpus,
            dedicated_cpus: dedicated,
            ratio: Some(a.additional_guest_memory_overhead_ratio),
        },
    );
    Ok(Res { cpu, mem: request.saturating_add(overhead), pods: 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(memory_request: u64, vcpus: u32) -> OverheadInput {
        OverheadInput { memory_request, vcpus, dedicated_cpus: false, ratio: None }
    }

    fn at(major: u32, minor: u32, patch: u32) -> &'static OverheadConstants {
        overhead_constants(KubeVirtVersion::new(major, minor, patch))
    }

    #[test]
    fn overhead_of_a_small_vm_on_v1_9() {
        // 4Gi request, 2 vCPUs: 8.39 MB page tables (4Gi rounded up to kB,
        // over 512) + 220Mi processes + 16Mi vCPUs + 8Mi IOThread + 32Mi video.
        let page_tables = (4u64 << 30).div_ceil(1000) * 1000 / 512;
        assert_eq!(kubevirt_memory_overhead(at(1, 9, 0), plain(4 << 30, 2)), page_tables + (220 + 16 + 8 + 32) * MI);
    }

    #[test]
    fn video_ram_doubled_in_v1_6_0() {
        let before = kubevirt_memory_overhead(at(1, 5, 3), plain(1 << 30, 1));
        let after = kubevirt_memory_overhead(at(1, 6, 0), plain(1 << 30, 1));
        assert_eq!(after - before, 16 * MI);
    }

    #[test]
    fn releases_pick_their_row() {
        assert_eq!(at(1, 4, 0).processes_mib, [25, 100, 20, 35, 30]);
        assert_eq!(at(1, 4, 1).processes_mib[3], 40);
        assert_eq!(at(1, 5, 2).processes_mib[2], 25);
        assert!(!at(1, 5, 2).dedicated_scaled_by_ratio);
        assert!(at(1, 5, 3).dedicated_scaled_by_ratio);
        assert_eq!(at(1, 7, 4).video_mib, 32);
        // A version without a patch is the newest patch of its minor release.
        let v14 = KubeVirtVersion { major: 1, minor: 4, patch: None };
        assert_eq!(overhead_constants(v14).since, KubeVirtVersion::new(1, 4, 1));
        assert_eq!(overhead_constants(KubeVirtVersion::NEWEST_MODELLED).since, KubeVirtVersion::new(1, 6, 0));
    }

    #[test]
    fn the_table_covers_the_modelled_releases_in_order() {
        assert_eq!(OVERHEAD_TABLE[0].since, KubeVirtVersion::OLDEST_MODELLED);
        assert!(OVERHEAD_TABLE.windows(2).all(|w| w[0].since.key() < w[1].since.key()));
        assert!(OVERHEAD_TABLE.iter().all(|r| r.since.is_modelled()));
    }

    #[test]
    fn dedicated_cpus_add_100mi_scaled_by_the_ratio_since_v1_5_3() {
        let vm =
            |dedicated, ratio| OverheadInput { memory_request: 1 << 30, vcpus: 1, dedicated_cpus: dedicated, ratio };
        for row in [at(1, 5, 2), at(1, 9, 0)] {
            assert_eq!(
                kubevirt_memory_overhead(row, vm(true, None)) - kubevirt_memory_overhead(row, vm(false, None)),
                100 * MI
            );
        }
        // Ratio 2: before v1.5.3 the 100Mi is added after doubling, after it is doubled too.
        let old = kubevirt_memory_overhead(at(1, 5, 2), vm(true, Some(2.0)))
            - kubevirt_memory_overhead(at(1, 5, 2), vm(false, Some(2.0)));
        assert_eq!(old, 100 * MI);
        let new = kubevirt_memory_overhead(at(1, 9, 0), vm(true, Some(2.0)))
            - kubevirt_memory_overhead(at(1, 9, 0), vm(false, Some(2.0)));
        assert!(new.abs_diff(200 * MI) <= 1000, "{new}");
    }

    #[test]
    fn the_ratio_scales_the_whole_overhead() {
        let one = kubevirt_memory_overhead(at(1, 9, 0), plain(1 << 30, 1));
        let half_more = kubevirt_memory_overhead(at(1, 9, 0), OverheadInput { ratio: Some(1.5), ..plain(1 << 30, 1) });
        assert_eq!(half_more, one + (one.div_ceil(1000) as f64 * 0.5) as u64 * 1000);
    }

    #[test]
    fn overhead_grows_with_memory_and_vcpus() {
        let small = kubevirt_memory_overhead(at(1, 9, 0), plain(1 << 30, 1));
        assert!(kubevirt_memory_overhead(at(1, 9, 0), plain(64 << 30, 1)) > small);
        assert!(kubevirt_memory_overhead(at(1, 9, 0), plain(1 << 30, 16)) > small);
    }
}
