//! [`Facts`]: everything known about one deployment, whichever source it
//! came from. Rules read only this.

use std::collections::BTreeMap;

use crate::host::HostProbe;
use crate::inventory::Inventory;
use crate::live::LiveCluster;
use crate::load::{LoadedInventory, SourceFormat};
use crate::measure::Measurements;

/// What the rules judge: the declared (or probed and merged) inventory,
/// and where it came from.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The inventory the rules judge: declared, or declared with probed facts merged in.
    pub inventory: Inventory,
    /// The file the facts were read from, as the user named it.
    pub source_name: String,
    /// Whether the facts came from an inventory or a KubeVCluster manifest.
    pub format: SourceFormat,
    /// Remarks from reading the facts (ignored manifest keys, say) that the
    /// report passes on.
    pub notes: Vec<String>,
    /// What probing the hosts found, by node name; empty when not probed.
    /// `inventory` then already carries the probed hardware facts.
    pub hosts: BTreeMap<String, HostProbe>,
    /// The inventory as declared, before probed facts replaced its own
    /// (for HOST-DRIFT); `None` when nothing was probed.
    pub declared: Option<Inventory>,
    /// Disk, etcd and network measurements.
    pub measurements: Measurements,
    /// What `kubev-ha audit` read from the running cluster; `None` for
    /// every other command. The LIVE-* rules judge it, and say nothing
    /// without it (before install there is no cluster to judge).
    pub live: Option<LiveCluster>,
}

impl Facts {
    /// Facts of a declared inventory, with nothing probed or measured.
    pub fn from_inventory(inventory: Inventory, source_name: impl Into<String>) -> Self {
        Facts {
            inventory,
            source_name: source_name.into(),
            format: SourceFormat::Inventory,
            notes: vec![],
            hosts: BTreeMap::new(),
            declared: None,
            measurements: Measurements::default(),
            live: None,
        }
    }

    /// Adds what probing the hosts found: the probed hardware replaces the
    /// declared in `inventory`, and the declaration is kept for HOST-DRIFT.
    pub fn with_probes(mut self, hosts: BTreeMap<String, HostProbe>) -> Self {
        let merged = crate::host::merge_probed(&self.inventory, &hosts);
        self.declared = Some(std::mem::replace(&mut self.inventory, merged));
        self.hosts = hosts;
        self
    }
}

impl Facts {
    /// Facts of a live cluster (`kubev-ha audit`): the inventory the
    /// cluster implies (its nodes, classes, VMs as workloads, KubeVirt's
    /// settings) for the catalog's rules, the live facts for the LIVE-*
    /// rules, and the declared design (`--inventory`) for LIVE-DRIFT.
    pub fn from_live(live: LiveCluster, declared: Option<Inventory>) -> Self {
        let (mut inventory, notes) = crate::live_inventory::implied_inventory(&live);
        if let Some(design) = &declared {
            crate::live_inventory::adopt_design(&mut inventory, design);
        }
        Facts {
            inventory,
            source_name: live.source.clone(),
            format: SourceFormat::Inventory,
            notes,
            hosts: BTreeMap::new(),
            declared,
            measurements: Measurements::default(),
            live: Some(live),
        }
    }
}

impl From<LoadedInventory> for Facts {
    fn from(loaded: LoadedInventory) -> Self {
        let notes = loaded.warnings.iter().map(|w| w.render(&loaded.source_name)).collect();
        Facts {
            inventory: loaded.inventory,
            source_name: loaded.source_name,
            format: loaded.format,
            notes,
            hosts: BTreeMap::new(),
            declared: None,
            measurements: Measurements::default(),
            live: None,
        }
    }
}
