//! Whole CLI runs as insta snapshots, in uv's manner: each case runs the
//! real binary and pins, in one reviewed file per case
//! (`tests/snapshots/integration__cli_snapshots__<case>.snap`), the command
//! line, the exit code, standard output and standard error. Any change of
//! output is then a diff someone has to read and accept
//! (`INSTA_UPDATE=always cargo nextest run --test integration -E
//! 'test(/cli_snapshots::/)'`, then `git diff tests/snapshots`).
//!
//! Cases are named `<command>_<format>_<example>`. What varies from run to
//! run or machine to machine (the tool's version, temporary paths, disk
//! timings and the verdicts they decide) is filtered so that the snapshot
//! pins the shape and every stable word.
//!
//! Not covered here, because they need live peers: `probe` and `net
//! check`/`matrix`/`bandwidth` against real nodes (their help and their
//! refusals of bad input are snapshotted; tests/probe.rs and tests/net.rs
//! drive them through sshd and network namespaces), and `net serve`, which
//! runs until its TTL.

use std::path::Path;
use std::process::Command;

use crate::common::root;

/// Filters every case gets: the version the binary reports changes on each
/// release, and is not what a snapshot reviews.
const COMMON_FILTERS: &[(&str, &str)] = &[
    (r#""version": "\d+\.\d+\.\d+[^"]*""#, r#""version": "[VERSION]""#),
    (r"kubev-ha \d+\.\d+\.\d+\S*", "kubev-ha [VERSION]"),
];

/// Filters for `kubev-ha disk`: its latencies, rates and durations are the
/// machine's, and so is the verdict they give CP-ETCD-FSYNC (pass on a fast
/// disk, fail on a slow one). The shape of the output stays pinned.
const DISK_FILTERS: &[(&str, &str)] = &[
    // Text: the percentile line, the totals line, the finding.
    (r"\d+\.\d+ ms", "[MS] ms"),
    (r"\d+ writes/s", "[N] writes/s"),
    (r"in \d+\.\d+ s", "in [SECONDS] s"),
    (r"(?m)^    (pass|fail)    node/", "    [VERDICT] node/"),
    (r"ms (≥|<) 10 ms", "ms [≥ or <] 10 ms"),
    (r"(?m)^ +fix: put /var/lib/etcd.*\n", ""),
    (r"Summary: .*", "Summary: [VARIES WITH THE DISK]"),
    // JSON: the numbers of `measurements`, the severity and the counts.
    (r#""(maxMs|p50Ms|p90Ms|p99Ms|p999Ms|seconds|writesPerSecond)": [0-9.eE+-]+"#, r#""$1": [NUMBER]"#),
    (r#""severity": "(pass|fail)""#, r#""severity": "[VERDICT]""#),
    (r#"(?m)^ *"remediation": "put /var/lib/etcd.*\n"#, ""),
    (r#""(pass|fail)": \d+"#, r#""$1": [N]"#),
    (r"exit_code: [01]", "exit_code: [0 OR 1]"),
];

/// Runs `kubev-ha ARGS` from the repository root, without colour, and
/// snapshots the run as `name`, with `filters` on top of the common ones.
fn snapshot(name: &str, args: &[&str], filters: &[(&str, &str)]) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        // The help text wraps at the terminal's width; a fixed width keeps
        // it the same on every machine.
        .env("COLUMNS", "100")
        .output()
        .expect("the kubev-ha binary runs");
    let code = out.status.code().map_or_else(|| "killed by a signal".to_string(), |c| c.to_string());
    let text = format!(
        "command: kubev-ha {}\nexit_code: {code}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let filters: Vec<(&str, &str)> = COMMON_FILTERS.iter().chain(filters).copied().collect();
    insta::with_settings!({ filters => filters, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// One `#[test]` per case: `name: [args...]` or `name: [args...] filters`.
macro_rules! cli_snapshots {
    ($($name:ident: [$($arg:expr),* $(,)?] $($filters:expr)?;)*) => {
        $(
            #[test]
            fn $name() {
                let filters: &[(&str, &str)] = &[];
                $(let filters = $filters;)?
                snapshot(stringify!($name), &[$($arg),*], filters);
            }
        )*
    };
}

cli_snapshots! {
    // check: every example, both formats; --quiet and --verbose in text.
    check_text_ha_reference: ["check", "examples/ha-reference.yaml"];
    check_text_lab_minimum: ["check", "examples/lab-minimum.yaml"];
    check_text_flawed: ["check", "examples/flawed.yaml"];
    check_text_kubev_cluster: ["check", "examples/kubev-cluster.yaml"];
    check_json_ha_reference: ["check", "examples/ha-reference.yaml", "--format", "json"];
    check_json_lab_minimum: ["check", "examples/lab-minimum.yaml", "--format", "json"];
    check_json_flawed: ["check", "examples/flawed.yaml", "--format", "json"];
    check_json_kubev_cluster: ["check", "examples/kubev-cluster.yaml", "--format", "json"];
    check_quiet_flawed: ["check", "examples/flawed.yaml", "--quiet"];
    check_verbose_ha_reference: ["check", "examples/ha-reference.yaml", "--verbose"];
    check_strict_ha_reference: ["check", "examples/ha-reference.yaml", "--strict"];
    check_text_lab_minimum_production: ["check", "examples/lab-minimum.yaml", "--profile", "production"];
    check_text_missing_file: ["check", "examples/no-such-file.yaml"];

    // plan: every example, both formats.
    plan_text_ha_reference: ["plan", "examples/ha-reference.yaml"];
    plan_text_lab_minimum: ["plan", "examples/lab-minimum.yaml"];
    plan_text_flawed: ["plan", "examples/flawed.yaml"];
    plan_text_kubev_cluster: ["plan", "examples/kubev-cluster.yaml"];
    plan_json_ha_reference: ["plan", "examples/ha-reference.yaml", "--format", "json"];
    plan_json_lab_minimum: ["plan", "examples/lab-minimum.yaml", "--format", "json"];
    plan_json_flawed: ["plan", "examples/flawed.yaml", "--format", "json"];
    plan_json_kubev_cluster: ["plan", "examples/kubev-cluster.yaml", "--format", "json"];
    plan_text_all_ha_reference: ["plan", "examples/ha-reference.yaml", "--all"];

    // generate: a small inventory; the seed makes it the same every time.
    generate_yaml_small: ["generate", "--workers", "4", "--zones", "2", "--vms", "6", "--seed", "7"];

    // render: both firewalls, for a control plane and a worker.
    render_nftables_ha_reference_cp_1: ["render", "nftables", "examples/ha-reference.yaml", "--node", "cp-1"];
    render_nftables_ha_reference_w_a1: ["render", "nftables", "examples/ha-reference.yaml", "--node", "w-a1"];
    render_firewalld_ha_reference_cp_1: ["render", "firewalld", "examples/ha-reference.yaml", "--node", "cp-1"];
    render_firewalld_ha_reference_w_a1: ["render", "firewalld", "examples/ha-reference.yaml", "--node", "w-a1"];
    render_nftables_kubev_cluster: ["render", "nftables", "examples/kubev-cluster.yaml", "--node", "cp-1"];
    // Without --node: every node's rules, one after the other.
    render_firewalld_lab_minimum_every_node: ["render", "firewalld", "examples/lab-minimum.yaml"];

    // render: the audit's RBAC and CronJob, with their defaults and with names given.
    render_rbac: ["render", "rbac"];
    render_rbac_named: ["render", "rbac", "--name", "audit-ro", "--namespace", "ops"];
    render_rbac_bad_name: ["render", "rbac", "--name", "Audit_RO"];
    render_audit_cronjob: ["render", "audit-cronjob", "--image", "registry.example.com/kubev-ha:0.1.0"];
    render_audit_cronjob_no_image: ["render", "audit-cronjob"];
    render_audit_cronjob_long_name: ["render", "audit-cronjob", "--image", "kubev-ha:0.1.0", "--name", "kubev-ha-audit-of-the-production-cluster-in-amsterdam-1"];

    // audit: refusals of its input (the live runs are tests/audit.rs's).
    audit_from_dump_missing_file: ["audit", "--from-dump", "tests/data/audit-dumps/no-such-dump.json"];
    audit_from_dump_bad_json: ["audit", "--from-dump", "tests/data/audit-dumps/bad-json.json"];
    audit_from_dump_with_context: ["audit", "--from-dump", "tests/data/audit-dumps/bad-json.json", "--context", "prod"];
    // The declared design is read first, by the loader every command uses: a bad one stops the audit before any read.
    audit_inventory_missing_file: ["audit", "--inventory", "examples/no-such-file.yaml", "--from-dump", "tests/data/audit-dumps/bad-json.json"];
    audit_bad_namespace: ["audit", "-n", "Tenant_A"];
    // audit of the recorded clusters (tests/audit.rs asserts their verdicts; these pin the words).
    audit_healthy_with_inventory: ["audit", "--from-dump", "tests/data/clusters/healthy-3zone", "--inventory", "tests/data/clusters/healthy-3zone/inventory.yaml"];
    audit_broken_topology_verbose: ["audit", "--from-dump", "tests/data/clusters/broken-topology", "--verbose"];
    audit_broken_storage_json: ["audit", "--from-dump", "tests/data/clusters/broken-storage-eviction", "--format", "json"];
    audit_drifted_design: ["audit", "--from-dump", "tests/data/clusters/healthy-3zone", "--inventory", "tests/data/clusters/healthy-3zone/inventory-drifted.yaml", "--quiet"];

    // rules: the catalog, one rule explained, the port matrix; every format.
    rules_text: ["rules"];
    rules_json: ["rules", "--format", "json"];
    rules_markdown: ["rules", "--format", "markdown"];
    rules_text_cp_spread: ["rules", "CP-SPREAD"];
    rules_json_cp_spread: ["rules", "CP-SPREAD", "--format", "json"];
    rules_markdown_cp_spread: ["rules", "CP-SPREAD", "--format", "markdown"];
    rules_text_unknown_rule: ["rules", "CP-NO-SUCH-RULE"];
    rules_text_ports: ["rules", "--ports"];
    rules_json_ports: ["rules", "--ports", "--format", "json"];
    rules_markdown_ports: ["rules", "--ports", "--format", "markdown"];

    // schema.
    schema_json: ["schema"];

    // host over captured file trees (tests/data/hosts), both formats.
    host_text_xeon_server: ["host", "--root", "tests/data/hosts/xeon-server"];
    host_json_xeon_server: ["host", "--root", "tests/data/hosts/xeon-server", "--format", "json"];
    host_text_laptop_hdd_worker: ["host", "--root", "tests/data/hosts/laptop-hdd", "--role", "worker"];
    host_json_laptop_hdd_worker: ["host", "--root", "tests/data/hosts/laptop-hdd", "--role", "worker", "--format", "json"];
    host_emit_node_epyc_server: ["host", "--root", "tests/data/hosts/epyc-server", "--emit-node"];
    host_facts_only_epyc_server: ["host", "--root", "tests/data/hosts/epyc-server", "--facts-only"];
    host_text_verbose_all_links_xeon_server: ["host", "--root", "tests/data/hosts/xeon-server", "--verbose", "--all-links"];
    host_text_quiet_epyc_server: ["host", "--root", "tests/data/hosts/epyc-server", "--quiet"];

    // Refusals of bad input by the commands whose success needs live peers.
    probe_text_missing_file: ["probe", "examples/no-such-file.yaml"];
    probe_text_bad_timeout: ["probe", "examples/ha-reference.yaml", "--timeout", "soon"];
    net_check_text_unknown_node: ["net", "check", "examples/ha-reference.yaml", "--from", "no-such-node"];
    net_matrix_text_missing_file: ["net", "matrix", "examples/no-such-file.yaml"];
    net_bandwidth_text_no_target: ["net", "bandwidth"];
    etcd_text_no_endpoints: ["etcd"];

    // --help of the top level and of every subcommand.
    help: ["--help"];
    help_check: ["check", "--help"];
    help_plan: ["plan", "--help"];
    help_probe: ["probe", "--help"];
    help_disk: ["disk", "--help"];
    help_etcd: ["etcd", "--help"];
    help_net: ["net", "--help"];
    help_net_serve: ["net", "serve", "--help"];
    help_net_check: ["net", "check", "--help"];
    help_net_matrix: ["net", "matrix", "--help"];
    help_net_bandwidth: ["net", "bandwidth", "--help"];
    help_render: ["render", "--help"];
    help_render_nftables: ["render", "nftables", "--help"];
    help_render_firewalld: ["render", "firewalld", "--help"];
    help_render_rbac: ["render", "rbac", "--help"];
    help_render_audit_cronjob: ["render", "audit-cronjob", "--help"];
    help_audit: ["audit", "--help"];
    help_host: ["host", "--help"];
    help_generate: ["generate", "--help"];
    help_rules: ["rules", "--help"];
    help_schema: ["schema", "--help"];
}

/// `kubev-ha disk` in a temporary directory: a real measurement, small
/// enough to be quick and large enough for a p99 (100 writes of 2300 bytes).
fn disk_snapshot(name: &str, format: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().to_str().expect("a UTF-8 temporary path");
    // The path is matched literally, not as a pattern.
    let escaped = regex_escape(path);
    let filters: Vec<(&str, &str)> =
        [(escaped.as_str(), "[TEMP]")].into_iter().chain(DISK_FILTERS.iter().copied()).collect();
    snapshot(name, &["disk", path, "--size", "256Ki", "--format", format], &filters);
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = r"\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

#[test]
fn disk_text_tempdir() {
    disk_snapshot("disk_text_tempdir", "text");
}

#[test]
fn disk_json_tempdir() {
    disk_snapshot("disk_json_tempdir", "json");
}

/// Too small a `--size` for a p99 is refused before anything is written:
/// nothing here varies, so nothing is filtered.
#[test]
fn disk_text_size_too_small() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let escaped = regex_escape(dir.path().to_str().expect("a UTF-8 temporary path"));
    snapshot(
        "disk_text_size_too_small",
        &["disk", dir.path().to_str().unwrap_or_default(), "--size", "64Ki"],
        &[(escaped.as_str(), "[TEMP]")],
    );
    assert!(Path::new(dir.path()).read_dir().map(|mut d| d.next().is_none()).unwrap_or(false), "nothing is left");
}

/// Filters for `kubev-ha etcd` against a cluster this test started: its
/// ports, member IDs, revisions, latencies, the etcd release Debian ships
/// and the verdict the latencies give CP-ETCD-FSYNC all vary. The members
/// table wraps its random ports and IDs at varying places, so it is
/// replaced whole; docs/report-format.md's JSON carries the same facts.
const ETCD_FILTERS: &[(&str, &str)] = &[
    (r"(?s)┌.*┘\n", "[MEMBERS TABLE]\n"),
    (
        r#""(backendCommitP99Ms|walFsyncP99Ms|readMs|dbSize|raftIndex|raftTerm|leaderChanges)": [0-9.eE+-]+"#,
        r#""$1": [NUMBER]"#,
    ),
    (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
    (r#""id": "[0-9a-f]+""#, r#""id": "[ID]""#),
    (
        r"etcd \d+\.\d+\.\d+, (leader|follower), raft term \d+, index \d+",
        "etcd [VERSION], $1, raft term [N], index [N]",
    ),
    (r"(p99|read in) \d+(\.\d+)? ms", "$1 [MS] ms"),
    (r"ms (≥|<) 10 ms", "ms [≥ or <] 10 ms"),
    (r"(?m)^    (pass|fail)    node/m1 ", "    [VERDICT] node/m1 "),
    (r#"(?m)^ *"remediation": "put /var/lib/etcd.*\n"#, ""),
    (r#"(?m)^( +fix: put /var/lib/etcd.*\n)"#, ""),
    (r#"("rule": "CP-ETCD-FSYNC",\n *"severity": )"(pass|fail)""#, r#"$1"[VERDICT]""#),
    (r#""(pass|fail)": \d+"#, r#""$1": [N]"#),
    (r"Summary: .*", "Summary: [VARIES WITH THE DISK]"),
];

/// One real etcd member on loopback (tests/common/etcd.rs), judged in both
/// formats. One member fails CP-COUNT; that is the point of the shape.
#[test]
fn etcd_text_and_json_one_member() {
    let cluster = match crate::common::etcd::EtcdCluster::start(1, false) {
        Ok(cluster) => cluster,
        Err(why) => return crate::common::skip("etcd_text_and_json_one_member", &why),
    };
    let endpoints = cluster.endpoints().join(",");
    // --verbose in text: a rule's quote shows only while it fails, and
    // whether CP-ETCD-FSYNC fails depends on the disk; verbose shows it always.
    for (format, show) in [("text", "--verbose"), ("json", "--quiet")] {
        snapshot(
            &format!("etcd_{format}_one_member"),
            &["etcd", "--endpoints", &endpoints, "--timeout", "10s", "--format", format, show],
            ETCD_FILTERS,
        );
    }
}
