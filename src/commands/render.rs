//! `kubev-ha render nftables|firewalld FILE [--node NAME]`.

use kubev_ha_report::{FirewallOptions, firewall_address_problems, firewalld, nftables};

use super::Outcome;
use super::load;
use crate::cli::{RenderArgs, RenderCommand};

pub fn run(command: RenderCommand, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    type Render = fn(&kubev_ha_model::Inventory, &str, &str, &FirewallOptions) -> String;
    let (args, render): (RenderArgs, Render) = match command {
        RenderCommand::Nftables(a) => (a, nftables),
        RenderCommand::Firewalld(a) => (a, firewalld),
    };
    let options = FirewallOptions {
        // The port `net matrix --bandwidth` measures on; closed unless asked.
        measurement_ports: if args.allow_measurement_ports { vec![kubev_ha_net::BANDWIDTH_PORT] } else { vec![] },
    };
    let loaded = load(&args.file, max_input)?;
    let inventory = &loaded.inventory;
    let problems = firewall_address_problems(inventory);
    if !problems.is_empty() {
        return Err(loaded.input_error(problems).into());
    }
    let nodes: Vec<String> = match &args.node {
        Some(n) => {
            if inventory.node(n).is_none() {
                return Err(super::unknown_node(inventory, n));
            }
            vec![n.clone()]
        }
        None => inventory.nodes.iter().map(|n| n.name.clone()).collect(),
    };
    // One node's rules after another, a blank line apart.
    let rendered: Vec<String> =
        nodes.iter().map(|node| render(inventory, &loaded.source_name, node, &options)).collect();
    print!("{}", rendered.join("\n"));
    Ok(Outcome::Ok)
}
