//! `kubev-ha etcd`: the running etcd cluster, judged.

use std::collections::BTreeMap;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kubev_ha_etcd::{EtcdConfig, inspect};
use kubev_ha_model::measure::{EtcdHealth, EtcdMember, EtcdStatus};
use kubev_ha_model::{Address, Facts, Inventory, Located, Metadata, Node, Role, SourceFormat};
use kubev_ha_report::{TextOptions, text};
use kubev_ha_rules::{CheckOptions, check};

use super::Outcome;
use super::check::load;
use crate::cli::{ColorChoice, EtcdArgs, ReportFormat};
use crate::output;

const JUDGED: [&str; 4] = ["CP-COUNT", "CP-SPREAD", "CP-ETCD-FSYNC", "CP-ETCD-HEALTH"];

pub fn run(args: EtcdArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = args.file.as_deref().map(|f| load(f, max_input)).transpose()?;
    let tls = args.cacert.is_some() || args.cert.is_some();
    let endpoints: Vec<String> = if !args.endpoints.is_empty() {
        args.endpoints.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect()
    } else if let Some(l) = &loaded {
        let scheme = if tls { "https" } else { "http" };
        l.inventory.control_planes().map(|n| kubev_ha_model::url::to(scheme, &n.address, args.client_port)).collect()
    } else {
        return Err(miette::miette!(
            help = "give --endpoints http://HOST:2379,... or an inventory whose control planes run etcd",
            "no etcd endpoints"
        ));
    };
    if endpoints.is_empty() {
        return Err(if args.file.is_some() {
            miette::miette!("no etcd endpoints: the inventory has no control-plane nodes")
        } else {
            miette::miette!("no etcd endpoints: --endpoints names none (give URLs separated by commas)")
        });
    }
    let config = EtcdConfig {
        endpoints,
        cacert: args.cacert.clone(),
        cert: args.cert.clone(),
        key: args.key.clone(),
        timeout: args.timeout.as_duration(),
        discover: !args.no_discover,
    };
    let status = inspect(&config)?;

    let mut facts = match loaded {
        Some(l) => Facts::from(l),
        None => {
            let mut f = Facts::from_inventory(inventory_of_members(&status), config.endpoints.join(","));
            f.format = SourceFormat::Host;
            f
        }
    };
    facts.measurements.etcd = Some(status.clone());
    let report =
        check(&facts, &CheckOptions { profile: args.profile, only: JUDGED.to_vec(), ..CheckOptions::default() });

    match args.format {
        ReportFormat::Json => {
            let mut value = serde_json::to_value(&report).map_err(|e| miette::miette!("{e}"))?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("measurements".into(), serde_json::json!({ "etcd": status }));
            }
            println!("{}", serde_json::to_string_pretty(&value).map_err(|e| miette::miette!("{e}"))?);
        }
        ReportFormat::Text => {
            print!("{}", members_table(&status, output::width()));
            print!(
                "{}",
                text::render(
                    &report,
                    "etcd",
                    TextOptions { color: output::stdout_color(color), verbose: false, quiet: false }
                )
            );
        }
    }
    Ok(if report.failed(false) { Outcome::RequirementFailed } else { Outcome::Ok })
}

/// Without an inventory, the members themselves are the control planes.
fn inventory_of_members(status: &EtcdStatus) -> Inventory {
    let mut inventory = Inventory::single_node(Metadata::named("etcd"), member_node("placeholder", "placeholder"));
    inventory.nodes = status
        .members
        .iter()
        .map(|m| {
            let host =
                m.client_urls.first().and_then(|u| kubev_ha_model::url::host(u)).unwrap_or_else(|| m.name.clone());
            Located::new(member_node(&m.name, &host))
        })
        .collect();
    inventory
}

fn member_node(name: &str, host: &str) -> Node {
    Node {
        name: name.to_string(),
        address: host.parse().unwrap_or_else(|_| Address::Name(host.to_string())),
        roles: vec![Role::ControlPlane],
        zone: None,
        rack: None,
        cpu: None,
        memory: None,
        disks: None,
        nics: None,
        labels: BTreeMap::new(),
        ssh: None,
    }
}

fn members_table(status: &EtcdStatus, width: u16) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_width(width).set_header(
        vec![
            "member",
            "id",
            "client / peer URLs",
            "health",
            "version",
            "db size",
            "term / index",
            "role",
            "has leader",
            "wal fsync p99",
            "commit p99",
            "leader changes",
        ],
    );
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.2} ms"));
    for m in &status.members {
        let health = match &m.health {
            EtcdHealth::Healthy { read_ms } => format!("healthy ({read_ms:.1} ms)"),
            EtcdHealth::Unhealthy { reason } => format!("unhealthy: {reason}"),
            EtcdHealth::Down { reason } => format!("down: {reason}"),
            EtcdHealth::NotProbed => "not probed".into(),
        };
        let role = match (m.is_leader, m.is_learner) {
            (true, _) => "leader",
            (_, true) => "learner",
            _ => "follower",
        };
        t.add_row(vec![
            m.name.clone(),
            m.id.clone(),
            urls(m),
            health,
            m.version.clone().unwrap_or_else(|| "-".into()),
            m.db_size.map_or("-".into(), |b| kubev_ha_model::ByteSize::bytes(b).human()),
            format!(
                "{} / {}",
                m.raft_term.map_or("-".into(), |v| v.to_string()),
                m.raft_index.map_or("-".into(), |v| v.to_string())
            ),
            role.into(),
            m.has_leader.map_or("-", |h| if h { "yes" } else { "no" }).into(),
            ms(m.wal_fsync_p99_ms),
            ms(m.backend_commit_p99_ms),
            m.leader_changes.map_or("-".into(), |v| format!("{v:.0}")),
        ]);
    }
    let mut out = format!("{t}\n");
    for (endpoint, why) in &status.unreachable {
        out.push_str(&format!("unreachable: {endpoint}: {why}\n"));
    }
    out
}

/// The member's client and peer URLs, one per line, and the endpoint it
/// was reached by when that is none of its client URLs (a load balancer,
/// a tunnel).
fn urls(m: &EtcdMember) -> String {
    let mut lines: Vec<String> = m.client_urls.iter().map(|u| format!("client {u}")).collect();
    lines.extend(m.peer_urls.iter().map(|u| format!("peer {u}")));
    if let Some(e) = m
        .endpoint
        .as_deref()
        .filter(|e| !m.client_urls.iter().any(|u| kubev_ha_etcd::normalise(u) == kubev_ha_etcd::normalise(e)))
    {
        lines.push(format!("asked at {e}"));
    }
    lines.join("\n")
}
