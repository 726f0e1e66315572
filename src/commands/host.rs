//! `kubev-ha host`: this machine's facts, judged for its roles.

use std::collections::BTreeMap;

use kubev_ha_model::{Address, Facts, Inventory, Metadata, Node, Role, SourceFormat};
use kubev_ha_model::{HostFacts, HostProbe};
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
    let node = node_of(&facts, roles);

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
            waivers: judge.waive,
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
    output::print(&shown, output::format(judge.format), &options);
    Ok(super::outcome(&report, judge.strict, judge.allow_unmeasured))
}

/// This machine as an inventory node: its hostname (made a valid node
/// name), the address of its default route's link (else the hostname),
/// the roles asked for, and the probed hardware.
fn node_of(facts: &HostFacts, roles: Vec<Role>) -> Node {
    let name = facts.hostname.as_deref().map(node_name).unwrap_or_else(|| "this-host".into());
    let address = facts.primary_address.map(Address::Ip).unwrap_or_else(|| Address::Name(name.clone()));
    Node {
        cpu: facts.cpu.clone(),
        memory: facts.memory,
        disks: Some(facts.inventory_disks()),
        nics: Some(facts.inventory_nics()),
        ..Node::new(name, address, roles)
    }
}

/// A hostname as an RFC 1123 node name: lower case, other characters as `-`.
fn node_name(hostname: &str) -> String {
    let mapped: String = hostname
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() { "this-host".into() } else { trimmed.chars().take(253).collect() }
}
