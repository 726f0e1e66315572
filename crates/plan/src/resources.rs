//! What a worker offers the scheduler and what a VM asks of it, in the
//! scheduler's own units: millicores of CPU request and bytes of memory
//! request.
//!
//! KubeVirt turns a VM's vCPUs into a CPU request of
//! `vCPUs / cpuAllocationRatio` cores, and its memory into a request of the
//! guest memory plus the virt-launcher pod's overhead. A worker offers its
//! logical CPUs and its memory, less what the kubelet keeps back.

use std::ops::{Add, AddAssign, Sub, SubAssign};

use kubev_ha_model::{ByteSize, Inventory, Node, Workload};
use serde::Serialize;

/// An amount of the two resources the scheduler places VMs by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, Serialize)]
pub struct Res {
    /// CPU request in millicores.
    pub cpu: u64,
    /// Memory request in bytes.
    pub mem: u64,
}

impl Res {
    pub const ZERO: Res = Res { cpu: 0, mem: 0 };

    pub fn new(cpu: u64, mem: u64) -> Res {
        Res { cpu, mem }
    }

    /// Whether `other` fits inside `self` in both resources.
    pub fn holds(self, other: Res) -> bool {
        other.cpu <= self.cpu && other.mem <= self.mem
    }

    pub fn saturating_sub(self, other: Res) -> Res {
        Res { cpu: self.cpu.saturating_sub(other.cpu), mem: self.mem.saturating_sub(other.mem) }
    }
}

impl Add for Res {
    type Output = Res;
    fn add(self, o: Res) -> Res {
        Res { cpu: self.cpu.saturating_add(o.cpu), mem: self.mem.saturating_add(o.mem) }
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
pub const DEFAULT_RESERVED_MEMORY: ByteSize = ByteSize::mib(100);

/// KubeVirt's per-VM memory overhead of the virt-launcher pod, from
/// GetMemoryOverhead in pkg/virt-controller/services/renderresources.go:
/// page tables (1/512 of guest memory), the fixed RSS of virt-launcher-monitor
/// (25Mi), virt-launcher (100Mi), virtlogd (25Mi), virtqemud (40Mi) and qemu
/// (30Mi), 8Mi per vCPU, 8Mi for the IOThread, and 16Mi of video RAM (the
/// graphics device is attached by default). Devices the inventory does not
/// describe (VFIO, TPM, SEV, dedicated CPUs) add more; they are left out.
pub fn kubevirt_memory_overhead(guest_memory: ByteSize, vcpus: u32) -> ByteSize {
    const MI: u64 = 1 << 20;
    let page_tables = guest_memory.as_u64() / 512;
    let fixed = (25 + 100 + 25 + 40 + 30) * MI;
    let per_vcpu = 8 * MI * u64::from(vcpus.max(1));
    let io_thread = 8 * MI;
    let video = 16 * MI;
    ByteSize::bytes(page_tables + fixed + per_vcpu + io_thread + video)
}

/// The ratios and reservations a plan assumes, stated in every plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assumptions {
    /// vCPUs per logical CPU (KubeVirt's cpuAllocationRatio).
    pub cpu_overcommit: f64,
    /// Guest memory per byte of memory request.
    pub memory_overcommit: f64,
    /// Memory every worker keeps back from the scheduler.
    pub reserved_memory: ByteSize,
}

impl Assumptions {
    pub fn of(inventory: &Inventory) -> Assumptions {
        Assumptions {
            cpu_overcommit: inventory.cpu_overcommit(),
            memory_overcommit: inventory.memory_overcommit(),
            reserved_memory: DEFAULT_RESERVED_MEMORY,
        }
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
pub fn host_capacity(node: &Node, a: &Assumptions) -> Result<Res, MissingFact> {
    let missing = |fact| MissingFact { subject: format!("node/{}", node.name), fact };
    let threads = node.cpu.as_ref().and_then(|c| c.threads.or(c.cores)).ok_or_else(|| missing("cpu.threads"))?;
    let memory = node.memory.ok_or_else(|| missing("memory"))?;
    Ok(Res { cpu: u64::from(threads.get()) * 1000, mem: memory.as_u64().saturating_sub(a.reserved_memory.as_u64()) })
}

/// What one VM of `workload` asks the scheduler for.
pub fn vm_demand(workload: &Workload, a: &Assumptions) -> Result<Res, MissingFact> {
    let missing = |fact| MissingFact { subject: format!("workload/{}", workload.name), fact };
    let vcpus = workload.cpu.ok_or_else(|| missing("cpu"))?.get();
    let memory = workload.memory.ok_or_else(|| missing("memory"))?;
    // KubeVirt's CPU request per vCPU is 1/cpuAllocationRatio of a core.
    let cpu = (f64::from(vcpus) * 1000.0 / a.cpu_overcommit).ceil() as u64;
    let guest = (memory.as_u64() as f64 / a.memory_overcommit).ceil() as u64;
    let mem = guest.saturating_add(kubevirt_memory_overhead(memory, vcpus).as_u64());
    Ok(Res { cpu, mem })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overhead_of_a_small_vm() {
        // 4Gi guest, 2 vCPUs: 8Mi page tables + 220Mi fixed + 16Mi vCPUs + 8Mi IOThread + 16Mi video.
        assert_eq!(kubevirt_memory_overhead(ByteSize::gib(4), 2), ByteSize::mib(8 + 220 + 16 + 8 + 16));
    }

    #[test]
    fn overhead_grows_with_memory_and_vcpus() {
        let small = kubevirt_memory_overhead(ByteSize::gib(1), 1);
        assert!(kubevirt_memory_overhead(ByteSize::gib(64), 1) > small);
        assert!(kubevirt_memory_overhead(ByteSize::gib(1), 16) > small);
    }
}
