//! ST-* rules: the storage classes VMs keep their disks on.

use std::collections::BTreeSet;

use kubev_ha_model::{ByteSize, EvictionStrategy, FailureDomain, Inventory, Media, Role, StorageClass, VolumeMode};
use kubev_ha_plan::{CapacityOutcome, ReplicaOutcome};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::severity::Severity;

fn no_classes(j: &Judge) -> Vec<Finding> {
    if let Some(live) = &j.facts.live {
        let why = match &live.storage_classes {
            Ok(_) => "the cluster has no StorageClass".to_string(),
            Err(e) => format!("{e}: the storage classes are unknown"),
        };
        return vec![j.unknown(
            Subject::Cluster,
            why,
            "install a CSI driver with a StorageClass that offers ReadWriteMany (and grant list on storageclasses.storage.k8s.io)",
        )];
    }
    vec![j.unknown(
        Subject::Cluster,
        "no storage classes declared",
        "declare storage.classes with their access modes, volume modes, replicas and capacity",
    )]
}

fn is_block_only_without_rwx(class: &StorageClass) -> bool {
    class.offers_rwx() == Some(false) && class.volume_modes.as_ref().is_some_and(|m| m.contains(&VolumeMode::Block))
}

pub(crate) fn live_migration(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let classes = j.inventory().storage_classes();
    if classes.is_empty() {
        return no_classes(j);
    }
    let rwx: Vec<&str> = classes.iter().filter(|c| c.offers_rwx() == Some(true)).map(|c| c.name.as_str()).collect();
    let undeclared: Vec<&str> = classes.iter().filter(|c| c.offers_rwx().is_none()).map(|c| c.name.as_str()).collect();
    let block_without_rwx: Vec<_> = classes.iter().filter(|c| is_block_only_without_rwx(c)).collect();

    let mut findings = Vec::new();
    if !rwx.is_empty() {
        findings.push(j.pass(Subject::Cluster, format!("ReadWriteMany offered by {}", rwx.join(", "))));
    } else if !undeclared.is_empty() {
        findings.push(if j.is_live() {
            j.unknown(
                Subject::Cluster,
                format!(
                    "no class is known to offer ReadWriteMany; CDI's StorageProfiles list no claimPropertySets for {}",
                    undeclared.join(", ")
                ),
                "set claimPropertySets in the StorageProfile of each class (CDI cannot tell for an unknown provisioner), and grant list on storageprofiles.cdi.kubevirt.io",
            )
        } else {
            j.unknown(
                Subject::Cluster,
                format!(
                    "no class is declared ReadWriteMany; the access modes of {} are not declared",
                    undeclared.join(", ")
                ),
                "declare accessModes on every storage class",
            )
        });
    } else {
        findings.push(
            j.finding(
                Subject::Cluster,
                t.st_live_migration,
                "no storage class offers ReadWriteMany: no VM with a PVC can live-migrate, so every drain shuts VMs down",
            )
            .fix("add a CSI driver with ReadWriteMany, e.g. Ceph RBD with volumeMode Block and accessModes [ReadWriteMany]"),
        );
    }
    for class in block_without_rwx {
        findings.push(
            j.finding(
                Subject::storage_class(&class.name),
                Severity::Info,
                "volumeMode Block without ReadWriteMany: KubeVirt live-migrates a VM only when all its PVCs are ReadWriteMany, so VMs on this class do not migrate",
            )
            .fix(format!("offer ReadWriteMany on {} if its driver supports it (Ceph RBD does with volumeMode Block)", class.name))
            .at(class.at),
        );
    }
    findings
}

/// The class a workload disk lands on, by name or as the default.
fn class_of<'a>(inventory: &'a Inventory, name: Option<&str>) -> Option<&'a StorageClass> {
    match name {
        Some(n) => inventory.storage_class(n).map(|c| &c.value),
        None => inventory.default_storage_class().map(|c| &c.value),
    }
}

pub(crate) fn vm_disks(j: &Judge) -> Vec<Finding> {
    if let Some(unknown) = j.unread_vms(true) {
        return unknown;
    }
    let t = j.thresholds;
    let inventory = j.inventory();
    let migrating: Vec<_> =
        // The strategy in force: the workload's, else the cluster's (HA-EVICTION's).
        inventory.workloads.iter().filter(|w| inventory.eviction_strategy_of(w).0 == EvictionStrategy::LiveMigrate).collect();
    if migrating.is_empty() {
        return vec![j.finding(
            Subject::Cluster,
            Severity::Info,
            "no workload uses evictionStrategy LiveMigrate (its own or kubevirt.evictionStrategy)",
        )];
    }
    if let Some(live) = &j.facts.live {
        return live_vm_disks(j, live, &migrating);
    }
    migrating
        .into_iter()
        .map(|workload| {
            let subject = Subject::workload(&workload.name);
            if workload.disks.is_empty() {
                return j.pass(subject, "no PVC disks declared (container or ephemeral disks migrate)").at(workload.at);
            }
            let mut not_shared = Vec::new();
            let mut unknown = Vec::new();
            let mut shared = BTreeSet::new();
            // containerDisks and emptyDisks live in the virt-launcher pod and
            // are block-migrated: they slow the migration (HA-DRAIN-TIME), they
            // do not stop it.
            let local: BTreeSet<String> =
                workload.disks.iter().filter_map(|d| d.source.filter(|_| !d.is_pvc())).map(|s| s.to_string()).collect();
            if workload.disks.iter().all(|d| !d.is_pvc()) {
                return j
                    .pass(
                        subject,
                        format!(
                            "no PVC disks; {} block-migrated with the VM",
                            local.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .at(workload.at);
            }
            for disk in workload.disks.iter().filter(|d| d.is_pvc()) {
                let label = disk.storage_class.clone().unwrap_or_else(|| "(default class)".into());
                match class_of(inventory, disk.storage_class.as_deref()) {
                    None => unknown.push(format!("{label}: class not declared")),
                    Some(class) => match class.offers_rwx() {
                        Some(true) => {
                            shared.insert(class.name.clone());
                        }
                        Some(false) => not_shared.push(class.name.clone()),
                        None => unknown.push(format!("{}: access modes not declared", class.name)),
                    },
                }
            }
            let finding = if !not_shared.is_empty() {
                j.finding(
                    subject,
                    t.st_vm_disks,
                    format!(
                        "evictionStrategy LiveMigrate, but disk(s) on {} without ReadWriteMany: KubeVirt will not migrate it and the drain blocks",
                        not_shared.join(", ")
                    ),
                )
                .fix(format!("move the disks of {} to a ReadWriteMany class", workload.name))
            } else if !unknown.is_empty() {
                j.unknown(subject, format!("cannot tell whether the disks are shared: {}", unknown.join("; ")), "declare storage.classes with accessModes, and a default class")
            } else {
                j.pass(subject, format!("all disks on ReadWriteMany classes ({})", shared.into_iter().collect::<Vec<_>>().join(", ")))
            };
            finding.at(workload.at)
        })
        .collect()
}

/// ST-VM-DISKS on a live cluster: the access modes of the PVCs each VMI
/// mounts, as bound (not what their class could offer): KubeVirt
/// live-migrates a VM only when every PVC it mounts is shared, ReadWriteMany
/// (pkg/virt-handler/vm.go checkVolumesForMigration: "live migration
/// requires that all PVCs must be shared", KubeVirt main after v1.9.0-beta.0),
/// so one ReadWriteOnce claim blocks the drain.
fn live_vm_disks(
    j: &Judge,
    live: &kubev_ha_model::LiveCluster,
    migrating: &[&kubev_ha_model::Located<kubev_ha_model::Workload>],
) -> Vec<Finding> {
    use std::collections::BTreeMap;

    use kubev_ha_model::AccessMode;
    let t = j.thresholds;
    let vmis: BTreeMap<String, &kubev_ha_model::LiveVmi> =
        live.vmis.as_ref().map(|v| v.iter().map(|v| (v.key(), v)).collect()).unwrap_or_default();
    let pvcs: Option<BTreeMap<(&str, &str), &kubev_ha_model::LivePvc>> =
        live.pvcs.as_ref().ok().map(|p| p.iter().map(|c| ((c.namespace.as_str(), c.name.as_str()), c)).collect());
    migrating
        .iter()
        .map(|workload| {
            let subject = Subject::workload(&workload.name);
            let claims = vmis.get(&workload.name).map_or(&[][..], |v| v.claims.as_slice());
            if claims.is_empty() {
                return j.pass(subject, "mounts no PVC (container or ephemeral disks are block-migrated)");
            }
            let Some(pvcs) = &pvcs else {
                let why = live.pvcs.as_ref().err().map(ToString::to_string).unwrap_or_default();
                return j.unknown(
                    subject,
                    format!("{why}: whether its {} PVC(s) are shared is unknown", claims.len()),
                    "grant list on persistentvolumeclaims (`kubev-ha render rbac`)",
                );
            };
            let ns = workload.name.split_once('/').map_or("", |(ns, _)| ns);
            let mut not_shared = Vec::new();
            let mut missing = Vec::new();
            for claim in claims {
                match pvcs.get(&(ns, claim.as_str())) {
                    None => missing.push(claim.as_str()),
                    Some(pvc) if pvc.access_modes.contains(&AccessMode::ReadWriteMany) => {}
                    Some(pvc) => not_shared.push(format!(
                        "{claim} ({})",
                        pvc.storage_class.as_deref().map_or_else(|| "no class".to_string(), |c| format!("class {c}"))
                    )),
                }
            }
            if !not_shared.is_empty() {
                j.finding(
                    subject,
                    t.st_vm_disks,
                    format!(
                        "evictionStrategy LiveMigrate, but PVC(s) {} are not ReadWriteMany: KubeVirt will not migrate it and the drain blocks",
                        not_shared.join(", ")
                    ),
                )
                .fix(format!("move the disks of {} to ReadWriteMany PVCs", workload.name))
            } else if !missing.is_empty() {
                j.unknown(
                    subject,
                    format!("PVC(s) {} it mounts were not found, so whether they are shared is unknown", missing.join(", ")),
                    "check the VMI's volumes and the namespace filter (--namespace)",
                )
            } else {
                j.pass(subject, format!("all {} PVC(s) it mounts are ReadWriteMany", claims.len()))
            }
        })
        .collect()
}

/// Distinct failure domains of the given kind among the nodes that hold
/// storage: the storage nodes, or the workers when none is marked storage
/// (hyperconverged storage such as Longhorn).
fn storage_domains(inventory: &Inventory, domain: FailureDomain) -> Option<usize> {
    let storage_nodes: Vec<_> = inventory.nodes.iter().filter(|n| n.has_role(Role::Storage)).collect();
    let nodes = if storage_nodes.is_empty() { inventory.workers().collect() } else { storage_nodes };
    if nodes.is_empty() {
        return None;
    }
    let mut seen = BTreeSet::new();
    for node in nodes {
        let key = match domain {
            FailureDomain::Host => Some(node.name.as_str()),
            FailureDomain::Rack => node.rack.as_deref(),
            FailureDomain::Zone => node.zone.as_deref(),
        };
        seen.insert(key?);
    }
    Some(seen.len())
}

pub(crate) fn replication(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let classes = inventory.storage_classes();
    if classes.is_empty() {
        return no_classes(j);
    }
    let under_failure = j.storage_under_failure();
    classes
        .iter()
        .zip(under_failure.iter())
        .map(|(class, failure)| {
            let subject = Subject::storage_class(&class.name);
            let finding = match (class.replicas.map(|r| r.get()), class.failure_domain) {
                (None, _) => j.unknown(subject, "replica count not declared", "declare replicas on the storage class"),
                (Some(r), _) if r < t.st_min_replicas => j
                    .finding(subject, t.st_replication, format!("{r} replica(s): a single failure loses the data"))
                    .fix(format!(
                        "keep at least {} replicas ({} is usual)",
                        t.st_min_replicas.max(inventory.tolerated_node_failures() + 1),
                        t.st_usual_replicas
                    )),
                (Some(_), None) => j.unknown(
                    subject,
                    "failure domain of the replicas not declared",
                    "declare failureDomain (host, rack or zone) on the storage class",
                ),
                (Some(r), Some(domain)) => match storage_domains(inventory, domain) {
                    Some(available) if (available as u32) < r => j
                        .finding(
                            subject,
                            t.st_replication,
                            format!(
                                "{r} replicas over {domain}s, but the storage nodes span only {available} {domain}(s): replicas cannot be placed apart"
                            ),
                        )
                        .fix(format!("add storage nodes in more {domain}s, or lower replicas to {available}")),
                    None => j.unknown(
                        subject,
                        format!("{r} replicas over {domain}s; which nodes hold storage, and in which {domain}s, is not declared"),
                        format!("declare `{domain}` on the storage nodes"),
                    ),
                    Some(_) => match &failure.replication {
                        ReplicaOutcome::Survives { detail } => j.pass(subject, detail.clone()),
                        ReplicaOutcome::Degraded { detail } => j.finding(subject, Severity::Info, detail.clone()).fix(
                            "nothing to do if running degraded until the failed domain returns is acceptable; else add a domain",
                        ),
                        ReplicaOutcome::MayLoseData { detail } => j
                            .finding(subject, t.st_replication, detail.clone())
                            .fix("spread the replicas over zones (failureDomain: zone; in Ceph a CRUSH rule with zone as failure domain), with more replicas than tolerated zone losses"),
                        ReplicaOutcome::Unknown { detail } => j.unknown(subject, detail.clone(), "declare zones on the storage nodes"),
                    },
                },
            };
            finding.at(class.at)
        })
        .collect()
}

pub(crate) fn capacity(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let classes = inventory.storage_classes();
    if classes.is_empty() {
        return no_classes(j);
    }
    let under_failure = j.storage_under_failure();
    let mut findings: Vec<Finding> = classes
        .iter()
        .map(|class| {
            let subject = Subject::storage_class(&class.name);
            let mut used = ByteSize::ZERO;
            let mut without_size = Vec::new();
            for workload in &inventory.workloads {
                for disk in workload.disks.iter().filter(|d| d.is_pvc()) {
                    let on_this = match &disk.storage_class {
                        Some(name) => *name == class.name,
                        None => class.default == Some(true),
                    };
                    if !on_this {
                        continue;
                    }
                    match disk.size {
                        Some(size) => used = used.saturating_add(size.saturating_mul(workload.replica_count() as u64)),
                        None => without_size.push(workload.name.as_str()),
                    }
                }
            }
            let finding = match (class.capacity, class.replicas.map(|r| r.get())) {
                (None, _) => j.unknown(
                    subject,
                    format!("capacity not declared ({} of VM disks declared)", used.human()),
                    "declare capacity on the storage class",
                ),
                (_, None) => j.unknown(subject, "replica count not declared", "declare replicas on the storage class"),
                (Some(capacity), Some(replicas)) => {
                    let raw = used.saturating_mul(replicas as u64);
                    let ratio = if capacity.as_u64() == 0 {
                        f64::INFINITY
                    } else {
                        raw.as_u64() as f64 / capacity.as_u64() as f64
                    };
                    let words = format!(
                        "{} of VM disks × {replicas} replica(s) = {} of {} raw ({:.0} %)",
                        used.human(),
                        raw.human(),
                        capacity.human(),
                        ratio * 100.0
                    );
                    let partial = if without_size.is_empty() {
                        String::new()
                    } else {
                        format!("; disks of {} have no size", without_size.join(", "))
                    };
                    if ratio > t.st_capacity_fail_ratio {
                        j.finding(subject, Severity::Fail, format!("{words}: the data does not fit{partial}")).fix(
                            format!(
                                "add at least {} of raw capacity to {}",
                                ByteSize::bytes(raw.as_u64().saturating_sub(capacity.as_u64())).human(),
                                class.name
                            ),
                        )
                    } else if !without_size.is_empty() {
                        j.unknown(subject, format!("{words}{partial}"), "declare the size of every workload disk")
                    } else if ratio > t.st_capacity_warn_ratio {
                        j.finding(
                            subject,
                            Severity::Warn,
                            format!(
                                "{words}: above {:.0} %, no room to re-replicate after a failure",
                                t.st_capacity_warn_ratio * 100.0
                            ),
                        )
                        .fix(format!(
                            "keep {} below {:.0} % full: add capacity or move disks",
                            class.name,
                            t.st_capacity_warn_ratio * 100.0
                        ))
                    } else {
                        j.pass(subject, words)
                    }
                }
            };
            finding.at(class.at)
        })
        .collect();
    // The same data after the worst tolerated failure: can it be brought
    // back to full redundancy on what is left?
    for (class, failure) in classes.iter().zip(under_failure.iter()) {
        let subject = Subject::storage_class(&class.name);
        let (ratio, detail) = match &failure.capacity {
            CapacityOutcome::Fits { ratio, detail } | CapacityOutcome::Overfull { ratio, detail } => (ratio, detail),
            CapacityOutcome::Unknown { detail } => {
                // Only worth saying when the class's own capacity is known:
                // otherwise its own finding already says what is missing.
                if class.capacity.is_some() {
                    findings.push(
                        j.unknown(
                            subject,
                            format!("after the tolerated failures: {detail}"),
                            "declare the zone of every storage node (and the disk sizes), so the loss can be simulated",
                        )
                        .at(class.at),
                    );
                }
                continue;
            }
        };
        let finding = if *ratio > t.st_capacity_fail_ratio {
            j.finding(subject, Severity::Fail, format!("{detail}: the data cannot be re-replicated")).fix(format!(
                "add capacity to {} so that losing the tolerated nodes or zones leaves room for every replica",
                class.name
            ))
        } else if *ratio > t.st_capacity_warn_ratio {
            j.finding(
                subject,
                Severity::Warn,
                format!("{detail}: above {:.0} % after the failure", t.st_capacity_warn_ratio * 100.0),
            )
            .fix(format!("add capacity to {}", class.name))
        } else {
            j.pass(subject, detail.clone())
        };
        findings.push(finding.at(class.at));
    }
    findings
}

pub(crate) fn media(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let classes = j.inventory().storage_classes();
    if classes.is_empty() {
        return no_classes(j);
    }
    classes
        .iter()
        .map(|class| {
            let subject = Subject::storage_class(&class.name);
            let finding = match class.media {
                None => j.unknown(
                    subject,
                    "backing media not declared",
                    "declare media (nvme, ssd or hdd) on the storage class",
                ),
                Some(Media::Hdd) => j
                    .finding(subject, t.st_media_hdd, "backed by spinning disks: VM disk latency and IOPS suffer")
                    .fix(format!("back {} with SSD or NVMe", class.name)),
                Some(media) => j.pass(subject, format!("backed by {media}")),
            };
            finding.at(class.at)
        })
        .collect()
}
