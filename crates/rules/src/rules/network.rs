//! NET-* rules: links, addressing, DNS and ports.

use std::collections::BTreeMap;

use kubev_ha_model::measure::{NetworkMeasurements, PortProbe, PortState, TakenPort};
use kubev_ha_model::{Cidr, DnsPolicy, LinkSpeed, Nic, Node, Overlay};

use crate::finding::{Evidence, Finding, Subject};
use crate::judge::Judge;
use crate::ports::{PORT_MATRIX, Protocol};
use crate::rules::floors::judge_floor;
use crate::severity::Severity;

pub fn nic_speed(j: &Judge) -> Vec<Finding> {
    let floors = j.thresholds.net_nic_speed;
    j.inventory()
        .nodes
        .iter()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let fastest: Option<(LinkSpeed, String)> = node
                .nics
                .iter()
                .flatten()
                .filter_map(|nic| nic.speed.map(|s| (s, nic.label())))
                .rev()
                .max_by_key(|(s, _)| *s);
            let finding = match fastest {
                Some((speed, name)) => {
                    let f = judge_floor(j, subject, speed, floors, &format!("fastest NIC ({name})"));
                    if matches!(f.severity, Severity::Fail | Severity::Warn) {
                        f.fix(format!(
                            "give {} a 10Gbps or faster NIC (25Gbps is common for live migration)",
                            node.name
                        ))
                    } else {
                        f
                    }
                }
                None => j.unknown(
                    subject,
                    j.lacks(&node.name, "NIC speed"),
                    j.probe_hint(&node.name, "nics with their speed"),
                ),
            };
            finding.at(node.at)
        })
        .collect()
}

pub fn migration(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let network_at = inventory.network.as_ref().and_then(|n| n.at);
    let declared = inventory.migration_network().filter(|m| m.dedicated != Some(false));
    let Some(network) = declared else {
        let why = if inventory.migration_network().is_some() { "declared not dedicated" } else { "not declared" };
        return vec![
            j.finding(
                Subject::Cluster,
                t.net_migration_absent,
                format!("dedicated live-migration network {why}: migrations share the NIC with tenant traffic"),
            )
            .fix("give workers a second NIC and point KubeVirt's migrations.network at a Multus network on it (network.migrationNetwork)")
            .at(network_at),
        ];
    };
    let Some(nic_name) = network.nic.as_deref() else {
        return vec![
            j.unknown(
                Subject::Cluster,
                "a dedicated migration network is declared without its NIC name",
                "declare network.migrationNetwork.nic, the interface every worker has for it",
            )
            .at(network_at),
        ];
    };
    let mut findings = Vec::new();
    for node in j.inventory().workers() {
        let subject = Subject::node(&node.name);
        let finding = match node.nics.as_deref() {
            None => j.unknown(
                subject,
                format!("NICs not declared, so whether {nic_name} exists is unknown"),
                j.probe_hint(&node.name, "nics"),
            ),
            Some(nics) if nics.iter().any(|n| n.name.as_deref() == Some(nic_name)) => {
                j.pass(subject, format!("has the migration NIC {nic_name}"))
            }
            Some(_) => j
                .finding(
                    subject,
                    t.net_migration_nic_missing,
                    format!("lacks the migration NIC {nic_name}: migrations to and from it fail"),
                )
                .fix(format!("add {nic_name} to {} or rename its interface (udev/netplan) to {nic_name}", node.name)),
        };
        findings.push(finding.at(node.at));
    }
    if findings.is_empty() {
        findings.push(
            j.finding(Subject::Cluster, Severity::Info, "no workers declared to carry the migration network")
                .at(network_at),
        );
    }
    findings
}

/// The NIC that carries a node's ordinary traffic: the first declared one
/// that is not the migration NIC.
fn primary_nic<'a>(node: &'a Node, migration_nic: Option<&str>) -> Option<&'a Nic> {
    node.nics.iter().flatten().find(|n| migration_nic.is_none() || n.name.as_deref() != migration_nic)
}

pub fn mtu(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let migration_nic = inventory.migration_network().and_then(|m| m.nic.as_deref());
    let overlay = inventory.network().and_then(|n| n.overlay).unwrap_or(Overlay::Geneve);
    let mut findings = Vec::new();

    let mut by_mtu: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for node in &inventory.nodes {
        match primary_nic(node, migration_nic).and_then(|n| n.mtu) {
            Some(mtu) => by_mtu.entry(mtu.get()).or_default().push(&node.name),
            None => unknown.push(node.name.as_str()),
        }
    }
    let groups = |m: &BTreeMap<u32, Vec<&str>>| {
        m.iter().map(|(mtu, nodes)| format!("MTU {mtu}: {}", nodes.join(", "))).collect::<Vec<_>>().join("; ")
    };
    if by_mtu.len() > 1 {
        findings.push(
            j.finding(Subject::Cluster, t.net_mtu_mismatch, format!("node NICs disagree on MTU ({})", groups(&by_mtu)))
                .fix("set one MTU on every node's primary NIC (and on the switches between them)"),
        );
    } else if !unknown.is_empty() {
        findings.push(j.unknown(
            Subject::Cluster,
            format!("MTU not declared for {}", unknown.join(", ")),
            j.cluster_probe_hint("nics with their mtu"),
        ));
    } else if let Some((&mtu, nodes)) = by_mtu.iter().next() {
        let header = overlay.header_bytes();
        let pod_mtu = mtu.saturating_sub(header);
        let message =
            format!("all {} nodes use MTU {mtu}; {overlay} takes {header} bytes, pods get {pod_mtu}", nodes.len());
        if pod_mtu < 1500 {
            findings.push(j.finding(Subject::Cluster, t.net_mtu_shrink, message).fix(format!(
                "nothing to do unless guests need a 1500-byte path; a {} underlay gives pods 1500",
                1500 + header
            )));
        } else {
            findings.push(j.pass(Subject::Cluster, message));
        }
    }

    if let Some(network) = j.facts.measurements.network.as_ref().filter(|n| !n.path_mtu.is_empty()) {
        let header = overlay.header_bytes();
        let mut short = 0;
        for m in network.path_mtu.iter().filter(|m| !network.unreachable.contains_key(&m.to)) {
            let subject = Subject::Other { kind: "path", name: format!("{}→{}", m.from, m.to) };
            match (m.mtu, m.local_mtu) {
                (Some(mtu), Some(local)) if mtu < local => {
                    short += 1;
                    findings.push(
                        j.finding(
                            subject,
                            t.net_mtu_mismatch,
                            format!("path MTU {mtu} < {local} of the sender's link: {}", m.detail),
                        )
                        .fix(format!(
                            "set the same MTU on every link between {} and {} (NICs, bridges, switch ports)",
                            m.from, m.to
                        )),
                    );
                }
                (Some(_), _) => {}
                (None, _) => findings.push(j.unknown(
                    subject,
                    format!("path MTU not measured: {}", m.detail),
                    "check that the responder runs and UDP 6081 is open",
                )),
            }
        }
        if short == 0 {
            let smallest = network.path_mtu.iter().filter_map(|m| m.mtu).min();
            if let Some(mtu) = smallest {
                findings.push(j.pass(
                    Subject::Cluster,
                    format!(
                        "measured path MTU ≥ {mtu} on all {} node pairs; {overlay} leaves {} for pods",
                        network.path_mtu.len(),
                        mtu.saturating_sub(header)
                    ),
                ));
            }
        }
    }

    if let Some(nic_name) = migration_nic {
        let mut migration_mtus: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
        for node in inventory.workers() {
            if let Some(mtu) =
                node.nics.iter().flatten().find(|n| n.name.as_deref() == Some(nic_name)).and_then(|n| n.mtu)
            {
                migration_mtus.entry(mtu.get()).or_default().push(&node.name);
            }
        }
        if migration_mtus.len() > 1 {
            findings.push(
                j.finding(
                    Subject::Cluster,
                    t.net_mtu_mismatch,
                    format!("migration NICs ({nic_name}) disagree on MTU ({})", groups(&migration_mtus)),
                )
                .fix(format!("set one MTU on {nic_name} on every worker")),
            );
        }
    }
    findings
}

pub fn cidr(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let at = inventory.network.as_ref().and_then(|n| n.at);
    let network = inventory.network();
    let mut ranges: Vec<(&str, Cidr)> = Vec::new();
    if let Some(n) = network {
        ranges.extend(n.node_cidr.map(|c| ("nodeCIDR", c)));
        ranges.extend(n.pod_cidr.map(|c| ("podCIDR", c)));
        ranges.extend(n.service_cidr.map(|c| ("serviceCIDR", c)));
        ranges.extend(n.migration_network.as_ref().and_then(|m| m.cidr).map(|c| ("migrationNetwork.cidr", c)));
    }
    let mut findings = Vec::new();
    for (i, (a_name, a)) in ranges.iter().enumerate() {
        for (b_name, b) in &ranges[i + 1..] {
            if a.overlaps(b) {
                findings.push(
                    j.finding(Subject::Cluster, t.net_cidr_overlap, format!("{a_name} {a} overlaps {b_name} {b}"))
                        .fix(format!("choose non-overlapping ranges for {a_name} and {b_name}"))
                        .at(at),
                );
            }
        }
    }
    for node in &inventory.nodes {
        let Some(ip) = node.address.ip() else {
            continue;
        };
        for (name, range) in &ranges {
            if matches!(*name, "podCIDR" | "serviceCIDR") && range.contains(&ip) {
                findings.push(
                    j.finding(
                        Subject::node(&node.name),
                        t.net_cidr_overlap,
                        format!("address {ip} lies inside {name} {range}: it collides with cluster-internal addresses"),
                    )
                    .fix(format!("move {name} away from the node network"))
                    .at(node.at),
                );
            }
        }
        if let Some(node_cidr) = network.and_then(|n| n.node_cidr).filter(|c| !c.contains(&ip)) {
            findings.push(
                j.finding(
                    Subject::node(&node.name),
                    Severity::Info,
                    format!("address {ip} is outside nodeCIDR {node_cidr}"),
                )
                .fix("check the address, or widen nodeCIDR if the nodes span several subnets")
                .at(node.at),
            );
        }
    }
    if findings.iter().all(|f| f.severity == Severity::Info) {
        if ranges.len() >= 2 {
            let list = ranges.iter().map(|(n, c)| format!("{n} {c}")).collect::<Vec<_>>().join(", ");
            findings.insert(0, j.pass(Subject::Cluster, format!("no overlap among {list}")).at(at));
        } else {
            findings.insert(
                0,
                j.unknown(
                    Subject::Cluster,
                    format!("only {} of nodeCIDR, podCIDR, serviceCIDR and the migration CIDR declared", ranges.len()),
                    "declare network.nodeCIDR, podCIDR and serviceCIDR",
                )
                .at(at),
            );
        }
    }
    findings
}

pub fn dns(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let at = inventory.network.as_ref().and_then(|n| n.at);
    let servers = inventory.network().and_then(|n| n.dns.as_ref()).and_then(|d| d.servers.as_ref());
    // What the nodes resolve, once measured, decides: the servers are only
    // the means, and an undeclared list says nothing either way.
    if j.facts.measurements.network.as_ref().is_some_and(|n| !n.dns.is_empty()) && servers.is_none_or(|l| !l.is_empty())
    {
        return measured_dns(j, servers.map(Vec::len), at);
    }
    let finding = match servers {
        None => j.unknown(
            Subject::Cluster,
            "DNS servers not declared",
            "declare network.dns.servers; `kubev-ha net check` then proves every node resolves every other",
        ),
        Some(list) if list.is_empty() => j
            .finding(
                Subject::Cluster,
                t.net_dns,
                "no DNS servers configured: nodes cannot resolve each other or the registries",
            )
            .fix("configure at least two DNS servers (network.dns.servers)"),
        Some(list) => j.not_measured(
            Evidence::Network,
            Subject::Cluster,
            format!(
                "servers {} configured; whether they resolve every node is not yet measured",
                list.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
            ),
            format!("run `kubev-ha net check {} --from NODE` on each node", j.inventory_arg()),
        ),
    };
    vec![finding.at(at)]
}

/// NET-DNS from `net check`: every name from every node.
fn measured_dns(j: &Judge, servers: Option<usize>, at: Option<kubev_ha_model::SourcePos>) -> Vec<Finding> {
    let t = j.thresholds;
    let Some(network) = &j.facts.measurements.network else { return vec![] };
    let mut findings = Vec::new();
    for c in &network.dns {
        match c.matches {
            Some(true) => {}
            Some(false) => findings.push(
                j.finding(
                    Subject::Other { kind: "dns", name: format!("{}→{}", c.from, c.name) },
                    t.net_dns,
                    format!("from {}: {} {}", c.from, c.name, c.detail),
                )
                .fix(format!("add {} → {} to DNS (or /etc/hosts on every node)", c.name, c.expected)),
            ),
            None => findings.push(j.unknown(
                Subject::Other { kind: "dns", name: format!("{}→{}", c.from, c.name) },
                format!("from {}: {} {}", c.from, c.name, c.detail),
                "check the resolvers of that node",
            )),
        }
    }
    if findings.is_empty() {
        findings.push(
            j.pass(
                Subject::Cluster,
                format!(
                    "{}{} lookups from {} node(s) all resolve to the declared addresses",
                    servers.map(|n| format!("{n} server(s) configured; ")).unwrap_or_default(),
                    network.dns.len(),
                    network.from.len()
                ),
            )
            .at(at),
        );
    }
    findings
}

pub fn nodelocal_dns(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let Some(guests) = inventory.guest_clusters.as_ref() else {
        return vec![j.finding(
            Subject::Cluster,
            Severity::Info,
            "no guest clusters declared; if tenants run Kubernetes in VMs with NodeLocal DNSCache, declare them under guestClusters",
        )];
    };
    if guests.is_empty() {
        return vec![j.pass(Subject::Cluster, "no guest clusters")];
    }
    let infra = inventory.network().and_then(|n| n.dns.as_ref()).and_then(|d| d.node_local_dns_cache.as_ref());
    let infra_ip_or_default = infra.map_or(kubev_ha_model::NodeLocalDnsCache::DEFAULT_IP, |c| c.ip_or_default());
    // `net check` looks whether the node it runs on binds that address:
    // the infrastructure's own NodeLocal DNSCache, in fact.
    let bound_on: Option<Vec<&str>> = j
        .facts
        .measurements
        .network
        .as_ref()
        .filter(|n| !n.nodelocal_bound.is_empty())
        .map(|n| n.nodelocal_bound.iter().filter(|(_, bound)| **bound).map(|(node, _)| node.as_str()).collect());
    let infra_ip = match (infra.and_then(|c| c.enabled), &bound_on) {
        (Some(false), Some(nodes)) if !nodes.is_empty() => {
            return vec![
                j.finding(
                    Subject::Cluster,
                    j.thresholds.net_nodelocal_undeclared,
                    format!(
                        "declared without NodeLocal DNSCache, yet {} bind(s) {infra_ip_or_default}",
                        nodes.join(", ")
                    ),
                )
                .fix("find what binds the address (ip -o addr show to {infra_ip_or_default}) and correct the inventory or the node"),
            ];
        }
        (Some(false), _) => {
            return vec![j.pass(Subject::Cluster, "the infrastructure cluster does not use NodeLocal DNSCache")];
        }
        (Some(true), _) => Some(infra_ip_or_default),
        (None, Some(nodes)) if !nodes.is_empty() => Some(infra_ip_or_default),
        (None, Some(_)) => {
            return vec![j.pass(
                Subject::Cluster,
                format!("measured: no node binds {infra_ip_or_default}, so the infrastructure runs no NodeLocal DNSCache there"),
            )];
        }
        (None, None) => None,
    };
    guests
        .iter()
        .map(|guest| {
            let subject = Subject::GuestCluster(guest.name.clone());
            let cache = guest.node_local_dns_cache.as_ref();
            let finding = match (cache.and_then(|c| c.enabled), infra_ip) {
                (Some(false), _) => j.pass(subject, "does not use NodeLocal DNSCache"),
                (None, _) => j.unknown(subject, "whether it uses NodeLocal DNSCache is not declared", "declare guestClusters[].nodeLocalDNSCache"),
                (Some(true), None) => j.unknown(
                    subject,
                    "uses NodeLocal DNSCache; whether the infrastructure cluster does too is not declared",
                    "declare network.dns.nodeLocalDNSCache",
                ),
                (Some(true), Some(infra_ip)) => {
                    let guest_ip = cache.map(|c| c.ip_or_default()).unwrap_or(infra_ip);
                    if guest_ip != infra_ip {
                        j.pass(subject, format!("NodeLocal DNSCache on {guest_ip}, the infrastructure on {infra_ip}: no conflict"))
                    } else {
                        match guest.vm_dns_policy {
                            Some(DnsPolicy::None) => j.pass(
                                subject,
                                format!("both clusters use {guest_ip}, but the VMs use dnsPolicy None with an explicit dnsConfig"),
                            ),
                            None => j.unknown(
                                subject,
                                format!("both clusters bind NodeLocal DNSCache on {guest_ip}; the VMs' dnsPolicy is not declared"),
                                "declare guestClusters[].vmDNSPolicy",
                            ),
                            Some(policy) => j
                                .finding(
                                    subject,
                                    t.net_nodelocal_dns,
                                    format!(
                                        "both clusters bind NodeLocal DNSCache on {guest_ip} and the VMs use dnsPolicy {policy:?}: guest DNS queries loop back into the guest"
                                    ),
                                )
                                .fix("give the guest VMs dnsPolicy: None with a dnsConfig naming real resolvers, or move one cluster's NodeLocal DNSCache to another link-local IP"),
                        }
                    }
                }
            };
            finding.at(guest.at)
        })
        .collect()
}

/// NET-PORTS from measurements: one finding per (from, to) pair that has a
/// port not open, a summary otherwise, and unknown for nodes not measured from.
fn measured_ports(j: &Judge, network: &NetworkMeasurements) -> Vec<Finding> {
    let t = j.thresholds;
    let mut findings = Vec::new();
    let mut cells: BTreeMap<(&str, &str), Vec<&PortProbe>> = BTreeMap::new();
    for p in &network.probes {
        cells.entry((p.from.as_str(), p.to.as_str())).or_default().push(p);
    }
    let mut good = 0;
    // Cells of a node that could not be reached are its own finding below.
    let down = |n: &str| network.unreachable.contains_key(n);
    for ((from, to), probes) in cells.iter().filter(|((f, t), _)| !down(f) && !down(t)) {
        let bad: Vec<String> = probes
            .iter()
            .filter(|p| !p.state.is_open())
            .map(|p| format!("{}/{} {} {} ({})", p.port, p.protocol, p.component, state_word(p.state), p.detail))
            .collect();
        if bad.is_empty() {
            good += 1;
        } else {
            findings.push(
                j.finding(
                    Subject::Other { kind: "path", name: format!("{from}→{to}") },
                    t.net_ports,
                    format!("{} of {} ports not reachable: {}", bad.len(), probes.len(), bad.join("; ")),
                )
                .fix(format!(
                    "open these ports on {to} for {from} (`kubev-ha render nftables {} --node {to}`)",
                    j.inventory_arg()
                )),
            );
        }
    }
    let probes = network.probes.len();
    let open_other = network.probes.iter().filter(|p| p.state == PortState::OpenOther).count();
    let other = if open_other > 0 { format!(" ({open_other} answered by another service)") } else { String::new() };
    if findings.is_empty() && probes > 0 {
        findings.push(j.pass(Subject::Cluster, format!("all {probes} probes open over {good} node pairs{other}")));
    }
    for note in &network.notes {
        findings.push(j.finding(Subject::Cluster, Severity::Info, note.clone()));
    }
    findings.extend(taken_ports(j, network));
    for node in &j.inventory().nodes {
        if let Some(why) = network.unreachable.get(&node.name) {
            findings.push(
                j.finding(
                    Subject::node(&node.name),
                    t.net_ports,
                    format!("could not check from or to this node: {why}"),
                )
                .fix("bring the node back (or fix SSH to it) and run the check again")
                .at(node.at),
            );
        } else if !network.from.contains(&node.name) {
            findings.push(
                j.unknown(
                    Subject::node(&node.name),
                    "not checked from this node",
                    "run `kubev-ha net check` from it, or `kubev-ha net matrix`",
                )
                .at(node.at),
            );
        }
    }
    findings
}

/// Whether `taken` is held by the component that should own its port.
fn held_by_owner(taken: &TakenPort) -> bool {
    let Some(holder) = &taken.holder else { return false };
    let comm = holder.split(" (pid ").next().unwrap_or_default();
    let owners = PORT_MATRIX.iter().find(|r| r.component == taken.component).map_or(&[][..], |r| r.owners);
    owners.iter().any(|o| comm.starts_with(&o[..o.len().min(15)]))
}

/// Matrix ports a node's responder could not take. Before install each must
/// be free for its component; after install its component holds it. The
/// measurement cannot tell which stage the node is in, so a port held by
/// anything but its own component (or by a process /proc did not name) is
/// a warning that says both readings, and one held by its own component
/// is information.
fn taken_ports(j: &Judge, network: &NetworkMeasurements) -> Vec<Finding> {
    let mut findings = Vec::new();
    for node in &j.inventory().nodes {
        let on_node: Vec<&TakenPort> = network
            .taken
            .iter()
            .filter(|t| t.node == node.name && PORT_MATRIX.iter().any(|r| r.component == t.component))
            .collect();
        let describe = |t: &&TakenPort| {
            format!(
                "{}/{} ({}) held by {}",
                t.port,
                t.protocol,
                t.component,
                t.holder.as_deref().unwrap_or("a process /proc did not name")
            )
        };
        let (own, other): (Vec<&TakenPort>, Vec<&TakenPort>) = on_node.into_iter().partition(|t| held_by_owner(t));
        let list = |ports: &[&TakenPort]| ports.iter().map(describe).collect::<Vec<_>>().join("; ");
        if !other.is_empty() {
            findings.push(
                j.finding(
                    Subject::node(&node.name),
                    j.thresholds.net_ports_taken,
                    format!(
                        "matrix port(s) already held by something other than their component: {}. Before install these ports must be free, or the component cannot start; after install only the component itself may hold them. This check cannot tell which stage the node is in",
                        list(&other)
                    ),
                )
                .fix("before install: find the holder (`ss -ltnup`) and free the port; after install: make sure the holder is the component named")
                .at(node.at),
            );
        }
        if !own.is_empty() {
            findings.push(
                j.finding(
                    Subject::node(&node.name),
                    Severity::Info,
                    format!("matrix port(s) held by their own component, as expected after install: {}", list(&own)),
                )
                .at(node.at),
            );
        }
    }
    findings
}

fn state_word(state: PortState) -> &'static str {
    match state {
        PortState::Open => "open",
        PortState::OpenOther => "open (another service)",
        PortState::Closed => "closed",
        PortState::Filtered => "filtered",
        PortState::WrongHost => "wrong host",
        PortState::Unreachable => "unreachable",
    }
}

pub fn ports(j: &Judge) -> Vec<Finding> {
    let ports: usize = PORT_MATRIX.iter().map(|r| r.protocols.len()).sum();
    let mut findings = Vec::new();
    if let Some(network) = &j.facts.measurements.network {
        findings.extend(measured_ports(j, network));
    } else if j.facts.format != kubev_ha_model::SourceFormat::Host {
        // One host alone cannot say what reaches it; that is for `net check`.
        findings.push(j.not_measured(
        Evidence::Network,
        Subject::Cluster,
        format!("reachability of the {} port rules ({ports} port/protocol entries) between the nodes is not measured", PORT_MATRIX.len()),
        format!(
            "run `kubev-ha net matrix {0}` from a machine with SSH to the nodes, or `kubev-ha net check {0} --from NODE` on a node",
            j.inventory_arg()
        ),
        ));
    }
    // What probed hosts already listen on among the ports their roles need.
    for node in &j.inventory().nodes {
        let Some(kubev_ha_model::host::HostProbe::Probed { facts }) = j.facts.hosts.get(&node.name) else { continue };
        let taken: Vec<String> = PORT_MATRIX
            .iter()
            .filter(|rule| rule.listens_on.includes(&node.roles))
            .flat_map(|rule| {
                facts
                    .listening
                    .iter()
                    .filter(move |l| {
                        rule.ports.contains(&l.port) && rule.protocols.contains(&Protocol::from(l.protocol))
                    })
                    .map(move |l| format!("{}/{} ({})", l.port, Protocol::from(l.protocol), rule.component))
            })
            .collect();
        let subject = Subject::node(&node.name);
        let finding = if taken.is_empty() {
            j.pass(subject, "no port its roles need is already in use")
        } else {
            j.finding(subject, Severity::Info, format!("already listening: {}", taken.join(", ")))
                .fix("expected once Kubernetes runs on the node; before install, find the holder (ss -ltnup) and free the port")
        };
        findings.push(finding.at(node.at));
    }
    findings
}
