//! Kube-V's installer manifest (`apiVersion: virtualization.k8c.io/v1alpha1`,
//! `kind: KubeVCluster`, the file `kubev apply` reads) and how it maps onto
//! the inventory, so users check the file they already have.
//!
//! The manifest says where the hosts are and how the cluster is wired
//! (Kubermatic Virtualization configuration guide: `controlPlane.hosts`,
//! `staticWorkers.hosts` with `address`, `sshUsername`,
//! `sshPrivateKeyFile`; `apiEndpoint`; `networkConfiguration`;
//! `loadBalancer`; `storage`), but not what the hosts are made of: CPU,
//! memory, VT-x, disks and NIC speeds stay unknown until `kubev-ha probe`
//! reads them over SSH. Keys this tool does not know are warnings, not
//! errors: the installer's schema is not ours. The exception is a
//! near-miss of a key that carries nodes (`staticWorker:` for
//! `staticWorkers:`): the hosts under it would silently not exist, so
//! that is an error.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;

use crate::error::Problem;
use crate::inventory::{
    ApiEndpoint, FailureDomain, Inventory, Metadata, Network, Node, Role, Ssh, Storage, StorageClass,
};
use crate::location::{Located, SourcePos};
use crate::quantity::Count;

/// The `apiVersion` of Kube-V's installer manifest.
pub(crate) const API_VERSION: &str = "virtualization.k8c.io/v1alpha1";
/// The `kind` of Kube-V's installer manifest.
pub(crate) const KIND: &str = "KubeVCluster";

/// The label Kubernetes uses for a node's zone.
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

/// The parts of a KubeVCluster manifest this tool reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KubeVCluster {
    /// The manifest's `apiVersion`; the loader has checked it (from the
    /// document's header) before serde reads the rest.
    // Declared so the key counts as known (no unknown-key warning); the
    // mapping never needs its value.
    #[allow(dead_code)]
    pub(crate) api_version: Option<String>,
    /// The manifest's `kind`.
    // Declared so the key counts as known (no unknown-key warning); the
    // mapping never needs its value.
    #[allow(dead_code)]
    pub(crate) kind: Option<String>,
    /// The manifest's metadata; its name becomes the inventory's.
    #[serde(default)]
    pub(crate) metadata: Option<ManifestMetadata>,
    /// Some manifests carry the name at the top level.
    pub(crate) name: Option<Located<String>>,
    /// `controlPlane.hosts`: the control-plane nodes.
    #[serde(default)]
    pub(crate) control_plane: Option<HostList>,
    /// `staticWorkers.hosts`: the worker nodes.
    #[serde(default)]
    pub(crate) static_workers: Option<HostList>,
    /// `apiEndpoint`: how clients reach the API servers.
    #[serde(default)]
    pub(crate) api_endpoint: Option<ManifestApiEndpoint>,
    /// `networkConfiguration`: the pod and service ranges and DNS.
    #[serde(default)]
    pub(crate) network_configuration: Option<NetworkConfiguration>,
    /// `loadBalancer`: which load balancer the installer deploys for Services.
    #[serde(default)]
    pub(crate) load_balancer: Option<LoadBalancer>,
    /// `storage`: which storage the installer deploys.
    #[serde(default)]
    pub(crate) storage: Option<ManifestStorage>,
}

/// The manifest's `metadata`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ManifestMetadata {
    /// The cluster's name.
    pub(crate) name: Option<Located<String>>,
}

/// A list of hosts (`controlPlane` or `staticWorkers`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct HostList {
    /// The hosts, each with the position it was read at.
    #[serde(default)]
    pub(crate) hosts: Vec<Located<HostConfig>>,
}

/// One host of `controlPlane.hosts` or `staticWorkers.hosts`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HostConfig {
    /// The host's address: an IP address or a DNS name; becomes the node's name and address.
    pub(crate) address: Option<String>,
    /// The SSH user the installer logs in as.
    pub(crate) ssh_username: Option<String>,
    /// The private key the installer logs in with.
    pub(crate) ssh_private_key_file: Option<String>,
    /// The SSH port.
    pub(crate) ssh_port: Option<u16>,
    /// The node name Kubernetes will use, when it differs from the address.
    pub(crate) hostname: Option<String>,
    /// Node labels; `topology.kubernetes.io/zone` becomes the node's zone.
    #[serde(default)]
    pub(crate) labels: BTreeMap<String, String>,
}

/// The manifest's `apiEndpoint`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ManifestApiEndpoint {
    /// The DNS name or IP address clients use.
    pub(crate) host: Option<String>,
    /// The API server port.
    pub(crate) port: Option<u16>,
}

/// The manifest's `networkConfiguration`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NetworkConfiguration {
    /// The pod network.
    #[serde(rename = "networkCIDR")]
    pub(crate) network_cidr: Option<String>,
    /// The service network.
    #[serde(rename = "serviceCIDR")]
    pub(crate) service_cidr: Option<String>,
    /// The cluster DNS service address; must lie in `serviceCIDR`.
    #[serde(rename = "dnsServerIP")]
    pub(crate) dns_server_ip: Option<String>,
    /// The nodes' gateway; read, not judged.
    #[serde(rename = "gatewayIP")]
    // Declared so the key counts as known (no unknown-key warning); the
    // mapping never needs its value.
    #[allow(dead_code)]
    pub(crate) gateway_ip: Option<String>,
}

/// The manifest's `loadBalancer`: which of its keys is present says which load balancer the
/// installer deploys for Services.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct LoadBalancer {
    /// MetalLB (for Services, not for the API server).
    pub(crate) metallb: Option<serde_json::Value>,
    /// No load balancer.
    // Declared so the key counts as known (no unknown-key warning); the
    // mapping never needs its value.
    #[allow(dead_code)]
    pub(crate) none: Option<serde_json::Value>,
}

/// The manifest's `storage`: which of its keys is present says which storage the installer deploys.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ManifestStorage {
    /// Longhorn, taken as Longhorn's default class.
    pub(crate) longhorn: Option<serde_json::Value>,
    /// No storage from the installer.
    // Declared so the key counts as known (no unknown-key warning); the
    // mapping never needs its value.
    #[allow(dead_code)]
    pub(crate) none: Option<serde_json::Value>,
}

/// The keys of one level of the manifest: those this tool reads, those
/// Kube-V's installer reads that this tool does not judge, and those that
/// carry the cluster's nodes.
///
/// The installer's keys are from the Kubermatic Virtualization
/// configuration guide and its v1alpha1 API reference
/// (docs.kubermatic.com/kubermatic-virtualization/main/configuration-guide/
/// and .../references/kubev-cluster-v1alpha1/).
struct Level {
    /// The parent's path, with `[]` for any item of a list.
    path: &'static str,
    read: &'static [&'static str],
    installer_only: &'static [&'static str],
    /// A near-miss of one of these is an error: the hosts under a misspelt
    /// `staticWorkers` would silently not exist, and W-COUNT would then
    /// fail for the wrong reason ("0 VM-capable workers").
    carries_nodes: &'static [&'static str],
}

const HOST_KEYS: &[&str] = &["address", "sshUsername", "sshPrivateKeyFile", "sshPort", "hostname", "labels"];
const HOST_INSTALLER_KEYS: &[&str] = &["annotations", "tunnelInterface"];

const LEVELS: &[Level] = &[
    Level {
        path: "",
        read: &[
            "apiVersion",
            "kind",
            "metadata",
            "name",
            "controlPlane",
            "staticWorkers",
            "apiEndpoint",
            "networkConfiguration",
            "loadBalancer",
            "storage",
        ],
        installer_only: &["offlineSettings", "kubevirt", "idp", "dashboard"],
        carries_nodes: &["controlPlane", "staticWorkers"],
    },
    Level { path: "controlPlane", read: &["hosts"], installer_only: &[], carries_nodes: &["hosts"] },
    Level { path: "staticWorkers", read: &["hosts"], installer_only: &[], carries_nodes: &["hosts"] },
    Level {
        path: "controlPlane.hosts[]",
        read: HOST_KEYS,
        installer_only: HOST_INSTALLER_KEYS,
        carries_nodes: &["address"],
    },
    Level {
        path: "staticWorkers.hosts[]",
        read: HOST_KEYS,
        installer_only: HOST_INSTALLER_KEYS,
        carries_nodes: &["address"],
    },
    Level { path: "metadata", read: &["name"], installer_only: &[], carries_nodes: &[] },
    Level { path: "apiEndpoint", read: &["host", "port"], installer_only: &["alternativeNames"], carries_nodes: &[] },
    Level {
        path: "networkConfiguration",
        read: &["networkCIDR", "serviceCIDR", "dnsServerIP", "gatewayIP"],
        installer_only: &["tunnelInterface"],
        carries_nodes: &[],
    },
    Level { path: "loadBalancer", read: &["metallb", "none"], installer_only: &[], carries_nodes: &[] },
    Level { path: "storage", read: &["longhorn", "none"], installer_only: &[], carries_nodes: &[] },
];

impl KubeVCluster {
    /// Judges the keys the reader left unread, given as dotted paths
    /// (`controlPlane.hosts.0.adress`): warnings for most, with a "did you
    /// mean"; errors for near-misses of the keys that carry nodes. Each
    /// is placed at its line in `text` where the YAML is block style.
    pub(crate) fn unread_keys(&self, paths: &[String], text: &str) -> (Vec<Problem>, Vec<Problem>) {
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            let segments: Vec<&str> = path.split('.').collect();
            let Some((key, parents)) = segments.split_last() else { continue };
            let level_path = parents
                .iter()
                .map(|s| if s.parse::<usize>().is_ok() { "[]".to_string() } else { format!(".{s}") })
                .collect::<String>();
            let level_path = level_path.strip_prefix('.').unwrap_or(&level_path).replace(".[]", "[]");
            let shown = segments
                .iter()
                .map(|s| if s.parse::<usize>().is_ok() { format!("[{s}]") } else { format!(".{s}") })
                .collect::<String>();
            let shown = shown.strip_prefix('.').unwrap_or(&shown).to_string();
            let pos = self.position_of(&segments, text);
            let level = LEVELS.iter().find(|l| l.path == level_path);
            let Some(level) = level else {
                warnings.push(Problem::maybe_at(
                    pos,
                    format!("unknown key `{shown}` in the KubeVCluster manifest (ignored)"),
                ));
                continue;
            };
            if level.installer_only.contains(key) {
                warnings.push(Problem::maybe_at(
                    pos,
                    format!("`{shown}` is the installer's setting; kubev-ha does not judge it (ignored)"),
                ));
                continue;
            }
            let candidates = level.read.iter().chain(level.installer_only).copied();
            match crate::suggest::did_you_mean(key, candidates) {
                Some(near) if level.carries_nodes.contains(&near) => errors.push(
                    Problem::maybe_at(
                        pos,
                        format!(
                            "unknown key `{shown}` in the KubeVCluster manifest: did you mean `{near}`? {}",
                            if near == "address" {
                                "The host would have no address"
                            } else {
                                "The hosts under it would be left out"
                            }
                        ),
                    )
                    .with_help(format!(
                        "`{near}` carries the cluster's nodes, so a near-miss of it is an error, not a warning: rename the key"
                    )),
                ),
                Some(near) => warnings.push(Problem::maybe_at(
                    pos,
                    format!("unknown key `{shown}` in the KubeVCluster manifest (ignored; did you mean `{near}`?)"),
                )),
                None => warnings.push(Problem::maybe_at(pos, format!("unknown key `{shown}` in the KubeVCluster manifest (ignored)"))),
            }
        }
        (warnings, errors)
    }

    /// Where the key at `segments` is written, from the YAML parser's
    /// events; a key inside a host the parser cannot place plainly (an
    /// alias, a merge key) falls back to the host's own position.
    fn position_of(&self, segments: &[&str], text: &str) -> Option<SourcePos> {
        let found = crate::load::parsed_key_position(text, segments);
        match segments {
            [group @ ("controlPlane" | "staticWorkers"), "hosts", index, _] if found.is_none() => {
                let list = if *group == "controlPlane" { &self.control_plane } else { &self.static_workers };
                list.as_ref()?.hosts.get(index.parse::<usize>().ok()?)?.at
            }
            _ => found,
        }
    }
}

/// Longhorn's default StorageClass keeps 3 replicas (numberOfReplicas "3"),
/// on distinct nodes.
const LONGHORN_DEFAULT_REPLICAS: u32 = 3;

/// A node name from a host: its hostname, else its address, as RFC 1123.
fn node_name(host: &HostConfig, role: &str, index: usize) -> String {
    let raw = host.hostname.clone().or_else(|| host.address.clone()).unwrap_or_default().to_ascii_lowercase();
    let cleaned: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' }).collect();
    let cleaned = cleaned.trim_matches(|c| c == '-' || c == '.').to_string();
    if cleaned.is_empty() { format!("{role}-{}", index + 1) } else { cleaned }
}

impl KubeVCluster {
    /// The inventory this manifest describes, notes on what it could not
    /// say or what had to be assumed, and errors that make it unusable (a
    /// host without a valid address would silently drop out otherwise).
    pub(crate) fn into_inventory(self) -> (Inventory, Vec<Problem>, Vec<Problem>) {
        let mut notes = Vec::new();
        let mut errors = Vec::new();
        let mut nodes: Vec<Located<Node>> = Vec::new();
        let groups = [
            (self.control_plane.unwrap_or_default(), Role::ControlPlane, "controlPlane", "cp"),
            (self.static_workers.unwrap_or_default(), Role::Worker, "staticWorkers", "worker"),
        ];
        for (list, role, key, short) in groups {
            for (i, host) in list.hosts.into_iter().enumerate() {
                let at: Option<SourcePos> = host.at;
                let Some(address) = host.address.clone() else {
                    errors.push(Problem::maybe_at(at, format!("{key}.hosts[{i}] has no address")));
                    continue;
                };
                let address = match address.parse() {
                    Ok(a) => a,
                    Err(e) => {
                        errors.push(Problem::maybe_at(at, format!("{key}.hosts[{i}].address: {e}")));
                        continue;
                    }
                };
                let name = node_name(&host, short, i);
                // A host listed as both a control plane and a worker is one node with both roles.
                if let Some(existing) = nodes.iter_mut().find(|n| n.address == address) {
                    existing.roles.push(role);
                    continue;
                }
                let node = Node {
                    zone: host.labels.get(ZONE_LABEL).cloned(),
                    ssh: Some(Ssh {
                        username: host.ssh_username.clone(),
                        private_key_file: host.ssh_private_key_file.clone(),
                        port: host.ssh_port,
                    }),
                    labels: host.labels.clone(),
                    ..Node::new(name, address, vec![role])
                };
                nodes.push(Located { value: node, at });
            }
        }
        if !nodes.is_empty() {
            notes.push(Problem::new(
                "a KubeVCluster manifest does not say what the hosts are made of: CPU, memory, VT-x, disks and NIC speeds are unknown until `kubev-ha probe` reads them",
            ));
        }

        let network = self.network_configuration.map(|n| {
            let parse = |what: &str, v: Option<String>, notes: &mut Vec<Problem>| {
                v.and_then(|s| match s.parse() {
                    Ok(c) => Some(c),
                    Err(e) => {
                        notes.push(Problem::new(format!("networkConfiguration.{what}: {e}")));
                        None
                    }
                })
            };
            let pod_cidr = parse("networkCIDR", n.network_cidr, &mut notes);
            let service_cidr: Option<crate::inventory::Cidr> = parse("serviceCIDR", n.service_cidr, &mut notes);
            if let (Some(dns), Some(svc)) = (n.dns_server_ip.as_deref().and_then(|d| d.parse::<IpAddr>().ok()), service_cidr)
                && !svc.contains(&dns)
            {
                notes.push(Problem::new(format!(
                    "networkConfiguration.dnsServerIP {dns} lies outside serviceCIDR {svc}: the cluster DNS service cannot get that address"
                )));
            }
            Located::new(Network { pod_cidr, service_cidr, ..Network::default() })
        });

        let api_endpoint = self.api_endpoint.and_then(|e| {
            e.host.map(|host| {
                Located::new(ApiEndpoint { host, port: e.port, load_balancer: None, vip: None, mode: None })
            })
        });
        if let Some(lb) = &self.load_balancer
            && lb.metallb.is_some()
        {
            notes.push(Problem::new(
                "loadBalancer.metallb gives Services their IPs; it does not front the API server, so CP-API-LB judges apiEndpoint alone",
            ));
        }

        let storage = self.storage.and_then(|s| {
            s.longhorn.map(|_| {
                notes.push(Problem::new(format!(
                    "storage.longhorn is taken as Longhorn's default class: {LONGHORN_DEFAULT_REPLICAS} replicas on distinct nodes; its access modes (ReadWriteMany needs the `migratable` parameter) and capacity are unknown"
                )));
                Located::new(Storage {
                    classes: vec![Located::new(StorageClass {
                        name: "longhorn".into(),
                        provisioner: Some("driver.longhorn.io".into()),
                        access_modes: None,
                        volume_modes: None,
                        replicas: Some(Count(LONGHORN_DEFAULT_REPLICAS)),
                        failure_domain: Some(FailureDomain::Host),
                        capacity: None,
                        media: None,
                        default: Some(true),
                    })],
                })
            })
        });

        let name =
            self.metadata.and_then(|m| m.name).or(self.name).unwrap_or_else(|| "kubev-cluster".to_string().into());
        let inventory = Inventory {
            api_endpoint,
            network,
            nodes: Located::new(nodes),
            storage,
            ..Inventory::of_nodes(Metadata { name, ..Metadata::named("") }, vec![])
        };
        (inventory, notes, errors)
    }
}
