//! `kubev-ha render nftables|firewalld FILE [--node NAME]`.

use kubev_ha_report::firewall;

use super::Outcome;
use super::check::load;
use crate::cli::{RenderArgs, RenderCommand};

pub fn run(command: RenderCommand) -> miette::Result<Outcome> {
    let (args, render): (RenderArgs, fn(&kubev_ha_model::Inventory, &str, &str) -> String) = match command {
        RenderCommand::Nftables(a) => (a, firewall::nftables),
        RenderCommand::Firewalld(a) => (a, firewall::firewalld),
    };
    let loaded = load(&args.file)?;
    let inventory = &loaded.inventory;
    let nodes: Vec<String> = match &args.node {
        Some(n) => {
            if let Some(problem) = firewall::node_problem(inventory, n) {
                let hint = kubev_ha_model::suggest::did_you_mean(n, inventory.nodes.iter().map(|n| n.name.as_str()))
                    .map(|h| format!("did you mean `{h}`?"))
                    .unwrap_or_default();
                return Err(miette::miette!(help = hint, "{problem}"));
            }
            vec![n.clone()]
        }
        None => inventory.nodes.iter().map(|n| n.name.clone()).collect(),
    };
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print!("{}", render(inventory, &loaded.source_name, node));
    }
    Ok(Outcome::Ok)
}
