//! HOST-* rules: facts only a probe of the host can give. Until the hosts
//! are probed every one of them is unknown.

use std::collections::BTreeMap;

use kubev_ha_model::{HostFacts, HostNic, HostProbe, LinkKind, ModuleState};
use kubev_ha_model::{Located, Node, SwapBehavior};

use crate::finding::{Evidence, Finding, Subject};
use crate::judge::Judge;
use crate::severity::Severity;
use crate::thresholds::{AcceptedKernels, DriftTolerance};

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

pub(crate) fn kvm(j: &Judge) -> Vec<Finding> {
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

pub(crate) fn kernel(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| match facts.kernel.as_deref() {
        None => {
            j.unknown(subject, "kernel version unreadable", "probe again; /proc/sys/kernel/osrelease must be readable")
        }
        Some(release) => match judge_kernel(release, &t.host_kernels) {
            KernelVerdict::NotUnderstood => j.unknown(
                subject,
                format!("kernel release `{release}` not understood"),
                "check the kernel version by hand",
            ),
            KernelVerdict::Accepted => j.pass(
                subject,
                format!(
                    "kernel {release}: accepted by kubeadm's system validators ({})",
                    accepted_kernels(&t.host_kernels)
                ),
            ),
            KernelVerdict::EndOfLife((major, minor)) => j
                .finding(
                    subject,
                    t.host_kernel,
                    format!(
                        "kernel {release}: the {major}.{minor} series is end of life and kubeadm's system validators \
                         no longer accept it (kubeadm preflight warns)"
                    ),
                )
                .fix(upgrade_kernel(&node.name, &t.host_kernels)),
            KernelVerdict::NotAccepted => j
                .finding(
                    subject,
                    t.host_kernel,
                    format!(
                        "kernel {release} is not one kubeadm's system validators accept ({}); kubeadm preflight warns",
                        accepted_kernels(&t.host_kernels)
                    ),
                )
                .fix(format!(
                    "{}; a distribution kernel with backports (RHEL 8's 4.18, RHEL 9's 5.14) draws the same warning: \
                     waive HOST-KERNEL for it where the distribution supports Kubernetes on that kernel",
                    upgrade_kernel(&node.name, &t.host_kernels)
                )),
        },
    })
}

fn upgrade_kernel(node: &str, kernels: &AcceptedKernels) -> String {
    format!("run a kernel kubeadm accepts on {node} ({})", accepted_kernels(kernels))
}

/// "5.4, 5.10, 5.15 or ≥ 6".
fn accepted_kernels(kernels: &AcceptedKernels) -> String {
    let lts: Vec<String> = kernels.lts.iter().map(|(a, b)| format!("{a}.{b}")).collect();
    format!("{} or ≥ {}", lts.join(", "), kernels.from_major)
}

/// What kubeadm's SystemVerification makes of a kernel release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KernelVerdict {
    Accepted,
    /// A series kubeadm accepted once and dropped at its end of life.
    EndOfLife((u32, u32)),
    NotAccepted,
    NotUnderstood,
}

/// Judges `release` (/proc/sys/kernel/osrelease) as system-validators'
/// regular expressions do: a release of an LTS series is accepted whatever
/// follows (`^5\.10.*$`), a release of `from_major` or later when it reads
/// major.minor.patch (`^([6-9]|[1-9][0-9]+)\.([0-9]+)\.([0-9]+).*$`).
pub(crate) fn judge_kernel(release: &str, kernels: &AcceptedKernels) -> KernelVerdict {
    let mut parts = release.splitn(3, '.');
    let (Some(major), Some(minor)) = (parts.next(), parts.next()) else {
        return KernelVerdict::NotUnderstood;
    };
    let (Ok(major_n), Some(minor_n)) = (major.parse::<u32>(), leading_number(minor)) else {
        return KernelVerdict::NotUnderstood;
    };
    // `^5\.4.*$` matches 5.4 followed by anything, 5.40 included; no 5.x
    // series after 5.19 exists, so comparing the minor number is the same test.
    let lts = kernels.lts.contains(&(major_n, minor_n));
    let whole_minor = minor.chars().all(|c| c.is_ascii_digit());
    let patch = parts.next().and_then(leading_number);
    if lts || (major_n >= kernels.from_major && whole_minor && patch.is_some()) {
        KernelVerdict::Accepted
    } else if kernels.end_of_life.contains(&(major_n, minor_n)) {
        KernelVerdict::EndOfLife((major_n, minor_n))
    } else {
        KernelVerdict::NotAccepted
    }
}

/// The number a version part starts with ("0-27-amd64" gives 0).
fn leading_number(part: &str) -> Option<u32> {
    let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

pub(crate) fn modules(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    per_host(j, any_node, |j, subject, node, facts| {
        let by_state = |state: ModuleState| -> Vec<&str> {
            facts.modules.iter().filter(|(_, s)| **s == state).map(|(m, _)| m.as_str()).collect()
        };
        let missing = by_state(ModuleState::Missing);
        let unknown = by_state(ModuleState::Unknown);
        let describe = || facts.modules.iter().map(|(m, s)| format!("{m} {s}")).collect::<Vec<_>>().join(", ");
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

pub(crate) fn ipv6(j: &Judge) -> Vec<Finding> {
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

pub(crate) fn swap(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let kubelet = j.inventory().kubelet.clone().unwrap_or_default();
    per_host(j, any_node, move |j, subject, node, facts| match facts.swap.as_deref() {
        None => j.unknown(subject, "/proc/swaps unreadable", "probe again"),
        Some([]) => j.pass(subject, "no active swap"),
        Some(areas) => {
            let on = areas.join(", ");
            if kubelet.fail_swap_on_or_default() {
                let why = if kubelet.fail_swap_on.is_some() {
                    "the kubelet, declared with failSwapOn: true,"
                } else {
                    "the kubelet (failSwapOn not declared: its default, true)"
                };
                j.finding(subject, t.host_swap, format!("swap is on ({on}) and {why} refuses to start with swap on"))
                    .fix(format!(
                        "swapoff -a on {} and remove the swap entries from /etc/fstab, or configure the kubelet for \
                         swap (failSwapOn: false, memorySwap.swapBehavior: NoSwap) and declare it under `kubelet:`",
                        node.name
                    ))
            } else {
                let declared = kubelet.memory_swap.as_ref().and_then(|m| m.swap_behavior).is_some();
                match kubelet.swap_behavior_or_default() {
                    SwapBehavior::NoSwap => j.pass(
                        subject,
                        format!(
                            "swap is on ({on}); the kubelet allows it (failSwapOn: false) and keeps pods off it \
                             (swapBehavior NoSwap{})",
                            if declared { "" } else { ", the kubelet's default" }
                        ),
                    ),
                    SwapBehavior::LimitedSwap => j
                        .finding(
                            subject,
                            t.host_swap_limited,
                            format!(
                                "swap is on ({on}) with swapBehavior LimitedSwap: Burstable pods, most virt-launcher \
                                 pods among them, may swap guest memory, which slows the guests and their live migrations"
                            ),
                        )
                        .fix("give VMs that must not swap Guaranteed QoS (requests equal to limits), or use NoSwap"),
                }
            }
        }
    })
}

pub(crate) fn time(j: &Judge) -> Vec<Finding> {
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

pub(crate) fn identity(j: &Judge) -> Vec<Finding> {
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
        } else if seen.is_empty() {
            // No node gave a value: nothing was compared, so nothing passed.
            findings.push(j.unknown(
                Subject::Cluster,
                format!("no {what} read on any probed node ({})", missing.join(", ")),
                "probe as root on the hosts themselves",
            ));
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
    // The MACs of physical ports, a bond member's own (perm_hwaddr) rather
    // than the bond's, which the bond gives every member; each counts once
    // per node. Virtual links' MACs are random or copied from a port, so
    // they say nothing about clones. A node without a physical port shows
    // no MAC: missing, never a pass.
    let macs: Vec<(&str, Option<String>)> = probed
        .iter()
        .flat_map(|(n, f)| {
            let mut own: Vec<String> = f
                .nics
                .iter()
                .filter(|nic| nic.kind == LinkKind::Physical)
                .filter_map(|nic| nic.hardware_mac().map(str::to_string))
                .filter(|mac| mac != "00:00:00:00:00:00")
                .collect();
            own.sort();
            own.dedup();
            if own.is_empty() { vec![(*n, None)] } else { own.into_iter().map(|m| (*n, Some(m))).collect() }
        })
        .collect();
    check("MAC", macs, "give every NIC its own MAC address (cloned VMs keep their template's)");
    findings
}

pub(crate) fn drift(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    // `kubev-ha audit --inventory` keeps the declaration in `declared` with
    // no probes: LIVE-DRIFT compares it with the live cluster, and this rule,
    // which compares with probes, has nothing to say.
    if j.facts.live.is_some() && j.facts.hosts.is_empty() {
        return vec![];
    }
    let Some(declared) = &j.facts.declared else {
        return not_probed(j);
    };
    per_host(j, any_node, |j, subject, node, facts| {
        let Some(before) = declared.node(&node.name) else {
            return j.finding(subject, Severity::Info, "not in the declared inventory: nothing to compare");
        };
        let c = compare(before, facts, &t.host_drift_tolerance);
        if !c.differences.is_empty() {
            j.finding(subject, t.host_drift, format!("declared ≠ probed: {}", c.differences.join("; ")))
                .fix("correct the inventory (`kubev-ha probe --write FILE` writes the probed one)")
        } else if !c.unread.is_empty() {
            // Declared, but the probe could not read it: not a match.
            j.unknown(
                subject,
                format!(
                    "the probe read nothing to compare with the declared {}{}",
                    c.unread.join(", "),
                    if c.compared.is_empty() { String::new() } else { format!("; {} agree", c.compared.join(", ")) }
                ),
                "probe as root on the host itself",
            )
        } else if c.compared.is_empty() {
            j.finding(subject, Severity::Info, "nothing declared that the probe reads (cpu, memory, disks, NICs)")
        } else {
            j.pass(subject, format!("probed facts match the declaration: {}", c.compared.join(", ")))
        }
    })
}

/// What HOST-DRIFT found comparing one node's declaration with its probe.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Comparison {
    /// Declared facts the probe read the same (`memory`, `NIC bond0`).
    pub compared: Vec<String>,
    /// Where they disagree, in words.
    pub differences: Vec<String>,
    /// Declared facts the probe could not read at all.
    pub unread: Vec<String>,
}

/// Compares what was declared of a node with what its probe read. Memory
/// and disk sizes are compared within `tolerance`. A declared NIC is
/// looked for among every link the probe saw: a physical port, a bond or
/// one of its members, a VLAN, a bridge, a veth.
pub(crate) fn compare(declared: &Node, probed: &HostFacts, tolerance: &DriftTolerance) -> Comparison {
    let mut c = Comparison::default();
    let check = |c: &mut Comparison, what: String, differences: Vec<String>| {
        if differences.is_empty() {
            c.compared.push(what);
        } else {
            c.differences.extend(differences);
        }
    };
    if let Some(d) = declared.cpu.as_ref() {
        match probed.cpu.as_ref() {
            None => c.unread.push("cpu".into()),
            Some(p) => {
                let mut diff = Vec::new();
                if let (Some(a), Some(b)) = (d.cores, p.cores)
                    && a != b
                {
                    diff.push(format!("cpu.cores {a} ≠ {b}"));
                }
                if let (Some(a), Some(b)) = (d.threads, p.threads)
                    && a != b
                {
                    diff.push(format!("cpu.threads {a} ≠ {b}"));
                }
                if let (Some(a), Some(b)) = (d.virtualization, p.virtualization)
                    && a != b
                    && b != kubev_ha_model::Virtualization::Unknown
                {
                    diff.push(format!("cpu.virtualization {a} ≠ {b}"));
                }
                check(&mut c, "cpu".into(), diff);
            }
        }
    }
    if let Some(a) = declared.memory {
        match probed.memory {
            None => c.unread.push("memory".into()),
            Some(b) => {
                let (a64, b64) = (a.as_u64() as f64, b.as_u64() as f64);
                let off = b64 > a64 * tolerance.memory_above || b64 < a64 * tolerance.memory_below;
                let diff = if off { vec![format!("memory {a} ≠ {} (MemTotal)", b.human())] } else { vec![] };
                check(&mut c, "memory".into(), diff);
            }
        }
    }
    for disk in declared.disks.iter().flatten() {
        let Some(name) = &disk.name else { continue };
        if probed.disks.is_empty() {
            c.unread.push(format!("disk {name}"));
            continue;
        }
        let mut diff = Vec::new();
        match probed.disks.iter().find(|d| &d.name == name) {
            None => diff.push(format!("disk {name} not found")),
            Some(p) => {
                if let (Some(a), Some(b)) = (disk.kind, p.kind)
                    && a != b
                {
                    diff.push(format!("disk {name} type {a} ≠ {b}"));
                }
                if let (Some(a), Some(b)) = (disk.size, p.size) {
                    let (a64, b64) = (a.as_u64() as f64, b.as_u64() as f64);
                    if (a64 - b64).abs() > a64 * tolerance.disk_size {
                        diff.push(format!("disk {name} size {a} ≠ {}", b.human()));
                    }
                }
            }
        }
        check(&mut c, format!("disk {name}"), diff);
    }
    for nic in declared.nics.iter().flatten() {
        let Some(name) = &nic.name else { continue };
        // No link at all means /sys/class/net was not read, not that the
        // NIC is gone.
        if probed.nics.is_empty() {
            c.unread.push(format!("NIC {name}"));
            continue;
        }
        let mut diff = Vec::new();
        match probed.nics.iter().find(|n| &n.name == name) {
            None => diff.push(format!("NIC {name} not found (links: {})", link_names(&probed.nics))),
            Some(p) => {
                if let (Some(a), Some(b)) = (nic.speed, p.speed)
                    && a != b
                {
                    diff.push(format!("NIC {name} speed {a} ≠ {b}"));
                }
                if let (Some(a), Some(b)) = (nic.mtu, p.mtu)
                    && a.get() != b
                {
                    diff.push(format!("NIC {name} mtu {a} ≠ {b}"));
                }
            }
        }
        let relations = probed.nics.iter().find(|n| &n.name == name).map(HostNic::relations).unwrap_or_default();
        let what = if relations.is_empty() { format!("NIC {name}") } else { format!("NIC {name} ({relations})") };
        check(&mut c, what, diff);
    }
    c
}

/// The links a probe saw, for "not found" messages: at most 8, then a count.
fn link_names(nics: &[HostNic]) -> String {
    let names: Vec<&str> = nics.iter().take(8).map(|n| n.name.as_str()).collect();
    let more = nics.len().saturating_sub(8);
    let listed = names.join(", ");
    if more > 0 { format!("{listed} and {more} more") } else { listed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thresholds::KUBEADM_KERNELS;

    #[test]
    fn kernels_as_system_validators_match_them() {
        let v = |r: &str| judge_kernel(r, &KUBEADM_KERNELS);
        assert_eq!(v("5.4"), KernelVerdict::Accepted, "`^5\\.4.*$` needs nothing after the minor");
        assert_eq!(v("5.10-rc1"), KernelVerdict::Accepted);
        assert_eq!(v("6.1.0-27-amd64"), KernelVerdict::Accepted);
        assert_eq!(v("6.1"), KernelVerdict::NotAccepted, "6.x must read major.minor.patch");
        assert_eq!(v("6.1-rc1.5"), KernelVerdict::NotAccepted, "the minor must be a number");
        assert_eq!(v("12.3.4"), KernelVerdict::Accepted);
        assert_eq!(v("5.14.0-427.el9.x86_64"), KernelVerdict::NotAccepted);
        assert_eq!(v("4.19.0-26-amd64"), KernelVerdict::EndOfLife((4, 19)));
        assert_eq!(v("4.20.1"), KernelVerdict::NotAccepted);
        assert_eq!(v("linux"), KernelVerdict::NotUnderstood);
        assert_eq!(v(""), KernelVerdict::NotUnderstood);
    }
}
