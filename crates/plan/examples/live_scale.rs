//! Scale check of the audit's planning path: a synthetic live cluster of
//! 5,000 workers in 3 zones and 100,000 running VMIs (`--nodes N --vmis M`
//! to change), mapped to an inventory (`Facts::from_live`) and planned on
//! its live placement with the fix search on, as `kubev-ha audit` does.
//! `--alloc-gib G` sets each worker's allocatable memory (250 by default;
//! 193 packs them so that a node loss leaves VMs without a home).
//! Prints the time each step took; asserts nothing about it.
//!
//! `cargo run --release -p kubev-ha-plan --example live_scale`

use std::collections::BTreeMap;
use std::time::Instant;

use kubev_ha_model::{Facts, LiveCluster, LiveNode, LiveVmi, NodeResources, node_labels};
use kubev_ha_plan::{LivePlacement, PlanOptions, Res, plan};

const GI: u64 = 1 << 30;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let nodes = arg("--nodes", 5_000);
    let vmis = arg("--vmis", 100_000);
    let alloc_gib = arg("--alloc-gib", 250) as u64;
    let built = Instant::now();
    let mut live = LiveCluster::empty("synthetic");
    live.nodes = Ok((0..nodes)
        .map(|i| LiveNode {
            name: format!("w-{i:05}"),
            labels: BTreeMap::from([
                (node_labels::KUBEVIRT_SCHEDULABLE.to_string(), "true".to_string()),
                (node_labels::ZONE.to_string(), format!("zone-{}", i % 3)),
            ]),
            capacity: NodeResources { cpu_millis: Some(64_000), memory: Some(256 * GI), ..Default::default() },
            allocatable: NodeResources {
                cpu_millis: Some(63_000),
                memory: Some(alloc_gib * GI),
                pods: Some(250),
                kvm_devices: Some(1000),
                ..Default::default()
            },
            ..Default::default()
        })
        .collect());
    live.vmis = Ok((0..vmis)
        .map(|i| LiveVmi {
            namespace: format!("tenant-{}", i % 200),
            name: format!("vm-{i:06}"),
            owner_vm: Some(format!("vm-{i:06}")),
            node: Some(format!("w-{:05}", i % nodes)),
            phase: Some("Running".into()),
            vcpus: [2, 4, 8][i % 3],
            memory: Some([4, 8, 16][i % 3] * GI),
            ..Default::default()
        })
        .collect());
    println!("built {nodes} nodes and {vmis} VMIs in {:.2?}", built.elapsed());

    let mapped = Instant::now();
    let facts = Facts::from_live(live, None);
    println!(
        "mapped to an inventory of {} nodes and {} workloads in {:.2?}",
        facts.inventory.nodes.len(),
        facts.inventory.workloads.len(),
        mapped.elapsed()
    );

    let planned = Instant::now();
    let live = facts.live.as_ref().expect("live facts");
    let placement = LivePlacement {
        running_on: live.running_on(),
        allocatable: live.allocatable().into_iter().map(|(n, (c, m, p))| (n, Res::new(c, m, p))).collect(),
    };
    let options = PlanOptions { search_fix: true, live: Some(placement), ..PlanOptions::default() };
    match plan(&facts.inventory, options) {
        Ok(p) => {
            println!("planned {} scenarios in {:.2?}", p.scenarios.len(), planned.elapsed());
            println!("node failure: {:?}: {}", p.node_failure.status, shorten(&p.node_failure.message));
            if let Some(fix) = &p.node_failure.fix {
                println!("node fix: {}", shorten(fix));
            }
            println!("zone failure: {:?}: {}", p.zone_failure.status, shorten(&p.zone_failure.message));
            if let Some(fix) = &p.zone_failure.fix {
                println!("zone fix: {}", shorten(fix));
            }
        }
        Err(e) => println!("cannot simulate: {e:?}"),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 600 { format!("{}…", s.chars().take(600).collect::<String>()) } else { s.to_string() }
}
