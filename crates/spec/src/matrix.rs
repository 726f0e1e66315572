//! The port matrix of the Kube-V page, as data: which component listens
//! where, on which network, who must reach it, and when the row applies.
//! NET-PORTS, the network checks, the responder and the firewall renderers
//! all read this one table, through [`Features`](crate::Features) (which
//! rows an inventory turns on) and [`PortNetwork`] (where a row can be
//! verified).
//!
//! Only `node` rows are probed node to node and opened by the firewall
//! rules for node addresses. `local-only` rows (bound to 127.0.0.1 by
//! kubeadm) are judged from a host's listening sockets; `pod` and
//! `migration` rows live inside pods, where probing a node address proves
//! nothing, and are left to the live-cluster audit.

use std::fmt;
use std::ops::RangeInclusive;

use kubev_ha_model::{Overlay, Role};
use serde::Serialize;

use crate::features::When;
use kubev_ha_model::Protocol;

/// Where a port listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListensOn {
    /// On every node's address.
    AllNodes,
    /// On the addresses of the nodes with this role.
    Role(Role),
    /// Inside these pods, on the pod network (or the migration network),
    /// not on a node address.
    Pods(&'static str),
    /// Outside the cluster (BGP routers): nodes connect out to it.
    Outside(&'static str),
}

impl ListensOn {
    /// Whether the port listens on a node address of a node with `roles`.
    pub fn includes(self, roles: &[Role]) -> bool {
        match self {
            ListensOn::AllNodes => true,
            ListensOn::Role(r) => roles.contains(&r),
            ListensOn::Pods(_) | ListensOn::Outside(_) => false,
        }
    }
}

impl fmt::Display for ListensOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListensOn::AllNodes => f.write_str("all"),
            ListensOn::Role(r) => r.fmt(f),
            ListensOn::Pods(what) | ListensOn::Outside(what) => f.write_str(what),
        }
    }
}

/// Who must reach a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Peer {
    /// Every node of the cluster.
    AllNodes,
    /// The nodes with this role.
    Role(Role),
    /// The load balancer in front of the API servers (its health checks
    /// and the traffic it forwards).
    LoadBalancer,
    /// The operators' machines (kubectl, SSH).
    Admins,
    /// Anyone using the cluster's services (NodePorts).
    Clients,
    /// The node itself, over loopback.
    Itself,
    /// Metrics scrapers (Prometheus), which may run on any node.
    Monitoring,
    /// The Kube-OVN masters of the other interconnected clusters.
    OtherClusters,
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Peer::AllNodes => f.write_str("all nodes"),
            Peer::Role(r) => r.fmt(f),
            Peer::LoadBalancer => f.write_str("load balancer"),
            Peer::Admins => f.write_str("admins"),
            Peer::Clients => f.write_str("clients"),
            Peer::Itself => f.write_str("itself (loopback)"),
            Peer::Monitoring => f.write_str("monitoring"),
            Peer::OtherClusters => f.write_str("other clusters' Kube-OVN masters"),
        }
    }
}

/// Which network a port lives on, and so where it can be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortNetwork {
    /// On node addresses: probed node to node, opened by the firewall rules.
    Node,
    /// Bound to loopback on the node: free before install, listening on
    /// loopback after; never required node to node.
    LocalOnly,
    /// Inside pods on the pod network (the overlay).
    Pod,
    /// Inside virt-handler pods: on the pod network, or on the dedicated
    /// migration network when there is one.
    Migration,
}

impl PortNetwork {
    /// Every network, in the order the catalog lists them.
    pub const ALL: [PortNetwork; 4] =
        [PortNetwork::Node, PortNetwork::LocalOnly, PortNetwork::Pod, PortNetwork::Migration];

    /// How a row on this network is verified.
    pub fn verified_by(self) -> &'static str {
        match self {
            PortNetwork::Node => {
                "probed node to node by `net check` and `net matrix`; opened by `render nftables` / `render firewalld`"
            }
            PortNetwork::LocalOnly => {
                "not probed node to node and not opened to other nodes: `probe` and `host` read the node's listening sockets (free before install, on loopback after)"
            }
            PortNetwork::Pod | PortNetwork::Migration => {
                "not probed on node addresses and not in the node firewall rules (the traffic enters pods, never the node's input chain): verified by the live-cluster audit (not yet available)"
            }
        }
    }
}

impl fmt::Display for PortNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortNetwork::Node => "node",
            PortNetwork::LocalOnly => "local-only",
            PortNetwork::Pod => "pod",
            PortNetwork::Migration => "migration",
        })
    }
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct PortRule {
    /// The component that listens, as the page names it.
    pub component: &'static str,
    /// The process names (as /proc/PID/comm shows them, at most 15
    /// characters) of the component that listens here once installed; a
    /// port held by anything else is a conflict.
    pub owners: &'static [&'static str],
    /// For VRRP, which has no ports, `0..=0`; [`PortRule::ports_text`] says so.
    pub ports: RangeInclusive<u16>,
    /// The protocols the ports take (TCP and UDP both for some rows).
    pub protocols: &'static [Protocol],
    /// Where the port listens.
    pub listens_on: ListensOn,
    /// Who must be able to reach it: the firewall's "from".
    pub reached_from: &'static [Peer],
    /// Which network the port lives on, so where it can be verified.
    pub network: PortNetwork,
    /// When the row applies.
    pub when: When,
    /// What the page calls it, and anything to know about it.
    pub purpose: &'static str,
    /// Where the row's facts come from upstream, and where the page differs.
    pub note: Option<&'static str>,
}

impl PortRule {
    /// `6443`, `30000–32767` for a range, `IP protocol 112` for VRRP.
    pub fn ports_text(&self) -> String {
        if !self.protocols.iter().any(|p| p.has_ports()) {
            "IP protocol 112".to_string()
        } else if self.ports.start() == self.ports.end() {
            self.ports.start().to_string()
        } else {
            format!("{}–{}", self.ports.start(), self.ports.end())
        }
    }

    /// The protocols joined by `+`, as the tables print them (`tcp+udp`).
    pub fn protocols_text(&self) -> String {
        self.protocols.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("+")
    }

    /// Whether a node with `roles` must reach this port (on another node).
    /// Metrics scrapers may run on any node, so they count as every node.
    pub fn reached_by(&self, roles: &[Role]) -> bool {
        self.reached_from.iter().any(|p| match p {
            Peer::AllNodes | Peer::Monitoring => true,
            Peer::Role(r) => roles.contains(r),
            _ => false,
        })
    }

    /// The protocols of this row a prober can connect to and a responder
    /// can take.
    pub fn port_protocols(&self) -> impl Iterator<Item = Protocol> + '_ {
        self.protocols.iter().copied().filter(|p| p.has_ports())
    }
}

use Peer::{Admins, AllNodes as FromAll, Clients, Itself, LoadBalancer, Monitoring, OtherClusters, Role as FromRole};
use Protocol::{Tcp, Udp, Vrrp};
use Role::{ControlPlane, Worker};

const TCP: &[Protocol] = &[Tcp];
const UDP: &[Protocol] = &[Udp];
const BOTH: &[Protocol] = &[Tcp, Udp];

/// The matrix of ../shared/spec/rules.md: the page's port table, each row
/// placed on the network upstream puts it on, then the rows a feature adds.
pub static PORT_MATRIX: &[PortRule] = &[
    PortRule {
        component: "API server",
        owners: &["kube-apiserver"],
        ports: 6443..=6443,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll, LoadBalancer, Admins],
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
        purpose: "Kubelet API for control plane communication",
        note: None,
    },
    PortRule {
        component: "kube-scheduler",
        owners: &["kube-scheduler"],
        ports: 10259..=10259,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[Itself],
        network: PortNetwork::LocalOnly,
        when: When::Always,
        purpose: "Kube-Scheduler component",
        note: Some(
            "kubeadm binds it to 127.0.0.1 (kubernetes cmd/kubeadm/app/phases/controlplane/manifests.go, getSchedulerCommand: bind-address 127.0.0.1 in kubeadm v1.31, `address` 127.0.0.1 as far back as v1.9): \
the page lists it as inbound, but another node's probe finds it closed on a healthy cluster",
        ),
    },
    PortRule {
        component: "controller-manager",
        owners: &["kube-controller-manager"],
        ports: 10257..=10257,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[Itself],
        network: PortNetwork::LocalOnly,
        when: When::Always,
        purpose: "Kube-Controller-Manager component",
        note: Some(
            "kubeadm binds it to 127.0.0.1 (kubernetes cmd/kubeadm/app/phases/controlplane/manifests.go, getControllerManagerCommand: bind-address 127.0.0.1 in kubeadm v1.31, `address` 127.0.0.1 as far back as v1.9): \
the page lists it as inbound, but another node's probe finds it closed on a healthy cluster",
        ),
    },
    PortRule {
        component: "kube-proxy health",
        owners: &["kube-proxy"],
        ports: 10256..=10256,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[LoadBalancer, FromAll],
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
        purpose: "Default range for exposing services on node IPs",
        note: Some("the API server's --service-node-port-range; probes sample the range"),
    },
    PortRule {
        component: "KubeVirt API",
        owners: &["virt-api", "virt-operator"],
        ports: 8443..=8443,
        protocols: TCP,
        listens_on: ListensOn::Pods("virt-api pods"),
        reached_from: &[FromRole(ControlPlane)],
        network: PortNetwork::Pod,
        when: When::Always,
        purpose: "KubeVirt API communication (virt-api pods)",
        note: Some(
            "virt-api is a Deployment on the pod network, not host-network, listening on 8443 in its pod \
(kubevirt pkg/virt-operator/resource/generate/components/deployments.go, NewApiServerDeployment, KubeVirt v1.9.0); the API server reaches it through its Service",
        ),
    },
    PortRule {
        component: "live migration",
        owners: &["virt-handler"],
        ports: 61000..=61009,
        protocols: TCP,
        listens_on: ListensOn::Pods("virt-handler pods on workers"),
        reached_from: &[FromRole(Worker)],
        network: PortNetwork::Migration,
        when: When::Always,
        purpose: "For migrating VM state between nodes",
        note: Some(
            "the page's range is approximate: the receiving virt-handler's migration proxy listens on a random port (port 0) inside its pod \
(kubevirt pkg/virt-handler/migration-proxy/migration-proxy.go, StartTargetListener, KubeVirt v1.9.0), on the pod address or, with a dedicated migration network, \
on the pod's migration0 address (pkg/virt-handler/migration.go, FindMigrationIP); virt-handler is not host-network (components/daemonsets.go)",
        ),
    },
    PortRule {
        component: "OVN NB DB",
        owners: &["ovsdb-server", "ovn-northd"],
        ports: 6641..=6641,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromAll],
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Overlay(Overlay::Geneve),
        purpose: "Default overlay network for pod communication (OVN)",
        note: Some(
            "Open vSwitch's Geneve port (openvswitch lib/netdev-vport.c, GENEVE_DST_PORT; Kube-OVN dist/images/start-ovs.sh, v1.16.2); replaced by VXLAN or STT when network.overlay says so",
        ),
    },
    PortRule {
        component: "kube-ovn-controller metrics",
        owners: &["kube-ovn"],
        ports: 10660..=10660,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[Monitoring],
        network: PortNetwork::Node,
        when: When::Always,
        purpose: "Metrics for OVN Controller",
        note: Some(
            "the page calls it OVN Controller; upstream it is kube-ovn-controller's metrics and health port (kube-ovn pkg/controller/config.go, --pprof-port 10660, v1.16.2), \
a host-network Deployment on the nodes labelled kube-ovn/role=master (dist/images/install.sh), the control planes in Kube-V, not on every node",
        ),
    },
    PortRule {
        component: "OVN daemon metrics",
        owners: &["kube-ovn"],
        ports: 10665..=10665,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromRole(ControlPlane)],
        network: PortNetwork::Node,
        when: When::Always,
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
        network: PortNetwork::Node,
        when: When::Always,
        purpose: "Metrics for OVN Monitor",
        note: None,
    },
    // Rows the design needs when a feature is on (not in the page's table).
    PortRule {
        component: "Self Node Remediation",
        owners: &["manager"],
        ports: 30001..=30001,
        protocols: TCP,
        listens_on: ListensOn::Pods("self-node-remediation agent pods on every node"),
        reached_from: &[FromAll],
        network: PortNetwork::Pod,
        when: When::SelfNodeRemediation,
        purpose: "Peer health checks between SNR agents when a node loses the API server",
        note: Some(
            "SelfNodeRemediationConfig spec.hostPort, default 30001 (medik8s/self-node-remediation api/v1alpha1/selfnoderemediationconfig_types.go, v0.13.0), \
inside the NodePort range: no NodePort Service may take it. Agents dial their peers' pod IPs, not node addresses (internal/peers/peers.go, mapNodesToPrimaryPodIPs), \
so the traffic rides the pod network",
        ),
    },
    PortRule {
        component: "BGP (kube-vip)",
        owners: &["kube-vip"],
        ports: 179..=179,
        protocols: TCP,
        listens_on: ListensOn::Outside("the BGP peers (routers)"),
        reached_from: &[FromRole(ControlPlane)],
        network: PortNetwork::Node,
        when: When::KubeVipBgp,
        purpose: "kube-vip announces the API VIP to its BGP peers",
        note: Some(
            "kube-vip dials its peers on 179 and listens on none (kube-vip pkg/bgp/server.go, ListenPort: -1; pkg/bgp/peers.go, v1.2.3): \
control planes need 179 outbound to the routers; no inbound rule on the nodes",
        ),
    },
    PortRule {
        component: "BGP (speaker)",
        owners: &["kube-ovn-speaker", "speaker"],
        ports: 179..=179,
        protocols: TCP,
        listens_on: ListensOn::Outside("the BGP peers (routers)"),
        reached_from: &[FromAll],
        network: PortNetwork::Node,
        when: When::BgpSpeaker,
        purpose: "A BGP speaker (kube-ovn-speaker, MetalLB) announces routes to its peers",
        note: Some(
            "kube-ovn-speaker dials its peers and listens only with --passive-mode (kube-ovn pkg/speaker/config.go, initBgpServer, v1.16.2); \
a passive speaker needs 179 inbound from the routers",
        ),
    },
    PortRule {
        component: "ovn-ic databases",
        owners: &["ovsdb-server"],
        ports: 6645..=6646,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane), OtherClusters],
        network: PortNetwork::Node,
        when: When::Interconnection,
        purpose: "OVN interconnection: IC northbound (6645) and southbound (6646) databases",
        note: Some(
            "kube-ovn dist/images/start-ic-db.sh (ic_nb 6645, ic_sb 6646, v1.16.2); install-ic-server.sh runs ovn-ic-server host-network on the kube-ovn/role=master nodes; \
every interconnected cluster's ovn-ic connects to them",
        ),
    },
    PortRule {
        component: "ovn-ic raft",
        owners: &["ovsdb-server"],
        ports: 6647..=6648,
        protocols: TCP,
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        network: PortNetwork::Node,
        when: When::Interconnection,
        purpose: "OVN interconnection: raft between the IC database replicas",
        note: Some("kube-ovn dist/images/start-ic-db.sh (the clustered IC databases on 6647 and 6648, v1.16.2)"),
    },
    PortRule {
        component: "VXLAN",
        owners: &[],
        ports: 4789..=4789,
        protocols: UDP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromAll],
        network: PortNetwork::Node,
        when: When::Overlay(Overlay::Vxlan),
        purpose: "Overlay tunnel instead of Geneve (network.overlay: vxlan)",
        note: Some(
            "Open vSwitch's VXLAN port (openvswitch lib/netdev-vport.c, VXLAN_DST_PORT; Kube-OVN's vxlan_sys_4789, pkg/util/const.go, v1.16.2)",
        ),
    },
    PortRule {
        component: "STT",
        owners: &[],
        ports: 7471..=7471,
        protocols: TCP,
        listens_on: ListensOn::AllNodes,
        reached_from: &[FromAll],
        network: PortNetwork::Node,
        when: When::Overlay(Overlay::Stt),
        purpose: "Overlay tunnel instead of Geneve (network.overlay: stt)",
        note: Some(
            "Open vSwitch's STT port (openvswitch lib/netdev-vport.c, STT_DST_PORT); STT frames look like TCP but no socket holds the port, \
so once the tunnel is up probes only say whether the firewall lets 7471 through",
        ),
    },
    PortRule {
        component: "keepalived VRRP",
        owners: &["keepalived"],
        ports: 0..=0,
        protocols: &[Vrrp],
        listens_on: ListensOn::Role(ControlPlane),
        reached_from: &[FromRole(ControlPlane)],
        network: PortNetwork::Node,
        when: When::Keepalived,
        purpose: "keepalived's VRRP advertisements between the control planes that share the VIP",
        note: Some(
            "IP protocol 112 (VRRP, RFC 5798), multicast to 224.0.0.18: a firewall must admit it, but no port can be probed, so `net check` cannot measure it",
        ),
    },
];

/// How many ports of a range (the NodePort range) are probed: the first,
/// the last, and evenly spaced ones between. Responder and prober derive
/// the same sample, so both sides agree on it.
pub(crate) const RANGE_SAMPLE: usize = 8;

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
    pub(crate) fn applies(&self, from: &[Role], to: &[Role]) -> bool {
        self.listens_on.includes(to) && (self.reached_by(from) || self.reached_from.contains(&Peer::Clients))
    }
}

/// Notes that belong with the matrix but are not one row.
pub const MATRIX_NOTES: &[&str] = &[
    "upstream Kube-OVN names 6643 and 6644 the NB and SB raft ports; the Kube-V page calls 6643 \"OVN Northd\".",
    "the page's table is node-to-node, but 10257 and 10259 are bound to loopback by kubeadm, and 8443 and live migration live in pods: \
each row says its network, and only `node` rows are probed between nodes and opened by the rendered firewall rules.",
    "rows with a `when` other than `always` join the matrix when the inventory turns their feature on.",
    "the matrix is data: another NodePort range or another CNI changes it.",
];

#[cfg(test)]
mod tests {

    use super::*;
    use crate::fixtures::row;

    #[test]
    fn matrix_has_every_port_of_the_page() {
        let page = include_str!("../../../docs/source/ha-deployment.txt");
        let from_page: Vec<&PortRule> =
            PORT_MATRIX.iter().filter(|r| matches!(r.when, When::Always | When::Overlay(Overlay::Geneve))).collect();
        for rule in &from_page {
            let start = rule.ports.start().to_string();
            assert!(page.contains(&start), "{} {start} not on the page", rule.component);
        }
        assert_eq!(from_page.len(), 18);
    }

    #[test]
    fn long_ranges_are_sampled_the_same_way_everywhere() {
        let nodeport = row("NodePort services");
        let sample = nodeport.probed_ports();
        assert_eq!(sample.len(), RANGE_SAMPLE);
        assert_eq!((sample[0], sample[RANGE_SAMPLE - 1]), (30000, 32767));
        assert!(nodeport.is_sampled());
        let migration = row("live migration");
        assert_eq!(migration.probed_ports().len(), 10);
        assert!(!migration.is_sampled());
    }

    #[test]
    fn workers_reach_migration_ports_of_workers_only() {
        let migration = row("live migration");
        assert!(migration.reached_by(&[Role::Worker]));
        assert!(!migration.reached_by(&[Role::ControlPlane]));
        // In virt-handler's pod, not on the worker's address.
        assert_eq!(migration.network, PortNetwork::Migration);
        assert!(!migration.listens_on.includes(&[Role::Worker]));
    }

    #[test]
    fn every_row_cites_where_it_differs_from_the_page_or_comes_from() {
        for rule in PORT_MATRIX.iter().filter(|r| r.network != PortNetwork::Node || r.when != When::Always) {
            assert!(rule.note.is_some(), "{} needs a note with its upstream source", rule.component);
        }
    }
}
