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
use kubev_ha_probe::{
    DiskOptions, RemoteError, RemoteSession, SshOptions, SshTarget, probe_all, run_disk_test, run_remote,
};
// kubev-ha-etcd.
#[allow(unused_imports)]
use kubev_ha_etcd::{EtcdConfig, EtcdError, Metrics};
// kubev-ha-report: the one report interface, the catalog and the firewall.
#[allow(unused_imports)]
use kubev_ha_report::{
    AuditEvidence, BandwidthEvidence, CommandReport, CronJobOptions, DiskEvidence, DiskRun, Evidence, FirewallOptions,
    Format, MatrixEvidence, NetworkEvidence, PlanEvidence, RbacOptions, RenderOptions, ResourceRead, ServeEvidence,
};
// kubev-ha-cluster: the one crate that talks to the Kubernetes API.
#[allow(unused_imports)]
use kubev_ha_cluster::{ClusterError, ConnectOptions, NoProgress, ReadProgress};
// kubev-ha-model: the live facts the cluster reader fills.
#[allow(unused_imports)]
use kubev_ha_model::{LiveCluster, LiveNode, LiveVmi, Read, Unreadable, WhyUnreadable};
// kubev-ha-spec: the port matrix and what it asks of an inventory.
#[allow(unused_imports)]
use kubev_ha_spec::{
    ApiRead, ApiVerb, Features, ListensOn, Peer, PortNetwork, PortRule, ProbeTarget, Protocol, UnknownFeature, When,
};
// kubev-ha-net: the responder, the checks, the matrix and bandwidth.
#[allow(unused_imports)]
use kubev_ha_net::{
    BandwidthError, CheckOptions, HostsFile, MatrixOptions, ProbeOptions, Progress, ResolveError, ServeOptions,
    Throughput, bind, check_from, measure, run_matrix, serve, sink_address,
};
// kubev-ha-rules: the catalog, the engine and what a report holds.
#[allow(unused_imports)]
use kubev_ha_rules::{
    AcceptedKernels, AppliedWaiver, Area, CATALOG, CheckOptions as RulesCheckOptions, DriftTolerance,
    Evidence as AwaitedEvidence, FactSource, Finding, Floor, Report, Rule, Scope, Severity, Subject, Summary,
    Thresholds, UnknownRule, WaiverOrigin, WaiverSpec,
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
    let _ = kubev_ha_probe::task_failure;

    assert_eq!(kubev_ha_etcd::parse_metrics("etcd_server_has_leader 1\n").has_leader, Some(true));

    assert_eq!(kubev_ha_net::BANDWIDTH_PORT, 5201);
    let _ = kubev_ha_report::render;
    let _ = (kubev_ha_report::rules_table, kubev_ha_report::rule_explanation, kubev_ha_report::rules_json);
    let _ = (kubev_ha_report::rules_markdown, kubev_ha_report::ports_table, kubev_ha_report::ports_json);
    let _ = kubev_ha_report::ports_markdown;
    let _ = (kubev_ha_report::nftables, kubev_ha_report::firewalld);
    let _ = kubev_ha_report::firewall_address_problems;
    assert_eq!(kubev_ha_report::pretty_json(&1), "1\n");
    let _ = kubev_ha_report::serve_stopped_text;
    let _ = (kubev_ha_report::rbac, kubev_ha_report::audit_cronjob);

    let _ = kubev_ha_cluster::read_cluster;
    let _ = kubev_ha_cluster::read_dump;
    assert!(!kubev_ha_spec::AUDIT_READS.is_empty());
    assert!(kubev_ha_rules::AUDIT_RULES.contains(&"CP-COUNT"));
    let _ = kubev_ha_model::Facts::from_live;

    assert!(!kubev_ha_spec::PORT_MATRIX.is_empty() && !kubev_ha_spec::MATRIX_NOTES.is_empty());
    let _ = (kubev_ha_spec::targets_from, kubev_ha_spec::listening_for, kubev_ha_spec::matrix_cells);
    assert_eq!(kubev_ha_rules::rule("cp-spread").map(|r| r.id), Some("CP-SPREAD"));
    let _ = kubev_ha_rules::check;
    let _ = kubev_ha_rules::check_with_plan;
    let _ = kubev_ha_rules::waiver_problems;
}

#[test]
fn the_curated_crates_warn_on_undocumented_and_unreachable_public_items() {
    for krate in ["model", "plan", "probe", "etcd", "net", "report", "spec", "rules", "cluster"] {
        let lib = std::fs::read_to_string(root().join("crates").join(krate).join("src/lib.rs")).unwrap();
        assert!(
            lib.lines().any(|l| l.trim() == "#![warn(missing_docs, unreachable_pub)]"),
            "crates/{krate}/src/lib.rs lost #![warn(missing_docs, unreachable_pub)]"
        );
    }
}

#[test]
fn model_plan_probe_etcd_and_cluster_keep_their_modules_private() {
    // Regression: every module of these crates was `pub mod`, so callers
    // reached items by module paths and no module could move. Only the
    // model's `url` stays public (its functions read as `url::host`).
    for (krate, public) in [("model", &["url"][..]), ("plan", &[]), ("probe", &[]), ("etcd", &[]), ("cluster", &[])] {
        let lib = std::fs::read_to_string(root().join("crates").join(krate).join("src/lib.rs")).unwrap();
        let found: Vec<&str> =
            lib.lines().filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';')).collect();
        assert_eq!(found, public, "crates/{krate}/src/lib.rs: public modules");
    }
}
