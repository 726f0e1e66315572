//! Firewall rules that open exactly the port matrix for one node, as
//! nftables (`nft -f`) or firewalld (`firewall-cmd`) input.
//!
//! Only the matrix rows on node addresses (`node` network) that the
//! inventory's features turn on are rendered. Local-only ports
//! (kube-scheduler, controller-manager) are bound to loopback, which stays
//! open anyway; pod and migration ports (virt-api, the migration proxies,
//! Self Node Remediation's peers) live inside pods, whose traffic reaches
//! them through the overlay tunnel and never this host's input chain, so
//! a rule for them on the node would open a port nothing listens on. BGP
//! rows listen on the routers: the nodes connect out, and the replies pass
//! as established traffic. keepalived's VRRP (IP protocol 112) is a row of
//! its own, rendered only with `loadBalancer: keepalived` (kube-vip uses no
//! VRRP).
//!
//! What each rule lets in is the matrix's "from" column: the other nodes
//! (their addresses, the node CIDR, and the pod CIDR, since pods reach
//! host ports too, metrics scrapers among them), only the control planes,
//! or anyone (load balancers, admins, NodePort clients). SSH, loopback,
//! ICMP and established traffic stay open, so applying the rules never
//! locks the operator out; the table is replaced as a whole, so applying
//! twice is the same as once.
//!
//! kubev-ha's own measurement port (the bandwidth sink of `net matrix
//! --bandwidth`) is not part of the matrix and stays closed unless asked
//! for ([`FirewallOptions::measurement_ports`]): outside a measurement
//! nothing should listen there.

use std::fmt::Write;
use std::net::IpAddr;

use kubev_ha_model::{Inventory, Node, Role};
use kubev_ha_spec::{Features, ListensOn, Peer, PortNetwork, PortRule, Protocol};

/// What to render beyond the matrix itself.
#[derive(Debug, Clone, Default)]
pub struct FirewallOptions {
    /// TCP ports of kubev-ha's own measurements to open on workers, from
    /// the workers and the migration network (`render --allow-measurement-ports`).
    pub measurement_ports: Vec<u16>,
}

/// Who a rule admits, reduced to what a firewall can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sources {
    Anyone,
    Nodes,
    ControlPlanes,
    Workers,
}

fn sources(rule: &PortRule) -> Sources {
    let open = [Peer::LoadBalancer, Peer::Admins, Peer::Clients];
    if rule.reached_from.iter().any(|p| open.contains(p)) {
        Sources::Anyone
    } else if rule.reached_from.iter().any(|p| matches!(p, Peer::AllNodes | Peer::Monitoring)) {
        Sources::Nodes
    } else if rule.reached_from.contains(&Peer::Role(Role::ControlPlane)) {
        Sources::ControlPlanes
    } else {
        Sources::Workers
    }
}

/// Nodes whose address is a DNS name: nftables sets and firewalld sources
/// hold addresses, so such a node would silently drop out of every rule
/// (and, under a drop policy, be locked out). Rendering refuses instead.
pub fn address_problems(inventory: &Inventory) -> Vec<kubev_ha_model::Problem> {
    inventory
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.address.ip().is_none())
        .map(|(i, n)| {
            let mut problem = kubev_ha_model::Problem::maybe_at(
                n.at,
                format!(
                    "nodes[{i}].address: `{}` is a DNS name; firewall rules match addresses, so {} would be left out of every rule",
                    n.address, n.name
                ),
            );
            problem.help = Some(format!("declare the IP address of {} to render firewall rules", n.name));
            problem
        })
        .collect()
}

fn ips(nodes: impl Iterator<Item = impl std::ops::Deref<Target = Node>>) -> (Vec<String>, Vec<String>) {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for n in nodes {
        match n.address.ip() {
            Some(IpAddr::V4(ip)) => v4.push(ip.to_string()),
            Some(IpAddr::V6(ip)) => v6.push(ip.to_string()),
            None => {}
        }
    }
    v4.sort();
    v4.dedup();
    v6.sort();
    v6.dedup();
    (v4, v6)
}

/// The rows rendered for `node`: on node addresses, turned on by the
/// inventory, listening on this node.
fn rows_for<'a>(features: Features, node: &'a Node) -> impl Iterator<Item = &'static PortRule> + 'a {
    features.node_rows().filter(move |r| r.listens_on.includes(&node.roles))
}

/// Comment lines for what is deliberately not rendered for `node`: rows
/// this node reaches out to (BGP peers), rows of other nodes' peers the
/// operator must add (other clusters), and rows inside pods.
fn unrendered_notes(features: Features, node: &Node) -> Vec<String> {
    let mut notes = Vec::new();
    for rule in features.node_rows() {
        if matches!(rule.listens_on, ListensOn::Outside(_)) && rule.reached_by(&node.roles) {
            notes.push(format!(
                "{} {}/{} to {}: this node connects out, and the replies pass as established traffic, so no inbound rule",
                rule.component,
                rule.ports_text(),
                rule.protocols_text(),
                rule.listens_on
            ));
        }
        if rule.listens_on.includes(&node.roles) && rule.reached_from.contains(&Peer::OtherClusters) {
            notes.push(format!(
                "{} {}/{}: the other clusters' Kube-OVN masters must reach it too; add a rule with their addresses",
                rule.component,
                rule.ports_text(),
                rule.protocols_text()
            ));
        }
    }
    let inside: Vec<String> = features
        .rows()
        .filter(|r| matches!(r.network, PortNetwork::Pod | PortNetwork::Migration))
        .map(|r| format!("{} {}/{}", r.component, r.ports_text(), r.protocols_text()))
        .collect();
    if !inside.is_empty() {
        notes.push(format!(
            "not opened here, since they live in pods and their traffic never enters this chain: {}",
            inside.join(", ")
        ));
    }
    notes
}

/// The declared migration network(s), as (IPv4, IPv6) CIDR strings.
fn migration_cidrs(inventory: &Inventory) -> (Vec<String>, Vec<String>) {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    if let Some(cidr) = inventory.migration_network().and_then(|m| m.cidr) {
        match cidr.0 {
            ipnet::IpNet::V4(c) => v4.push(c.to_string()),
            ipnet::IpNet::V6(c) => v6.push(c.to_string()),
        }
    }
    (v4, v6)
}

/// Interface names the inventory declares for `node`. They go into a shell
/// script, so a name with anything but the characters interface names use
/// in practice is left out rather than quoted.
fn interfaces(node: &Node) -> Vec<String> {
    let plain = |n: &String| {
        !n.is_empty() && n.len() <= 15 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
    };
    let mut names: Vec<String> =
        node.nics.iter().flatten().filter_map(|n| n.name.clone()).filter(|n| plain(n)).collect();
    names.sort();
    names.dedup();
    names
}

/// What an nftables rule matches for `protocol` of `rule` in `family`
/// (`ip`, `ip6`, or `inet` for both).
fn nft_match(rule: &PortRule, protocol: Protocol, family: &str) -> String {
    match protocol {
        Protocol::Vrrp if family == "ip" => "ip protocol vrrp".into(),
        Protocol::Vrrp => "meta l4proto vrrp".into(),
        p => format!("{p} dport {}", ports_expr(rule)),
    }
}

fn ports_expr(rule: &PortRule) -> String {
    if rule.ports.start() == rule.ports.end() {
        rule.ports.start().to_string()
    } else {
        format!("{}-{}", rule.ports.start(), rule.ports.end())
    }
}

fn comment(rule: &PortRule) -> String {
    let from: Vec<String> = rule.reached_from.iter().map(|p| p.to_string()).collect();
    format!("{} from {}", rule.component, from.join(", ")).replace('"', "'")
}

/// The nftables ruleset for `node`.
pub fn nftables(inventory: &Inventory, source: &str, node: &str, options: &FirewallOptions) -> String {
    let Some(this) = inventory.node(node) else { return String::new() };
    let mut out = String::new();
    let roles: Vec<String> = this.roles.iter().map(|r| r.to_string()).collect();
    let _ = writeln!(out, "#!/usr/sbin/nft -f");
    let _ = writeln!(out, "# kubev-ha: the Kube-V port matrix for node {node} ({}), from {source}.", roles.join(", "));
    let _ = writeln!(
        out,
        "# Check with `nft -c -f FILE`, apply with `nft -f FILE`; remove with `nft delete table inet kubev_ha`."
    );
    let _ = writeln!(out, "table inet kubev_ha");
    let _ = writeln!(out, "delete table inet kubev_ha");
    let _ = writeln!(out, "table inet kubev_ha {{");

    let (nodes4, nodes6) = ips(inventory.nodes.iter().map(|n| &n.value));
    let (cp4, cp6) = ips(inventory.control_planes().map(|n| &n.value));
    let (w4, w6) = ips(inventory.workers().map(|n| &n.value));
    let mut nets4: Vec<String> = Vec::new();
    let mut nets6: Vec<String> = Vec::new();
    if let Some(net) = inventory.network() {
        for cidr in [net.node_cidr, net.pod_cidr].into_iter().flatten() {
            match cidr.0 {
                ipnet::IpNet::V4(c) => nets4.push(c.to_string()),
                ipnet::IpNet::V6(c) => nets6.push(c.to_string()),
            }
        }
    }
    let set = |out: &mut String, name: &str, kind: &str, interval: bool, elements: &[String]| {
        if elements.is_empty() {
            return;
        }
        // auto-merge: overlapping networks (a node CIDR inside a pod CIDR) merge instead of conflicting.
        let flags = if interval { " flags interval; auto-merge;" } else { "" };
        let _ = writeln!(out, "  set {name} {{ type {kind};{flags} elements = {{ {} }} }}", elements.join(", "));
    };
    // An interval set may not hold an address and a network around it:
    // addresses the node or pod network covers are left to the network.
    let covered = |ip: &String, nets: &[String]| {
        ip.parse::<IpAddr>()
            .is_ok_and(|ip| nets.iter().filter_map(|n| n.parse::<ipnet::IpNet>().ok()).any(|n| n.contains(&ip)))
    };
    let all4 = [nodes4.iter().filter(|ip| !covered(ip, &nets4)).cloned().collect(), nets4.clone()].concat();
    let all6 = [nodes6.iter().filter(|ip| !covered(ip, &nets6)).cloned().collect(), nets6.clone()].concat();
    set(&mut out, "nodes_v4", "ipv4_addr", true, &all4);
    set(&mut out, "nodes_v6", "ipv6_addr", true, &all6);
    set(&mut out, "control_planes_v4", "ipv4_addr", false, &cp4);
    set(&mut out, "control_planes_v6", "ipv6_addr", false, &cp6);
    set(&mut out, "workers_v4", "ipv4_addr", false, &w4);
    set(&mut out, "workers_v6", "ipv6_addr", false, &w6);
    // The migration network is only a source of kubev-ha's own
    // measurement (the bandwidth sink): migrations themselves enter the
    // virt-handler pods, not this chain.
    let (mig4, mig6) = if this.is_worker() && !options.measurement_ports.is_empty() {
        migration_cidrs(inventory)
    } else {
        (vec![], vec![])
    };
    set(&mut out, "migration_v4", "ipv4_addr", true, &mig4);
    set(&mut out, "migration_v6", "ipv6_addr", true, &mig6);

    let _ = writeln!(out, "\n  chain input {{");
    let _ = writeln!(out, "    type filter hook input priority filter; policy drop;");
    let _ = writeln!(out, "    ct state established,related accept comment \"replies to what this node started\"");
    let _ = writeln!(out, "    ct state invalid drop");
    let _ = writeln!(out, "    iif \"lo\" accept comment \"loopback\"");
    let _ = writeln!(
        out,
        "    meta l4proto {{ icmp, ipv6-icmp }} accept comment \"ICMP: path MTU discovery, neighbour discovery, ping\""
    );
    let _ = writeln!(
        out,
        "    tcp dport 22 accept comment \"SSH: kept open so that applying this never locks the operator out\""
    );
    let features = Features::of(inventory);
    for note in unrendered_notes(features, this) {
        let _ = writeln!(out, "    # {note}");
    }
    for rule in rows_for(features, this) {
        let sets: Vec<(&str, &Vec<String>)> = match sources(rule) {
            Sources::Anyone => vec![],
            Sources::Nodes => vec![("nodes_v4", &all4), ("nodes_v6", &all6)],
            Sources::ControlPlanes => vec![("control_planes_v4", &cp4), ("control_planes_v6", &cp6)],
            Sources::Workers => vec![("workers_v4", &w4), ("workers_v6", &w6)],
        };
        for &protocol in rule.protocols {
            if sources(rule) == Sources::Anyone {
                let _ = writeln!(out, "    {} accept comment \"{}\"", nft_match(rule, protocol, "inet"), comment(rule));
                continue;
            }
            // An empty set cannot be referenced: no such sources, no rule.
            for (set_name, _) in sets.iter().filter(|(_, m)| !m.is_empty()) {
                let family = if set_name.ends_with("v4") { "ip" } else { "ip6" };
                let _ = writeln!(
                    out,
                    "    {family} saddr @{set_name} {} accept comment \"{}\"",
                    nft_match(rule, protocol, family),
                    comment(rule)
                );
            }
        }
    }
    if this.is_worker() {
        for port in &options.measurement_ports {
            for (set_name, family, members) in [
                ("workers_v4", "ip", &w4),
                ("workers_v6", "ip6", &w6),
                ("migration_v4", "ip", &mig4),
                ("migration_v6", "ip6", &mig6),
            ] {
                if members.is_empty() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "    {family} saddr @{set_name} tcp dport {port} accept comment \"kubev-ha net matrix --bandwidth sink: remove after measuring\""
                );
            }
        }
    }
    let _ = writeln!(out, "  }}\n}}");
    out
}

/// firewalld commands for `node`: a `kubev-ha` zone with rich rules.
pub fn firewalld(inventory: &Inventory, source: &str, node: &str, options: &FirewallOptions) -> String {
    let Some(this) = inventory.node(node) else { return String::new() };
    let mut out = String::new();
    let _ = writeln!(out, "#!/bin/sh");
    let _ =
        writeln!(out, "# kubev-ha: the Kube-V port matrix for node {node}, from {source}, as firewalld rich rules.");
    let _ = writeln!(out, "# Review, run as root, then: firewall-cmd --reload");
    let _ = writeln!(out, "set -e");
    let _ = writeln!(out, "Z=kubev-ha");
    let _ = writeln!(
        out,
        "firewall-cmd --permanent --get-zones | grep -qw \"$Z\" || firewall-cmd --permanent --new-zone=\"$Z\""
    );
    let _ = writeln!(out, "firewall-cmd --permanent --zone=\"$Z\" --add-service=ssh   # never lock the operator out");
    let _ = writeln!(out, "firewall-cmd --permanent --zone=\"$Z\" --add-protocol=icmp --add-protocol=ipv6-icmp");
    let family = |ip: &str| if ip.contains(':') { "ipv6" } else { "ipv4" };
    let node_sources: Vec<String> = {
        let (v4, v6) = ips(inventory.nodes.iter().map(|n| &n.value));
        let mut all = [v4, v6].concat();
        if let Some(net) = inventory.network() {
            all.extend([net.node_cidr, net.pod_cidr].into_iter().flatten().map(|c| c.to_string()));
        }
        all
    };
    let (cp4, cp6) = ips(inventory.control_planes().map(|n| &n.value));
    let (w4, w6) = ips(inventory.workers().map(|n| &n.value));
    let migration = {
        let (v4, v6) = migration_cidrs(inventory);
        [v4, v6].concat()
    };
    let features = Features::of(inventory);
    for note in unrendered_notes(features, this) {
        let _ = writeln!(out, "# {note}");
    }
    for rule in rows_for(features, this) {
        let _ = writeln!(out, "# {}", comment(rule));
        let from: Vec<String> = match sources(rule) {
            Sources::Anyone => vec![],
            Sources::Nodes => node_sources.clone(),
            Sources::ControlPlanes => [cp4.clone(), cp6.clone()].concat(),
            Sources::Workers => [w4.clone(), w6.clone()].concat(),
        };
        for &protocol in rule.protocols {
            let proto = protocol.to_string();
            let ports = ports_expr(rule);
            if sources(rule) == Sources::Anyone {
                let _ = writeln!(out, "firewall-cmd --permanent --zone=\"$Z\" --add-port={ports}/{proto}");
                continue;
            }
            // A rich rule matches a port, or (VRRP) a protocol without one.
            let what = if protocol.has_ports() {
                format!("port port=\"{ports}\" protocol=\"{proto}\"")
            } else {
                format!("protocol value=\"{proto}\"")
            };
            for src in &from {
                let _ = writeln!(
                    out,
                    "firewall-cmd --permanent --zone=\"$Z\" --add-rich-rule='rule family=\"{}\" source address=\"{src}\" {what} accept'",
                    family(src)
                );
            }
        }
    }
    if this.is_worker() {
        for port in &options.measurement_ports {
            let _ = writeln!(out, "# kubev-ha net matrix --bandwidth sink: remove after measuring");
            for src in [w4.clone(), w6.clone(), migration.clone()].concat() {
                let _ = writeln!(
                    out,
                    "firewall-cmd --permanent --zone=\"$Z\" --add-rich-rule='rule family=\"{}\" source address=\"{src}\" port port=\"{port}\" protocol=\"tcp\" accept'",
                    family(&src)
                );
            }
        }
    }
    // A zone with no interface (and no source) applies to nothing: the
    // rules above only take effect once the node's interfaces are in it.
    let nics = interfaces(&this.value);
    if nics.is_empty() {
        let _ = writeln!(
            out,
            "# The inventory names no interface of {node}: the operator must bind the zone to the node's interfaces, e.g.: firewall-cmd --permanent --zone=\"$Z\" --change-interface=eth0"
        );
    } else {
        let _ = writeln!(out, "# The node's interfaces, as the inventory names them:");
        for nic in nics {
            let _ = writeln!(out, "firewall-cmd --permanent --zone=\"$Z\" --change-interface='{nic}'");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_known_only_by_name_are_refused() {
        let mut inventory = kubev_ha_model::parse_str(
            "ref.yaml",
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/ha-reference.yaml")).unwrap(),
        )
        .unwrap()
        .inventory;
        assert!(address_problems(&inventory).is_empty());
        inventory.nodes[0].address = kubev_ha_model::Address::Name("cp-1.example.com".into());
        let problems = address_problems(&inventory);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("`cp-1.example.com` is a DNS name"), "{:?}", problems[0]);
        assert!(problems[0].pos.is_some(), "points at the node");
    }

    fn parse(extra: &str) -> Inventory {
        let text = format!(
            "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: c}}\n{extra}nodes:\n\
  - {{name: cp-1, address: 10.0.0.1, roles: [control-plane]}}\n\
  - {{name: cp-2, address: 10.0.0.2, roles: [control-plane]}}\n\
  - {{name: w-1, address: 10.0.0.3, roles: [worker]}}\n"
        );
        kubev_ha_model::parse_str("c.yaml", &text).unwrap().inventory
    }

    /// Regression: VRRP was opened for kube-vip (which has none) and, in
    /// firewalld, on every control plane whatever the load balancer.
    #[test]
    fn vrrp_only_with_keepalived() {
        let keepalived = parse("apiEndpoint: {host: 10.0.0.5, loadBalancer: keepalived, vip: 10.0.0.5}\n");
        let kube_vip = parse("apiEndpoint: {host: 10.0.0.5, loadBalancer: kube-vip, vip: 10.0.0.5}\n");
        let o = FirewallOptions::default();
        assert!(
            nftables(&keepalived, "c.yaml", "cp-1", &o).contains("ip saddr @control_planes_v4 ip protocol vrrp accept")
        );
        assert!(firewalld(&keepalived, "c.yaml", "cp-1", &o).contains("protocol value=\"vrrp\" accept"));
        assert!(!nftables(&keepalived, "c.yaml", "w-1", &o).contains("vrrp"));
        for node in ["cp-1", "w-1"] {
            assert!(!nftables(&kube_vip, "c.yaml", node, &o).contains("vrrp"), "{node}");
            assert!(!firewalld(&kube_vip, "c.yaml", node, &o).contains("vrrp"), "{node}");
        }
    }

    /// Regression: 10257, 10259, 8443 and the migration ports were opened
    /// on node addresses, where nothing listens for them.
    #[test]
    fn only_node_network_rows_are_opened() {
        let inv = parse("network: {migrationNetwork: {dedicated: true, cidr: 192.168.50.0/24}}\n");
        let o = FirewallOptions::default();
        let cp = nftables(&inv, "c.yaml", "cp-1", &o);
        let w = nftables(&inv, "c.yaml", "w-1", &o);
        for port in ["10257", "10259", "8443", "61000-61009"] {
            for (node, rules) in [("cp-1", &cp), ("w-1", &w)] {
                assert!(!rules.contains(&format!("dport {port} ")), "{node} opens {port}:\n{rules}");
            }
        }
        assert!(cp.contains("dport 10660 "), "kube-ovn-controller metrics on the control planes");
        assert!(!w.contains("dport 10660 "), "not on workers");
        assert!(w.contains("live migration 61000–61009/tcp"), "says why it is not opened: {w}");
        let fw = firewalld(&inv, "c.yaml", "w-1", &o);
        assert!(!fw.contains("port=\"61000-61009\"") && !fw.contains("port=\"8443\""), "{fw}");
    }

    #[test]
    fn feature_rows_only_when_enabled() {
        let o = FirewallOptions::default();
        let plain = parse("");
        let featured = parse(
            "apiEndpoint: {host: 10.0.9.5, loadBalancer: kube-vip, vip: 10.0.9.5, mode: bgp}\n\
network: {overlay: vxlan, interconnection: true, bgp: true}\nha: {fencing: self-node-remediation}\n",
        );
        let (plain_cp, cp) = (nftables(&plain, "c", "cp-1", &o), nftables(&featured, "c", "cp-1", &o));
        let w = nftables(&featured, "c", "w-1", &o);
        assert!(plain_cp.contains("udp dport 6081 ") && !plain_cp.contains("4789") && !plain_cp.contains("6645"));
        assert!(cp.contains("udp dport 4789 ") && !cp.contains("dport 6081 "), "{cp}");
        assert!(cp.contains("ip saddr @control_planes_v4 tcp dport 6645-6646 accept"), "{cp}");
        assert!(cp.contains("tcp dport 6647-6648 "), "{cp}");
        assert!(cp.contains("other clusters' Kube-OVN masters must reach it"), "{cp}");
        assert!(!w.contains("6645"), "ovn-ic runs on the control planes: {w}");
        // BGP and SNR open nothing inbound, and say why.
        assert!(!cp.contains("dport 179 ") && !cp.contains("dport 30001 "), "{cp}");
        assert!(cp.contains("BGP (kube-vip) 179/tcp to the BGP peers (routers): this node connects out"), "{cp}");
        assert!(w.contains("BGP (speaker) 179/tcp") && !w.contains("BGP (kube-vip)"), "{w}");
        assert!(w.contains("Self Node Remediation 30001/tcp"), "{w}");
        assert!(!plain_cp.contains("BGP") && !plain_cp.contains("Self Node Remediation"));
    }
}
