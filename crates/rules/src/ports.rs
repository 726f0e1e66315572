//! The port matrix of the Kube-V page, as data: which component listens
//! where, and who must reach it. NET-PORTS, the network checks and the
//! firewall renderers all read this one table.

use std::fmt;
use std::ops::RangeInclusive;

use kubev_ha_model::Role;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
        ports: 6443..=6443,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll, LoadBalancer, Admins],
        purpose: "All API communication with the cluster",
        note: None,
    },
    PortRule {
        component: "etcd client",
        ports: 2379..=2379,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "etcd database communication",
        note: None,
    },
    PortRule {
        component: "etcd peer",
        ports: 2380..=2380,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "etcd database communication",
        note: None,
    },
    PortRule {
        component: "kubelet",
        ports: 10250..=10250,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Kubelet API for control plane communication",
        note: None,
    },
    PortRule {
        component: "kube-scheduler",
        ports: 10259..=10259,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Kube-Scheduler component",
        note: None,
    },
    PortRule {
        component: "controller-manager",
        ports: 10257..=10257,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Kube-Controller-Manager component",
        note: None,
    },
    PortRule {
        component: "kube-proxy health",
        ports: 10256..=10256,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[LoadBalancer, FromAll],
        purpose: "Kube-Proxy health checks and service routing",
        note: None,
    },
    PortRule {
        component: "NodePort services",
        ports: 30000..=32767,
        protocols: BOTH,
        listens_on: ListensOn::AllNodes,
        reached_from: &[Clients],
        purpose: "Default range for exposing services on node IPs",
        note: Some("the API server's --service-node-port-range; probes sample the range"),
    },
    PortRule {
        component: "KubeVirt API",
        ports: 8443..=8443,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromAll],
        purpose: "KubeVirt API communication (virt-api pods)",
        note: None,
    },
    PortRule {
        component: "live migration",
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
        ports: 6641..=6641,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll],
        purpose: "OVN Northbound Database",
        note: None,
    },
    PortRule {
        component: "OVN SB DB",
        ports: 6642..=6642,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll],
        purpose: "OVN Southbound Database",
        note: None,
    },
    PortRule {
        component: "OVN northd / NB raft",
        ports: 6643..=6643,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "OVN Northd process",
        note: Some("upstream Kube-OVN names 6643 the NB database's raft port"),
    },
    PortRule {
        component: "OVN raft / SB raft",
        ports: 6644..=6644,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "OVN Raft consensus (for HA OVN DBs)",
        note: Some("upstream Kube-OVN names 6644 the SB database's raft port"),
    },
    PortRule {
        component: "Geneve",
        ports: 6081..=6081,
        protocols: UDP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromAll],
        purpose: "Default overlay network for pod communication (OVN)",
        note: None,
    },
    PortRule {
        component: "OVN controller metrics",
        ports: 10660..=10660,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Metrics for OVN Controller",
        note: None,
    },
    PortRule {
        component: "OVN daemon metrics",
        ports: 10665..=10665,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Metrics for OVN Daemon (on each node)",
        note: None,
    },
    PortRule {
        component: "OVN monitor metrics",
        ports: 10661..=10661,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        purpose: "Metrics for OVN Monitor",
        note: None,
    },
];

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
    fn workers_reach_migration_ports_of_workers_only() {
        let migration = PORT_MATRIX.iter().find(|r| r.component == "live migration").unwrap();
        assert!(migration.reached_by(&[Role::Worker]));
        assert!(!migration.reached_by(&[Role::ControlPlane]));
        assert!(migration.listens_on.includes(&[Role::Worker]));
        assert!(!migration.listens_on.includes(&[Role::ControlPlane]));
    }
}
