//! HOST-* rules: facts only a probe of the host can give. Until the hosts
//! are probed every one of them is unknown.

use std::collections::BTreeMap;

use kubev_ha_model::host::{HostFacts, HostProbe, ModuleState};
use kubev_ha_model::{Located, Node};

use crate::finding::{Evidence, Finding, Subject};
use crate::judge::Judge;
use crate::severity::Severity;

/// The minimum kernel of Kubernetes 1.32 and later.
pub const MIN_KERNEL: (u32, u32) = (4, 19);

fn not_probed(j: &Judge) -> Vec<Finding> {
    vec![j.not_measured(
        Evidence::Hosts,
        Subject::Cluster,
        "hosts not probed",
        format!("run `kubev-ha probe {}` (over SSH) or `kubev-ha host` on each node", j.inventory_arg()),
    )]
}

/// Applies `judge` to every probed node `applies` selects; unreachable and
/// unprobed nodes are unknown, never a pass.
fn per_host(
    j: &Judge,
    applies: fn(&Node) -> bool,
    judge: impl Fn(&Judge, Subject, &Located<Node>, &HostFacts) -> Finding,
) -> Vec<Finding> {
    if j.facts.hosts.is_empty() {
        return not_probed(j);
    }
    let mut findings = Vec::new();
    for node in j.inventory().nodes.iter().filter(|n| applies(n)) {
        let subject = Subject::node(&node.name);
        let finding = match j.facts.hosts.get(&node.name) {
            Some(HostProbe::Probed { facts }) => judge(j, subject, node, facts),
            Some(HostProbe::Unreachable { reason }) => {
                j.unknown(subject, format!("unreachable: {reason}"), "fix SSH access to the node and probe again")
            }
            None => j.unknown(subject, "not probed", "probe this node too"),
        };
        findings.push(finding.at(node.at));
    }
    if findings.is_empty() {
        findings.push(j.finding(Subject::Cluster, Severity::Info, "no probed node this rule applies to"));
    }
    findings
}

fn any_node(_: &Node) -> bool {
    true
}

pub fn kvm(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, Node::is_worker, |j, subject, node, facts| {
        let kvm = &facts.kvm;
        let flag = match kvm.cpu_flag.as_deref() {
            Some(f) => format!("cpuinfo flag {f}"),
            None => "no vmx/svm flag in cpuinfo".to_string(),
        };
        let module = kvm.module.as_deref().map(|m| format!(", {m} loaded")).unwrap_or_default();
        match (kvm.works(), kvm.device) {
            (Some(true), _) => {
                let nested = if kvm.cpu_flag.is_none() {
                    " (the flag is hidden, as in a nested guest: the API is the proof)"
                } else {
                    ""
                };
                j.pass(subject, format!("/dev/kvm answers API version 12 and created a VM; {flag}{module}{nested}"))
            }
            (_, Some(false)) if kvm.cpu_flag.is_some() => j
                .finding(
                    subject,
                    t.host_kvm,
                    format!(
                        "no /dev/kvm, but {flag}: virtualisation is enabled in the CPU and the kvm module is not loaded"
                    ),
                )
                .fix(format!(
                    "load it on {}: modprobe {}",
                    node.name,
                    if kvm.cpu_flag.as_deref() == Some("svm") { "kvm_amd" } else { "kvm_intel" }
                )),
            (_, Some(false)) => j
                .finding(
                    subject,
                    t.host_kvm,
                    format!("no /dev/kvm and {flag}: VT-x/AMD-V is off in the firmware or absent"),
                )
                .fix(format!(
                    "enable Intel VT-x or AMD-V in the BIOS/UEFI of {} (or nested virtualisation on its hypervisor)",
                    node.name
                )),
            (Some(false), _) => j
                .finding(
                    subject,
                    t.host_kvm,
                    format!(
                        "/dev/kvm answered API version {:?} and VM creation {:?}: not a working KVM{}",
                        kvm.api_version,
                        kvm.create_vm,
                        kvm.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
                    ),
                )
                .fix("check dmesg for kvm errors; another hypervisor may hold VT-x"),
            (None, _) => j.unknown(
                subject,
                format!(
                    "/dev/kvm exists but could not be asked: {}; {flag}",
                    kvm.error.as_deref().unwrap_or("unknown reason")
                ),
                "probe as root (or as a member of the kvm group) on the host itself",
            ),
        }
    })
}

pub fn kernel(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| match facts.kernel.as_deref() {
        None => {
            j.unknown(subject, "kernel version unreadable", "probe again; /proc/sys/kernel/osrelease must be readable")
        }
        Some(release) => match parse_kernel(release) {
            None => j.unknown(
                subject,
                format!("kernel release `{release}` not understood"),
                "check the kernel version by hand",
            ),
            Some(v) if v < MIN_KERNEL => j
                .finding(
                    subject,
                    t.host_kernel,
                    format!("kernel {release} is older than {}.{}", MIN_KERNEL.0, MIN_KERNEL.1),
                )
                .fix(format!("upgrade the kernel of {} to {}.{} or newer", node.name, MIN_KERNEL.0, MIN_KERNEL.1)),
            Some(_) => j.pass(subject, format!("kernel {release} (≥ {}.{})", MIN_KERNEL.0, MIN_KERNEL.1)),
        },
    })
}

fn parse_kernel(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

pub fn modules(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| {
        let by_state = |state: ModuleState| -> Vec<&str> {
            facts.modules.iter().filter(|(_, s)| **s == state).map(|(m, _)| m.as_str()).collect()
        };
        let missing = by_state(ModuleState::Missing);
        let unknown = by_state(ModuleState::Unknown);
        let describe = || {
            facts
                .modules
                .iter()
                .map(|(m, s)| {
                    format!(
                        "{m} {}",
                        match s {
                            ModuleState::Loaded => "loaded",
                            ModuleState::BuiltIn => "built in",
                            ModuleState::Available => "available",
                            ModuleState::Missing => "missing",
                            ModuleState::Unknown => "unknown",
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        if facts.modules.is_empty() {
            j.unknown(subject, "modules not read", "probe again")
        } else if !missing.is_empty() {
            j.finding(subject, t.host_modules, format!("missing: {} ({})", missing.join(", "), describe())).fix(
                format!(
                    "install the kernel modules package of {} (linux-modules-extra on Ubuntu) so that {} exist, \
                     or boot a kernel built with them if this one has no loadable modules",
                    node.name,
                    missing.join(", ")
                ),
            )
        } else if !unknown.is_empty() {
            j.unknown(
                subject,
                format!("the module tree is unreadable, so {} may be missing", unknown.join(", ")),
                "probe on the host itself, where /lib/modules is readable",
            )
        } else {
            j.pass(subject, describe())
        }
    })
}

pub fn ipv6(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| {
        match facts.ipv6_disabled {
        None => j.unknown(subject, "kernel command line unreadable", "probe again"),
        Some(true) => j
            .finding(subject, t.host_ipv6, "ipv6.disable=1 on the kernel command line: the geneve module cannot create Kube-OVN's tunnel")
            .fix(format!("remove ipv6.disable=1 from the kernel command line of {} (disable IPv6 per interface with sysctl instead)", node.name)),
        Some(false) => j.pass(subject, "IPv6 not disabled on the kernel command line"),
    }
    })
}

pub fn swap(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| match facts.swap.as_deref() {
        None => j.unknown(subject, "/proc/swaps unreadable", "probe again"),
        Some([]) => j.pass(subject, "no active swap"),
        Some(areas) => j
            .finding(subject, t.host_swap, format!("swap is on: {}", areas.join(", ")))
            .fix(format!("swapoff -a on {} and remove the swap entries from /etc/fstab", node.name)),
    })
}

pub fn time(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| {
        let detail = facts.time_sync.detail.clone().unwrap_or_default();
        match facts.time_sync.synchronised {
            None => j.unknown(subject, format!("clock state unknown: {detail}"), "probe the live host"),
            Some(true) => j.pass(subject, format!("clock synchronised ({detail})")),
            Some(false) => j.finding(subject, t.host_time, format!("clock not synchronised ({detail})")).fix(format!(
                "run chrony or systemd-timesyncd on {} against the same NTP servers as the other nodes",
                node.name
            )),
        }
    })
}

pub fn identity(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let probed: Vec<(&str, &HostFacts)> = j
        .inventory()
        .nodes
        .iter()
        .filter_map(|n| match j.facts.hosts.get(&n.name) {
            Some(HostProbe::Probed { facts }) => Some((n.name.as_str(), facts.as_ref())),
            _ => None,
        })
        .collect();
    if j.facts.hosts.is_empty() {
        return not_probed(j);
    }
    if probed.len() < 2 {
        return vec![j.finding(Subject::Cluster, Severity::Info, "fewer than two hosts probed: nothing to compare")];
    }
    let mut findings = Vec::new();
    let mut check = |what: &str, values: Vec<(&str, Option<String>)>, fix: &str| {
        let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let mut missing = Vec::new();
        for (node, value) in values {
            match value {
                Some(v) => seen.entry(v).or_default().push(node),
                None => missing.push(node),
            }
        }
        let duplicates: Vec<String> = seen
            .iter()
            .filter(|(_, nodes)| nodes.len() > 1)
            .map(|(v, nodes)| format!("{} share {what} {v}", nodes.join(", ")))
            .collect();
        if !duplicates.is_empty() {
            findings.push(j.finding(Subject::Cluster, t.host_identity, duplicates.join("; ")).fix(fix));
        } else if !missing.is_empty() {
            findings.push(j.unknown(
                Subject::Cluster,
                format!("{what} not available on {}", missing.join(", ")),
                "probe as root (product_uuid is readable by root only); a machine without DMI has none",
            ));
        } else {
            findings.push(j.pass(Subject::Cluster, format!("{} distinct {what}s", seen.len())));
        }
    };
    check(
        "hostname",
        probed.iter().map(|(n, f)| (*n, f.hostname.clone())).collect(),
        "give every node its own hostname (hostnamectl set-hostname)",
    );
    check(
        "product_uuid",
        probed.iter().map(|(n, f)| (*n, f.product_uuid.clone())).collect(),
        "cloned VMs share a product_uuid: give each VM its own SMBIOS UUID (kubeadm requires it)",
    );
    check(
        "machine-id",
        probed.iter().map(|(n, f)| (*n, f.machine_id.clone())).collect(),
        "regenerate /etc/machine-id on clones (rm /etc/machine-id && systemd-machine-id-setup)",
    );
    // A MAC counts once per node: the members of a bond carry the bond's
    // MAC, which is one machine, not a clone.
    let macs: Vec<(&str, Option<String>)> = probed
        .iter()
        .flat_map(|(n, f)| {
            let mut own: Vec<String> =
                f.nics.iter().filter(|nic| !nic.virtual_link).filter_map(|nic| nic.mac.clone()).collect();
            own.sort();
            own.dedup();
            own.into_iter().map(move |m| (*n, Some(m)))
        })
        .collect();
    check("MAC", macs, "give every NIC its own MAC address (cloned VMs keep their template's)");
    findings
}

pub fn drift(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let Some(declared) = &j.facts.declared else {
        return not_probed(j);
    };
    per_host(j, any_node, |j, subject, node, facts| {
        let Some(before) = declared.node(&node.name) else {
            return j.pass(subject, "nothing declared to compare");
        };
        let differences = differences(before, facts);
        if differences.is_empty() {
            j.pass(subject, "probed facts match the declaration")
        } else {
            j.finding(subject, t.host_drift, format!("declared ≠ probed: {}", differences.join("; ")))
                .fix("correct the inventory (`kubev-ha probe --write FILE` writes the probed one)")
        }
    })
}

/// Where the declaration and the probe disagree, in words. Memory is
/// compared loosely: the kernel's MemTotal is below the installed RAM by
/// what firmware and the kernel reserve.
pub fn differences(declared: &Node, probed: &HostFacts) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(d), Some(p)) = (declared.cpu.as_ref(), probed.cpu.as_ref()) {
        if let (Some(a), Some(b)) = (d.cores, p.cores)
            && a != b
        {
            out.push(format!("cpu.cores {a} ≠ {b}"));
        }
        if let (Some(a), Some(b)) = (d.threads, p.threads)
            && a != b
        {
            out.push(format!("cpu.threads {a} ≠ {b}"));
        }
        if let (Some(a), Some(b)) = (d.virtualization, p.virtualization)
            && a != b
            && b != kubev_ha_model::Virtualization::Unknown
        {
            out.push(format!("cpu.virtualization {a} ≠ {b}"));
        }
    }
    if let (Some(a), Some(b)) = (declared.memory, probed.memory) {
        let (a64, b64) = (a.as_u64() as f64, b.as_u64() as f64);
        if b64 > a64 * 1.02 || b64 < a64 * 0.90 {
            out.push(format!("memory {a} ≠ {} (MemTotal)", b.human()));
        }
    }
    for disk in declared.disks.iter().flatten() {
        let Some(name) = &disk.name else { continue };
        match probed.disks.iter().find(|d| &d.name == name) {
            None => out.push(format!("disk {name} not found")),
            Some(p) => {
                if let (Some(a), Some(b)) = (disk.kind, p.kind)
                    && a != b
                {
                    out.push(format!("disk {name} type {a} ≠ {b}"));
                }
                if let (Some(a), Some(b)) = (disk.size, p.size) {
                    let (a64, b64) = (a.as_u64() as f64, b.as_u64() as f64);
                    if (a64 - b64).abs() > a64 * 0.05 {
                        out.push(format!("disk {name} size {a} ≠ {}", b.human()));
                    }
                }
            }
        }
    }
    for nic in declared.nics.iter().flatten() {
        let Some(name) = &nic.name else { continue };
        match probed.nics.iter().find(|n| &n.name == name) {
            None => out.push(format!("NIC {name} not found")),
            Some(p) => {
                if let (Some(a), Some(b)) = (nic.speed, p.speed)
                    && a != b
                {
                    out.push(format!("NIC {name} speed {a} ≠ {b}"));
                }
                if let (Some(a), Some(b)) = (nic.mtu, p.mtu)
                    && a.get() != b
                {
                    out.push(format!("NIC {name} mtu {a} ≠ {b}"));
                }
            }
        }
    }
    out
}
