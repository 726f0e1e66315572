//! `net check`: everything one node must reach, measured from that node.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use kubev_ha_model::Inventory;
use kubev_ha_model::{DnsServerAnswer, NetworkMeasurements};
use kubev_ha_spec::{Features, targets_from};

use tokio::sync::Semaphore;

use crate::probe::{ProbeOptions, probe_all};

/// How `net check` measures from one node; the default is what the CLI
/// uses when no option is given.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// The port probes' deadline and how many are in flight at once.
    pub probe: ProbeOptions,
    /// How long to wait for each MTU confirmation.
    pub mtu_wait: Duration,
    /// The deadline of one name's lookup, through the system resolver or
    /// at one DNS server.
    pub dns_timeout: Duration,
    /// The port the declared DNS servers are asked on.
    pub dns_port: u16,
    /// Measure no path MTU and add no note about it; NET-MTU then has no
    /// measurement to judge.
    pub skip_mtu: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            probe: ProbeOptions::default(),
            mtu_wait: Duration::from_millis(400),
            dns_timeout: Duration::from_secs(3),
            dns_port: crate::dns::DNS_PORT,
            skip_mtu: false,
        }
    }
}

/// What the sampled ranges were, for the report.
pub(crate) fn sampling_notes(features: Features) -> Vec<String> {
    features
        .node_rows()
        .filter(|r| r.is_sampled())
        .map(|r| {
            let ports: Vec<String> = r.probed_ports().iter().map(u16::to_string).collect();
            format!(
                "{} {}: sampled {} of {} ports ({})",
                r.component,
                r.ports_text(),
                ports.len(),
                r.ports.len(),
                ports.join(", ")
            )
        })
        .collect()
}

/// Probes, path MTU, DNS and the NodeLocal DNSCache address, from `from`.
pub async fn check_from(inventory: &Inventory, from: &str, options: CheckOptions) -> NetworkMeasurements {
    let targets = targets_from(inventory, from);
    let probes = probe_all(from, &targets, options.probe).await;
    let features = Features::of(inventory);
    let mut notes = sampling_notes(features);
    // Path MTU goes to the overlay's UDP tunnel port, where every node's
    // responder listens; an STT overlay has none.
    let mtu_port = features.mtu_port();
    if mtu_port.is_none() && !options.skip_mtu {
        notes.push(format!(
            "path MTU not measured: the {} overlay has no UDP tunnel port for the responder to answer on",
            features.overlay
        ));
    }

    let others: Vec<_> = inventory.nodes.iter().filter(|n| n.name != from).collect();
    let mut path_mtu = Vec::new();
    if let Some(mtu_port) = mtu_port.filter(|_| !options.skip_mtu) {
        let tasks: Vec<_> = others
            .iter()
            .filter_map(|n| {
                let ip: IpAddr = n.address.to_string().parse().ok()?;
                let (from, to, wait) = (from.to_string(), n.name.clone(), options.mtu_wait);
                Some(tokio::spawn(async move {
                    crate::mtu::path_mtu(&from, &to, SocketAddr::new(ip, mtu_port), wait).await
                }))
            })
            .collect();
        for t in tasks {
            if let Ok(m) = t.await {
                path_mtu.push(m);
            }
        }
    }

    // Every node name, this node's own included: kubelet and etcd resolve
    // their own hostname too.
    let hosts = crate::dns::HostsFile::read();
    let mut dns = Vec::new();
    for n in &inventory.nodes {
        dns.push(crate::dns::check_name(from, &n.name, &n.address.to_string(), options.dns_timeout, &hosts).await);
    }
    let dns_servers = ask_servers(inventory, from, options).await;

    // Whether this node binds a NodeLocal DNSCache address: the declared
    // one, else the addon's and Kubespray's defaults. Asked even when the
    // inventory is silent, since that is how an undeclared cache is found.
    let candidates: Vec<IpAddr> = match inventory
        .network()
        .and_then(|n| n.dns.as_ref())
        .and_then(|d| d.node_local_dns_cache.as_ref())
        .and_then(|c| c.ip)
    {
        Some(ip) => vec![ip],
        None => kubev_ha_model::NodeLocalDnsCache::WELL_KNOWN_IPS.to_vec(),
    };
    let bound: Vec<IpAddr> = candidates.into_iter().filter(|ip| crate::dns::is_local_address(*ip)).collect();
    let nodelocal_bound = std::collections::BTreeMap::from([(from.to_string(), !bound.is_empty())]);
    let nodelocal_addresses = std::collections::BTreeMap::from([(from.to_string(), bound)]);

    NetworkMeasurements {
        from: vec![from.to_string()],
        probes,
        path_mtu,
        dns,
        dns_servers,
        nodelocal_bound,
        nodelocal_addresses,
        bandwidth: vec![],
        unreachable: Default::default(),
        taken: vec![],
        notes,
    }
}

/// How many DNS queries are in flight at once: enough that a silent server
/// costs one deadline, not one per name.
const DNS_IN_FLIGHT: usize = 64;

/// Every declared DNS server asked for every node name, in inventory order.
/// Only the servers the inventory names are asked (never the node's own
/// resolv.conf servers): an undeclared list is for NET-DNS to call unknown.
async fn ask_servers(inventory: &Inventory, from: &str, options: CheckOptions) -> Vec<DnsServerAnswer> {
    let servers: Vec<IpAddr> =
        inventory.network().and_then(|n| n.dns.as_ref()).and_then(|d| d.servers.clone()).unwrap_or_default();
    if servers.is_empty() {
        return vec![];
    }
    let resolv = Arc::new(crate::dns::ResolvConf::read());
    let permits = Arc::new(Semaphore::new(DNS_IN_FLIGHT));
    let mut tasks = Vec::new();
    for server in servers {
        for n in &inventory.nodes {
            let (from, name, expected) = (from.to_string(), n.name.clone(), n.address.to_string());
            let (resolv, permits) = (resolv.clone(), permits.clone());
            let addr = SocketAddr::new(server, options.dns_port);
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                crate::dns::ask_server(&from, addr, &name, &expected, &resolv, options.dns_timeout).await
            }));
        }
    }
    let mut answers = Vec::new();
    for t in tasks {
        if let Ok(a) = t.await {
            answers.push(a);
        }
    }
    answers
}

/// Several nodes' measurements as one.
pub(crate) fn merge(parts: impl IntoIterator<Item = NetworkMeasurements>) -> NetworkMeasurements {
    let mut all = NetworkMeasurements::default();
    for p in parts {
        all.from.extend(p.from);
        all.probes.extend(p.probes);
        all.path_mtu.extend(p.path_mtu);
        all.dns.extend(p.dns);
        all.dns_servers.extend(p.dns_servers);
        all.nodelocal_bound.extend(p.nodelocal_bound);
        all.nodelocal_addresses.extend(p.nodelocal_addresses);
        all.bandwidth.extend(p.bandwidth);
        all.unreachable.extend(p.unreachable);
        all.taken.extend(p.taken);
        for note in p.notes {
            if !all.notes.contains(&note) {
                all.notes.push(note);
            }
        }
    }
    all.from.sort();
    all.from.dedup();
    all
}
