//! The port matrix of the Kube-V page, as data: which component listens
//! where, and who must reach it. NET-PORTS, the network checks and the
//! firewall renderers all read this one table.

use std::fmt;
use std::ops::RangeInclusive;

use kubev_ha_model::Role;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        })
    }
}

impl From<kubev_ha_model::host::ListenProtocol> for Protocol {
    fn from(p: kubev_ha_model::host::ListenProtocol) -> Self {
        match p {
            kubev_ha_model::host::ListenProtocol::Tcp => Protocol::Tcp,
            kubev_ha_model::host::ListenProtocol::Udp => Protocol::Udp,
        }
    }
}

/// Which nodes a port listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListensOn {
    AllNodes,
    Role(Role),
}

impl ListensOn {
    pub fn includes(self, roles: &[Role]) -> bool {
        match self {
            ListensOn::AllNodes => true,
            ListensOn::Role(r) => roles.contains(&r),
        }
    }
}

impl fmt::Display for ListensOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListensOn::AllNodes => f.write_str("all"),
            ListensOn::Role(r) => r.fmt(f),
        }
    }
}

/// Who must reach a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Peer {
    AllNodes,
    Role(Role),
    LoadBalancer,
    Admins,
    Clients,
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::AllNodes => f.write_str("all nodes"),
            Peer::Role(r) => r.fmt(f),
            Peer::LoadBalancer => f.write_str("load balancer"),
            Peer::Admins => f.write_str("admins"),
            Peer::Clients => f.write_str("clients"),
        }
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct PortRule {
    pub component: &'static str,
    /// The process names (as /proc/PID/comm shows them, at most 15
    /// characters) of the component that listens here once installed; a
    /// port held by anything else is a conflict.
    pub owners: &'static [&'static str],
    pub ports: RangeInclusive<u16>,
    pub protocols: &'static [Protocol],
    pub listens_on: ListensOn,
    pub reached_from: &'static [Peer],
    /// What the page calls it, and anything to know about it.
    pub purpose: &'static str,
    pub note: Option<&'static str>,
}

impl PortRule {
    /// `6443`, or `30000–32767` for a range.
    pub fn ports_text(&self) -> String {
        if self.ports.start() == self.ports.end() {
            self.ports.start().to_string()
        } else {
            format!("{}–{}", self.ports.start(), self.ports.end())
        }
    }

    pub fn protocols_text(&self) -> String {
        self.protocols.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("+")
    }

    /// Whether a node with `roles` must reach this port (on another node).
    pub fn reached_by(&self, roles: &[Role]) -> bool {
        self.reached_from.iter().any(|p| match p {
            Peer::AllNodes => true,
            Peer::Role(r) => roles.contains(r),
            _ => false,
        })
    }
}

use Peer::{Admins, AllNodes as FromAll, Clients, LoadBalancer, Role as FromRole};
use Protocol::{Tcp, Udp};
use Role::{ControlPlane, Worker};

const TCP: &[Protocol] = &[Tcp];
const UDP: &[Protocol] = &[Udp];
const BOTH: &[Protocol] = &[Tcp, Udp];

/// The matrix of ../shared/spec/rules.md, from the page's port table.
pub static PORT_MATRIX: &[PortRule] = &[
    PortRule {
        component: "API server",
        owners: &["kube-apiserver"],
        ports: 6443..=6443,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll, LoadBalancer, Admins],
        purpose: "All API communication with the cluster",
        note: None,
    },
    PortRule {
        component: "etcd client",
        owners: &["etcd"],
        ports: 2379..=2379,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "etcd database communication",
        note: None,
    },
    PortRule {
        component: "etcd peer",
        owners: &["etcd"],
        ports: 2380..=2380,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "etcd database communication",
        note: None,
    },
    PortRule {
        component: "kubelet",
        owners: &["kubelet"],
        ports: 10250..=10250,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Kubelet API for control plane communication",
        note: None,
    },
    PortRule {
        component: "kube-scheduler",
        owners: &["kube-scheduler"],
        ports: 10259..=10259,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Kube-Scheduler component",
        note: None,
    },
    PortRule {
        component: "controller-manager",
        owners: &["kube-controller-manager"],
        ports: 10257..=10257,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Kube-Controller-Manager component",
        note: None,
    },
    PortRule {
        component: "kube-proxy health",
        owners: &["kube-proxy"],
        ports: 10256..=10256,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[LoadBalancer, FromAll],
        purpose: "Kube-Proxy health checks and service routing",
        note: None,
    },
    PortRule {
        component: "NodePort services",
        owners: &["kube-proxy"],
        ports: 30000..=32767,
        protocols: BOTH,
        listens_on: ListensOn::AllNodes,
        reached_from: &[Clients],
        purpose: "Default range for exposing services on node IPs",
        note: Some("the API server's --service-node-port-range; probes sample the range"),
    },
    PortRule {
        component: "KubeVirt API",
        owners: &["virt-api", "virt-operator"],
        ports: 8443..=8443,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromAll],
        purpose: "KubeVirt API communication (virt-api pods)",
        note: None,
    },
    PortRule {
        component: "live migration",
        owners: &["virt-handler"],
        ports: 61000..=61009,
        protocols: TCP,
        listens_on: ListensOn::Role(Worker),
        reached_from: &[FromRole(Worker)],
        purpose: "For migrating VM state between nodes",
        note: Some(
            "Kube-V's range, worth checking but not a KubeVirt constant: upstream KubeVirt binds migration listeners to ephemeral ports",
        ),
    },
    PortRule {
        component: "OVN NB DB",
        owners: &["ovsdb-server", "ovn-northd"],
        ports: 6641..=6641,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll],
        purpose: "OVN Northbound Database",
        note: None,
    },
    PortRule {
        component: "OVN SB DB",
        owners: &["ovsdb-server", "ovn-northd"],
        ports: 6642..=6642,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll],
        purpose: "OVN Southbound Database",
        note: None,
    },
    PortRule {
        component: "OVN northd / NB raft",
        owners: &["ovsdb-server", "ovn-northd"],
        ports: 6643..=6643,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "OVN Northd process",
        note: Some("upstream Kube-OVN names 6643 the NB database's raft port"),
    },
    PortRule {
        component: "OVN raft / SB raft",
        owners: &["ovsdb-server", "ovn-northd"],
        ports: 6644..=6644,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "OVN Raft consensus (for HA OVN DBs)",
        note: Some("upstream Kube-OVN names 6644 the SB database's raft port"),
    },
    PortRule {
        component: "Geneve",
        // The kernel's tunnel: no process ever holds it.
        owners: &[],
        ports: 6081..=6081,
        protocols: UDP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromAll],
        purpose: "Default overlay network for pod communication (OVN)",
        note: None,
    },
    PortRule {
        component: "OVN controller metrics",
        owners: &["kube-ovn"],
        ports: 10660..=10660,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Metrics for OVN Controller",
        note: None,
    },
    PortRule {
        component: "OVN daemon metrics",
        owners: &["kube-ovn"],
        ports: 10665..=10665,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Metrics for OVN Daemon (on each node)",
        note: None,
    },
    PortRule {
        component: "OVN monitor metrics",
        owners: &["kube-ovn"],
        ports: 10661..=10661,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Metrics for OVN Monitor",
        note: None,
    },
];

/// How many ports of a range (the NodePort range) are probed: the first,
/// the last, and evenly spaced ones between. Responder and prober derive
/// the same sample, so both sides agree on it.
pub const RANGE_SAMPLE: usize = 8;

impl PortRule {
    /// The ports probed for this rule: all of a short range, a sample of a
    /// long one (more than 16 ports).
    pub fn probed_ports(&self) -> Vec<u16> {
        let (a, b) = (*self.ports.start(), *self.ports.end());
        let len = usize::from(b - a) + 1;
        if len <= 16 {
            return (a..=b).collect();
        }
        let step = f64::from(b - a) / (RANGE_SAMPLE - 1) as f64;
        (0..RANGE_SAMPLE).map(|i| a + (step * i as f64).round() as u16).collect()
    }

    /// Whether probing samples this rule's range rather than covering it.
    pub fn is_sampled(&self) -> bool {
        self.probed_ports().len() < usize::from(self.ports.end() - self.ports.start()) + 1
    }

    /// Whether `from` (a node with these roles) must reach this port on a
    /// node with `to` roles. NodePort services are reachable from anywhere,
    /// so every node counts as a client.
    pub fn applies(&self, from: &[Role], to: &[Role]) -> bool {
        self.listens_on.includes(to) && (self.reached_by(from) || self.reached_from.contains(&Peer::Clients))
    }
}

/// One (node, port, protocol) a node must reach.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProbeTarget {
    pub node: String,
    pub address: String,
    pub port: u16,
    pub protocol: Protocol,
    pub component: &'static str,
}

/// Every (node, port, protocol) that `from` must reach, per the matrix,
/// on the other nodes of `inventory`.
pub fn targets_from(inventory: &kubev_ha_model::Inventory, from: &str) -> Vec<ProbeTarget> {
    let Some(source) = inventory.node(from) else { return vec![] };
    let mut out = Vec::new();
    for node in inventory.nodes.iter().filter(|n| n.name != from) {
        for rule in PORT_MATRIX.iter().filter(|r| r.applies(&source.roles, &node.roles)) {
            for &protocol in rule.protocols {
                for port in rule.probed_ports() {
                    out.push(ProbeTarget {
                        node: node.name.clone(),
                        address: node.address.to_string(),
                        port,
                        protocol,
                        component: rule.component,
                    });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The (port, protocol, component) a node with `roles` listens on.
pub fn listening_for(roles: &[Role]) -> Vec<(u16, Protocol, &'static str)> {
    let mut out: Vec<(u16, Protocol, &'static str)> = PORT_MATRIX
        .iter()
        .filter(|r| r.listens_on.includes(roles))
        .flat_map(|r| {
            r.protocols.iter().flat_map(move |&p| r.probed_ports().into_iter().map(move |port| (port, p, r.component)))
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

/// Notes that belong with the matrix but are not a port.
pub const MATRIX_NOTES: &[&str] = &[
    "keepalived needs IP protocol 112 (VRRP) between control-plane nodes.",
    "upstream Kube-OVN names 6643 and 6644 the NB and SB raft ports; the Kube-V page calls 6643 \"OVN Northd\".",
    "upstream KubeVirt binds migration listeners to ephemeral ports, so 61000–61009 is Kube-V's range, worth checking but not a KubeVirt constant.",
    "the matrix is data: another NodePort range or another CNI changes it.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_has_every_port_of_the_page() {
        let page = include_str!("../../../docs/source/ha-deployment.txt");
        for rule in PORT_MATRIX {
            let start = rule.ports.start().to_string();
            assert!(page.contains(&start), "{} {start} not on the page", rule.component);
        }
        assert_eq!(PORT_MATRIX.len(), 18);
    }

    #[test]
    fn long_ranges_are_sampled_the_same_way_everywhere() {
        let nodeport = PORT_MATRIX.iter().find(|r| r.component == "NodePort services").unwrap();
        let sample = nodeport.probed_ports();
        assert_eq!(sample.len(), RANGE_SAMPLE);
        assert_eq!((sample[0], sample[RANGE_SAMPLE - 1]), (30000, 32767));
        assert!(nodeport.is_sampled());
        let migration = PORT_MATRIX.iter().find(|r| r.component == "live migration").unwrap();
        assert_eq!(migration.probed_ports().len(), 10);
        assert!(!migration.is_sampled());
    }

    #[test]
    fn workers_reach_migration_ports_of_workers_only() {
        let migration = PORT_MATRIX.iter().find(|r| r.component == "live migration").unwrap();
        assert!(migration.reached_by(&[Role::Worker]));
        assert!(!migration.reached_by(&[Role::ControlPlane]));
        assert!(migration.listens_on.includes(&[Role::Worker]));
        assert!(!migration.listens_on.includes(&[Role::ControlPlane]));
    }
}
