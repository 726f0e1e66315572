//! What the matrix asks of real nodes: every (node, port, protocol) one
//! node must reach, and what a responder on a node listens on, derived
//! from the same rows so prober and responder agree.

use kubev_ha_model::{Inventory, Role};
use serde::Serialize;

use crate::features::Features;
use kubev_ha_model::Protocol;

/// One (node, port, protocol) a node must reach.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProbeTarget {
    /// The node to reach, as the inventory names it.
    pub node: String,
    /// Its inventory address (an IP or a DNS name), as written.
    pub address: String,
    /// The port; for a range one of the ports [`PortRule::probed_ports`](crate::PortRule::probed_ports) samples.
    pub port: u16,
    /// How to probe it.
    pub protocol: Protocol,
    /// The matrix row's component, so a failed probe says what is missing.
    pub component: &'static str,
}

/// Every (node, port, protocol) that `from` must reach, per the matrix,
/// on the other nodes of `inventory`: the rows its features turn on that
/// live on node addresses and have ports. Local-only, pod and migration
/// rows are never probed node to node (see [`PortNetwork`](crate::PortNetwork)).
pub fn targets_from(inventory: &Inventory, from: &str) -> Vec<ProbeTarget> {
    let Some(source) = inventory.node(from) else { return vec![] };
    let features = Features::of(inventory);
    let mut out = Vec::new();
    for node in inventory.nodes.iter().filter(|n| n.name != from) {
        for rule in features.node_rows().filter(|r| r.applies(&source.roles, &node.roles)) {
            for protocol in rule.port_protocols() {
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

/// The (port, protocol, component) a responder on a node with `roles`
/// listens on: what the node-to-node probes of the same features reach.
pub fn listening_for(roles: &[Role], features: Features) -> Vec<(u16, Protocol, &'static str)> {
    let mut out: Vec<(u16, Protocol, &'static str)> = features
        .node_rows()
        .filter(|r| r.listens_on.includes(roles))
        .flat_map(|r| {
            r.port_protocols().flat_map(move |p| r.probed_ports().into_iter().map(move |port| (port, p, r.component)))
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{inventory, ports_to, row};
    use crate::{Peer, PortNetwork};

    /// Regression: 10257 and 10259 were probed from the other control
    /// planes, which find them closed on a healthy kubeadm cluster.
    #[test]
    fn scheduler_and_controller_manager_are_local_only_and_never_probed_node_to_node() {
        let inv = inventory("");
        for component in ["kube-scheduler", "controller-manager"] {
            assert_eq!(row(component).network, PortNetwork::LocalOnly, "{component}");
            assert_eq!(row(component).reached_from, &[Peer::Itself][..]);
        }
        let to_cp = ports_to(&inv, "cp-1", "cp-2");
        assert!(to_cp.contains(&(2380, Protocol::Tcp)), "{to_cp:?}");
        assert!(!to_cp.iter().any(|(p, _)| [10257, 10259].contains(p)), "{to_cp:?}");
        let served = listening_for(&[Role::ControlPlane], Features::default());
        assert!(!served.iter().any(|(p, ..)| [10257, 10259].contains(p)), "{served:?}");
    }

    /// Regression: 8443 and 61000–61009 were probed on node addresses,
    /// where nothing of KubeVirt listens.
    #[test]
    fn pod_network_ports_are_not_probed_on_node_addresses() {
        let inv = inventory("");
        assert_eq!(row("KubeVirt API").network, PortNetwork::Pod);
        for (from, to) in [("w-1", "w-2"), ("cp-1", "w-1"), ("w-1", "cp-1")] {
            let ports = ports_to(&inv, from, to);
            assert!(!ports.iter().any(|(p, _)| *p == 8443 || (61000..=61009).contains(p)), "{from}→{to}: {ports:?}");
        }
        let served = listening_for(&[Role::Worker], Features::default());
        assert!(!served.iter().any(|(p, ..)| *p == 8443 || (61000..=61009).contains(p)), "{served:?}");
        // The Geneve tunnel that carries them is still probed.
        assert!(ports_to(&inv, "w-1", "w-2").contains(&(6081, Protocol::Udp)));
    }

    /// Regression: 10660 was required on every node, but kube-ovn-controller
    /// runs on the Kube-OVN masters only.
    #[test]
    fn kube_ovn_controller_metrics_live_on_the_control_planes_only() {
        let inv = inventory("");
        assert!(ports_to(&inv, "w-1", "cp-1").contains(&(10660, Protocol::Tcp)));
        assert!(!ports_to(&inv, "cp-1", "w-1").iter().any(|(p, _)| *p == 10660));
        assert!(!listening_for(&[Role::Worker], Features::default()).iter().any(|(p, ..)| *p == 10660));
    }
}
