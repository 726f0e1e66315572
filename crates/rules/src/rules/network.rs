//! NET-* rules: links, addressing, DNS and ports.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use kubev_ha_model::{AnswerSource, DnsOutcome, DnsServerAnswer, NetworkMeasurements, PortProbe, PortState, TakenPort};
use kubev_ha_model::{Cidr, DnsPolicy, LinkSpeed, Nic, Node, NodeLocalDnsCache, Overlay};

use crate::finding::{Evidence, Finding, Subject};
use crate::judge::Judge;
use crate::rules::floors::judge_floor;
use crate::severity::Severity;
use kubev_ha_spec::{Features, PORT_MATRIX, PortNetwork, Protocol};

pub(crate) fn nic_speed(j: &Judge) -> Vec<Finding> {
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
                        // The highest floor of the profile in force (the page's
                        // 10 Gbps recommendation in production, its 1 Gbps
                        // minimum under the minimum profile).
                        let target = floors.last().map(|f| f.below.to_string()).unwrap_or_default();
                        f.fix(format!("give {} a {target} or faster NIC", node.name))
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

pub(crate) fn migration(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let network_at = inventory.network.as_ref().and_then(|n| n.at);
    let declared = inventory.migration_network().filter(|m| m.dedicated != Some(false));
    if let Some(live) = &j.facts.live {
        return live_migration_network(j, live);
    }
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

/// NET-MIGRATION on a live cluster: whether KubeVirt's
/// `migrations.network` names a Multus network (the dedicated migration
/// network, kubevirt.io user guide "Dedicated migration network").
fn live_migration_network(j: &Judge, live: &kubev_ha_model::LiveCluster) -> Vec<Finding> {
    let t = j.thresholds;
    let kv = match &live.kubevirt {
        Ok(Some(kv)) => kv,
        Ok(None) => {
            return vec![j.unknown(
                Subject::Cluster,
                "no KubeVirt CR, so no migration settings",
                "deploy KubeVirt with spec.configuration.migrations.network",
            )];
        }
        Err(e) => {
            return vec![j.unknown(
                Subject::Cluster,
                format!("{e}: whether migrations use a dedicated network is unknown"),
                "grant get on kubevirts.kubevirt.io (`kubev-ha render rbac`)",
            )];
        }
    };
    let Some(network) = kv.migrations.network.as_deref() else {
        return vec![
            j.finding(
                Subject::Cluster,
                t.net_migration_absent,
                "KubeVirt's migrations.network is not set: migrations share the pod network with tenant traffic",
            )
            .fix("give workers a second NIC, create a Multus NetworkAttachmentDefinition on it and set migrations.network in the KubeVirt CR"),
        ];
    };
    // Whether the network exists and reaches every virt-handler (migration0,
    // its MTU) is LIVE-MIGRATION-NETWORK's, so it is not judged twice.
    vec![j.pass(
        Subject::Cluster,
        format!("migrations use the dedicated network {network} (LIVE-MIGRATION-NETWORK checks that it exists and that every virt-handler has migration0)"),
    )]
}

/// The NIC that carries a node's ordinary traffic: the first declared one
/// that is not the migration NIC.
fn primary_nic<'a>(node: &'a Node, migration_nic: Option<&str>) -> Option<&'a Nic> {
    node.nics.iter().flatten().find(|n| migration_nic.is_none() || n.name.as_deref() != migration_nic)
}

pub(crate) fn mtu(j: &Judge) -> Vec<Finding> {
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
                    format!(
                        "check that the responder runs and UDP {} (the overlay's tunnel port) is open",
                        Features::of(j.inventory()).mtu_port().map_or("-".to_string(), |p| p.to_string())
                    ),
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

pub(crate) fn cidr(j: &Judge) -> Vec<Finding> {
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

pub(crate) fn dns(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let at = inventory.network.as_ref().and_then(|n| n.at);
    let servers = inventory.network().and_then(|n| n.dns.as_ref()).and_then(|d| d.servers.as_ref());
    let measured = j.facts.measurements.network.as_ref().filter(|n| !n.dns.is_empty() || !n.dns_servers.is_empty());
    if let (Some(network), false) = (measured, servers.is_some_and(|l| l.is_empty())) {
        return measured_dns(j, servers.map(Vec::as_slice), network, at);
    }
    let finding = match servers {
        None => j.unknown(
            Subject::Cluster,
            "DNS servers not declared",
            "declare network.dns.servers; `kubev-ha net check` then asks each of them for every node name",
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

/// NET-DNS from `net check`. Two measurements, two questions: the system
/// resolver's lookups say what the node's programs get (a wrong or missing
/// answer fails, wherever it came from); the declared servers asked
/// directly say whether the servers work. An answer from /etc/hosts is
/// never evidence for a server, so with servers declared only their own
/// answers can pass the rule.
fn measured_dns(
    j: &Judge,
    servers: Option<&[std::net::IpAddr]>,
    network: &NetworkMeasurements,
    at: Option<kubev_ha_model::SourcePos>,
) -> Vec<Finding> {
    let t = j.thresholds;
    let mut findings = Vec::new();
    for c in &network.dns {
        let subject = || Subject::Other { kind: "dns", name: format!("{}→{}", c.from, c.name) };
        let hosts = if c.source == Some(AnswerSource::HostsFile) { " (from /etc/hosts)" } else { "" };
        match c.matches {
            Some(true) => {}
            Some(false) => findings.push(
                j.finding(subject(), t.net_dns, format!("from {}: {} {}{hosts}", c.from, c.name, c.detail))
                    .fix(format!("add {} → {} to DNS (or /etc/hosts on every node)", c.name, c.expected)),
            ),
            None => findings.push(j.unknown(
                subject(),
                format!("from {}: {} {}", c.from, c.name, c.detail),
                "check the resolvers of that node",
            )),
        }
    }
    let lookups = network.dns.len();
    let from_hosts = network.dns.iter().filter(|c| c.source == Some(AnswerSource::HostsFile)).count();
    let system = if lookups == 0 {
        String::new()
    } else if from_hosts > 0 {
        format!(
            "; the system resolver's {lookups} lookups: {from_hosts} answered by /etc/hosts, which proves nothing about DNS"
        )
    } else {
        format!("; the system resolver's {lookups} lookups resolve as declared")
    };
    let Some(servers) = servers else {
        // Undeclared servers are not asked. The resolver's answers prove a
        // working DNS only when every one matched and none came from the
        // hosts file (or from a measurement that did not say).
        let all_resolver = lookups > 0
            && network.dns.iter().all(|c| c.matches == Some(true) && c.source == Some(AnswerSource::Resolver));
        if findings.is_empty() && all_resolver {
            findings.push(j.pass(
                Subject::Cluster,
                format!(
                    "DNS servers not declared; {lookups} lookups from {} node(s) all resolve to the declared addresses through the nodes' resolvers, none from /etc/hosts",
                    network.from.len()
                ),
            ).at(at));
        } else {
            let hosts = if from_hosts > 0 {
                format!(": {from_hosts} of the {lookups} lookups were answered by /etc/hosts, not by a DNS server")
            } else {
                String::new()
            };
            findings.push(
                j.unknown(
                    Subject::Cluster,
                    format!("DNS servers not declared, so none was asked{hosts}"),
                    "declare network.dns.servers and run `kubev-ha net check` again: each server is then asked directly",
                )
                .at(at),
            );
        }
        return findings;
    };

    let before = findings.len();
    for from in network.from.iter().filter(|f| !network.unreachable.contains_key(*f)) {
        for server in servers {
            findings.extend(server_from(j, network, from, *server));
        }
    }
    if findings.is_empty() {
        let answers = network.dns_servers.len();
        let over_tcp = network.dns_servers.iter().filter(|a| a.transport == "tcp").count();
        let tcp = if over_tcp > 0 { format!(", {over_tcp} over TCP after a truncated answer") } else { String::new() };
        findings.push(
            j.pass(
                Subject::Cluster,
                format!(
                    "{} asked directly from {} node(s): all {answers} answers hold the declared addresses{tcp}{system}",
                    servers.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
                    network.from.len(),
                ),
            )
            .at(at),
        );
    } else if findings.len() > before && from_hosts > 0 {
        // Say once why names that resolve on the nodes still fail here.
        findings.push(j.finding(
            Subject::Cluster,
            Severity::Info,
            format!("{from_hosts} of {lookups} system lookups were answered by /etc/hosts: they are not counted for the DNS servers"),
        ));
    }
    findings
}

/// NET-DNS for one declared server asked from one node: whether it
/// answers at all, and which node names it does not resolve as declared.
fn server_from(j: &Judge, network: &NetworkMeasurements, from: &str, server: std::net::IpAddr) -> Vec<Finding> {
    let t = j.thresholds;
    let answers: Vec<&DnsServerAnswer> = network
        .dns_servers
        .iter()
        .filter(|a| a.from == from && a.server.parse::<std::net::SocketAddr>().is_ok_and(|s| s.ip() == server))
        .collect();
    let shown = answers.first().map_or_else(|| server.to_string(), |a| a.server.clone());
    let subject = || Subject::Other { kind: "dns-server", name: format!("{from}→{shown}") };
    let names = &j.inventory().nodes;
    if answers.is_empty() {
        return vec![j.unknown(
            subject(),
            format!("{server} was not asked from {from}"),
            format!("run `kubev-ha net check {} --from {from}` again", j.inventory_arg()),
        )];
    }
    // Node names this node's /etc/hosts answered: they resolve here, but not thanks to the server.
    let hosts_knows = |name: &str| {
        network.dns.iter().any(|c| c.from == from && c.name == name && c.source == Some(AnswerSource::HostsFile))
    };
    let mut findings = Vec::new();
    if !answers.iter().any(|a| a.outcome.server_answers()) {
        let first = answers[0];
        let (why, fix) = match first.outcome {
            DnsOutcome::Closed => {
                (first.detail.clone(), format!("start the DNS server on {server}, or correct network.dns.servers"))
            }
            DnsOutcome::Silent => (
                format!("no answer within the deadline ({})", first.detail),
                format!(
                    "check that {server} is up and that UDP and TCP port 53 from {from} reach it (a firewall may drop them)"
                ),
            ),
            _ => (
                first.detail.clone(),
                format!("configure {server} to answer (recursive) queries from {from}'s address"),
            ),
        };
        let listed = answers.iter().filter(|a| hosts_knows(&a.name)).count();
        let hosts = if listed > 0 {
            format!(
                "; /etc/hosts on {from} answers {listed} of the {} names, which is not the server working",
                answers.len()
            )
        } else {
            String::new()
        };
        findings.push(
            j.finding(subject(), t.net_dns, format!("{shown} does not answer DNS from {from}: {why}{hosts}")).fix(fix),
        );
        return findings;
    }
    let mut wrong = Vec::new();
    let mut records = Vec::new();
    let mut silent = Vec::new();
    for a in &answers {
        match (a.outcome, a.matches) {
            (_, Some(true)) => {}
            (DnsOutcome::Silent, _) => silent.push(a.name.clone()),
            _ => {
                let hosts = if hosts_knows(&a.name) { ", only /etc/hosts knows it" } else { "" };
                wrong.push(format!("{} ({}{hosts})", a.name, a.detail));
                records.push(format!("{} → {}", a.name, a.expected));
            }
        }
    }
    let asked: Vec<&str> = answers.iter().map(|a| a.name.as_str()).collect();
    let missing: Vec<String> =
        names.iter().filter(|n| !asked.contains(&n.name.as_str())).map(|n| n.name.clone()).collect();
    if !wrong.is_empty() {
        findings.push(
            j.finding(
                subject(),
                t.net_dns,
                format!(
                    "{shown} from {from}: {} of {} node names not resolved as declared: {}",
                    wrong.len(),
                    answers.len(),
                    summarise(&wrong, 5)
                ),
            )
            .fix(format!("add the records to the zone {server} serves: {}", summarise(&records, 5))),
        );
    }
    if !silent.is_empty() {
        findings.push(j.unknown(
            subject(),
            format!("{shown} from {from}: no answer within the deadline for {}", summarise(&silent, 5)),
            format!(
                "run `kubev-ha net check {} --from {from}` again; a server that answers only sometimes is overloaded",
                j.inventory_arg()
            ),
        ));
    }
    if !missing.is_empty() {
        findings.push(j.unknown(
            subject(),
            format!("{shown} was not asked from {from} for {}", summarise(&missing, 5)),
            format!("run `kubev-ha net check {} --from {from}` again", j.inventory_arg()),
        ));
    }
    findings
}

/// `a, b, c, d, e and 7 more`: long lists stay readable in one finding.
fn summarise(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

pub(crate) fn nodelocal_dns(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let Some(guests) = inventory.guest_clusters.as_ref() else {
        if j.is_live() {
            return vec![j.finding(
                Subject::Cluster,
                Severity::Info,
                "the cluster does not say which tenants run Kubernetes in VMs; pass --inventory with guestClusters to judge their NodeLocal DNSCache against the cluster's",
            )];
        }
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
    let declared_ip = infra.and_then(|c| c.ip);
    // What `net check` looked for: the declared address, else the
    // addon's and Kubespray's defaults.
    let looked_for = match declared_ip {
        Some(ip) => ip.to_string(),
        None => NodeLocalDnsCache::WELL_KNOWN_IPS.map(|ip| ip.to_string()).join(" or "),
    };
    // `net check` looks whether the node it runs on binds that address:
    // the infrastructure's own NodeLocal DNSCache, in fact.
    let network = j.facts.measurements.network.as_ref().filter(|n| !n.nodelocal_bound.is_empty());
    let bound_on: Option<Vec<&str>> =
        network.map(|n| n.nodelocal_bound.iter().filter(|(_, bound)| **bound).map(|(node, _)| node.as_str()).collect());
    let bound_ips: BTreeSet<IpAddr> =
        network.map(|n| n.nodelocal_addresses.values().flatten().copied().collect()).unwrap_or_default();
    let uses = match (infra.and_then(|c| c.enabled), &bound_on) {
        (Some(false), Some(nodes)) if !nodes.is_empty() => {
            return vec![
                j.finding(
                    Subject::Cluster,
                    t.net_nodelocal_undeclared,
                    format!("declared without NodeLocal DNSCache, yet {} bind(s) {looked_for}", nodes.join(", ")),
                )
                .fix(format!(
                    "find what binds the address (ip -o addr show to {looked_for}) and correct the inventory or the node"
                )),
            ];
        }
        (Some(false), _) => {
            return vec![j.pass(Subject::Cluster, "the infrastructure cluster does not use NodeLocal DNSCache")];
        }
        (Some(true), _) => Some(true),
        (None, Some(nodes)) if !nodes.is_empty() => Some(true),
        // Not seen is not absent: before install no cache runs yet, and an
        // undeclared cache may sit on an address other than the two looked
        // for. Only the declaration can settle it.
        (None, Some(_)) => {
            return vec![j.unknown(
                Subject::Cluster,
                format!("no measured node binds {looked_for}; whether the infrastructure will run NodeLocal DNSCache is not declared"),
                "declare network.dns.nodeLocalDNSCache (enabled, and its ip)",
            )];
        }
        (None, None) => None,
    };
    // The infrastructure's address: declared, else the one the nodes were
    // found binding. Never assumed: installers differ.
    let infra_ip = declared_ip.or_else(|| (bound_ips.len() == 1).then(|| bound_ips.iter().next().copied()).flatten());
    guests
        .iter()
        .map(|guest| {
            let subject = Subject::GuestCluster(guest.name.clone());
            let cache = guest.node_local_dns_cache.as_ref();
            let guest_ip = cache.and_then(|c| c.ip);
            let finding = match (cache.and_then(|c| c.enabled), uses) {
                (Some(false), _) => j.pass(subject, "does not use NodeLocal DNSCache"),
                (None, _) => j.unknown(subject, "whether it uses NodeLocal DNSCache is not declared", "declare guestClusters[].nodeLocalDNSCache"),
                // With an explicit dnsConfig the VMs never ask the guest's
                // cache through the infrastructure's address, whatever the two are.
                (Some(true), _) if guest.vm_dns_policy == Some(DnsPolicy::None) => j.pass(
                    subject,
                    "uses NodeLocal DNSCache, and its VMs use dnsPolicy None with an explicit dnsConfig",
                ),
                (Some(true), None) => j.unknown(
                    subject,
                    "uses NodeLocal DNSCache; whether the infrastructure cluster does too is not declared",
                    "declare network.dns.nodeLocalDNSCache",
                ),
                (Some(true), Some(_)) => match (guest_ip, infra_ip) {
                    (None, _) => j.unknown(
                        subject,
                        "uses NodeLocal DNSCache on an address not declared (the addon's manifest uses 169.254.20.10, Kubespray 169.254.25.10)",
                        "declare guestClusters[].nodeLocalDNSCache.ip",
                    ),
                    (Some(_), None) => j.unknown(
                        subject,
                        if bound_ips.len() > 1 {
                            format!(
                                "the infrastructure's NodeLocal DNSCache address is not declared, and its nodes bind several ({})",
                                bound_ips.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
                            )
                        } else {
                            "the infrastructure's NodeLocal DNSCache address is not declared (the addon's manifest uses 169.254.20.10, Kubespray 169.254.25.10)".to_string()
                        },
                        "declare network.dns.nodeLocalDNSCache.ip, or run `kubev-ha net check` on the nodes",
                    ),
                    (Some(guest_ip), Some(infra_ip)) if guest_ip != infra_ip => j.pass(
                        subject,
                        format!("NodeLocal DNSCache on {guest_ip}, the infrastructure's on {infra_ip}{}: no conflict", source(declared_ip)),
                    ),
                    (Some(guest_ip), Some(_)) => match guest.vm_dns_policy {
                        None => j.unknown(
                            subject,
                            format!("both clusters bind NodeLocal DNSCache on {guest_ip}{}; the VMs' dnsPolicy is not declared", source(declared_ip)),
                            "declare guestClusters[].vmDNSPolicy",
                        ),
                        Some(policy) => j
                            .finding(
                                subject,
                                t.net_nodelocal_dns,
                                format!(
                                    "both clusters bind NodeLocal DNSCache on {guest_ip}{} and the VMs use dnsPolicy {policy:?}: guest DNS queries loop back into the guest",
                                    source(declared_ip)
                                ),
                            )
                            .fix("give the guest VMs dnsPolicy: None with a dnsConfig naming real resolvers, or move one cluster's NodeLocal DNSCache to another link-local IP"),
                    },
                },
            };
            finding.at(guest.at)
        })
        .collect()
}

/// Says so when the infrastructure's address was found on its nodes
/// rather than declared.
fn source(declared: Option<IpAddr>) -> &'static str {
    if declared.is_some() { "" } else { " (the infrastructure's address measured on its nodes, not declared)" }
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
        let bad: Vec<&PortProbe> = probes.iter().copied().filter(|p| !p.state.is_open()).collect();
        if bad.is_empty() {
            good += 1;
        } else {
            let (message, fix) = unreachable_ports(j, from, to, &bad);
            findings.push(
                j.finding(
                    Subject::Other { kind: "path", name: format!("{from}→{to}") },
                    t.net_ports,
                    format!("{} of {} ports not reachable: {message}", bad.len(), probes.len()),
                )
                .fix(fix),
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

/// What the failing probes of one (from, to) pair say, by how they failed,
/// and the fix for each: a refused port means nothing listens (a firewall
/// drops, it does not refuse), silence is the firewall's, another host's
/// answer is a duplicate address. Lists are summarised, so a pair with
/// hundreds of failing ports is still a readable line.
fn unreachable_ports(j: &Judge, from: &str, to: &str, bad: &[&PortProbe]) -> (String, String) {
    let ports = |state: PortState| -> Vec<String> {
        bad.iter().filter(|p| p.state == state).map(|p| format!("{}/{} {}", p.port, p.protocol, p.component)).collect()
    };
    let short = |state: PortState| -> Vec<String> {
        bad.iter().filter(|p| p.state == state).map(|p| format!("{}/{}", p.port, p.protocol)).collect()
    };
    let first_detail =
        |state: PortState| bad.iter().find(|p| p.state == state).map(|p| p.detail.clone()).unwrap_or_default();
    let mut parts = Vec::new();
    let mut fixes = Vec::new();
    let closed = ports(PortState::Closed);
    if !closed.is_empty() {
        parts.push(format!(
            "{} {} (refused: nothing listens): {}",
            closed.len(),
            PortState::Closed,
            summarise(&closed, 6)
        ));
        fixes.push(format!(
            "nothing listens on {} on {to} (is `kubev-ha net serve` running there?)",
            summarise(&short(PortState::Closed), 6)
        ));
    }
    let filtered = ports(PortState::Filtered);
    if !filtered.is_empty() {
        parts.push(format!(
            "{} {} (no answer: a firewall drops them): {}",
            filtered.len(),
            PortState::Filtered,
            summarise(&filtered, 6)
        ));
        fixes.push(format!(
            "open {} on {to} for {from} (`kubev-ha render nftables {} --node {to}`)",
            summarise(&short(PortState::Filtered), 6),
            j.inventory_arg()
        ));
    }
    let wrong = ports(PortState::WrongHost);
    if !wrong.is_empty() {
        parts.push(format!(
            "{} answered by another host ({}): {}",
            wrong.len(),
            first_detail(PortState::WrongHost),
            summarise(&wrong, 6)
        ));
        fixes.push(format!("another host answers at {to}'s address: look for a duplicate IP address or NAT"));
    }
    let unreachable = ports(PortState::Unreachable);
    if !unreachable.is_empty() {
        parts.push(format!(
            "{} {} ({}): {}",
            unreachable.len(),
            PortState::Unreachable,
            first_detail(PortState::Unreachable),
            summarise(&unreachable, 6)
        ));
        fixes.push(format!("no route from {from} to {to}: check the link, the addresses and the routes"));
    }
    (parts.join("; "), fixes.join("; "))
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

pub(crate) fn ports(j: &Judge) -> Vec<Finding> {
    let features = Features::of(j.inventory());
    // Only rows on node addresses with ports are reached node to node.
    let probed: Vec<_> = features.node_rows().filter(|r| r.port_protocols().next().is_some()).collect();
    let entries: usize = probed.iter().map(|r| r.port_protocols().count()).sum();
    let mut findings = Vec::new();
    if let Some(network) = &j.facts.measurements.network {
        findings.extend(measured_ports(j, network));
    } else if j.facts.format != kubev_ha_model::SourceFormat::Host {
        // One host alone cannot say what reaches it; that is for `net check`.
        findings.push(j.not_measured(
        Evidence::Network,
        Subject::Cluster,
        format!("reachability of the {} node-network port rules ({entries} port/protocol entries) between the nodes is not measured", probed.len()),
        format!(
            "run `kubev-ha net matrix {0}` from a machine with SSH to the nodes, or `kubev-ha net check {0} --from NODE` on a node",
            j.inventory_arg()
        ),
        ));
    }
    // What probed hosts already listen on among the ports their roles
    // need: node-network ports and local-only ones (kube-scheduler and
    // controller-manager, which kubeadm binds to loopback). Pod and
    // migration ports are inside pods, not on the host.
    for node in &j.inventory().nodes {
        let Some(kubev_ha_model::HostProbe::Probed { facts }) = j.facts.hosts.get(&node.name) else { continue };
        let taken: Vec<String> = features
            .rows()
            .filter(|rule| matches!(rule.network, PortNetwork::Node | PortNetwork::LocalOnly))
            .filter(|rule| rule.listens_on.includes(&node.roles))
            .flat_map(|rule| {
                facts
                    .listening
                    .iter()
                    .filter(move |l| {
                        rule.ports.contains(&l.port) && rule.protocols.contains(&Protocol::from(l.protocol))
                    })
                    .map(move |l| {
                        let place = match (rule.network, l.loopback) {
                            (PortNetwork::LocalOnly, true) => ", on loopback only, as kubeadm binds it",
                            (PortNetwork::LocalOnly, false) => {
                                ", beyond loopback: kubeadm binds it to 127.0.0.1, so something else holds it or bind-address was changed"
                            }
                            _ => "",
                        };
                        format!("{}/{} ({}{place})", l.port, Protocol::from(l.protocol), rule.component)
                    })
            })
            .collect();
        let subject = Subject::node(&node.name);
        let finding = if taken.is_empty() {
            j.pass(subject, "no port its roles need is already in use (node-network and local-only ports)")
        } else {
            j.finding(subject, Severity::Info, format!("already listening: {}", taken.join(", ")))
                .fix("expected once Kubernetes runs on the node; before install, find the holder (ss -ltnup) and free the port")
        };
        findings.push(finding.at(node.at));
    }
    findings
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::Facts;
    use kubev_ha_model::{HostFacts, HostProbe, ListenProtocol, Listening};

    use crate::engine::{CheckOptions, check};

    fn net_ports_of_cp(listening: Vec<Listening>) -> (crate::Severity, String) {
        let text = "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: c}\nnodes:\n\
  - {name: cp-1, address: 10.0.0.1, roles: [control-plane]}\n";
        let inventory = kubev_ha_model::parse_str("c.yaml", text).unwrap().inventory;
        let mut facts = Facts::from_inventory(inventory, "c.yaml");
        let host = HostFacts { listening, ..HostFacts::default() };
        facts.hosts.insert("cp-1".into(), HostProbe::Probed { facts: Box::new(host) });
        let report = check(&facts, &CheckOptions::default());
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "NET-PORTS" && f.subject.to_string() == "node/cp-1")
            .expect("a NET-PORTS finding for the probed node");
        (f.severity, f.message.clone())
    }

    fn tcp(port: u16, loopback: bool) -> Listening {
        Listening { protocol: ListenProtocol::Tcp, port, loopback }
    }

    /// Local-only ports are checked on the host itself: free before
    /// install, and on loopback after, said as such.
    #[test]
    fn local_only_ports_are_judged_from_the_hosts_own_sockets() {
        let (severity, message) = net_ports_of_cp(vec![]);
        assert_eq!(severity, crate::Severity::Pass, "{message}");
        assert!(message.contains("local-only"), "{message}");
        let (severity, message) = net_ports_of_cp(vec![tcp(10259, true), tcp(10257, false)]);
        assert_eq!(severity, crate::Severity::Info, "{message}");
        assert!(message.contains("10259/tcp (kube-scheduler, on loopback only"), "{message}");
        assert!(message.contains("10257/tcp (controller-manager, beyond loopback"), "{message}");
        // A pod-network port on the host is not the matrix's business.
        let (severity, message) = net_ports_of_cp(vec![tcp(8443, false)]);
        assert_eq!(severity, crate::Severity::Pass, "{message}");
    }
}
