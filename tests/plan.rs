//! The HA planner: hand-checkable verdicts, quorum by zone layout,
//! properties of placement and failover, determinism, and a snapshot of the
//! reference example's plan.

use kubev_ha_model::Inventory;
use kubev_ha_plan::cluster::Cluster;
use kubev_ha_plan::failover::Simulator;
use kubev_ha_plan::placement::{NO_HOST, initial_placement};
use kubev_ha_plan::{Fit, Plan, PlanOptions, Status, plan};
use proptest::prelude::*;

/// A worker: name, zone, logical CPUs, memory.
struct W(&'static str, &'static str, u32, &'static str);
/// A workload: name, replicas, vCPUs, memory, spread, runStrategy.
struct V(&'static str, u32, u32, &'static str, bool, &'static str);

/// An inventory with control planes in `cp_zones`, the workers and the workloads.
fn inventory(cp_zones: &[&str], workers: &[W], workloads: &[V], tolerate: (u32, u32)) -> Inventory {
    let mut y = String::from(
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: t}\novercommit: {cpu: 1.0, memory: 1.0}\n",
    );
    y += &format!("ha: {{tolerate: {{nodes: {}, zones: {}}}}}\nnodes:\n", tolerate.0, tolerate.1);
    for (i, z) in cp_zones.iter().enumerate() {
        y += &format!("  - {{name: cp-{i}, address: 10.0.0.{}, roles: [control-plane], zone: {z}}}\n", i + 1);
    }
    for (i, w) in workers.iter().enumerate() {
        y += &format!(
            "  - {{name: {}, address: 10.0.1.{}, roles: [worker], zone: {}, cpu: {{threads: {}}}, memory: {}}}\n",
            w.0,
            i + 1,
            w.1,
            w.2,
            w.3
        );
    }
    if !workloads.is_empty() {
        y += "workloads:\n";
        for v in workloads {
            y += &format!(
                "  - {{name: {}, replicas: {}, cpu: {}, memory: {}, spread: {}, runStrategy: {}}}\n",
                v.0, v.1, v.2, v.3, v.4, v.5
            );
        }
    }
    kubev_ha_model::parse_str("t.yaml", &y).unwrap_or_else(|e| panic!("{}\n{y}", e.render_plain())).inventory
}

fn planned(inv: &Inventory) -> Plan {
    plan(inv, PlanOptions { search_fix: true, ..PlanOptions::default() }).expect("simulates")
}

fn scenario<'a>(p: &'a Plan, name: &str) -> &'a kubev_ha_plan::ScenarioResult {
    p.scenarios.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no scenario {name}"))
}

// 20Gi + the kubelet's 100Mi reservation: exactly 20Gi allocatable.
const NODE_20GI: &str = "20580Mi";

#[test]
fn fits_when_survivors_have_room() {
    // Three 20Gi workers, three 4Gi VMs: losing one leaves room for its VM.
    let inv = inventory(
        &["a", "b", "c"],
        &[W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI), W("w3", "c", 8, NODE_20GI)],
        &[V("vm", 3, 1, "4Gi", false, "Always")],
        (1, 1),
    );
    let p = planned(&inv);
    assert_eq!(p.hosts.iter().map(|h| h.vms).collect::<Vec<_>>(), vec![1, 1, 1], "LeastAllocated spreads the VMs");
    for w in ["w1", "w2", "w3"] {
        let s = scenario(&p, w);
        assert_eq!((s.displaced, s.replaced), (1, 1));
        assert_eq!(s.fit, Fit::Fits);
    }
    assert_eq!(p.node_failure.status, Status::Survives);
    assert_eq!(p.zone_failure.status, Status::Survives);
    assert!(p.node_failure.fix.is_none());
}

#[test]
fn cannot_fit_is_proven_by_the_volume_bound() {
    // Two 20Gi workers, six 4Gi VMs (about 4.27Gi each with KubeVirt's
    // overhead): 25.6Gi fits in 40Gi, not in the 20Gi that survive.
    let inv = inventory(
        &["a", "b", "c"],
        &[W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI)],
        &[V("vm", 6, 1, "4Gi", false, "Always")],
        (1, 0),
    );
    let p = planned(&inv);
    let s = scenario(&p, "w1");
    assert_eq!(s.displaced, 3);
    let Fit::CannotFit { proof } = &s.fit else { panic!("expected a proof, got {:?}", s.fit) };
    assert!(proof.contains("memory"), "{proof}");
    assert_eq!(p.node_failure.status, Status::Fails);
    let fix = p.node_failure.fix.as_deref().expect("a fix");
    assert!(fix.starts_with("add 1 worker(s)"), "{fix}");
}

#[test]
fn cannot_fit_is_proven_by_spread() {
    // Three replicas on distinct nodes cannot live on two survivors.
    let inv = inventory(
        &["a", "b", "c"],
        &[W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI), W("w3", "c", 8, NODE_20GI)],
        &[V("db", 3, 1, "1Gi", true, "Always")],
        (1, 0),
    );
    let p = planned(&inv);
    let Fit::CannotFit { proof } = &scenario(&p, "w2").fit else { panic!() };
    assert!(proof.contains("only 2 workers survive"), "{proof}");
    let fix = p.node_failure.fix.as_deref().expect("a fix");
    assert!(fix.starts_with("add 1 worker(s)"), "{fix}");
}

#[test]
fn heuristic_miss_is_a_warning_not_a_proof() {
    // Each 20Gi worker runs one 12Gi VM; losing one leaves 2 × 7.7Gi free:
    // enough in total and on no single survivor, a fragmentation miss.
    let inv = inventory(
        &["a", "b", "c"],
        &[W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI), W("w3", "c", 8, NODE_20GI)],
        &[V("big", 3, 1, "12Gi", false, "Always")],
        (1, 0),
    );
    let p = planned(&inv);
    let s = scenario(&p, "w3");
    let Fit::NotFound { detail } = &s.fit else { panic!("expected a miss, got {:?}", s.fit) };
    assert!(detail.contains("fragmented"), "{detail}");
    assert_eq!(s.homeless.get("big"), Some(&1));
    assert_eq!(p.node_failure.status, Status::NotFound);
}

#[test]
fn only_always_and_rerun_on_failure_are_restarted() {
    let inv = inventory(
        &["a", "b", "c"],
        &[W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI)],
        &[
            V("kept", 2, 1, "1Gi", true, "Always"),
            V("manual", 2, 1, "1Gi", true, "Manual"),
            V("off", 4, 1, "1Gi", false, "Halted"),
        ],
        (1, 0),
    );
    let p = planned(&inv);
    assert_eq!(p.hosts.iter().map(|h| h.vms).sum::<u32>(), 4, "halted VMs are not placed");
    let s = scenario(&p, "w1");
    assert_eq!((s.displaced, s.to_restart), (2, 1));
}

#[test]
fn control_plane_only_nodes_take_no_vms() {
    let inv =
        inventory(&["a", "b", "c"], &[W("w1", "a", 8, NODE_20GI)], &[V("vm", 2, 1, "1Gi", false, "Always")], (1, 0));
    let p = planned(&inv);
    assert_eq!(p.hosts.len(), 1);
    assert_eq!(p.hosts[0].vms, 2);
    assert_eq!(p.node_failure.status, Status::Fails, "one worker cannot survive losing one");
}

/// etcd quorum after losing each zone, for a control-plane layout.
fn quorum_by_zone(cp_zones: &[&str]) -> Vec<(String, u32, bool)> {
    let mut zones: Vec<&str> = cp_zones.to_vec();
    zones.sort();
    zones.dedup();
    let workers: Vec<W> = vec![W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI), W("w3", "c", 8, NODE_20GI)];
    let p = planned(&inventory(cp_zones, &workers, &[], (0, 1)));
    p.scenarios
        .iter()
        .filter(|s| s.kind == kubev_ha_plan::scenarios::ScenarioKind::Domain)
        .map(|s| (s.name.clone(), s.etcd.left, s.etcd.holds))
        .collect()
}

#[test]
fn quorum_three_in_three_zones() {
    let r = quorum_by_zone(&["a", "b", "c"]);
    assert!(r.iter().all(|(_, left, holds)| *left == 2 && *holds), "{r:?}");
}

#[test]
fn quorum_three_in_two_zones() {
    let r = quorum_by_zone(&["a", "a", "b"]);
    assert!(r.contains(&("zone a".into(), 1, false)), "{r:?}");
    assert!(r.contains(&("zone b".into(), 2, true)), "{r:?}");
}

#[test]
fn quorum_five_in_three_zones_two_two_one() {
    let r = quorum_by_zone(&["a", "a", "b", "b", "c"]);
    assert!(r.iter().all(|(_, left, holds)| *left >= 3 && *holds), "{r:?}");
}

#[test]
fn quorum_five_as_three_one_one_is_lost_with_the_three() {
    let r = quorum_by_zone(&["a", "a", "a", "b", "c"]);
    assert!(r.contains(&("zone a".into(), 2, false)), "{r:?}");
    let p = planned(&inventory(
        &["a", "a", "a", "b", "c"],
        &[W("w1", "a", 8, NODE_20GI), W("w2", "b", 8, NODE_20GI)],
        &[],
        (0, 1),
    ));
    assert_eq!(p.zone_failure.status, Status::Fails);
    assert!(p.zone_failure.fix.as_deref().unwrap().contains("CP-SPREAD"));
}

#[test]
fn quorum_four_in_two_zones_is_lost_either_way() {
    let r = quorum_by_zone(&["a", "a", "b", "b"]);
    assert!(r.contains(&("zone a".into(), 2, false)), "{r:?}");
    assert!(r.contains(&("zone b".into(), 2, false)), "{r:?}");
}

#[test]
fn plans_are_deterministic() {
    let inv = kubev_ha_plan::generate::generate(kubev_ha_plan::generate::Shape {
        workers: 120,
        zones: 4,
        vms: 2400,
        seed: 5,
    });
    let a = serde_json::to_string(&planned(&inv)).unwrap();
    let b = serde_json::to_string(&planned(&inv)).unwrap();
    assert!(a == b, "the same input must give the same plan");
}

#[test]
fn sets_of_workers_are_sampled_with_a_stated_seed() {
    let mut inv = kubev_ha_plan::generate::generate(kubev_ha_plan::generate::Shape {
        workers: 200,
        zones: 4,
        vms: 2000,
        seed: 2,
    });
    if let Some(ha) = inv.ha.as_mut() {
        ha.tolerate = Some(kubev_ha_model::Tolerate {
            nodes: Some(kubev_ha_model::Count(2)),
            zones: Some(kubev_ha_model::Count(1)),
        });
    }
    let options = PlanOptions {
        limits: kubev_ha_plan::SetLimits { enumerate_up_to: 1000, sample: 50, seed: 11 },
        search_fix: false,
        ..PlanOptions::default()
    };
    let p = plan(&inv, options).unwrap();
    let pairs = p.selections.iter().find(|s| s.set_size == 2).expect("pairs");
    assert_eq!(pairs.possible, 19_900);
    assert_eq!(pairs.sampled.map(|s| s.seed), Some(11));
    assert_eq!(pairs.chosen, 51, "50 samples plus the busiest pair");
    assert_eq!(p.node_failure.scenarios, 51);
}

#[test]
fn reference_plan_snapshot() {
    let inv = crate::common::reference();
    let p = planned(&inv);
    insta::assert_json_snapshot!(p);
}

/// A random small inventory: 2 to 7 workers, 1 to 5 workloads.
fn arb_inventory(all_restart: bool) -> impl Strategy<Value = Inventory> {
    let worker = (2u32..48, 4u64..128, 0usize..3);
    let workload = (1u32..8, 1u32..8, 1u64..24, any::<bool>(), 0usize..4);
    (proptest::collection::vec(worker, 2..8), proptest::collection::vec(workload, 1..6)).prop_map(move |(ws, vs)| {
        let zones = ["a", "b", "c"];
        let mut y = String::from("apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: p}\novercommit: {cpu: 2.0}\nnodes:\n");
        y += "  - {name: cp, address: 10.0.0.1, roles: [control-plane], zone: a}\n";
        for (i, (threads, mem, z)) in ws.iter().enumerate() {
            y += &format!(
                "  - {{name: w{i}, address: 10.0.1.{}, roles: [worker], zone: {}, cpu: {{threads: {threads}}}, memory: {mem}Gi}}\n",
                i + 1,
                zones[*z]
            );
        }
        y += "workloads:\n";
        for (i, (replicas, cpu, mem, spread, strategy)) in vs.iter().enumerate() {
            let strategy = if all_restart { "Always" } else { ["Always", "RerunOnFailure", "Manual", "Halted"][*strategy] };
            y += &format!(
                "  - {{name: v{i}, replicas: {replicas}, cpu: {cpu}, memory: {mem}Gi, spread: {spread}, runStrategy: {strategy}}}\n"
            );
        }
        kubev_ha_model::parse_str("p.yaml", &y).unwrap().inventory
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// No host is ever given more than it has, before or after a failure,
    /// no VM lands on a lost host, and spread is kept.
    #[test]
    fn placement_never_exceeds_capacity(inv in arb_inventory(false)) {
        let cluster = Cluster::from_inventory(&inv).unwrap();
        let placement = initial_placement(&cluster);
        for (h, host) in cluster.hosts.iter().enumerate() {
            prop_assert!(host.capacity.holds(placement.used[h]));
        }
        for (vm, &h) in placement.host_of.iter().enumerate() {
            prop_assert_eq!(h == NO_HOST, placement.unplaced.contains(&(vm as u32)));
        }
        let mut sim = Simulator::new(&cluster, &placement);
        for lost in 0..cluster.hosts.len() as u32 {
            let f = sim.fail(&[lost]);
            let mut used = placement.used.clone();
            let mut groups_on: Vec<Vec<u32>> = placement.vms_on.iter().map(|v| v.iter().map(|&vm| cluster.vms[vm as usize].group).collect()).collect();
            for &(vm, h) in &f.moves {
                prop_assert_ne!(h, lost);
                used[h as usize] += cluster.demand_of(vm);
                let g = cluster.vms[vm as usize].group;
                if cluster.groups[g as usize].spread {
                    prop_assert!(!groups_on[h as usize].contains(&g), "spread broken");
                }
                groups_on[h as usize].push(g);
            }
            for (h, host) in cluster.hosts.iter().enumerate() {
                prop_assert!(host.capacity.holds(used[h]), "host {} over capacity after losing {}", h, lost);
            }
            prop_assert_eq!(f.replaced as usize, f.moves.len());
            prop_assert_eq!(f.replaced + f.homeless.values().sum::<u32>(), f.to_restart);
        }
    }

    /// A scenario proven impossible stays impossible when capacity shrinks.
    /// (A heuristic miss carries no such promise: greedy packing is not monotone.)
    #[test]
    fn removing_capacity_never_turns_a_proven_failure_into_a_pass(inv in arb_inventory(true), shrink in 0usize..7, by in 1u64..8) {
        let Ok(before) = plan(&inv, PlanOptions::default()) else { return Ok(()) };
        let mut smaller = inv.clone();
        let workers: Vec<usize> = smaller.nodes.iter().enumerate().filter(|(_, n)| n.is_worker()).map(|(i, _)| i).collect();
        let target = workers[shrink % workers.len()];
        let memory = smaller.nodes[target].memory.unwrap();
        smaller.nodes[target].memory = Some(kubev_ha_model::ByteSize::bytes(memory.as_u64().saturating_sub(by << 30).max(1 << 30)));
        let after = plan(&smaller, PlanOptions::default()).unwrap();
        for s in before.scenarios.iter().filter(|s| matches!(s.fit, Fit::CannotFit { .. })) {
            let again = after.scenarios.iter().find(|a| a.name == s.name).unwrap();
            prop_assert!(matches!(again.fit, Fit::CannotFit { .. }), "{} was proven impossible, now {:?}", s.name, again.fit);
        }
    }
}
