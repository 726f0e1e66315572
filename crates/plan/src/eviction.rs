//! What a node drain does to a workload's VMs: the one answer that the
//! drain model of the plan and the rule HA-EVICTION both read, so that they
//! cannot disagree.
//!
//! KubeVirt decides it in its eviction webhook
//! (pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go,
//! admitLauncherPod, v1.9.0), with the strategy of
//! `Inventory::eviction_strategy_of` (the VM's own, else the KubeVirt CR's,
//! else None):
//! - `LiveMigrate`: a migratable VM is migrated; for one that is not, the
//!   eviction is refused, so the drain blocks until someone acts;
//! - `LiveMigrateIfPossible`: migrated when migratable, else evicted, that
//!   is shut down (and restarted elsewhere when its runStrategy says so);
//! - `None`: evicted, shut down;
//! - `External`: KubeVirt marks the VM for evacuation, refuses the eviction
//!   and leaves the move to a controller outside KubeVirt.
//!
//! Migratable, as far as the inventory can say: every PVC disk is on a
//! ReadWriteMany class. virt-handler refuses to live-migrate a VM with a PVC
//! that is not shared (pkg/virt-handler/vm.go, checkVolumesForMigration:
//! "live migration requires that all PVCs must be shared (using
//! ReadWriteMany access mode)"). containerDisk and emptyDisk volumes are
//! block-migrated, so a VM without PVC disks is migratable.

use kubev_ha_model::{EvictionStrategy, Inventory, StrategyOrigin, Workload};
use serde::Serialize;

/// Whether KubeVirt can live-migrate a workload's VMs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum Migratable {
    /// Every disk is on a class that offers ReadWriteMany (or is block-migrated).
    Yes,
    /// These disks' classes do not offer ReadWriteMany.
    No {
        /// The classes that do not offer ReadWriteMany.
        classes: Vec<String>,
    },
    /// The inventory does not say (a class without access modes, no class).
    Unknown {
        /// What is not known, one sentence per disk.
        why: Vec<String>,
    },
}

/// What a drain of its node does to one VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnDrain {
    /// Live-migrated to another worker.
    Migrates,
    /// Evicted: shut down (restarted elsewhere if its runStrategy says so).
    ShutDown,
    /// `LiveMigrate` but not migratable: KubeVirt refuses the eviction and
    /// the drain does not finish.
    Blocks,
    /// `External`: left to a controller outside KubeVirt.
    External,
    /// Migrated if it is migratable, which the inventory does not say.
    MigratesIfMigratable,
}

/// A workload's eviction: the strategy in force, where it comes from,
/// whether the VMs are migratable, and what a drain does to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Eviction {
    /// The eviction strategy in force.
    pub strategy: EvictionStrategy,
    /// Where it was declared, or KubeVirt's default.
    pub origin: StrategyOrigin,
    /// Whether the VMs can live-migrate.
    pub migratable: Migratable,
    /// What a drain does to them.
    pub on_drain: OnDrain,
}

impl Eviction {
    /// Whether the drain model moves the VMs' memory: those that migrate,
    /// and those that would if migratable (the drain time then assumes the
    /// migration happens; HA-EVICTION reports the doubt).
    pub fn migrates_on_drain(&self) -> bool {
        matches!(self.on_drain, OnDrain::Migrates | OnDrain::MigratesIfMigratable)
    }
}

/// Whether `workload`'s VMs are migratable, from its disks' classes.
pub(crate) fn migratable(inventory: &Inventory, workload: &Workload) -> Migratable {
    // A VM always has a root disk: a workload that declares none has not
    // said where its disks live, which is unknown, not "nothing to share".
    if workload.disks.is_empty() {
        return Migratable::Unknown {
            why: vec!["no disks declared (declare them, with `source: containerDisk` for a disk in the pod)".into()],
        };
    }
    let mut not_shared = Vec::new();
    let mut unknown = Vec::new();
    // containerDisk and emptyDisk volumes live in the pod and are
    // block-migrated: they do not stop a migration.
    for disk in workload.disks.iter().filter(|d| d.is_pvc()) {
        let class = match disk.storage_class.as_deref() {
            Some(name) => inventory.storage_class(name),
            None => inventory.default_storage_class(),
        };
        let label = disk.storage_class.clone().unwrap_or_else(|| "(default class)".into());
        match class.map(|c| (c.name.clone(), c.offers_rwx())) {
            None => unknown.push(format!("{label}: class not declared")),
            Some((name, None)) => unknown.push(format!("{name}: access modes not declared")),
            Some((name, Some(false))) => {
                if !not_shared.contains(&name) {
                    not_shared.push(name)
                }
            }
            Some((_, Some(true))) => {}
        }
    }
    if !not_shared.is_empty() {
        Migratable::No { classes: not_shared }
    } else if !unknown.is_empty() {
        Migratable::Unknown { why: unknown }
    } else {
        Migratable::Yes
    }
}

/// What a drain does to `workload`'s VMs.
pub fn eviction_of(inventory: &Inventory, workload: &Workload) -> Eviction {
    let (strategy, origin) = inventory.eviction_strategy_of(workload);
    let migratable = migratable(inventory, workload);
    let on_drain = match (strategy, &migratable) {
        (EvictionStrategy::None, _) => OnDrain::ShutDown,
        (EvictionStrategy::External, _) => OnDrain::External,
        (EvictionStrategy::LiveMigrate | EvictionStrategy::LiveMigrateIfPossible, Migratable::Yes) => OnDrain::Migrates,
        (EvictionStrategy::LiveMigrate, Migratable::No { .. }) => OnDrain::Blocks,
        (EvictionStrategy::LiveMigrateIfPossible, Migratable::No { .. }) => OnDrain::ShutDown,
        (_, Migratable::Unknown { .. }) => OnDrain::MigratesIfMigratable,
    };
    Eviction { strategy, origin, migratable, on_drain }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory(cluster_strategy: Option<&str>, workload: &str) -> Inventory {
        let kubevirt = cluster_strategy.map_or(String::new(), |s| format!("kubevirt: {{evictionStrategy: {s}}}\n"));
        let y = format!(
            "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: t}}\n{kubevirt}nodes:\n  - {{name: w, address: 10.0.0.1, roles: [worker]}}\n\
storage:\n  classes:\n    - {{name: rwx, accessModes: [ReadWriteMany]}}\n    - {{name: rwo, accessModes: [ReadWriteOnce]}}\n    - {{name: vague}}\n\
workloads:\n  - {workload}\n"
        );
        kubev_ha_model::parse_str("t.yaml", &y).unwrap_or_else(|e| panic!("{}", e.render_plain())).inventory
    }

    fn on_drain(cluster: Option<&str>, workload: &str) -> (OnDrain, StrategyOrigin) {
        let inv = inventory(cluster, workload);
        let e = eviction_of(&inv, &inv.workloads[0]);
        (e.on_drain, e.origin)
    }

    #[test]
    fn an_undeclared_strategy_falls_back_to_the_cluster_then_to_none() {
        let vm = "{name: v, cpu: 1, memory: 1Gi, disks: [{storageClass: rwx}]}";
        assert_eq!(on_drain(None, vm), (OnDrain::ShutDown, StrategyOrigin::KubeVirtDefault));
        assert_eq!(on_drain(Some("LiveMigrate"), vm), (OnDrain::Migrates, StrategyOrigin::Cluster));
        let own = "{name: v, cpu: 1, memory: 1Gi, evictionStrategy: None, disks: [{storageClass: rwx}]}";
        assert_eq!(on_drain(Some("LiveMigrate"), own), (OnDrain::ShutDown, StrategyOrigin::Workload));
    }

    #[test]
    fn live_migrate_if_possible_depends_on_the_disks() {
        let vm = |class: &str| {
            format!(
                "{{name: v, cpu: 1, memory: 1Gi, evictionStrategy: LiveMigrateIfPossible, disks: [{{storageClass: {class}}}]}}"
            )
        };
        assert_eq!(on_drain(None, &vm("rwx")).0, OnDrain::Migrates);
        assert_eq!(on_drain(None, &vm("rwo")).0, OnDrain::ShutDown);
        assert_eq!(on_drain(None, &vm("vague")).0, OnDrain::MigratesIfMigratable);
    }

    #[test]
    fn live_migrate_without_shared_disks_blocks_and_external_is_left_alone() {
        let vm = |s: &str, class: &str| {
            format!("{{name: v, cpu: 1, memory: 1Gi, evictionStrategy: {s}, disks: [{{storageClass: {class}}}]}}")
        };
        assert_eq!(on_drain(None, &vm("LiveMigrate", "rwo")).0, OnDrain::Blocks);
        assert_eq!(on_drain(None, &vm("External", "rwx")).0, OnDrain::External);
        // Only pod-local disks: they are block-migrated with the VM.
        assert_eq!(
            on_drain(
                None,
                "{name: v, cpu: 1, memory: 1Gi, evictionStrategy: LiveMigrate, disks: [{size: 10Gi, source: containerDisk}]}"
            )
            .0,
            OnDrain::Migrates
        );
        // Regression: no disks declared at all was taken as migratable, and
        // HA-EVICTION passed on a fact nobody gave.
        assert_eq!(
            on_drain(None, "{name: v, cpu: 1, memory: 1Gi, evictionStrategy: LiveMigrate}").0,
            OnDrain::MigratesIfMigratable
        );
    }
}
