//! CP-* rules: the control plane and its etcd.

use std::collections::BTreeMap;

use kubev_ha_model::{Disk, DiskUsage, LoadBalancerKind, Media, Node};

use crate::finding::{Finding, Subject};
use crate::judge::Judge;
use crate::quorum::{DomainLoss, quorum, worst_domain_loss};
use crate::rules::floors::judge_floor;
use crate::severity::Severity;

pub fn count(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let n = j.inventory().control_planes().count() as u32;
    let names = j.inventory().control_planes().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ");
    let finding = if n < t.cp_count_min {
        let tolerance =
            if n == 0 { "no etcd at all".to_string() } else { "losing any one of them stops etcd".to_string() };
        j.finding(
            Subject::Cluster,
            t.cp_count_too_few,
            format!("{n} control-plane node(s) ({names}); at least {} are needed for a fault-tolerant etcd quorum: {tolerance}", t.cp_count_min),
        )
        .fix(format!("add control-plane nodes to reach {} (3 tolerate one failure, 5 tolerate two)", t.cp_count_min))
    } else if n % 2 == 0 {
        j.finding(
            Subject::Cluster,
            t.cp_count_even_or_large,
            format!(
                "{n} control-plane nodes: an even count tolerates no more failures than {} ({}), with one more member to wait for",
                n - 1,
                (n - 1) - quorum(n - 1)
            ),
        )
        .fix(format!("run {} or {} control-plane nodes", n - 1, n + 1))
    } else if n > t.cp_count_max {
        j.finding(
            Subject::Cluster,
            t.cp_count_even_or_large,
            format!("{n} control-plane nodes: etcd advises at most {}; more members slow every write", t.cp_count_max),
        )
        .fix(format!("run {} control-plane nodes (etcd members); extra capacity belongs on workers", t.cp_count_max))
    } else {
        j.pass(
            Subject::Cluster,
            format!("{n} control-plane nodes ({names}): quorum {}, tolerates {} failure(s)", quorum(n), n - quorum(n)),
        )
    };
    vec![finding]
}

pub fn spread(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let members: Vec<&Node> = j.inventory().control_planes().map(|n| &n.value).collect();
    if members.is_empty() {
        return vec![
            j.finding(Subject::Cluster, t.cp_spread, "no control-plane nodes, so no etcd members to spread")
                .fix("declare at least 3 control-plane nodes in 3 zones"),
        ];
    }
    let use_zones = members.iter().any(|n| n.zone.is_some());
    let kind = if use_zones { "zone" } else { "rack" };
    let mut domains: BTreeMap<&str, u32> = BTreeMap::new();
    let mut undeclared = Vec::new();
    for node in &members {
        let domain = if use_zones { node.zone.as_deref() } else { node.rack.as_deref() };
        match domain {
            Some(d) => *domains.entry(d).or_default() += 1,
            None => undeclared.push(node.name.as_str()),
        }
    }
    let n = members.len() as u32;
    let q = quorum(n);
    let layout = domains.iter().map(|(d, c)| format!("{d}: {c}")).collect::<Vec<_>>().join(", ");
    let layout = if layout.is_empty() { format!("no {kind}s declared") } else { format!("{kind}s {layout}") };
    let fix_spread = || {
        let per_domain = n - q;
        if per_domain == 0 {
            format!("{n} members tolerate no loss wherever they are: run 3 control-plane nodes, one per {kind}")
        } else {
            format!(
                "place the {n} control-plane nodes so that no {kind} holds more than {per_domain} (e.g. {} {kind}s)",
                n.div_ceil(per_domain).max(3)
            )
        }
    };

    match worst_domain_loss(&domains, undeclared.len() as u32, q) {
        DomainLoss::Survives { largest, left } => vec![j.pass(
            Subject::Cluster,
            format!("{n} etcd members ({layout}): losing any one {kind} (at most {largest}) leaves {left}, quorum is {q}"),
        )],
        DomainLoss::Loses { domain_size, left } => {
            let which = domains.iter().find(|(_, c)| **c == domain_size).map(|(d, _)| format!("{kind} {d}"));
            let which = which.unwrap_or_else(|| format!("the {kind} of the nodes without one"));
            let msg = if domains.len() <= 1 && undeclared.is_empty() {
                format!("all {n} etcd members are in one {kind} ({layout}): losing it loses etcd")
            } else {
                format!("{n} etcd members ({layout}): losing {which} leaves {left} of {n}, below the quorum of {q}")
            };
            vec![j.finding(Subject::Cluster, t.cp_spread, msg).fix(fix_spread())]
        }
        DomainLoss::Undecided => vec![j.unknown(
            Subject::Cluster,
            format!(
                "{n} etcd members ({layout}); {} declare no {kind}, and whether quorum survives a {kind} loss depends on where they are",
                undeclared.join(", ")
            ),
            format!("declare `{kind}` on every control-plane node"),
        )],
    }
}

pub fn cpu(j: &Judge) -> Vec<Finding> {
    let floors = j.thresholds.cp_vcpus;
    j.inventory()
        .control_planes()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let cpu = node.cpu.as_ref();
            let threads = cpu.and_then(|c| c.threads).map(|c| c.get());
            let cores = cpu.and_then(|c| c.cores).map(|c| c.get());
            let minimum = floors.first().map_or(0, |f| f.below);
            let finding = match (threads, cores) {
                (Some(threads), _) => judge_floor(j, subject, threads, floors, "vCPUs"),
                (None, Some(cores)) if cores >= minimum => {
                    j.pass(subject, format!("{cores} cores, so at least {cores} vCPUs (minimum {minimum})"))
                }
                (None, Some(cores)) => j.unknown(
                    subject,
                    format!("{cores} core(s) declared but no thread count; vCPUs may or may not reach {minimum}"),
                    j.probe_hint(&node.name, "cpu.threads"),
                ),
                (None, None) => {
                    j.unknown(subject, j.lacks(&node.name, "vCPU count"), j.probe_hint(&node.name, "cpu.threads"))
                }
            };
            fix_cpu(finding, &node.name, minimum).at(node.at)
        })
        .collect()
}

fn fix_cpu(finding: Finding, node: &str, minimum: u32) -> Finding {
    if matches!(finding.severity, Severity::Fail | Severity::Warn) {
        finding.fix(format!("give {node} at least {minimum} vCPUs"))
    } else {
        finding
    }
}

pub fn memory(j: &Judge) -> Vec<Finding> {
    let floors = j.thresholds.cp_memory;
    j.inventory()
        .control_planes()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let finding = match node.memory {
                Some(memory) => judge_floor(j, subject, memory, floors, "memory"),
                None => j.unknown(subject, j.lacks(&node.name, "memory"), j.probe_hint(&node.name, "memory")),
            };
            let finding = match finding.severity {
                Severity::Fail | Severity::Warn | Severity::Info => {
                    let target = floors.last().map(|f| f.below.to_string()).unwrap_or_default();
                    finding.fix(format!("give {} at least {target} of memory (8–16Gi recommended)", node.name))
                }
                _ => finding,
            };
            finding.at(node.at)
        })
        .collect()
}

/// The disk that holds etcd's data, and how it was chosen.
fn etcd_disk(node: &Node) -> Option<(&Disk, &'static str)> {
    let disks = node.disks.as_deref()?;
    if let Some(d) = disks.iter().find(|d| d.usage.contains(&DiskUsage::Etcd)) {
        return Some((d, "the etcd disk"));
    }
    if let Some(d) = disks.iter().find(|d| d.usage.contains(&DiskUsage::Os)) {
        return Some((d, "the OS disk (no disk has usage etcd; /var/lib/etcd is on the root file system by default)"));
    }
    match disks {
        [only] => Some((only, "the only disk")),
        _ => None,
    }
}

pub fn etcd_media(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    j.inventory()
        .control_planes()
        .map(|node| {
            let subject = Subject::node(&node.name);
            let finding = match etcd_disk(node) {
                None if node.disks.is_none() => {
                    j.unknown(subject, j.lacks(&node.name, "disks"), j.probe_hint(&node.name, "disks"))
                }
                None => j.unknown(
                    subject,
                    "no disk is marked `usage: [etcd]` or `[os]`, so which disk holds etcd is unknown",
                    "add `usage: [etcd]` to the disk that holds /var/lib/etcd",
                ),
                Some((disk, which)) => match disk.kind {
                    None => j.unknown(
                        subject,
                        j.lacks(&node.name, &format!("type of {which} ({})", disk.label())),
                        j.probe_hint(&node.name, "disk type"),
                    ),
                    Some(Media::Hdd) => j
                        .finding(
                            subject,
                            t.cp_etcd_on_hdd,
                            format!("etcd on a spinning disk: {which}, {}, is hdd", disk.label()),
                        )
                        .fix(format!("move /var/lib/etcd on {} to an SSD or NVMe disk", node.name)),
                    Some(media) => j.pass(subject, format!("etcd on {media}: {which}, {}", disk.label())),
                },
            };
            finding.at(node.at)
        })
        .collect()
}

pub fn etcd_capacity(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let declared_quota = j.inventory().etcd.as_ref().and_then(|e| e.quota_backend_bytes);
    let quota = declared_quota.unwrap_or(t.etcd_default_quota);
    let quota_words = match declared_quota {
        Some(q) => format!("quota {q}"),
        None => format!("default quota {quota}"),
    };
    let needed = quota.saturating_mul(t.cp_etcd_capacity_factor);
    let mut findings = Vec::new();
    if quota > t.etcd_max_advised_quota {
        findings.push(
            j.finding(
                Subject::Cluster,
                t.cp_etcd_quota_above_advice,
                format!("etcd quota {quota} is above the {} etcd advises as the largest", t.etcd_max_advised_quota),
            )
            .fix(format!("keep --quota-backend-bytes at or below {}", t.etcd_max_advised_quota)),
        );
    }
    for node in j.inventory().control_planes() {
        let subject = Subject::node(&node.name);
        let finding = match etcd_disk(node) {
            None => j.unknown(
                subject,
                j.lacks(&node.name, "the etcd disk and its size"),
                j.probe_hint(&node.name, "disks with `usage: [etcd]`"),
            ),
            Some((disk, which)) => match disk.size {
                None => j.unknown(
                    subject,
                    j.lacks(&node.name, &format!("size of {which} ({})", disk.label())),
                    j.probe_hint(&node.name, "disk size"),
                ),
                Some(size) if size < needed => j
                    .finding(
                        subject,
                        t.cp_etcd_capacity,
                        format!(
                            "{which} ({}) holds {size}; etcd needs at least {needed} ({} × {quota_words})",
                            disk.label(),
                            t.cp_etcd_capacity_factor
                        ),
                    )
                    .fix(format!("give etcd on {} a disk of at least {needed}", node.name)),
                Some(size) => j.pass(
                    subject,
                    format!(
                        "{which} ({}) holds {size} ≥ {needed} ({} × {quota_words})",
                        disk.label(),
                        t.cp_etcd_capacity_factor
                    ),
                ),
            },
        };
        findings.push(finding.at(node.at));
    }
    findings
}

pub fn etcd_fsync(j: &Judge) -> Vec<Finding> {
    j.inventory()
        .control_planes()
        .map(|node| {
            j.unknown(
                Subject::node(&node.name),
                "fdatasync latency not measured",
                format!(
                    "measure it on {} with `kubev-ha disk /var/lib/etcd`, or from running etcd with `kubev-ha etcd {}`",
                    node.name, j.facts.source_name
                ),
            )
            .at(node.at)
        })
        .collect()
}

pub fn api_lb(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let Some(endpoint) = inventory.api_endpoint.as_ref() else {
        return vec![j.unknown(
            Subject::Cluster,
            "no apiEndpoint declared",
            "declare apiEndpoint with host and loadBalancer (keepalived with a vip, kube-vip, or an external load balancer)",
        )];
    };
    let at = endpoint.at;
    let host = endpoint.host.as_str();
    let node_named = |what: &str| {
        inventory.nodes.iter().find(|n| n.name == what || n.address.to_string() == what).map(|n| n.name.clone())
    };
    let single = |msg: String| {
        j.finding(Subject::Cluster, t.cp_api_lb, msg)
            .fix("put a load balancer or a VIP (keepalived, kube-vip) in front of all control-plane nodes and point apiEndpoint.host at it")
            .at(at)
    };
    if let Some(node) = node_named(host) {
        return vec![single(format!(
            "the API endpoint {host} is node {node}: when {node} is down, no client reaches any API server"
        ))];
    }
    let finding = match endpoint.load_balancer {
        None => j
            .unknown(
                Subject::Cluster,
                format!("apiEndpoint {host} declares no loadBalancer, so whether it spreads over all control-plane nodes is unknown"),
                "declare apiEndpoint.loadBalancer (external, keepalived, kube-vip)",
            )
            .at(at),
        Some(LoadBalancerKind::None) => single(format!("apiEndpoint {host} has loadBalancer: none")),
        Some(LoadBalancerKind::Metallb) => j
            .finding(
                Subject::Cluster,
                t.cp_api_lb,
                "MetalLB announces Service IPs from inside the cluster; it cannot front this cluster's own API server during bootstrap or when the control plane is down",
            )
            .fix("use keepalived or kube-vip (static pods) or an external load balancer for the API endpoint")
            .at(at),
        Some(LoadBalancerKind::External) => {
            j.pass(Subject::Cluster, format!("the API endpoint {host} is an external load balancer")).at(at)
        }
        Some(kind @ (LoadBalancerKind::Keepalived | LoadBalancerKind::KubeVip)) => match endpoint.vip {
            None => j
                .finding(Subject::Cluster, t.cp_api_lb, format!("{kind} declared without a vip"))
                .fix(format!("declare apiEndpoint.vip, the address {kind} moves between control-plane nodes"))
                .at(at),
            Some(vip) => {
                let vip_text = vip.to_string();
                let node_cidr = inventory.network().and_then(|n| n.node_cidr);
                if let Some(node) = node_named(&vip_text) {
                    single(format!("the {kind} vip {vip} is the address of node {node}, not a floating address"))
                } else if let Some(cidr) = node_cidr.filter(|c| !c.contains(&vip)) {
                    j.finding(
                        Subject::Cluster,
                        t.cp_api_lb,
                        format!("the {kind} vip {vip} is outside nodeCIDR {cidr}: VRRP and gratuitous ARP only move an address within the nodes' own segment"),
                    )
                    .fix(format!("choose a free address inside {cidr} for the vip"))
                    .at(at)
                } else if host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip != vip) {
                    j.finding(
                        Subject::Cluster,
                        t.cp_api_lb,
                        format!("clients use {host}, but the {kind} vip is {vip}: they bypass the floating address"),
                    )
                    .fix(format!("set apiEndpoint.host to {vip} or to a DNS name that resolves to it"))
                    .at(at)
                } else {
                    let via = if host == vip_text { String::new() } else { format!(" ({host} must resolve to it)") };
                    j.pass(Subject::Cluster, format!("the API endpoint is the {kind} vip {vip}{via}")).at(at)
                }
            }
        },
    };
    vec![finding]
}
