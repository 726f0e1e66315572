//! The libraries' curated APIs: every item another crate (or the binary, or
//! these tests) uses is reachable at its crate's root, so the modules can
//! become private without breaking a caller. This file names each of them by
//! its root path: dropping a re-export fails to compile here.

use crate::common::root;

// kubev-ha-model: what probes and measurements fill in, and the helpers the
// binary and the rules call.
#[allow(unused_imports)]
use kubev_ha_model::{
    AnswerSource, Bandwidth, CellState, DnsCheck, DnsOutcome, DnsServerAnswer, EtcdHealth, EtcdMember, EtcdStatus,
    FsyncStats, HostDisk, HostFacts, HostNic, HostProbe, KvmFacts, LinkKind, ListenProtocol, Listening, MatrixCell,
    Measurements, ModuleState, NetworkMeasurements, PathMtu, PortProbe, PortState, TakenPort, TimeSync,
};
// kubev-ha-plan: the plan's parts the rules, the report and the tests name.
#[allow(unused_imports)]
use kubev_ha_plan::{
    CapacityOutcome, Cluster, HostDrain, MigrationLimits, NO_HOST, OverBudget, Placement, ReplicaOutcome, Res,
    ScenarioKind, Shape, Simulator,
};
// kubev-ha-probe: the disk test and the SSH transport.
#[allow(unused_imports)]
use kubev_ha_probe::{DiskOptions, RemoteSession, SshOptions, SshTarget, probe_all, run_disk_test, run_remote};
// kubev-ha-etcd.
#[allow(unused_imports)]
use kubev_ha_etcd::{EtcdConfig, EtcdError, Metrics};
// kubev-ha-rules: the catalog, the engine and what a report holds.
#[allow(unused_imports)]
use kubev_ha_rules::{
    AcceptedKernels, AppliedWaiver, Area, CATALOG, CheckOptions, DriftTolerance, Evidence, FactSource, Finding, Floor,
    Report, Rule, Scope, Severity, Subject, Summary, Thresholds, UnknownRule, WaiverOrigin, WaiverSpec,
};

#[test]
fn functions_and_constants_callers_use_are_at_the_crate_roots() {
    assert_eq!(kubev_ha_model::STDIN_NAME, "<stdin>");
    assert_eq!(kubev_ha_model::did_you_mean("wokrer", ["worker", "storage"]), Some("worker"));
    assert_eq!(kubev_ha_model::inventory_schema()["title"], "kubev-ha Inventory");
    let _: fn(&kubev_ha_model::Inventory) -> Vec<kubev_ha_model::Problem> = kubev_ha_model::validate;
    let _ = kubev_ha_model::to_yaml;
    let _ = kubev_ha_model::node_to_yaml;

    assert_eq!((kubev_ha_plan::quorum(5), kubev_ha_plan::fault_tolerance(5)), (3, 2));
    assert!(kubev_ha_plan::goodput(kubev_ha_model::LinkSpeed::gbps(10), 1500) > 0.0);
    let _ = kubev_ha_plan::initial_placement;
    let _ = kubev_ha_plan::storage_under_failure;
    let _ = kubev_ha_plan::generate;

    assert_eq!(kubev_ha_probe::DEFAULT_BLOCK, 2300);

    assert_eq!(kubev_ha_etcd::parse_metrics("etcd_server_has_leader 1\n").has_leader, Some(true));

    assert_eq!(kubev_ha_rules::rule("cp-spread").map(|r| r.id), Some("CP-SPREAD"));
    let _ = kubev_ha_rules::check;
    let _ = kubev_ha_rules::check_with_plan;
    let _ = kubev_ha_rules::waiver_problems;
}

#[test]
fn the_curated_crates_warn_on_undocumented_and_unreachable_public_items() {
    for krate in ["model", "plan", "probe", "etcd", "rules"] {
        let lib = std::fs::read_to_string(root().join("crates").join(krate).join("src/lib.rs")).unwrap();
        assert!(
            lib.lines().any(|l| l.trim() == "#![warn(missing_docs, unreachable_pub)]"),
            "crates/{krate}/src/lib.rs lost #![warn(missing_docs, unreachable_pub)]"
        );
    }
}
