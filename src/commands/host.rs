//! `kubev-ha host`: this machine's facts, judged for its roles.

use std::collections::BTreeMap;

use kubev_ha_model::HostProbe;
use kubev_ha_model::{Facts, Inventory, Metadata, Role, SourceFormat};
use kubev_ha_probe::{CollectOptions, Root, collect};
use kubev_ha_report::{CommandReport, Evidence, Format, RenderOptions};
use kubev_ha_rules::{CheckOptions, Scope, check};

use super::Outcome;
use crate::cli::{ColorChoice, HostArgs};
use crate::output;

pub fn run(args: HostArgs, color: ColorChoice) -> miette::Result<Outcome> {
    if !args.root.is_dir() {
        return Err(miette::miette!("{}: not a directory", args.root.display()));
    }
    let root = Root::new(&args.root);
    let facts = collect(&root, &CollectOptions { etcd_path: args.etcd_path.clone() });
    if args.facts_only {
        let shown = CommandReport::measured("host", Evidence::Host(Box::new(facts)));
        output::print(&shown, Format::Json, &RenderOptions::default());
        return Ok(Outcome::Ok);
    }
    let roles =
        if args.role.is_empty() { vec![Role::ControlPlane, Role::Worker, Role::Storage] } else { args.role.clone() };
    let node = facts.to_node(roles);

    if args.emit_node {
        let yaml = kubev_ha_model::node_to_yaml(&node)?;
        print!("{yaml}");
        return Ok(Outcome::Ok);
    }

    let name = node.name.clone();
    let inventory = Inventory::single_node(Metadata::named(&name), node);
    let hosts = BTreeMap::from([(name.clone(), HostProbe::Probed { facts: Box::new(facts.clone()) })]);
    let mut judged = Facts::from_inventory(inventory, name.clone()).with_probes(hosts);
    judged.format = SourceFormat::Host;
    let (judge, show) = (args.judge, args.show);
    let report = check(
        &judged,
        &CheckOptions {
            profile: judge.profile,
            waivers: judge.waive.clone(),
            scope: Some(Scope::Host),
            ..CheckOptions::default()
        },
    );
    let options = RenderOptions {
        color: output::stdout_color(color),
        verbose: show.verbose,
        quiet: show.quiet,
        all: args.all_links,
        ..RenderOptions::default()
    };
    let shown = CommandReport::judged("host", report.clone(), Evidence::Host(Box::new(facts)));
    output::emit(&shown, judge.format, args.output.output.as_deref(), &options)?;
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}
