//! `kubev-ha render nftables|firewalld FILE [--node NAME]`, and the
//! audit's Kubernetes manifests: `render rbac` and `render audit-cronjob`.

use kubev_ha_report::{
    CronJobOptions, FirewallOptions, RbacOptions, audit_cronjob, firewall_address_problems, firewalld, nftables, rbac,
};

use super::Outcome;
use super::load;
use crate::cli::{RenderArgs, RenderCommand};

pub fn run(command: RenderCommand, max_input: kubev_ha_model::ByteSize) -> miette::Result<Outcome> {
    type Render = fn(&kubev_ha_model::Inventory, &str, &str, &FirewallOptions) -> String;
    let (args, render): (RenderArgs, Render) = match command {
        RenderCommand::Nftables(a) => (a, nftables),
        RenderCommand::Firewalld(a) => (a, firewalld),
        RenderCommand::Rbac(a) => {
            print!("{}", rbac(&RbacOptions { name: a.name, namespace: a.namespace }));
            return Ok(Outcome::Ok);
        }
        RenderCommand::AuditCronjob(a) => {
            // The CronJob controller names each Job NAME-<11 characters>,
            // and a Job's name is at most 63 (Kubernetes' CronJob page,
            // kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/).
            if a.name.len() > 52 {
                return Err(miette::miette!(
                    help = "a CronJob's name is at most 52 characters: its Jobs add 11",
                    "--name `{}` is {} characters long",
                    a.name,
                    a.name.len()
                ));
            }
            if a.image.trim().is_empty() || a.image.contains(char::is_whitespace) {
                return Err(miette::miette!("--image `{}` is not an image reference", a.image));
            }
            if a.schedule.trim().is_empty() || a.schedule.contains(['\n', '\r']) {
                return Err(miette::miette!("--schedule `{}` is not a cron schedule", a.schedule.escape_debug()));
            }
            let options = CronJobOptions {
                name: a.name,
                namespace: a.namespace,
                schedule: a.schedule,
                image: a.image,
                audit_timeout_seconds: a.timeout.as_duration().as_secs().max(1),
            };
            print!("{}", audit_cronjob(&options));
            return Ok(Outcome::Ok);
        }
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
