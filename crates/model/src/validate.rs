//! Checks that make an inventory usable at all: names are names, nothing is
//! declared twice, references point somewhere. These are input errors
//! (exit 2), not findings: the rules cannot judge a model that contradicts
//! itself.

use std::collections::HashMap;

use crate::error::Problem;
use crate::inventory::{Address, Inventory};
use crate::location::SourcePos;
use crate::suggest::did_you_mean;

/// Every problem that makes `inventory` unusable; empty when it is sound.
pub fn validate(inventory: &Inventory) -> Vec<Problem> {
    let mut problems = Vec::new();

    if inventory.metadata.name.trim().is_empty() {
        problems
            .push(Problem::maybe_at(inventory.metadata.name.at, "metadata.name is empty: give the deployment a name"));
    }
    if inventory.nodes.is_empty() {
        problems.push(Problem::maybe_at(inventory.nodes.at, "nodes is empty: declare at least one node"));
    }

    let mut names: HashMap<&str, Option<SourcePos>> = HashMap::new();
    let mut addresses: HashMap<&Address, (&str, Option<SourcePos>)> = HashMap::new();
    for (i, node) in inventory.nodes.iter().enumerate() {
        let at = node.at;
        let here = |msg: String| Problem::maybe_at(at, format!("nodes[{i}]: {msg}"));
        if !is_dns_label_or_subdomain(&node.name) {
            problems.push(here(format!(
                "node name `{}` is not an RFC 1123 name (lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit, at most 253 characters)",
                node.name
            )));
        }
        if let Some(first) = names.insert(&node.name, at) {
            problems.push(here(format!("node name `{}` is declared twice{}", node.name, first_at(first))));
        }
        if let Some((other, first)) = addresses.insert(&node.address, (&node.name, at)) {
            problems.push(here(format!(
                "address {} of node `{}` is already the address of node `{other}`{}",
                node.address,
                node.name,
                first_at(first)
            )));
        }
        if node.roles.is_empty() {
            problems.push(
                here(format!("node `{}` has no roles", node.name))
                    .with_help("roles: [control-plane], [worker], [storage], or several of them"),
            );
        }
        let mut seen = Vec::new();
        for role in &node.roles {
            if seen.contains(role) {
                problems.push(here(format!("node `{}` lists role {role} twice", node.name)));
            }
            seen.push(*role);
        }
        if let Some(cpu) = &node.cpu
            && let (Some(cores), Some(threads)) = (cpu.cores, cpu.threads)
            && threads < cores
        {
            problems.push(here(format!(
                "node `{}` declares {threads} threads but {cores} cores: threads (logical CPUs) are at least the cores",
                node.name
            )));
        }
        if let Some(nics) = &node.nics {
            let mut nic_names = Vec::new();
            for nic in nics {
                if let Some(name) = &nic.name {
                    if nic_names.contains(&name) {
                        problems.push(here(format!("node `{}` declares NIC `{name}` twice", node.name)));
                    }
                    nic_names.push(name);
                }
                if let Some(mtu) = nic.mtu
                    && !(68..=65535).contains(&mtu.get())
                {
                    problems.push(here(format!(
                        "NIC {} of node `{}` has MTU {mtu}: an MTU is between 68 and 65535",
                        nic.label(),
                        node.name
                    )));
                }
            }
        }
    }

    let classes = inventory.storage_classes();
    let mut class_names: HashMap<&str, Option<SourcePos>> = HashMap::new();
    let mut defaults = Vec::new();
    for (i, class) in classes.iter().enumerate() {
        if let Some(first) = class_names.insert(&class.name, class.at) {
            problems.push(Problem::maybe_at(
                class.at,
                format!("storage.classes[{i}]: storage class `{}` is declared twice{}", class.name, first_at(first)),
            ));
        }
        if class.default == Some(true) {
            defaults.push(class.name.as_str());
        }
    }
    if defaults.len() > 1 {
        problems.push(Problem::maybe_at(
            inventory.storage.as_ref().and_then(|s| s.at),
            format!(
                "storage classes {} are all marked default: Kubernetes picks one unpredictably; mark one",
                defaults.join(", ")
            ),
        ));
    }

    let mut workload_names: HashMap<&str, Option<SourcePos>> = HashMap::new();
    for (i, workload) in inventory.workloads.iter().enumerate() {
        if let Some(first) = workload_names.insert(&workload.name, workload.at) {
            problems.push(Problem::maybe_at(
                workload.at,
                format!("workloads[{i}]: workload `{}` is declared twice{}", workload.name, first_at(first)),
            ));
        }
        // A containerDisk or emptyDisk lives in the virt-launcher pod, not on
        // a class: naming one is a contradiction, not a detail to ignore.
        for (d, disk) in workload.disks.iter().enumerate() {
            if let (Some(source), Some(class)) = (disk.source.filter(|_| !disk.is_pvc()), &disk.storage_class) {
                problems.push(Problem::maybe_at(
                    workload.at,
                    format!(
                        "workloads[{i}].disks[{d}]: a {source} is not on a storage class, but the disk names `{class}`"
                    ),
                ));
            }
        }
        if classes.is_empty() {
            continue;
        }
        for disk in &workload.disks {
            if let Some(class) = &disk.storage_class
                && inventory.storage_class(class).is_none()
            {
                let mut p = Problem::maybe_at(
                    workload.at,
                    format!(
                        "workloads[{i}]: workload `{}` uses storage class `{class}`, which storage.classes does not declare",
                        workload.name
                    ),
                );
                p.help = did_you_mean(class, classes.iter().map(|c| c.name.as_str()))
                    .map(|c| format!("did you mean `{c}`?"));
                problems.push(p);
            }
        }
    }

    if let Some(guests) = &inventory.guest_clusters {
        let mut seen: HashMap<&str, Option<SourcePos>> = HashMap::new();
        for (i, guest) in guests.iter().enumerate() {
            if let Some(first) = seen.insert(&guest.name, guest.at) {
                problems.push(Problem::maybe_at(
                    guest.at,
                    format!("guestClusters[{i}]: guest cluster `{}` is declared twice{}", guest.name, first_at(first)),
                ));
            }
        }
    }

    // KubeVirt's migration limits: 0 would allow no live migration at all,
    // so no drain could ever finish (KubeVirt's defaults are 5 and 2).
    if let Some(ha) = &inventory.ha
        && let Some(m) = &ha.migration
    {
        for (key, value) in [
            ("parallelMigrationsPerCluster", m.parallel_migrations_per_cluster),
            ("parallelOutboundMigrationsPerNode", m.parallel_outbound_migrations_per_node),
        ] {
            if value.is_some_and(|c| c.0 == 0) {
                problems.push(Problem::maybe_at(
                    ha.at,
                    format!(
                        "ha.migration.{key} is 0: no VM could live-migrate and no drain would finish; \
                         KubeVirt's defaults are 5 per cluster and 2 per node"
                    ),
                ));
            }
        }
    }

    for (i, waiver) in inventory.waivers.iter().enumerate() {
        if waiver.reason.trim().is_empty() {
            problems.push(Problem::maybe_at(
                waiver.at,
                format!(
                    "waivers[{i}]: the waiver of {} has an empty reason: say why the exception is accepted",
                    waiver.rule
                ),
            ));
        }
    }

    problems
}

fn first_at(first: Option<SourcePos>) -> String {
    first.map(|p| format!(" (first at line {})", p.line)).unwrap_or_default()
}

/// An RFC 1123 label: lower-case alphanumerics and `-`, 1 to 63 characters,
/// starting and ending alphanumeric.
fn is_dns_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A Kubernetes object name (RFC 1123 subdomain), as node names must be.
pub(crate) fn is_dns_label_or_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// A DNS host name in any case (addresses may be written in upper case).
pub(crate) fn is_dns_name(name: &str) -> bool {
    let lowered = name.trim_end_matches('.').to_ascii_lowercase();
    !lowered.is_empty() && is_dns_label_or_subdomain(&lowered)
}
