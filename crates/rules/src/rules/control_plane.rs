//! CP-* rules: the control plane and its etcd.

use std::collections::BTreeMap;

use kubev_ha_model::{Disk, DiskUsage, LoadBalancerKind, Media, Node, VipMode};
use kubev_ha_model::{EtcdHealth, EtcdStatus};

use crate::finding::{Evidence, Finding, Subject};
use crate::judge::Judge;
use crate::plural::plural;
use crate::quorum::{DomainLoss, quorum, worst_domain_loss};
use crate::rules::floors::judge_floor;
use crate::severity::Severity;

/// On live facts, the unknown CP-COUNT and CP-SPREAD report when the
/// cluster does not tell where its etcd members run.
fn live_etcd_unknown(j: &Judge) -> Option<Vec<Finding>> {
    let why = j.facts.live.as_ref()?.etcd_members_unknown()?;
    Some(vec![j.unknown(
        Subject::Cluster,
        why,
        "grant list on pods in kube-system (`kubev-ha render rbac`), or ask etcd itself with `kubev-ha etcd --endpoints URL`",
    )])
}

pub(crate) fn count(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    if j.facts.measurements.etcd.is_none()
        && let Some(unknown) = live_etcd_unknown(j)
    {
        return unknown;
    }
    // The running cluster's own member list beats the declaration.
    let live: Option<Vec<&str>> = j
        .facts
        .measurements
        .etcd
        .as_ref()
        .filter(|e| !e.members.is_empty())
        .map(|e| e.voters().map(|m| m.name.as_str()).collect());
    let (n, names) = match &live {
        Some(members) => {
            let noun = if members.len() == 1 { "member" } else { "members" };
            (members.len() as u32, format!("etcd reports voting {noun} {}", members.join(", ")))
        }
        None => (
            j.inventory().control_planes().count() as u32,
            j.inventory().control_planes().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", "),
        ),
    };
    let finding = if n < t.cp_count_min {
        let tolerance =
            if n == 0 { "no etcd at all".to_string() } else { "losing any one of them stops etcd".to_string() };
        j.finding(
            Subject::Cluster,
            t.cp_count_too_few,
            format!(
                "{} ({names}); at least {} are needed for a fault-tolerant etcd quorum: {tolerance}",
                plural(n, "control-plane node"),
                t.cp_count_min
            ),
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
            format!(
                "{n} control-plane nodes ({names}): quorum {}, tolerates {}",
                quorum(n),
                plural(n - quorum(n), "failure")
            ),
        )
    };
    vec![finding]
}

pub(crate) fn spread(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    if let Some(unknown) = live_etcd_unknown(j) {
        return unknown;
    }
    let inventory = j.inventory();
    let use_zones = inventory.nodes.iter().any(|n| n.zone.is_some());
    let kind = if use_zones { "zone" } else { "rack" };
    let domain_of = |node: &Node| if use_zones { node.zone.clone() } else { node.rack.clone() };
    // The running cluster's members, placed by matching their URLs to the
    // inventory's addresses; else the declared control planes.
    let members: Vec<(String, Option<String>)> =
        match j.facts.measurements.etcd.as_ref().filter(|e| !e.members.is_empty()) {
            Some(etcd) => etcd
                .voters()
                .map(|m| {
                    let by_name = inventory.nodes.iter().find(|n| n.name == m.name);
                    let node =
                        by_name.or_else(|| inventory.nodes.iter().find(|n| member_on(m, &n.address.to_string())));
                    (m.name.clone(), node.and_then(|n| domain_of(n)))
                })
                .collect(),
            None => inventory.control_planes().map(|n| (n.name.clone(), domain_of(n))).collect(),
        };
    if members.is_empty() {
        return vec![
            j.finding(Subject::Cluster, t.cp_spread, "no control-plane nodes, so no etcd members to spread")
                .fix(format!("declare at least {0} control-plane nodes in {0} zones", t.cp_count_min)),
        ];
    }
    let mut domains: BTreeMap<&str, u32> = BTreeMap::new();
    let mut undeclared = Vec::new();
    for (name, domain) in &members {
        match domain {
            Some(d) => *domains.entry(d.as_str()).or_default() += 1,
            None => undeclared.push(name.as_str()),
        }
    }
    let n = members.len() as u32;
    let q = quorum(n);
    let layout = domains.iter().map(|(d, c)| format!("{d}: {c}")).collect::<Vec<_>>().join(", ");
    let layout = if layout.is_empty() { format!("no {kind}s declared") } else { format!("{kind}s {layout}") };
    let fix_spread = || {
        let per_domain = n - q;
        if per_domain == 0 {
            format!(
                "etcd with {} tolerates no loss whatever the layout: run {} control-plane nodes, one per {kind}",
                plural(n, "member"),
                t.cp_count_min
            )
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
            format!(
                "{} ({layout}): losing any one {kind} (at most {largest}) leaves {left}, quorum is {q}",
                plural(n, "etcd member")
            ),
        )],
        DomainLoss::Loses { domain_size, left } => {
            let which = domains.iter().find(|(_, c)| **c == domain_size).map(|(d, _)| format!("{kind} {d}"));
            let which = which.unwrap_or_else(|| format!("the {kind} of the nodes without one"));
            let msg = if domains.len() <= 1 && undeclared.is_empty() {
                let all =
                    if n == 1 { "the only etcd member is".to_string() } else { format!("all {n} etcd members are") };
                format!("{all} in one {kind} ({layout}): losing it loses etcd")
            } else {
                format!(
                    "{} ({layout}): losing {which} leaves {left} of {n}, below the quorum of {q}",
                    plural(n, "etcd member")
                )
            };
            vec![j.finding(Subject::Cluster, t.cp_spread, msg).fix(fix_spread())]
        }
        DomainLoss::Undecided => vec![j.unknown(
            Subject::Cluster,
            format!(
                "{} ({layout}); {} {} no {kind}, and whether quorum survives a {kind} loss depends on where {}",
                plural(n, "etcd member"),
                undeclared.join(", "),
                if undeclared.len() == 1 { "declares" } else { "declare" },
                if undeclared.len() == 1 { "it is" } else { "they are" }
            ),
            format!("declare `{kind}` on every control-plane node"),
        )],
    }
}

pub(crate) fn cpu(j: &Judge) -> Vec<Finding> {
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

pub(crate) fn memory(j: &Judge) -> Vec<Finding> {
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
                    let (low, high) = j.thresholds.cp_memory_advised;
                    finding.fix(format!("give {} at least {target} of memory ({low}–{high} recommended)", node.name))
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

pub(crate) fn etcd_media(j: &Judge) -> Vec<Finding> {
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

pub(crate) fn etcd_capacity(j: &Judge) -> Vec<Finding> {
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
                            "{which} ({}) holds {}; etcd needs at least {needed} ({} × {quota_words})",
                            disk.label(),
                            size.human(),
                            t.cp_etcd_capacity_factor
                        ),
                    )
                    .fix(format!("give etcd on {} a disk of at least {needed}", node.name)),
                Some(size) => j.pass(
                    subject,
                    format!(
                        "{which} ({}) holds {} ≥ {needed} ({} × {quota_words})",
                        disk.label(),
                        size.human(),
                        t.cp_etcd_capacity_factor
                    ),
                ),
            },
        };
        findings.push(finding.at(node.at));
    }
    findings
}

pub(crate) fn etcd_fsync(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let measured = &j.facts.measurements;
    j.inventory()
        .control_planes()
        .map(|node| {
            let subject = Subject::node(&node.name);
            // A disk test on the node wins over etcd's own metrics: it
            // measures the disk alone, not the disk under load.
            // A disk test without samples measured nothing: not a pass.
            let from_disk = measured
                .fdatasync
                .get(&node.name)
                .filter(|s| s.samples > 0)
                .map(|s| (s.p99_ms, s.samples, s.source.clone()));
            let from_etcd = measured.etcd.as_ref().and_then(|e| {
                let by_name = e.members.iter().find(|m| m.name == node.name);
                by_name
                    .or_else(|| e.members.iter().find(|m| member_on(m, &node.address.to_string())))
                    .and_then(|m| m.wal_fsync_p99_ms.map(|p99| (p99, 0, format!("etcd metrics of member {}", m.name))))
            });
            let finding = match from_disk.or(from_etcd) {
                None => j.not_measured(
                    Evidence::Fdatasync,
                    subject,
                    "fdatasync latency not measured",
                    format!(
                        "measure it on {} with `kubev-ha disk /var/lib/etcd`, or from running etcd with `{}`",
                        node.name,
                        j.etcd_command()
                    ),
                ),
                Some((p99, samples, source)) => {
                    let n = if samples > 0 { format!(", {samples} samples") } else { String::new() };
                    if p99 >= t.cp_etcd_fsync_p99_ms {
                        j.finding(
                            subject,
                            t.cp_etcd_fsync,
                            format!("fdatasync p99 {p99:.2} ms ≥ {} ms ({source}{n})", t.cp_etcd_fsync_p99_ms),
                        )
                        .fix(format!(
                            "put /var/lib/etcd on {} on a faster (NVMe or SSD with power-loss protection) disk, alone",
                            node.name
                        ))
                    } else {
                        j.pass(
                            subject,
                            format!("fdatasync p99 {p99:.2} ms < {} ms ({source}{n})", t.cp_etcd_fsync_p99_ms),
                        )
                    }
                }
            };
            finding.at(node.at)
        })
        .collect()
}

/// Whether an etcd member serves on `address` (by its client or peer URLs).
/// Host names are compared without regard to case, as DNS does.
pub(crate) fn member_on(member: &kubev_ha_model::EtcdMember, address: &str) -> bool {
    member
        .client_urls
        .iter()
        .chain(&member.peer_urls)
        .any(|u| kubev_ha_model::url::host(u).is_some_and(|host| host.eq_ignore_ascii_case(address)))
}

pub(crate) fn etcd_health(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let Some(status) = &j.facts.measurements.etcd else {
        return vec![j.not_measured(
            Evidence::Etcd,
            Subject::Cluster,
            "the running etcd cluster was not inspected",
            format!("run `{}` (or `kubev-ha etcd --endpoints URL,...`)", j.etcd_command()),
        )];
    };
    let mut findings = vec![quorum_finding(j, status)];
    for alarm in &status.alarms {
        findings.push(
            j.finding(Subject::Cluster, t.cp_etcd_health_lost, format!("etcd alarm: {alarm}"))
                .fix("for NOSPACE: compact and defragment (etcdctl compact, defrag), raise --quota-backend-bytes if needed, then etcdctl alarm disarm"),
        );
    }
    for m in &status.members {
        let subject = Subject::Other { kind: "etcd-member", name: m.name.clone() };
        let role = if m.is_leader {
            ", leader"
        } else if m.is_learner {
            ", learner"
        } else {
            ""
        };
        let finding = match &m.health {
            EtcdHealth::Healthy { read_ms } => j.pass(
                subject,
                format!(
                    "{} answered a linearizable read in {read_ms:.1} ms (etcd {}{role}, raft term {}, index {})",
                    m.endpoint.as_deref().unwrap_or("?"),
                    m.version.as_deref().unwrap_or("?"),
                    m.raft_term.map_or("?".into(), |v| v.to_string()),
                    m.raft_index.map_or("?".into(), |v| v.to_string())
                ),
            ),
            EtcdHealth::Unhealthy { reason } => j
                .finding(subject, t.cp_etcd_health_lost, format!("reachable but unhealthy: {reason}"))
                .fix("check that the member has a leader and its peers are reachable (etcd logs)"),
            EtcdHealth::Down { reason } => j
                .finding(subject, t.cp_etcd_health_no_tolerance, format!("down: {reason}"))
                .fix(format!("restart etcd on {} or replace the member (etcdctl member remove/add)", m.name)),
            EtcdHealth::NotProbed => j.unknown(
                subject,
                "listed by the cluster, but not asked: none of its client URLs was among the endpoints or discovered",
                "add its client URL to --endpoints, or drop --no-discover",
            ),
        };
        findings.push(finding);
    }
    findings
}

/// Quorum and fault tolerance of the running cluster.
fn quorum_finding(j: &Judge, status: &EtcdStatus) -> Finding {
    let t = j.thresholds;
    let voters: Vec<_> = status.voters().collect();
    let n = voters.len() as u32;
    let healthy = voters.iter().filter(|m| m.health.is_healthy()).count() as u32;
    let unknown = voters.iter().filter(|m| m.health == EtcdHealth::NotProbed).count() as u32;
    let q = quorum(n);
    if n == 0 {
        return j.unknown(
            Subject::Cluster,
            "no member list: the answering endpoints did not list members",
            "check the endpoints",
        );
    }
    if healthy >= q {
        let tolerance = healthy - q;
        if tolerance == 0 {
            j.finding(
                Subject::Cluster,
                t.cp_etcd_health_no_tolerance,
                format!("quorum holds: {healthy} of {n} voting members healthy, quorum {q}; fault tolerance 0: one more failure stops etcd"),
            )
            .fix("bring the down members back (or replace them) before any maintenance")
        } else {
            j.pass(
                Subject::Cluster,
                format!(
                    "quorum holds: {healthy} of {n} voting members healthy, quorum {q}; tolerates {}",
                    plural(tolerance, "more failure")
                ),
            )
        }
    } else if healthy + unknown >= q {
        j.unknown(
            Subject::Cluster,
            format!("{healthy} of {n} voting members known healthy, quorum {q}; {unknown} not probed"),
            "give every member's client URL in --endpoints, or drop --no-discover",
        )
    } else if healthy > 0 {
        // A linearizable read is served only after the leader confirms it
        // still leads a quorum (raft's ReadIndex), so one healthy member
        // proves etcd has quorum even when the others cannot be reached
        // from here (a client URL advertised on a network this machine is
        // not on). Claiming "quorum lost" would be false; the tolerance
        // left is what is unknown.
        j.unknown(
            Subject::Cluster,
            format!("quorum holds in etcd's own view (a linearizable read succeeded), but only {healthy} of {n} voting members answer from here; fault tolerance unknown"),
            "run from a machine that reaches every member's client URL, or give reachable URLs in --endpoints",
        )
    } else {
        j.finding(
            Subject::Cluster,
            t.cp_etcd_health_lost,
            format!("QUORUM LOST: {healthy} of {n} voting members healthy, quorum needs {q}; etcd accepts no writes and the API server is down"),
        )
        .fix("restore the down members' etcd; if they are gone for good, recover from a snapshot (etcdutl snapshot restore) with a new cluster")
    }
}

pub(crate) fn api_lb(j: &Judge) -> Vec<Finding> {
    let t = j.thresholds;
    let inventory = j.inventory();
    let Some(endpoint) = inventory.api_endpoint.as_ref() else {
        if let Some(live) = &j.facts.live {
            let why = match &live.kubeadm {
                Ok(Some(_)) => "kubeadm-config sets no controlPlaneEndpoint: clients and kubelets are pointed at one API server's own address".to_string(),
                Ok(None) => "the cluster does not report its API endpoint (no kube-system/kubeadm-config: not a kubeadm cluster)".to_string(),
                Err(e) => format!("{e}: the API endpoint is unknown"),
            };
            return vec![j.unknown(
                Subject::Cluster,
                why,
                "check that the kubeconfigs and kubelets use a load-balanced endpoint (keepalived or kube-vip VIP, or an external load balancer) in front of every control-plane node",
            )];
        }
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
        None if j.is_live() => j.unknown(
            Subject::Cluster,
            format!("the controlPlaneEndpoint {host} is not a node's address, but the cluster does not report what carries it (keepalived, kube-vip, an external load balancer), so whether it spreads over all control-plane nodes is unknown"),
            "check what serves the endpoint, or run `kubev-ha check` on an inventory that declares apiEndpoint.loadBalancer",
        ),
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
                // keepalived moves the VIP by VRRP and gratuitous ARP, and
                // so does kube-vip in ARP mode: one L2 segment. kube-vip in
                // BGP mode announces it as a route, which may be any address.
                let mode = endpoint.mode;
                let outside = node_cidr.filter(|c| !c.contains(&vip));
                if let Some(node) = node_named(&vip_text) {
                    single(format!("the {kind} vip {vip} is the address of node {node}, not a floating address"))
                } else if let (Some(cidr), LoadBalancerKind::KubeVip, None) = (outside, kind, mode) {
                    j.unknown(
                        Subject::Cluster,
                        format!(
                            "the kube-vip vip {vip} is outside nodeCIDR {cidr}: fine in BGP mode (announced as a route), unreachable in ARP mode (gratuitous ARP stays in the nodes' segment); the mode is not declared"
                        ),
                        "declare apiEndpoint.mode: bgp or arp",
                    )
                    .at(at)
                } else if let Some(cidr) = outside.filter(|_| kind == LoadBalancerKind::Keepalived || mode == Some(VipMode::Arp)) {
                    let how = if kind == LoadBalancerKind::Keepalived {
                        let bgp = if mode == Some(VipMode::Bgp) { " (keepalived has no BGP mode)" } else { "" };
                        format!("keepalived moves it by VRRP and gratuitous ARP{bgp}")
                    } else {
                        "kube-vip in ARP mode moves it by gratuitous ARP".to_string()
                    };
                    j.finding(
                        Subject::Cluster,
                        t.cp_api_lb,
                        format!("the {kind} vip {vip} is outside nodeCIDR {cidr}: {how}, which only reaches the nodes' own segment"),
                    )
                    .fix(if kind == LoadBalancerKind::KubeVip {
                        format!("choose a free address inside {cidr} for the vip, or run kube-vip in BGP mode (apiEndpoint.mode: bgp)")
                    } else {
                        format!("choose a free address inside {cidr} for the vip")
                    })
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
                    let bgp = if kind == LoadBalancerKind::KubeVip && mode == Some(VipMode::Bgp) {
                        ", announced to the BGP peers"
                    } else {
                        ""
                    };
                    j.pass(Subject::Cluster, format!("the API endpoint is the {kind} vip {vip}{via}{bgp}")).at(at)
                }
            }
        },
    };
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(client: &str, peer: &str) -> kubev_ha_model::EtcdMember {
        kubev_ha_model::EtcdMember {
            id: "1".into(),
            name: "cp-1".into(),
            peer_urls: vec![peer.into()],
            client_urls: vec![client.into()],
            is_learner: false,
            endpoint: None,
            health: EtcdHealth::NotProbed,
            version: None,
            db_size: None,
            raft_term: None,
            raft_index: None,
            is_leader: false,
            wal_fsync_p99_ms: None,
            backend_commit_p99_ms: None,
            leader_changes: None,
            has_leader: None,
        }
    }

    /// Regression (issue 10, item 7): the hand-written URL splitter compared
    /// the host as written, so a member advertising `https://[FD00::1]:2379`
    /// or `https://CP-1:2379` matched no node (the inventory's address is
    /// `fd00::1`, names are lower case), and CP-SPREAD lost the member.
    #[test]
    fn a_member_is_found_by_any_spelling_of_its_address() {
        let v6 = member("https://[FD00:0::1]:2379", "https://[FD00::1]:2380");
        assert!(member_on(&v6, &"fd00::1".parse::<kubev_ha_model::Address>().unwrap().to_string()));
        let named = member("https://CP-1:2379/", "https://CP-1:2380");
        assert!(member_on(&named, "cp-1"));
        assert!(member_on(&member("10.0.0.11:2379", "http://10.0.0.11:2380"), "10.0.0.11"), "no scheme");
        assert!(!member_on(&named, "cp-2"));
    }
}
