//! W-* rules: the nodes that run VMs.

use kubev_ha_model::{DiskUsage, Located, Media, Node, Virtualization};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::rules::floors::judge_floor;
use crate::severity::Severity;

pub(crate) fn count(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let virtualization = |n: &Located<Node>| n.cpu.as_ref().and_then(|c| c.virtualization);
    let workers: Vec<&Located<Node>> = j.inventory().workers().collect();
    let capable =
        workers.iter().filter(|n| matches!(virtualization(n), Some(Virtualization::VtX | Virtualization::AmdV)));
    let incapable: Vec<&str> =
        workers.iter().filter(|n| virtualization(n) == Some(Virtualization::None)).map(|n| n.name.as_str()).collect();
    // A worker that does not say whether it has VT-x/AMD-V is not counted
    // as capable: unknown is never a pass (a KubeVCluster manifest, say,
    // names workers but not their CPUs).
    let undecided: Vec<&str> = workers
        .iter()
        .filter(|n| matches!(virtualization(n), None | Some(Virtualization::Unknown)))
        .map(|n| n.name.as_str())
        .collect();
    let n = capable.count() as u32;
    let excluded = if incapable.is_empty() {
        String::new()
    } else {
        format!(" ({} left out: declared without virtualization)", incapable.join(", "))
    };
    let finding = if n >= t.w_count_min {
        j.pass(Subject::Cluster, format!("{n} VM-capable workers{excluded}"))
    } else if n + undecided.len() as u32 >= t.w_count_min {
        j.unknown(
            Subject::Cluster,
            format!(
                "{n} worker(s) known to be VM-capable{excluded}; {} do(es) not say whether it has VT-x/AMD-V ({}), and VMs need at least {}",
                undecided.len(),
                undecided.join(", "),
                t.w_count_min
            ),
            "declare cpu.virtualization, or probe the hosts (kubev-ha probe FILE)",
        )
    } else {
        j.finding(
            Subject::Cluster,
            t.w_count,
            format!(
                "{n} VM-capable worker(s){excluded}; VMs need at least {} to live-migrate or be rescheduled",
                t.w_count_min
            ),
        )
        .fix(format!("add workers with VT-x/AMD-V until there are at least {}", t.w_count_min))
    };
    vec![finding]
}

pub(crate) fn virt(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let emulation_allowed = j.inventory().kubevirt.as_ref().and_then(|k| k.use_emulation) == Some(true);
    j.inventory()
        .workers()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let finding = match node.cpu.as_ref().and_then(|c| c.virtualization) {
                Some(v @ (Virtualization::VtX | Virtualization::AmdV)) if j.probed(&node.name) => {
                    j.pass(subject, format!("{v}: /dev/kvm works on the host (HOST-KVM)"))
                }
                Some(v @ (Virtualization::VtX | Virtualization::AmdV)) => {
                    j.pass(subject, format!("{v} declared (HOST-KVM proves it on the host)"))
                }
                Some(Virtualization::None) => {
                    let (severity, why) = if emulation_allowed {
                        (
                            t.w_virt_missing_emulation_allowed,
                            "no VT-x/AMD-V: VMs run in software emulation (kubevirt.useEmulation), many times slower",
                        )
                    } else {
                        (t.w_virt_missing, "no VT-x/AMD-V: KubeVirt cannot start VMs here without software emulation")
                    };
                    j.finding(subject, severity, why).fix(format!(
                        "enable Intel VT-x or AMD-V in the BIOS/UEFI of {}, or use a host that has it",
                        node.name
                    ))
                }
                Some(Virtualization::Unknown) | None => j.unknown(
                    subject,
                    j.lacks(&node.name, "hardware virtualization"),
                    j.probe_hint(&node.name, "cpu.virtualization"),
                ),
            };
            finding.at(node.at)
        })
        .collect()
}

pub(crate) fn cpu(j: &Judge) -> Vec<Finding> {
    let floors = j.thresholds.w_cores;
    let minimum = floors.first().map_or(0, |f| f.below);
    j.inventory()
        .workers()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let cpu = node.cpu.as_ref();
            let cores = cpu.and_then(|c| c.cores).map(|c| c.get());
            let threads = cpu.and_then(|c| c.threads).map(|c| c.get());
            let finding = match (cores, threads) {
                (Some(cores), _) => judge_floor(j, subject, cores, floors, "physical cores"),
                // Threads bound cores from above: too few threads proves too few cores.
                (None, Some(threads)) if threads < minimum => {
                    judge_floor(j, subject, threads, floors, "logical CPUs (so physical cores at most)")
                }
                (None, Some(threads)) => j.unknown(
                    subject,
                    format!("{threads} logical CPUs declared, but physical cores are not"),
                    j.probe_hint(&node.name, "cpu.cores"),
                ),
                (None, None) => {
                    j.unknown(subject, j.lacks(&node.name, "core count"), j.probe_hint(&node.name, "cpu.cores"))
                }
            };
            let finding = if matches!(finding.severity, Severity::Fail | Severity::Warn) {
                let target = floors.last().map_or(minimum, |f| f.below);
                finding.fix(format!("use a worker with at least {target} physical cores for {}", node.name))
            } else {
                finding
            };
            finding.at(node.at)
        })
        .collect()
}

pub(crate) fn memory(j: &Judge) -> Vec<Finding> {
    let floors = j.thresholds.w_memory;
    j.inventory()
        .workers()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let finding = match node.memory {
                Some(memory) => judge_floor(j, subject, memory, floors, "memory"),
                None => j.unknown(subject, j.lacks(&node.name, "memory"), j.probe_hint(&node.name, "memory")),
            };
            let finding = if matches!(finding.severity, Severity::Fail | Severity::Warn) {
                // The highest floor of the profile in force: under the
                // minimum profile a worker below 8Gi is told 8Gi, not 16Gi.
                let target = floors.last().map(|f| f.below.to_string()).unwrap_or_default();
                let (low, high) = j.thresholds.w_memory_advised;
                finding
                    .fix(format!("give {} at least {target} ({low}–{high} recommended, more for large VMs)", node.name))
            } else {
                finding
            };
            finding.at(node.at)
        })
        .collect()
}

pub(crate) fn media(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    j.inventory()
        .workers()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let Some(disks) = node.disks.as_deref() else {
                return j.unknown(subject, j.lacks(&node.name, "disks"), j.probe_hint(&node.name, "disks")).at(node.at);
            };
            let marked: Vec<_> = disks
                .iter()
                .filter(|d| d.usage.iter().any(|u| matches!(u, DiskUsage::Vm | DiskUsage::Storage)))
                .collect();
            let vm_disks: Vec<_> =
                if marked.is_empty() { disks.iter().filter(|d| d.usage != [DiskUsage::Os]).collect() } else { marked };
            if vm_disks.is_empty() {
                return j
                    .finding(
                        subject,
                        Severity::Info,
                        "no local disk for VMs: VM disks live on shared storage (judged by ST-MEDIA)",
                    )
                    .at(node.at);
            }
            let hdd: Vec<_> = vm_disks.iter().filter(|d| d.kind == Some(Media::Hdd)).map(|d| d.label()).collect();
            let untyped: Vec<_> = vm_disks.iter().filter(|d| d.kind.is_none()).map(|d| d.label()).collect();
            let finding = if !hdd.is_empty() {
                j.finding(subject, t.w_media_hdd, format!("VM disk(s) on spinning media: {}", hdd.join(", ")))
                    .fix(format!("put VM disks on {} on SSD or NVMe", node.name))
            } else if !untyped.is_empty() {
                j.unknown(
                    subject,
                    j.lacks(&node.name, &format!("type of disk(s) {}", untyped.join(", "))),
                    j.probe_hint(&node.name, "disk type"),
                )
            } else {
                let kinds: Vec<_> = vm_disks.iter().filter_map(|d| d.kind).map(|k| k.to_string()).collect();
                j.pass(subject, format!("VM disks on {}", kinds.join(", ")))
            };
            finding.at(node.at)
        })
        .collect()
}
