//! Which rows of the matrix a deployment turns on: [`When`] is a row's
//! condition, [`Features`] what an inventory (or `net serve --feature`)
//! declares.

use std::fmt;

use kubev_ha_model::{Fencing, Inventory, LoadBalancerKind, Overlay, VipMode};
use serde::{Serialize, Serializer};

use crate::matrix::{PORT_MATRIX, PortNetwork, PortRule};
use kubev_ha_model::Protocol;

/// When a row belongs to a deployment's matrix: always, or when an
/// inventory field turns its feature on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every deployment has the row.
    Always,
    /// `network.overlay` is this tunnel (Geneve when unsaid, Kube-OVN's default).
    Overlay(Overlay),
    /// `ha.fencing: self-node-remediation`.
    SelfNodeRemediation,
    /// `apiEndpoint.loadBalancer: kube-vip` with `apiEndpoint.mode: bgp`.
    KubeVipBgp,
    /// `network.bgp: true`.
    BgpSpeaker,
    /// `network.interconnection: true`.
    Interconnection,
    /// `apiEndpoint.loadBalancer: keepalived`.
    Keepalived,
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Always => f.write_str("always"),
            When::Overlay(Overlay::Geneve) => f.write_str("network.overlay: geneve (the default)"),
            When::Overlay(o) => write!(f, "network.overlay: {o}"),
            When::SelfNodeRemediation => f.write_str("ha.fencing: self-node-remediation"),
            When::KubeVipBgp => f.write_str("apiEndpoint.loadBalancer: kube-vip with apiEndpoint.mode: bgp"),
            When::BgpSpeaker => f.write_str("network.bgp: true"),
            When::Interconnection => f.write_str("network.interconnection: true"),
            When::Keepalived => f.write_str("apiEndpoint.loadBalancer: keepalived"),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A `--feature` name that names no feature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("unknown feature `{0}`: expected one of {names}", names = FEATURE_NAMES.join(", "))]
pub struct UnknownFeature(
    /// The name as given.
    pub String,
);

/// What an inventory turns on, so which conditional rows of the matrix
/// apply. `net serve` gets the same set as `--feature` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// The overlay tunnel, and so which tunnel port is open (Geneve when
    /// the inventory does not say: Kube-OVN's default).
    pub overlay: Overlay,
    /// Self Node Remediation fences: its peers' health port is open.
    pub self_node_remediation: bool,
    /// kube-vip announces the API address over BGP.
    pub kube_vip_bgp: bool,
    /// Kube-OVN speaks BGP to the routers.
    pub bgp_speaker: bool,
    /// Kube-OVN interconnects this cluster with others.
    pub interconnection: bool,
    /// keepalived holds the API address with VRRP.
    pub keepalived: bool,
}

impl Default for Features {
    /// Nothing optional, Geneve: the page's own matrix.
    fn default() -> Self {
        Features {
            overlay: Overlay::Geneve,
            self_node_remediation: false,
            kube_vip_bgp: false,
            bgp_speaker: false,
            interconnection: false,
            keepalived: false,
        }
    }
}

/// The `--feature` names of `net serve`, each with what it turns on.
const FEATURE_NAMES: &[&str] =
    &["vxlan", "stt", "self-node-remediation", "kube-vip-bgp", "bgp", "interconnection", "keepalived"];

impl Features {
    /// What `inventory` declares. An undeclared feature is off: the row
    /// it would add is not required (and not probed) until declared.
    pub fn of(inventory: &Inventory) -> Features {
        let network = inventory.network();
        let endpoint = inventory.api_endpoint.as_ref().map(|e| &e.value);
        let lb = endpoint.and_then(|e| e.load_balancer);
        Features {
            overlay: network.and_then(|n| n.overlay).unwrap_or(Overlay::Geneve),
            self_node_remediation: inventory.ha().and_then(|h| h.fencing) == Some(Fencing::SelfNodeRemediation),
            kube_vip_bgp: lb == Some(LoadBalancerKind::KubeVip) && endpoint.and_then(|e| e.mode) == Some(VipMode::Bgp),
            bgp_speaker: network.and_then(|n| n.bgp) == Some(true),
            interconnection: network.and_then(|n| n.interconnection) == Some(true),
            keepalived: lb == Some(LoadBalancerKind::Keepalived),
        }
    }

    /// Whether a row under `when` belongs to this deployment's matrix.
    pub(crate) fn enables(&self, when: When) -> bool {
        match when {
            When::Always => true,
            When::Overlay(o) => self.overlay == o,
            When::SelfNodeRemediation => self.self_node_remediation,
            When::KubeVipBgp => self.kube_vip_bgp,
            When::BgpSpeaker => self.bgp_speaker,
            When::Interconnection => self.interconnection,
            When::Keepalived => self.keepalived,
        }
    }

    /// The `--feature` names of `net serve` that give back these features.
    pub fn names(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        match self.overlay {
            Overlay::Geneve => {}
            Overlay::Vxlan => out.push("vxlan"),
            Overlay::Stt => out.push("stt"),
        }
        for (on, name) in [
            (self.self_node_remediation, "self-node-remediation"),
            (self.kube_vip_bgp, "kube-vip-bgp"),
            (self.bgp_speaker, "bgp"),
            (self.interconnection, "interconnection"),
            (self.keepalived, "keepalived"),
        ] {
            if on {
                out.push(name);
            }
        }
        out
    }

    /// Features from `net serve --feature` names.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Features, UnknownFeature> {
        let mut f = Features::default();
        for name in names {
            match name {
                "vxlan" => f.overlay = Overlay::Vxlan,
                "stt" => f.overlay = Overlay::Stt,
                "self-node-remediation" => f.self_node_remediation = true,
                "kube-vip-bgp" => f.kube_vip_bgp = true,
                "bgp" => f.bgp_speaker = true,
                "interconnection" => f.interconnection = true,
                "keepalived" => f.keepalived = true,
                other => {
                    return Err(UnknownFeature(other.to_string()));
                }
            }
        }
        Ok(f)
    }

    /// The rows of the matrix these features turn on, in matrix order.
    pub fn rows(self) -> impl Iterator<Item = &'static PortRule> {
        PORT_MATRIX.iter().filter(move |r| self.enables(r.when))
    }

    /// The rows probed node to node and opened on node addresses.
    pub fn node_rows(self) -> impl Iterator<Item = &'static PortRule> {
        self.rows().filter(|r| r.network == PortNetwork::Node)
    }

    /// The UDP port path MTU is measured on: the overlay's own tunnel port,
    /// which the matrix opens between all nodes. STT tunnels over TCP, so
    /// no UDP port of the matrix carries the overlay: `None`.
    pub fn mtu_port(self) -> Option<u16> {
        self.node_rows()
            .find(|r| matches!(r.when, When::Overlay(_)) && r.protocols.contains(&Protocol::Udp))
            .map(|r| *r.ports.start())
    }
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::Role;

    use super::*;
    use crate::fixtures::{inventory, ports_to};
    use crate::listening_for;

    #[test]
    fn feature_rows_join_only_when_the_inventory_turns_them_on() {
        let plain = inventory("");
        assert_eq!(Features::of(&plain), Features::default());
        let all = ports_to(&plain, "cp-1", "cp-2");
        assert!(!all.iter().any(|(p, _)| [179, 4789, 7471, 6645, 6646, 6647, 6648].contains(p)), "{all:?}");

        let ic = inventory("network: {overlay: vxlan, interconnection: true}\n");
        let f = Features::of(&ic);
        assert!(f.interconnection && f.overlay == Overlay::Vxlan);
        let cp = ports_to(&ic, "cp-1", "cp-2");
        for port in [6645, 6646, 6647, 6648] {
            assert!(cp.contains(&(port, Protocol::Tcp)), "{port}: {cp:?}");
        }
        let w = ports_to(&ic, "w-1", "w-2");
        assert!(w.contains(&(4789, Protocol::Udp)) && !w.contains(&(6081, Protocol::Udp)), "{w:?}");
        assert_eq!(f.mtu_port(), Some(4789));
        let stt = Features::of(&inventory("network: {overlay: stt}\n"));
        assert_eq!(stt.mtu_port(), None, "STT has no UDP tunnel port");
        assert!(ports_to(&inventory("network: {overlay: stt}\n"), "w-1", "w-2").contains(&(7471, Protocol::Tcp)));
        assert_eq!(Features::default().mtu_port(), Some(6081));

        // BGP: the routers listen, so nothing is probed between nodes, and
        // nothing is served; VRRP has no port to probe.
        let bgp = inventory(
            "apiEndpoint: {host: 10.0.9.5, loadBalancer: kube-vip, vip: 10.0.9.5, mode: bgp}\nnetwork: {bgp: true}\n",
        );
        let f = Features::of(&bgp);
        assert!(f.kube_vip_bgp && f.bgp_speaker && !f.keepalived);
        assert!(f.rows().any(|r| r.component == "BGP (kube-vip)"));
        assert!(!ports_to(&bgp, "cp-1", "cp-2").iter().any(|(p, _)| *p == 179));
        let keepalived =
            Features::of(&inventory("apiEndpoint: {host: 10.0.0.5, loadBalancer: keepalived, vip: 10.0.0.5}\n"));
        assert!(keepalived.rows().any(|r| r.protocols == [Protocol::Vrrp]));
        assert!(!Features::default().rows().any(|r| r.protocols == [Protocol::Vrrp]));
        assert!(listening_for(&[Role::ControlPlane], keepalived).iter().all(|(_, p, _)| p.has_ports()));

        let snr = Features::of(&inventory("ha: {fencing: self-node-remediation}\n"));
        assert!(snr.self_node_remediation && snr.rows().any(|r| r.component == "Self Node Remediation"));
    }

    #[test]
    fn feature_names_give_back_the_same_features() {
        let all = Features {
            overlay: Overlay::Stt,
            self_node_remediation: true,
            kube_vip_bgp: true,
            bgp_speaker: true,
            interconnection: true,
            keepalived: true,
        };
        for f in [Features::default(), all] {
            assert_eq!(Features::from_names(f.names()), Ok(f));
        }
        assert!(Features::from_names(["ovn-ic"]).unwrap_err().to_string().contains("interconnection"));
    }
}
