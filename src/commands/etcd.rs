//! `kubev-ha etcd`: the running etcd cluster, judged.

use kubev_ha_etcd::{EtcdConfig, inspect};
use kubev_ha_model::EtcdStatus;
use kubev_ha_model::{Address, Facts, Inventory, Metadata, Node, Role, SourceFormat};
use kubev_ha_report::{CommandReport, Design, Evidence, RenderOptions};
use kubev_ha_rules::{CheckOptions, check};

use super::Outcome;
use crate::cli::{ColorChoice, EtcdArgs};
use crate::output;

const JUDGED: [&str; 4] = ["CP-COUNT", "CP-SPREAD", "CP-ETCD-FSYNC", "CP-ETCD-HEALTH"];

pub fn run(args: EtcdArgs, color: ColorChoice, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    let loaded = args.file.as_deref().map(|f| super::load_to_judge(f, max_input)).transpose()?;
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

    let from_inventory = loaded.is_some();
    let members = status.members.iter().map(|m| m.name.clone()).collect();
    super::evidence::save(&args.save, loaded.as_ref().map(|l| &l.inventory), members, || {
        kubev_ha_model::Measured::Etcd { status: status.clone() }
    })?;
    let mut facts = match loaded {
        Some(l) => Facts::from(l),
        None => {
            let mut f = Facts::from_inventory(inventory_of_members(&status), config.endpoints.join(","));
            f.format = SourceFormat::Host;
            f
        }
    };
    facts.measurements.etcd = Some(status.clone());
    let (judge, show) = (args.judge, args.show);
    let report = check(
        &facts,
        &CheckOptions {
            profile: judge.profile,
            waivers: judge.waive.clone(),
            only: JUDGED.to_vec(),
            ..CheckOptions::default()
        },
    );

    let options = RenderOptions {
        color: output::stdout_color(color),
        width: output::width(),
        verbose: show.verbose,
        quiet: show.quiet,
        ..RenderOptions::default()
    };
    let mut shown = CommandReport::judged("etcd", report.clone(), Evidence::Etcd(status));
    if from_inventory {
        shown = shown.with_design(Design {
            inventory: facts.inventory.clone(),
            source: facts.source_name.clone(),
            plan: None,
        });
    }
    output::emit(&shown, judge.format, args.output.output.as_deref(), &options)?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}

/// Without an inventory, the members themselves are the control planes.
fn inventory_of_members(status: &EtcdStatus) -> Inventory {
    let nodes = status
        .members
        .iter()
        .map(|m| {
            let host =
                m.client_urls.first().and_then(|u| kubev_ha_model::url::host(u)).unwrap_or_else(|| m.name.clone());
            member_node(&m.name, &host)
        })
        .collect();
    Inventory::of_nodes(Metadata::named("etcd"), nodes)
}

fn member_node(name: &str, host: &str) -> Node {
    Node::new(name, host.parse().unwrap_or_else(|_| Address::Name(host.to_string())), vec![Role::ControlPlane])
}
