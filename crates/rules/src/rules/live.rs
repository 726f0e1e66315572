//! LIVE-* rules: what only a running cluster shows, judged from
//! [`LiveCluster`] (`Facts::live`, filled by `kubev-ha audit`).
//!
//! Every rule here returns no findings when `facts.live` is `None` (check,
//! plan, probe, before install): there is no cluster to judge yet. Every
//! resource is a `Read`: one a rule needs that could not be read makes the
//! finding unknown with the resource and the reason named, never a pass;
//! an empty read is judged as empty.
//!
//! The rules must stay cheap on 100,000 VMIs and 5,000 nodes: objects are
//! indexed by name in maps once per rule, passes are counted into one
//! finding, and only what fails is named one by one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kubev_ha_model::{
    AccessMode, EvictionStrategy, KubeVirtConfig, LiveCluster, LiveNode, LivePvc, LiveVmi, Role, RunStrategy,
    Unreadable, WhyUnreadable, node_labels,
};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::plural::plural;
use crate::severity::Severity;

#[cfg(test)]
mod tests;

/// KubeVirt's node-labeller label prefixes (staging/src/kubevirt.io/api/core/v1/types.go,
/// `CPUModelLabel`, `CPUFeatureLabel`, `HostModelCPULabel`,
/// `SupportedHostModelMigrationCPU`, `HostModelRequiredFeaturesLabel`, v1.9.0;
/// set by pkg/virt-handler/node-labeller/node_labeller.go `prepareLabels`).
mod cpu_labels {
    /// A named model the node can run: `cpu-model.node.kubevirt.io/<M>`.
    pub(super) const MODEL: &str = "cpu-model.node.kubevirt.io/";
    /// A CPU feature the node offers: `cpu-feature.node.kubevirt.io/<F>`.
    pub(super) const FEATURE: &str = "cpu-feature.node.kubevirt.io/";
    /// The node's own host-model: `host-model-cpu.node.kubevirt.io/<M>`.
    pub(super) const HOST_MODEL: &str = "host-model-cpu.node.kubevirt.io/";
    /// A host-model a VM may arrive with: `cpu-model-migration.node.kubevirt.io/<M>`.
    pub(super) const MIGRATION_MODEL: &str = "cpu-model-migration.node.kubevirt.io/";
    /// Features a host-model VM from this node needs on its target:
    /// `host-model-required-features.node.kubevirt.io/<F>`.
    pub(super) const HOST_MODEL_FEATURE: &str = "host-model-required-features.node.kubevirt.io/";
}

/// The extended resource virt-handler's device plugin offers per node
/// (`devices.kubevirt.io/kvm`): without it no VM that uses KVM schedules.
const KVM_RESOURCE: &str = "devices.kubevirt.io/kvm";

/// The live facts, or `None`: then the rule says nothing.
fn live<'a>(j: &Judge<'a>) -> Option<&'a LiveCluster> {
    j.facts.live.as_ref()
}

/// How to make an unreadable resource readable, in words.
pub(crate) fn how_to_read(u: &Unreadable) -> String {
    match &u.why {
        WhyUnreadable::Forbidden { verb, .. } => {
            format!("grant {verb} on {} (`kubev-ha render rbac` prints the ClusterRole audit needs)", u.resource)
        }
        WhyUnreadable::NotInstalled { component } => {
            format!("{component} serves {}: install it, or accept that this cannot be judged", u.resource)
        }
        WhyUnreadable::Failed { .. } => "run the audit again; check the API server's health".to_string(),
    }
}

/// The unknown finding for a resource the rule needs and could not read.
pub(crate) fn unreadable(j: &Judge, subject: Subject, u: &Unreadable) -> Finding {
    j.unknown(subject, format!("cannot judge: {u}"), how_to_read(u))
}

fn vmi_subject(vmi: &LiveVmi) -> Subject {
    Subject::Other { kind: "vmi", name: vmi.key() }
}

fn other(kind: &'static str, name: impl Into<String>) -> Subject {
    Subject::Other { kind, name: name.into() }
}

/// At most `n` names, then "and K more": a finding stays readable when a
/// thousand objects share a problem.
fn some_of<S: AsRef<str>>(names: &[S], n: usize) -> String {
    let shown: Vec<&str> = names.iter().take(n).map(AsRef::as_ref).collect();
    if names.len() > n { format!("{} and {} more", shown.join(", "), names.len() - n) } else { shown.join(", ") }
}

/// The KubeVirt CR, or the finding that says why there is none.
fn kubevirt_cr<'a>(j: &Judge, live: &'a LiveCluster) -> Result<&'a KubeVirtConfig, Vec<Finding>> {
    match &live.kubevirt {
        Ok(Some(kv)) => Ok(kv),
        Ok(None) => Err(vec![j.unknown(
            Subject::Cluster,
            "no KubeVirt CR exists: KubeVirt is not deployed",
            "deploy KubeVirt (a KubeVirt CR in its namespace) and audit again",
        )]),
        Err(u) => Err(vec![unreadable(j, Subject::Cluster, u)]),
    }
}

// ------------------------------------------------------------------ LIVE-MIGRATABLE

/// The fix for a VMI KubeVirt says is not live-migratable, by the reason it
/// gives (the `VirtualMachineInstanceReason*NotMigratable` constants of
/// staging/src/kubevirt.io/api/core/v1/types.go, v1.9.0), explained from
/// the VMI's spec where the spec shows the cause.
fn migratable_fix(vmi: &LiveVmi, reason: &str, pvcs: Option<&HashMap<(&str, &str), &LivePvc>>) -> String {
    match reason {
        "DisksNotLiveMigratable" => {
            let not_shared: Vec<String> = pvcs
                .map(|pvcs| {
                    vmi.claims
                        .iter()
                        .filter_map(|c| pvcs.get(&(vmi.namespace.as_str(), c.as_str())))
                        .filter(|p| !p.access_modes.contains(&AccessMode::ReadWriteMany))
                        .map(|p| format!("{} ({})", p.name, access_modes(&p.access_modes)))
                        .collect()
                })
                .unwrap_or_default();
            if not_shared.is_empty() {
                "put every disk on a ReadWriteMany PVC (KubeVirt migrates a VMI only when all its PVCs are shared)".into()
            } else {
                format!(
                    "PVC {} not ReadWriteMany: move the disk to a class that offers ReadWriteMany (with volumeMode Block on block storage)",
                    not_shared.join(", ")
                )
            }
        }
        "InterfaceNotLiveMigratable" => {
            let bridged: Vec<&str> = vmi
                .interfaces
                .iter()
                .filter(|i| i.pod_network && i.binding == "bridge")
                .map(|i| i.name.as_str())
                .collect();
            if bridged.is_empty() {
                "connect the pod network with masquerade, passt or a binding plugin that declares migration".into()
            } else {
                format!(
                    "interface {} binds bridge on the pod network: use masquerade (or set the kubevirt.io/allow-pod-bridge-network-live-migration annotation)",
                    bridged.join(", ")
                )
            }
        }
        "HostDeviceNotLiveMigratable" => format!(
            "host devices{} pin it to its node: remove them, or accept that it shuts down on a drain (evictionStrategy None or LiveMigrateIfPossible)",
            if vmi.host_devices.is_empty() { String::new() } else { format!(" ({})", vmi.host_devices.join(", ")) }
        ),
        // KubeVirt's constant VirtualMachineInstanceReasonCPUModeNotMigratable
        // really is the string "CPUModeLiveMigratable" (types.go, v1.9.0): set
        // when a host-model VMI runs on a node whose host CPU model the node
        // labeller could not name (pkg/virt-handler/vm.go isHostModelMigratable).
        "CPUModeLiveMigratable" | "CPUModeNotLiveMigratable" => format!(
            "CPU model {}: the node has no host-model CPU label; use a named CPU model every worker offers (cpu-model.node.kubevirt.io/…)",
            vmi.cpu_model.as_deref().unwrap_or("host-model")
        ),
        "HotplugNotLiveMigratable" => "unplug the hot-plugged volumes, or restart the VM so they become regular disks".into(),
        "VirtIOFSNotLiveMigratable" => "virtiofs shares do not migrate on this KubeVirt: use a PVC disk instead".into(),
        "SEVNotLiveMigratable" | "SecureExecutionNotLiveMigratable" | "TDXNotLiveMigratable" => {
            "confidential-computing VMs do not migrate: accept a shutdown on drain (evictionStrategy None)".into()
        }
        "NoTSCFrequencyNotLiveMigratable" => {
            "its Hyper-V reenlightenment needs the TSC frequency: run it where nodes report tsc-frequency, or drop reenlightenment".into()
        }
        "HypervPassthroughNotLiveMigratable" => "drop Hyper-V passthrough, or accept a shutdown on drain".into(),
        "PersistentReservationNotLiveMigratable" => {
            "SCSI persistent reservation does not migrate: drop it, or accept a shutdown on drain".into()
        }
        _ => "read the condition's message; fix what it names, or give the VM evictionStrategy None".into(),
    }
}

fn access_modes(modes: &[AccessMode]) -> String {
    if modes.is_empty() {
        return "no access modes".into();
    }
    modes.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
}

pub(crate) fn migratable(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let vmis = match &live.vmis {
        Ok(v) => v,
        Err(u) => return vec![unreadable(j, Subject::Cluster, u)],
    };
    if vmis.is_empty() {
        return vec![j.pass(Subject::Cluster, "no VMIs run")];
    }
    let pvcs: Option<HashMap<(&str, &str), &LivePvc>> =
        live.pvcs.as_ref().ok().map(|p| p.iter().map(|p| ((p.namespace.as_str(), p.name.as_str()), p)).collect());
    let mut findings = Vec::new();
    let (mut movable, mut ok, mut strategy_unknown) = (0usize, 0usize, Vec::new());
    for vmi in vmis {
        let strategy = live.effective_eviction(vmi);
        let (severity, what) = match strategy {
            Some(EvictionStrategy::LiveMigrate) => (
                t.live_not_migratable,
                "evictionStrategy LiveMigrate: KubeVirt refuses its eviction, so a drain of its node blocks",
            ),
            Some(EvictionStrategy::LiveMigrateIfPossible) => (
                t.live_not_migratable_if_possible,
                "evictionStrategy LiveMigrateIfPossible: a drain shuts it down instead",
            ),
            Some(EvictionStrategy::None | EvictionStrategy::External) => continue,
            None => {
                strategy_unknown.push(vmi.key());
                continue;
            }
        };
        movable += 1;
        match &vmi.live_migratable {
            Some(c) if c.status => ok += 1,
            Some(c) => {
                let reason = c.reason.as_deref().unwrap_or("no reason given");
                findings.push(
                    j.finding(
                        vmi_subject(vmi),
                        severity,
                        format!(
                            "not live-migratable: {reason}{}; {what}",
                            c.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
                        ),
                    )
                    .fix(migratable_fix(vmi, reason, pvcs.as_ref())),
                );
            }
            None => findings.push(j.unknown(
                vmi_subject(vmi),
                format!(
                    "no LiveMigratable condition (phase {}): virt-handler sets it once the VMI runs",
                    vmi.phase.as_deref().unwrap_or("unknown")
                ),
                "audit again once the VMI runs",
            )),
        }
    }
    if !strategy_unknown.is_empty() {
        let why = live.kubevirt.as_ref().err().map(ToString::to_string).unwrap_or_default();
        findings.push(j.unknown(
            Subject::Cluster,
            format!(
                "{} state no evictionStrategy and the cluster's could not be read ({why}): {}",
                plural(strategy_unknown.len(), "VMI"),
                some_of(&strategy_unknown, 5)
            ),
            live.kubevirt.as_ref().err().map(how_to_read).unwrap_or_default(),
        ));
    }
    if movable == 0 && strategy_unknown.is_empty() {
        findings.push(j.pass(
            Subject::Cluster,
            format!(
                "none of {} is set to migrate on a drain (HA-EVICTION judges their strategy)",
                plural(vmis.len(), "VMI")
            ),
        ));
    } else if ok > 0 {
        findings.push(j.pass(
            Subject::Cluster,
            format!(
                "{} set to migrate on a drain {} LiveMigratable",
                plural(ok, "VMI"),
                if ok == 1 { "is" } else { "are" }
            ),
        ));
    }
    findings
}

// ------------------------------------------------------------------ LIVE-RESTART

pub(crate) fn restart(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let mut findings = Vec::new();
    let mut restarting = 0usize;
    match &live.vms {
        Err(u) => findings.push(unreadable(j, Subject::Cluster, u)),
        Ok(vms) => {
            for vm in vms {
                let subject = other("vm", format!("{}/{}", vm.namespace, vm.name));
                match vm.run_strategy {
                    Some(s) if s.restarts_after_failure() => restarting += 1,
                    // Halted is off on purpose: nothing runs that a failure could stop.
                    Some(RunStrategy::Halted) => findings.push(j.finding(
                        subject,
                        Severity::Info,
                        "runStrategy Halted: stopped on purpose; KubeVirt will not start it after a failure either",
                    )),
                    Some(s) => findings.push(
                        j.finding(
                            subject,
                            t.live_restart,
                            format!("runStrategy {s:?}: KubeVirt does not restart it after its node fails"),
                        )
                        .fix("set spec.runStrategy: Always (or RerunOnFailure) if it must come back after a node failure"),
                    ),
                    None => findings.push(j.unknown(
                        subject,
                        "states neither runStrategy nor running",
                        "set spec.runStrategy on the VirtualMachine",
                    )),
                }
            }
        }
    }
    match &live.vmis {
        Err(u) => findings.push(unreadable(j, Subject::Cluster, u)),
        Ok(vmis) => {
            for vmi in vmis.iter().filter(|v| v.owner_vm.is_none()) {
                findings.push(
                    j.finding(
                        vmi_subject(vmi),
                        t.live_restart,
                        "standalone VMI (no VirtualMachine owns it): nothing restarts it after its node fails",
                    )
                    .fix("create it through a VirtualMachine with runStrategy Always"),
                );
            }
        }
    }
    if restarting > 0 {
        findings.push(j.pass(
            Subject::Cluster,
            format!(
                "{} {} after a node failure (runStrategy Always or RerunOnFailure)",
                plural(restarting, "VM"),
                if restarting == 1 { "restarts" } else { "restart" }
            ),
        ));
    } else if findings.is_empty() {
        findings.push(j.pass(Subject::Cluster, "no VMs or VMIs"));
    }
    findings
}

// ------------------------------------------------------------------ LIVE-STORAGE-PROFILE

pub(crate) fn storage_profile(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let (vmis, pvcs) = match (&live.vmis, &live.pvcs) {
        (Ok(v), Ok(p)) => (v, p),
        (Err(u), _) | (_, Err(u)) => return vec![unreadable(j, Subject::Cluster, u)],
    };
    let by_name: HashMap<(&str, &str), &LivePvc> =
        pvcs.iter().map(|p| ((p.namespace.as_str(), p.name.as_str()), p)).collect();
    // Class → how many VM disks use it; PV → the first VMI that uses it.
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut volumes: HashMap<&str, &LiveVmi> = HashMap::new();
    let mut unresolved = Vec::new();
    for vmi in vmis {
        for claim in &vmi.claims {
            match by_name.get(&(vmi.namespace.as_str(), claim.as_str())) {
                None => unresolved.push(format!("{}/{claim}", vmi.namespace)),
                Some(pvc) => {
                    match pvc.storage_class.as_deref() {
                        Some(class) => *classes.entry(class).or_default() += 1,
                        None => unresolved.push(format!("{}/{claim} (no storageClassName)", vmi.namespace)),
                    }
                    if let Some(pv) = pvc.volume.as_deref() {
                        volumes.entry(pv).or_insert(vmi);
                    }
                }
            }
        }
    }
    let mut findings = Vec::new();
    if !unresolved.is_empty() {
        findings.push(j.unknown(
            Subject::Cluster,
            format!("cannot tell the class of {}: {}", plural(unresolved.len(), "VM disk"), some_of(&unresolved, 5)),
            "check that the PVCs the VMIs name exist and state a storageClassName",
        ));
    }
    if classes.is_empty() && unresolved.is_empty() {
        return vec![j.pass(Subject::Cluster, "no VM disk is a PVC")];
    }
    match &live.storage_profiles {
        Err(u) => findings.push(unreadable(j, Subject::Cluster, u)),
        Ok(profiles) => {
            let profiles: HashMap<&str, _> = profiles.iter().map(|p| (p.name.as_str(), p)).collect();
            for (class, disks) in &classes {
                let subject = Subject::storage_class(class);
                let used = plural(*disks, "VM disk");
                let finding = match profiles.get(class) {
                    None => j.unknown(
                        subject,
                        format!("{used} on it, and no StorageProfile of that name (CDI makes one per StorageClass)"),
                        "check that CDI runs and the StorageClass exists",
                    ),
                    Some(p) if p.claim_property_sets.is_empty() => j
                        .finding(
                            subject,
                            t.live_storage_profile_empty,
                            format!(
                                "{used} on it; its StorageProfile has no claimPropertySets: CDI does not know provisioner {}, so whether it offers ReadWriteMany is unknown to CDI and DataVolumes that state no access mode cannot bind",
                                p.provisioner.as_deref().unwrap_or("(unnamed)")
                            ),
                        )
                        .fix(format!(
                            "set spec.claimPropertySets on StorageProfile {class} (accessModes [ReadWriteMany] with the volumeMode the driver supports)"
                        )),
                    Some(p) if p.claim_property_sets.iter().any(|s| s.access_modes.contains(&AccessMode::ReadWriteMany)) => {
                        j.pass(subject, format!("{used} on it; its StorageProfile offers ReadWriteMany"))
                    }
                    Some(p) => {
                        let offered: BTreeSet<String> =
                            p.claim_property_sets.iter().map(|s| access_modes(&s.access_modes)).collect();
                        j.finding(
                            subject,
                            t.live_storage_no_rwx,
                            format!(
                                "{used} on it; its StorageProfile offers only {}: VMs on it do not live-migrate",
                                offered.into_iter().collect::<Vec<_>>().join("; ")
                            ),
                        )
                        .fix("move VM disks to a class whose driver offers ReadWriteMany")
                    }
                };
                findings.push(finding);
            }
        }
    }
    match &live.pvs {
        Err(u) => findings.push(unreadable(j, Subject::Cluster, u)),
        Ok(pvs) => {
            for pv in pvs {
                let (Some(node), Some(vmi)) = (pv.pinned_to.as_deref(), volumes.get(pv.name.as_str())) else {
                    continue;
                };
                findings.push(
                    j.finding(
                        other("pv", &pv.name),
                        t.live_storage_pinned,
                        format!(
                            "pinned to node {node} and used by VMI {}: if {node} fails the VM can neither migrate nor restart elsewhere",
                            vmi.key()
                        ),
                    )
                    .fix("keep VM disks on replicated storage that every worker can attach"),
                );
            }
        }
    }
    findings
}

// ------------------------------------------------------------------ LIVE-MIGRATION-NETWORK

pub(crate) fn migration_network(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let kv = match kubevirt_cr(j, live) {
        Ok(kv) => kv,
        Err(f) => return f,
    };
    let Some(network) = kv.migrations.network.as_deref() else {
        return vec![
            j.finding(
                Subject::Cluster,
                t.live_migration_network_absent,
                "migrations.network is unset: live migrations use the pod network and compete with the VMs' own traffic",
            )
            .fix("create a NetworkAttachmentDefinition on a dedicated NIC and set spec.configuration.migrations.network in the KubeVirt CR"),
        ];
    };
    // virt-operator puts `<network>@migration0` in the virt-handler pods'
    // k8s.v1.cni.cncf.io/networks annotation
    // (pkg/virt-operator/resource/generate/components/daemonsets.go, v1.9.0);
    // Multus resolves a name without a namespace in the pod's own
    // (pkg/k8sclient/k8sclient.go GetPodNetwork, multus-cni v4.3.0), which
    // is the KubeVirt CR's: virt-operator deploys virt-handler there.
    let (ns, name) = network.split_once('/').unwrap_or((kv.namespace.as_str(), network));
    let subject = other("networkattachmentdefinition", format!("{ns}/{name}"));
    let nads = match &live.network_attachments {
        Ok(n) => n,
        Err(u) => return vec![unreadable(j, subject, u)],
    };
    let Some(nad) = nads.iter().find(|n| n.namespace == ns && n.name == name) else {
        return vec![
            j.finding(
                subject,
                t.live_migration_network_broken,
                format!(
                    "migrations.network {network} names no NetworkAttachmentDefinition {ns}/{name}: Multus cannot attach virt-handler to it"
                ),
            )
            .fix(format!("create NetworkAttachmentDefinition {name} in namespace {ns}, or correct migrations.network")),
        ];
    };
    let handlers = match &live.virt_handlers {
        Ok(h) => h,
        Err(u) => return vec![unreadable(j, subject, u)],
    };
    if handlers.is_empty() {
        return vec![j.unknown(
            subject,
            "no virt-handler pods to check for the migration0 interface",
            "check that KubeVirt's virt-handler DaemonSet runs (LIVE-NODES)",
        )];
    }
    let mut findings = Vec::new();
    let missing: Vec<String> = handlers
        .iter()
        .filter(|h| !h.has_migration0)
        .map(|h| format!("{} on {}", h.pod.name, h.pod.node.as_deref().unwrap_or("no node")))
        .collect();
    if !missing.is_empty() {
        findings.push(
            j.finding(
                subject.clone(),
                t.live_migration_network_broken,
                format!(
                    "{} without a migration0 interface: migrations from those nodes cannot use {ns}/{name}: {}",
                    plural(missing.len(), "virt-handler pod"),
                    some_of(&missing, 5)
                ),
            )
            .fix("check the pods' k8s.v1.cni.cncf.io/network-status and the NAD's CNI config on those nodes; restart virt-handler"),
        );
    }
    let mut mtu_note = String::new();
    if let Some(mtu) = nad.mtu {
        let differing: Vec<String> = handlers
            .iter()
            .filter_map(|h| h.migration0_mtu.filter(|m| *m != mtu).map(|m| format!("{} ({m})", h.pod.name)))
            .collect();
        if !differing.is_empty() {
            findings.push(
                j.finding(
                    subject.clone(),
                    t.live_migration_mtu_mismatch,
                    format!(
                        "the NAD sets MTU {mtu}, but migration0 has another on {}: {}",
                        plural(differing.len(), "virt-handler pod"),
                        some_of(&differing, 5)
                    ),
                )
                .fix("make the NIC under the migration network and the NAD's mtu agree on every node"),
            );
        }
        mtu_note = format!(", MTU {mtu}");
    } else {
        mtu_note.push_str(", MTU not stated by the NAD");
    }
    if findings.is_empty() {
        findings.push(j.pass(
            subject,
            format!(
                "migrations use {ns}/{name}; {} attached as migration0{mtu_note}",
                plural(handlers.len(), "virt-handler pod")
            ),
        ));
    }
    findings
}

// ------------------------------------------------------------------ LIVE-NODES

pub(crate) fn nodes(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let nodes = match &live.nodes {
        Ok(n) => n,
        Err(u) => return vec![unreadable(j, Subject::Cluster, u)],
    };
    let mut findings = Vec::new();
    let running: BTreeSet<&str> = match &live.vmis {
        Ok(vmis) => vmis.iter().filter_map(|v| v.node.as_deref()).collect(),
        Err(u) => {
            findings.push(unreadable(j, Subject::Cluster, u));
            BTreeSet::new()
        }
    };
    // KubeVirt's useEmulation lets VMs run without /dev/kvm.
    let emulation = match &live.kubevirt {
        Ok(kv) => Some(kv.as_ref().and_then(|k| k.use_emulation).unwrap_or(false)),
        Err(_) => None,
    };
    let handlers: Option<HashMap<&str, bool>> = match &live.virt_handlers {
        Ok(h) => {
            let mut by_node: HashMap<&str, bool> = HashMap::new();
            for h in h {
                if let Some(node) = h.pod.node.as_deref() {
                    *by_node.entry(node).or_default() |= h.pod.ready;
                }
            }
            Some(by_node)
        }
        Err(u) => {
            findings.push(unreadable(j, Subject::Cluster, u));
            None
        }
    };
    let vm_nodes: Vec<&LiveNode> = nodes
        .iter()
        .filter(|n| running.contains(n.name.as_str()) || n.labels.contains_key(node_labels::KUBEVIRT_SCHEDULABLE))
        .collect();
    if vm_nodes.is_empty() {
        findings.push(j.finding(
            Subject::Cluster,
            t.live_node_unusable,
            format!(
                "none of {} runs a VMI or carries {}: virt-handler runs nowhere",
                plural(nodes.len(), "node"),
                node_labels::KUBEVIRT_SCHEDULABLE
            ),
        ));
        return findings;
    }
    let mut usable = 0usize;
    for node in vm_nodes {
        let mut problems = Vec::new();
        let mut unknowns = Vec::new();
        match node.ready {
            Some(true) => {}
            Some(false) => problems.push("NotReady".to_string()),
            None => problems.push("Ready condition Unknown".to_string()),
        }
        match node.labels.get(node_labels::KUBEVIRT_SCHEDULABLE).map(String::as_str) {
            Some("true") => {}
            Some(v) => problems.push(format!("{} is \"{v}\"", node_labels::KUBEVIRT_SCHEDULABLE)),
            None => problems.push(format!("no {} label", node_labels::KUBEVIRT_SCHEDULABLE)),
        }
        if node.allocatable.kvm_devices.unwrap_or(0) == 0 {
            match emulation {
                Some(true) => {}
                Some(false) => problems.push(format!("no {KVM_RESOURCE} allocatable")),
                None => {
                    unknowns.push(format!("no {KVM_RESOURCE} allocatable, and whether useEmulation is on is unknown"))
                }
            }
        }
        if let Some(handlers) = &handlers {
            match handlers.get(node.name.as_str()) {
                Some(true) => {}
                Some(false) => problems.push("virt-handler not ready".to_string()),
                None => problems.push("no virt-handler pod".to_string()),
            }
        }
        let subject = Subject::node(&node.name);
        let runs = if running.contains(node.name.as_str()) { " (runs VMIs)" } else { "" };
        if !problems.is_empty() {
            let mut all = problems;
            if node.unschedulable {
                all.push("cordoned".into());
            }
            findings.push(
                j.finding(
                    subject,
                    t.live_node_unusable,
                    format!("{}{runs}: VMs cannot run or land here", all.join(", ")),
                )
                .fix("repair the node (kubelet, virt-handler, /dev/kvm) or take it out of the VM nodes"),
            );
        } else if !unknowns.is_empty() {
            findings.push(unreadable_or(j, subject, unknowns.join("; "), live));
        } else if node.unschedulable {
            findings.push(
                j.finding(subject, t.live_node_cordoned, format!("cordoned{runs}: no VM can land here"))
                    .fix(format!("kubectl uncordon {} once its maintenance is done", node.name)),
            );
        } else {
            usable += 1;
        }
    }
    if usable > 0 {
        findings.push(j.pass(
            Subject::Cluster,
            if handlers.is_some() {
                format!("{} ready, schedulable for VMs, with KVM and a ready virt-handler", plural(usable, "VM node"))
            } else {
                // The virt-handler pods were not read: their own unknown
                // says so, and this pass claims only what was checked.
                format!("{} ready, schedulable for VMs, with KVM (virt-handler not read)", plural(usable, "VM node"))
            },
        ));
    }
    findings
}

/// An unknown whose cause is the unreadable KubeVirt CR.
fn unreadable_or(j: &Judge, subject: Subject, message: String, live: &LiveCluster) -> Finding {
    let how = live.kubevirt.as_ref().err().map(how_to_read).unwrap_or_else(|| "audit again".into());
    j.unknown(subject, message, how)
}

// ------------------------------------------------------------------ LIVE-CPU-MODEL

pub(crate) fn cpu_model(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let (vmis, nodes) = match (&live.vmis, &live.nodes) {
        (Ok(v), Ok(n)) => (v, n),
        (Err(u), _) | (_, Err(u)) => return vec![unreadable(j, Subject::Cluster, u)],
    };
    let by_name: HashMap<&str, &LiveNode> = nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    // Where a VM may move: KubeVirt marks the node schedulable, it is ready
    // and not cordoned.
    let targets: Vec<&LiveNode> = nodes
        .iter()
        .filter(|n| {
            n.labels.get(node_labels::KUBEVIRT_SCHEDULABLE).is_some_and(|v| v == "true")
                && n.ready == Some(true)
                && !n.unschedulable
        })
        .collect();
    let offers = |n: &LiveNode, labels: &[String]| labels.iter().all(|l| n.labels.get(l).is_some_and(|v| v == "true"));
    // Many VMIs share a requirement: count the nodes offering each once.
    let mut counted: HashMap<Vec<String>, usize> = HashMap::new();
    let mut findings = Vec::new();
    let (mut ok, mut passthrough) = (0usize, Vec::new());
    for vmi in vmis {
        let Some(source) = vmi.node.as_deref() else { continue };
        let model = vmi.cpu_model.as_deref().unwrap_or("host-model");
        let mut need: Vec<String> = Vec::new();
        let described = match model {
            // host-passthrough gives the guest the host's CPU as is: it moves
            // only to an identical CPU, which no label states.
            "host-passthrough" => {
                passthrough.push(vmi.key());
                continue;
            }
            "host-model" => {
                let Some(node) = by_name.get(source) else {
                    findings.push(j.unknown(
                        vmi_subject(vmi),
                        format!("runs on node {source}, which the audit did not read"),
                        "audit again",
                    ));
                    continue;
                };
                let host_model =
                    node.labels.keys().find_map(|k| k.strip_prefix(cpu_labels::HOST_MODEL)).map(str::to_string);
                let Some(host_model) = host_model else {
                    findings.push(
                        j.finding(
                            vmi_subject(vmi),
                            t.live_cpu_model,
                            format!(
                                "host-model on node {source}, which has no {}… label: KubeVirt cannot migrate it",
                                cpu_labels::HOST_MODEL
                            ),
                        )
                        .fix("check virt-handler's node labeller on that node, or give the VM a named CPU model"),
                    );
                    continue;
                };
                // virt-controller's target selector for a host-model VMI
                // (pkg/virt-controller/watch/migration/migration.go
                // getHostCpuModelFromMap, v1.9.0).
                need.push(format!("{}{host_model}", cpu_labels::MIGRATION_MODEL));
                need.extend(
                    node.labels
                        .keys()
                        .filter_map(|k| k.strip_prefix(cpu_labels::HOST_MODEL_FEATURE))
                        .map(|f| format!("{}{f}", cpu_labels::FEATURE)),
                );
                format!("host-model {host_model} (from {source})")
            }
            named => {
                need.push(format!("{}{named}", cpu_labels::MODEL));
                format!("CPU model {named}")
            }
        };
        need.extend(vmi.required_cpu_features.iter().map(|f| format!("{}{f}", cpu_labels::FEATURE)));
        need.sort();
        need.dedup();
        let count = *counted.entry(need.clone()).or_insert_with(|| targets.iter().filter(|n| offers(n, &need)).count());
        let here = targets.iter().any(|n| n.name == source) && by_name.get(source).is_some_and(|n| offers(n, &need));
        let elsewhere = count - usize::from(here);
        if elsewhere == 0 {
            let features = if vmi.required_cpu_features.is_empty() {
                String::new()
            } else {
                format!(" with features {}", vmi.required_cpu_features.join(", "))
            };
            findings.push(
                j.finding(
                    vmi_subject(vmi),
                    t.live_cpu_model,
                    format!(
                        "{described}{features}: no other schedulable node offers it, so it can neither migrate nor restart elsewhere"
                    ),
                )
                .fix("choose a CPU model (and features) that several workers offer: see their cpu-model.node.kubevirt.io/ labels"),
            );
        } else {
            ok += 1;
        }
    }
    if !passthrough.is_empty() {
        findings.push(j.finding(
            Subject::Cluster,
            Severity::Info,
            format!(
                "{} use host-passthrough: they migrate only to a node with the same CPU, which no label shows: {}",
                plural(passthrough.len(), "VMI"),
                some_of(&passthrough, 5)
            ),
        ));
    }
    if ok > 0 || findings.is_empty() {
        findings.push(j.pass(
            Subject::Cluster,
            if ok == 0 {
                "no VMI runs".to_string()
            } else {
                format!("the CPU model and features of {} exist on another schedulable node", plural(ok, "running VMI"))
            },
        ));
    }
    findings
}

// ------------------------------------------------------------------ LIVE-DRAIN-BLOCKERS

pub(crate) fn drain_blockers(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let pdbs = match &live.pdbs {
        Ok(p) => p,
        Err(u) => return vec![unreadable(j, Subject::Cluster, u)],
    };
    // KubeVirt's own budgets (owned by a VMI) stop the eviction on purpose so
    // that virt-controller migrates the VM instead: not blockers.
    let mut by_node: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for pdb in pdbs.iter().filter(|p| p.disruptions_allowed <= 0 && !p.kubevirt_owned) {
        for pod in &pdb.pods {
            if let Some(node) = pod.node.as_deref() {
                by_node.entry(node).or_default().push(format!("{}/{} (pod {})", pdb.namespace, pdb.name, pod.name));
            }
        }
    }
    if by_node.is_empty() {
        if let Some(namespace) = &live.namespace {
            // Budgets are read from the --namespace alone, and one in any
            // other namespace stops a node's drain as well.
            return vec![j.unknown(
                Subject::Cluster,
                format!(
                    "no blocking budget in namespace {namespace} ({} read); budgets in other namespaces were not read",
                    plural(pdbs.len(), "PodDisruptionBudget")
                ),
                "audit without --namespace to judge every budget that can stop a drain",
            )];
        }
        return vec![j.pass(
            Subject::Cluster,
            format!(
                "no budget other than KubeVirt's migration budgets blocks a drain ({} read)",
                plural(pdbs.len(), "PodDisruptionBudget")
            ),
        )];
    }
    by_node
        .into_iter()
        .map(|(node, blockers)| {
            j.finding(
                Subject::node(node),
                t.live_drain_blocker,
                format!(
                    "a drain blocks: {} allow no disruption: {}",
                    plural(blockers.len(), "PodDisruptionBudget"),
                    some_of(&blockers, 5)
                ),
            )
            .fix("add replicas on other nodes or relax minAvailable/maxUnavailable so each budget allows a disruption")
        })
        .collect()
}

// ------------------------------------------------------------------ LIVE-INFRA

pub(crate) fn infra(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    if live.infra.is_empty() {
        return vec![j.unknown(
            Subject::Cluster,
            "the audit read no infrastructure component (virt-api, virt-controller, CoreDNS, OVN central)",
            "audit with a build that reads them",
        )];
    }
    let zones: Option<HashMap<&str, Option<&str>>> =
        live.nodes.as_ref().ok().map(|n| n.iter().map(|n| (n.name.as_str(), n.zone())).collect());
    let cluster_zones = zones.as_ref().map(|z| z.values().flatten().collect::<BTreeSet<_>>().len());
    live.infra
        .iter()
        .map(|c| {
            let subject = other("component", &c.name);
            let pods = match &c.pods {
                Ok(p) => p,
                Err(u) => return unreadable(j, subject, u),
            };
            let nodes: BTreeSet<&str> = pods.iter().filter(|p| p.ready).filter_map(|p| p.node.as_deref()).collect();
            if nodes.len() <= 1 {
                return j
                    .finding(
                        subject,
                        t.live_infra_one_node,
                        match nodes.first() {
                            None => format!("no ready pod ({} read)", plural(pods.len(), "pod")),
                            Some(n) => format!("ready pods on one node only ({n}): losing it stops {}", c.name),
                        },
                    )
                    .fix(format!("run {} with replicas on at least two nodes (anti-affinity by hostname)", c.name));
            }
            let (Some(zones), Some(cluster_zones)) = (&zones, cluster_zones) else {
                let why = live.nodes.as_ref().err().map(ToString::to_string).unwrap_or_default();
                return j.unknown(
                    subject,
                    format!("ready on {}; zones unknown: {why}", plural(nodes.len(), "node")),
                    live.nodes.as_ref().err().map(how_to_read).unwrap_or_default(),
                );
            };
            let in_zones: BTreeSet<&str> = nodes.iter().filter_map(|n| zones.get(n).copied().flatten()).collect();
            if cluster_zones > 1 && in_zones.len() <= 1 {
                let unzoned = nodes.iter().any(|n| zones.get(n).copied().flatten().is_none());
                if unzoned {
                    return j.unknown(
                        subject,
                        format!("ready on {}, some without a zone label", plural(nodes.len(), "node")),
                        format!("label every node with {}", node_labels::ZONE),
                    );
                }
                return j
                    .finding(
                        subject,
                        t.live_infra_one_zone,
                        format!(
                            "ready on {} but all in zone {}, of {} in the cluster: losing that zone stops {}",
                            plural(nodes.len(), "node"),
                            in_zones.first().copied().unwrap_or("?"),
                            plural(cluster_zones, "zone"),
                            c.name
                        ),
                    )
                    .fix(format!("spread {} over zones (topologySpreadConstraints on {})", c.name, node_labels::ZONE));
            }
            let spread = if cluster_zones > 1 {
                format!(" in {}", plural(in_zones.len(), "zone"))
            } else {
                // One zone, or none labelled: there is no wider domain to spread over.
                format!(" (the cluster's nodes span {})", plural(cluster_zones, "labelled zone"))
            };
            j.pass(subject, format!("ready on {}{spread}", plural(nodes.len(), "node")))
        })
        .collect()
}

// ------------------------------------------------------------------ LIVE-WORKLOAD-UPDATE

pub(crate) fn workload_update(j: &Judge) -> Vec<Finding> {
    let Some(live) = live(j) else { return vec![] };
    let t = j.thresholds;
    let kv = match kubevirt_cr(j, live) {
        Ok(kv) => kv,
        Err(f) => return f,
    };
    let methods = &kv.workload_update_methods;
    let fix = "set spec.workloadUpdateStrategy.workloadUpdateMethods: [LiveMigrate] in the KubeVirt CR (add Evict to restart what cannot migrate)";
    if methods.iter().any(|m| m == "LiveMigrate") {
        vec![j.pass(
            Subject::Cluster,
            format!("workloadUpdateMethods {}: upgrades migrate VMs to new launchers", methods.join(", ")),
        )]
    } else if methods.is_empty() {
        // An empty list "defaults to no automated workload updating"
        // (staging/src/kubevirt.io/api/core/v1/types.go, WorkloadUpdateMethods, v1.9.0).
        vec![j
            .finding(
                Subject::Cluster,
                t.live_workload_update,
                "workloadUpdateMethods is empty: after a KubeVirt upgrade the VMs keep their outdated virt-launchers until each is restarted by hand",
            )
            .fix(fix)]
    } else {
        vec![j
            .finding(
                Subject::Cluster,
                t.live_workload_update,
                format!("workloadUpdateMethods {} without LiveMigrate: a KubeVirt upgrade shuts the VMs down to update them", methods.join(", ")),
            )
            .fix(fix)]
    }
}

// ------------------------------------------------------------------ LIVE-DRIFT

pub(crate) fn drift(j: &Judge) -> Vec<Finding> {
    let (Some(live), Some(declared)) = (live(j), j.facts.declared.as_ref()) else { return vec![] };
    let t = j.thresholds;
    let tol = &t.host_drift_tolerance;
    let mut findings = Vec::new();
    match &live.nodes {
        Err(u) => findings.push(unreadable(j, Subject::Cluster, u)),
        Ok(nodes) => {
            let live_nodes: HashMap<&str, &LiveNode> = nodes.iter().map(|n| (n.name.as_str(), n)).collect();
            let declared_names: BTreeSet<&str> = declared.nodes.iter().map(|n| n.name.as_str()).collect();
            // Worker roles are compared only where the cluster labels them:
            // kubeadm labels control planes, nothing labels workers.
            let labels_workers = nodes.iter().any(|n| n.roles().any(|r| r == "worker"));
            let mut matching = 0usize;
            for node in &declared.nodes {
                let subject = Subject::node(&node.name);
                let Some(l) = live_nodes.get(node.name.as_str()) else {
                    findings.push(
                        j.finding(subject, t.live_drift, "declared, but no such node is in the cluster")
                            .fix(format!("join the node, or remove it from the inventory{}", declared_at(node.at))),
                    );
                    continue;
                };
                let mut diffs = Vec::new();
                if node.zone.as_deref() != l.zone() {
                    diffs.push(format!(
                        "zone declared {}, labelled {}",
                        node.zone.as_deref().unwrap_or("(none)"),
                        l.zone().unwrap_or("(none)")
                    ));
                }
                if node.has_role(Role::ControlPlane) != l.is_control_plane() {
                    diffs.push(format!(
                        "control-plane role {} but {}",
                        if node.has_role(Role::ControlPlane) { "declared" } else { "not declared" },
                        if l.is_control_plane() { "labelled" } else { "not labelled" }
                    ));
                }
                if labels_workers && node.has_role(Role::Worker) != l.roles().any(|r| r == "worker") {
                    diffs.push("worker role declared and labelled differently".to_string());
                }
                // status.capacity.cpu counts logical CPUs.
                if let (Some(cpu), Some(millis)) = (&node.cpu, l.capacity.cpu_millis) {
                    let logical = millis / 1000;
                    match (cpu.threads, cpu.cores) {
                        (Some(threads), _) if u64::from(threads.get()) != logical => {
                            diffs.push(format!("cpu.threads declared {}, capacity {logical}", threads.get()))
                        }
                        (None, Some(cores)) if logical < u64::from(cores.get()) => {
                            diffs.push(format!("cpu.cores declared {}, capacity only {logical} CPUs", cores.get()))
                        }
                        _ => {}
                    }
                }
                if let (Some(mem), Some(cap)) = (node.memory, l.capacity.memory) {
                    let d = mem.as_u64() as f64;
                    let c = cap as f64;
                    if c > d * tol.memory_above || c < d * tol.memory_below {
                        diffs.push(format!(
                            "memory declared {mem}, capacity {}",
                            kubev_ha_model::ByteSize::bytes(cap).human()
                        ));
                    }
                }
                if diffs.is_empty() {
                    matching += 1;
                } else {
                    findings.push(
                        j.finding(subject, t.live_drift, format!("declared ≠ live: {}", diffs.join("; ")))
                            .fix(format!("correct the inventory or the cluster{}", declared_at(node.at))),
                    );
                }
            }
            for l in nodes.iter().filter(|n| !declared_names.contains(n.name.as_str())) {
                findings.push(
                    j.finding(Subject::node(&l.name), t.live_drift, "in the cluster, but not declared")
                        .fix("add the node to the inventory"),
                );
            }
            if matching > 0 {
                findings.push(j.pass(
                    Subject::Cluster,
                    format!("{} match the declaration (zone, roles, CPU, memory)", plural(matching, "node")),
                ));
            }
        }
    }
    match &live.storage_classes {
        Err(u) => findings.push(unreadable(j, Subject::Cluster, u)),
        Ok(classes) => {
            let present: BTreeSet<&str> = classes.iter().map(|c| c.name.as_str()).collect();
            for class in declared.storage_classes().iter().filter(|c| !present.contains(c.name.as_str())) {
                findings.push(
                    j.finding(
                        Subject::storage_class(&class.name),
                        t.live_drift,
                        "declared, but no such StorageClass is in the cluster",
                    )
                    .fix(format!("create the StorageClass, or remove it from the inventory{}", declared_at(class.at))),
                );
            }
        }
    }
    findings
}

/// Where the declaration is, in words: a finding's own location names the
/// facts' source, which in an audit is the cluster, not the `--inventory`
/// file the declaration was read from.
fn declared_at(pos: Option<kubev_ha_model::SourcePos>) -> String {
    pos.map_or_else(String::new, |p| format!(" (declared at line {} of --inventory)", p.line))
}
