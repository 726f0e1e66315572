//! One output model for every command: the findings, the evidence the
//! command measured, and the plan where there is one, rendered in the
//! format the caller picks. The binary builds a [`CommandReport`], chooses
//! a [`Format`] and a destination, and nothing more; every byte of
//! output is decided here.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use kubev_ha_model::Profile;
use kubev_ha_model::ServeReport;
use kubev_ha_model::{Bandwidth, EtcdStatus, FsyncStats, MatrixCell, NetworkMeasurements};
use kubev_ha_model::{HostFacts, HostProbe, Inventory};
use kubev_ha_plan::Plan;
use kubev_ha_rules::Report;
use serde::Serialize;

use crate::audit::AuditEvidence;
use crate::disk::DiskRun;
use crate::plan::PlanTextOptions;
use crate::text::TextOptions;

/// The formats every command renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Grouped and readable, coloured when asked.
    Text,
    /// One JSON object: the contract of docs/report-format.md.
    Json,
    /// GitHub-flavoured Markdown, for a ticket or a pull request comment.
    Markdown,
    /// JUnit XML (one test suite per area, one test case per rule and
    /// subject), as GitLab and Jenkins read it.
    Junit,
    /// SARIF 2.1.0: one result per finding that is not a pass, located
    /// in the inventory file, for code-scanning annotations.
    Sarif,
    /// One self-contained HTML page: summary, topology, findings,
    /// scenarios, port matrix and drain times; no network access.
    Html,
}

/// How text looks; formats for machines ignore it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour and bold; the caller decides whether the destination
    /// is a terminal that wants it.
    pub color: bool,
    /// Every probe and rule quote, and passing findings.
    pub verbose: bool,
    /// Hide passing findings (they still count in the summary).
    pub quiet: bool,
    /// Every row: all links of a host, every node and scenario of a plan.
    pub all: bool,
    /// Columns (characters, not bytes) to fit tables into; tables wrap
    /// their cells to stay within it.
    pub width: u16,
}

/// What one command found and measured.
#[derive(Debug, Clone)]
pub struct CommandReport {
    /// The command as the text's header names it ("check", "net matrix").
    pub command: String,
    /// The judged findings; `None` for commands that only measure
    /// (`net bandwidth`, `net serve`) or only plan.
    pub findings: Option<Report>,
    /// What the command measured or read, beside the findings.
    pub evidence: Evidence,
    /// The failure simulation, for `plan`.
    pub plan: Option<PlanEvidence>,
    /// The design the findings were judged from, for the renderers that
    /// draw or point into it (HTML's topology, SARIF's locations); `None`
    /// where there is no inventory (`disk`, `host`).
    pub design: Option<Design>,
}

/// The inventory a report is about, and the failure simulation of it when
/// one could run.
#[derive(Debug, Clone)]
pub struct Design {
    /// The inventory as judged (probed facts merged in).
    pub inventory: Inventory,
    /// The file it was read from, as the user named it (SARIF's artifact).
    pub source: String,
    /// The simulation: placement per worker, scenarios, drain times. For
    /// `plan` it is `CommandReport::plan`'s and left `None` here.
    pub plan: Option<Plan>,
}

/// The evidence one command measured.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Evidence {
    /// Nothing beyond the inventory (`check`, `plan`).
    None,
    /// This machine's facts (`host`).
    Host(Box<HostFacts>),
    /// Every node's facts, or why it could not be read (`probe`).
    Probe(BTreeMap<String, HostProbe>),
    /// One fdatasync test (`disk`).
    Disk(DiskEvidence),
    /// The etcd cluster's members and health (`etcd`).
    Etcd(EtcdStatus),
    /// Probes, path MTUs, DNS and bandwidth (`net check`, `net matrix`).
    Network(NetworkEvidence),
    /// One throughput test (`net bandwidth`).
    Bandwidth(BandwidthEvidence),
    /// The ports a responder took (`net serve`).
    Serving(ServeEvidence),
    /// What `audit` read from the cluster, and what it could not.
    Audit(Box<AuditEvidence>),
    /// What `check --evidence` merged: every file and what it held.
    Merged(Box<MergedEvidence>),
}

/// The evidence files `check --evidence` judged with, and what they held.
#[derive(Debug, Clone)]
pub struct MergedEvidence {
    /// One entry per file, in the order read.
    pub pieces: Vec<EvidencePiece>,
    /// Every measurement, merged as the rules saw it.
    pub measurements: kubev_ha_model::Measurements,
    /// The probed hosts, by node name; empty when no `probe` evidence.
    pub hosts: BTreeMap<String, HostProbe>,
    /// `net matrix`'s cells, when a piece held them (the HTML heat map).
    pub matrix: Option<MatrixEvidence>,
    /// The cluster read, when a piece was `audit`'s.
    pub cluster: Option<AuditEvidence>,
}

/// One evidence file as the report names it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvidencePiece {
    /// The file, as found.
    pub path: String,
    /// What it measured: `fdatasync`, `etcd`, `network`, `hosts`, `cluster`.
    pub kind: &'static str,
    /// The command that measured.
    pub command: String,
    /// When, RFC 3339 UTC.
    pub measured_at: String,
    /// From which host.
    pub measured_from: String,
    /// How old it was when judged, in seconds.
    pub age_seconds: u64,
    /// The nodes it is about.
    pub nodes: Vec<String>,
    /// Older than `--max-age`.
    pub stale: bool,
}

/// One fdatasync test: the latencies, on which node, and how the run went.
#[derive(Debug, Clone)]
pub struct DiskEvidence {
    /// The node the test ran on, as the findings name it.
    pub node: String,
    /// The latency percentiles CP-ETCD-FSYNC judges.
    pub fdatasync: FsyncStats,
    /// Where the test wrote, how much and how fast.
    pub run: DiskRun,
}

/// What `net check` or `net matrix` measured.
#[derive(Debug, Clone)]
pub struct NetworkEvidence {
    /// The port probes, path MTUs, DNS answers and bandwidth runs the
    /// network rules are judged from.
    pub measured: NetworkMeasurements,
    /// The matrix view, for `net matrix`: its nodes and every cell.
    pub matrix: Option<MatrixEvidence>,
}

/// The cells of `net matrix` and the order its nodes are drawn in.
#[derive(Debug, Clone)]
pub struct MatrixEvidence {
    /// The nodes, in the order of the matrix's rows and columns.
    pub nodes: Vec<String>,
    /// One cell per (from, to, port group) the matrix measured.
    pub cells: Vec<MatrixCell>,
}

/// One `net bandwidth` run and the address the name resolved to.
#[derive(Debug, Clone)]
pub struct BandwidthEvidence {
    /// The throughput, stream by stream.
    pub measured: Bandwidth,
    /// Where the sink's name resolved to, so the text says which
    /// address (and so which network) was measured.
    pub address: SocketAddr,
}

/// What `net serve` took, and what it was asked for.
#[derive(Debug, Clone)]
pub struct ServeEvidence {
    /// The ports taken and refused, and the limits in force.
    pub report: ServeReport,
    /// How long it serves before stopping by itself.
    pub ttl: Duration,
    /// The connections at once asked for (`report.max_conns` may be fewer).
    pub max_conns_asked: usize,
}

/// The plan and the header its JSON carries.
#[derive(Debug, Clone)]
pub struct PlanEvidence {
    /// The failure simulation's result.
    pub plan: Plan,
    /// The file the inventory came from, as the header names it.
    pub source: String,
    /// The inventory's profile: the plan does not depend on it; the
    /// colours of the storage verdicts and the JSON header do.
    pub profile: Profile,
}

impl CommandReport {
    /// Findings and the evidence they were judged from.
    pub fn judged(command: &str, findings: Report, evidence: Evidence) -> Self {
        Self { command: command.into(), findings: Some(findings), evidence, plan: None, design: None }
    }

    /// Evidence alone, not judged (`net bandwidth`, `host --facts-only`).
    pub fn measured(command: &str, evidence: Evidence) -> Self {
        Self { command: command.into(), findings: None, evidence, plan: None, design: None }
    }

    /// A failure simulation; [`CommandReport::with_findings`] adds the
    /// verdicts judged on it.
    pub fn planned(plan: PlanEvidence) -> Self {
        Self { command: "plan".into(), findings: None, evidence: Evidence::None, plan: Some(plan), design: None }
    }

    /// The same report with these findings: `plan`'s verdicts
    /// (HA-NODE-FAILURE, HA-ZONE-FAILURE), which decide its exit code and
    /// which JUnit, SARIF, Markdown and HTML list beside the simulation.
    pub fn with_findings(mut self, findings: Report) -> Self {
        self.findings = Some(findings);
        self
    }

    /// The same report, drawn on this design.
    pub fn with_design(mut self, design: Design) -> Self {
        self.design = Some(design);
        self
    }

    /// The failure simulation, `plan`'s or the design's.
    pub fn simulation(&self) -> Option<&Plan> {
        self.plan.as_ref().map(|p| &p.plan).or_else(|| self.design.as_ref().and_then(|d| d.plan.as_ref()))
    }
}

/// Renders `report` in `format`; text follows `options`.
pub fn render(report: &CommandReport, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Text => text(report, options),
        Format::Json => json(report),
        Format::Markdown => crate::markdown::render(report, options),
        Format::Junit => crate::junit::render(report),
        Format::Sarif => crate::sarif::render(report),
        Format::Html => crate::html::render(report, options),
    }
}

fn text(report: &CommandReport, options: &RenderOptions) -> String {
    if let Some(p) = &report.plan {
        let plan_options =
            PlanTextOptions { color: options.color, profile: p.profile, all: options.all, width: options.width };
        return crate::plan::render(&p.plan, &p.source, plan_options);
    }
    let mut out = match &report.evidence {
        Evidence::None | Evidence::Probe(_) => String::new(),
        Evidence::Host(facts) => crate::host::facts_text(facts, options.color, options.all),
        Evidence::Disk(d) => crate::disk::result_text(&d.fdatasync, &d.run),
        Evidence::Etcd(status) => crate::etcd::members_table(status, options.width, options.verbose),
        Evidence::Network(n) => crate::net::network_text(n, options.width, options.verbose),
        Evidence::Bandwidth(b) => crate::bandwidth::result_text(&b.measured, b.address),
        Evidence::Serving(s) => crate::serve::serving_text(&s.report, s.ttl, s.max_conns_asked),
        Evidence::Audit(a) => crate::audit::evidence_text(a, options.verbose),
        Evidence::Merged(m) => crate::evidence::evidence_text(m, options.verbose),
    };
    if let Some(findings) = &report.findings {
        let findings_options = TextOptions { color: options.color, verbose: options.verbose, quiet: options.quiet };
        out.push_str(&crate::text::render(findings, &report.command, findings_options));
    }
    out
}

/// What a judged command adds to the findings' object, each kind of
/// measurement under `measurements` keyed by kind as in the model's
/// `Measurements`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Additions<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    facts: Option<&'a HostFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hosts: Option<&'a BTreeMap<String, HostProbe>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measurements: Option<Measured<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disk_run: Option<&'a DiskRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cells: Option<&'a [MatrixCell]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<&'a AuditEvidence>,
}

#[derive(Serialize)]
struct Measured<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    fdatasync: Option<BTreeMap<&'a str, &'a FsyncStats>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    etcd: Option<&'a EtcdStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    network: Option<&'a NetworkMeasurements>,
}

#[derive(Serialize)]
struct Judged<'a> {
    #[serde(flatten)]
    findings: &'a Report,
    #[serde(flatten)]
    additions: Additions<'a>,
}

fn additions(evidence: &Evidence) -> Additions<'_> {
    let nothing = Measured { fdatasync: None, etcd: None, network: None };
    let mut a = Additions { facts: None, hosts: None, measurements: None, disk_run: None, cells: None, cluster: None };
    match evidence {
        Evidence::None | Evidence::Bandwidth(_) | Evidence::Serving(_) => {}
        Evidence::Host(facts) => a.facts = Some(facts),
        Evidence::Probe(hosts) => a.hosts = Some(hosts),
        Evidence::Disk(d) => {
            a.measurements =
                Some(Measured { fdatasync: Some(BTreeMap::from([(d.node.as_str(), &d.fdatasync)])), ..nothing });
            a.disk_run = Some(&d.run);
        }
        Evidence::Etcd(status) => a.measurements = Some(Measured { etcd: Some(status), ..nothing }),
        Evidence::Network(n) => {
            a.measurements = Some(Measured { network: Some(&n.measured), ..nothing });
            a.cells = n.matrix.as_ref().map(|m| m.cells.as_slice());
        }
        Evidence::Audit(audit) => a.cluster = Some(audit),
        // The merged evidence's JSON: crate::evidence decides its keys.
        Evidence::Merged(_) => {}
    }
    a
}

fn json(report: &CommandReport) -> String {
    let written = match (&report.plan, &report.findings, &report.evidence) {
        (Some(p), _, _) => {
            return crate::plan::render_json(&p.plan, &p.source, p.profile)
                .unwrap_or_else(|e| crate::json::error_object(&e));
        }
        (None, Some(findings), Evidence::None) => return crate::json::render(findings),
        (None, Some(findings), Evidence::Merged(merged)) => return crate::evidence::judged_json(findings, merged),
        // The evidence of these commands has always been written with its
        // keys in alphabetical order, the order of a `serde_json::Value`
        // map; the contract keeps it byte for byte.
        (None, Some(findings), evidence) => serde_json::to_value(Judged { findings, additions: additions(evidence) })
            .and_then(|value| serde_json::to_string_pretty(&value)),
        // Bare measurements are one compact line, for scripts and for the
        // nodes that send them back to `net matrix`.
        (None, None, Evidence::Host(facts)) => serde_json::to_string(facts),
        (None, None, Evidence::Network(n)) => serde_json::to_string(&n.measured),
        (None, None, Evidence::Bandwidth(b)) => serde_json::to_string(&b.measured),
        (None, None, Evidence::Serving(s)) => serde_json::to_string(&s.report),
        (None, None, evidence) => serde_json::to_string(&additions(evidence)),
    };
    let mut text = written.unwrap_or_else(|e| crate::json::error_object(&e).trim_end().to_string());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::Facts;
    use kubev_ha_rules::{CheckOptions, check};
    use serde_json::Value;

    use super::*;

    fn findings(only: Vec<&'static str>) -> Report {
        let loaded = kubev_ha_model::parse_str("lab.yaml", include_str!("../../../examples/lab-minimum.yaml")).unwrap();
        check(&Facts::from(loaded), &CheckOptions { only, ..CheckOptions::default() })
    }

    fn stats() -> FsyncStats {
        FsyncStats {
            p50_ms: 1.0,
            p90_ms: 2.0,
            p99_ms: 4.0,
            p999_ms: 6.0,
            max_ms: 9.0,
            samples: 10,
            source: "kubev-ha disk /d".into(),
        }
    }

    fn disk() -> Evidence {
        let run = DiskRun {
            directory: "/d".into(),
            block_size: 2300,
            writes: 10,
            bytes_written: 23_000,
            seconds: 0.5,
            writes_per_second: 20.0,
        };
        Evidence::Disk(DiskEvidence { node: "this-host".into(), fdatasync: stats(), run })
    }

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn disk_json_keys_fdatasync_by_node_under_measurements_and_the_run_apart() {
        let report = CommandReport::judged("disk", findings(vec!["CP-ETCD-FSYNC"]), disk());
        let json = parsed(&render(&report, Format::Json, &RenderOptions::default()));
        // As `Facts::measurements` and the other commands' `measurements`:
        // keyed by kind, then by node; not the stats mixed with the run.
        assert_eq!(json["measurements"]["fdatasync"]["this-host"]["p99Ms"], 4.0);
        assert_eq!(json["measurements"]["fdatasync"].as_object().unwrap().len(), 1);
        assert!(json["measurements"].get("writes").is_none());
        assert_eq!(json["diskRun"]["blockSize"], 2300);
        assert_eq!(json["diskRun"]["directory"], "/d");
        assert_eq!(json["tool"], "kubev-ha");
    }

    #[test]
    fn a_report_without_evidence_renders_as_the_findings_alone() {
        let f = findings(vec![]);
        let report = CommandReport::judged("check", f.clone(), Evidence::None);
        assert_eq!(render(&report, Format::Json, &RenderOptions::default()), crate::json::render(&f));
        let options = RenderOptions { quiet: true, ..RenderOptions::default() };
        let text_options = TextOptions { color: false, verbose: false, quiet: true };
        assert_eq!(render(&report, Format::Text, &options), crate::text::render(&f, "check", text_options));
    }

    #[test]
    fn judged_evidence_joins_the_findings_object_with_keys_in_order() {
        let status = EtcdStatus {
            endpoints: vec!["http://cp-1:2379".into()],
            members: vec![],
            alarms: vec![],
            unreachable: BTreeMap::new(),
        };
        let report = CommandReport::judged("etcd", findings(vec!["CP-COUNT"]), Evidence::Etcd(status));
        let text = render(&report, Format::Json, &RenderOptions::default());
        let json = parsed(&text);
        assert_eq!(json["measurements"]["etcd"]["endpoints"][0], "http://cp-1:2379");
        assert!(json["measurements"].get("network").is_none() && json.get("facts").is_none());
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["findings", "measurements", "profile", "source", "summary", "tool", "version"]);
        // Alphabetical in the text too: "findings" leads, "version" closes.
        assert!(text.starts_with("{\n  \"findings\""), "{text}");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn matrix_cells_follow_the_network_measurements() {
        let measured = NetworkMeasurements::default();
        let network = |matrix| Evidence::Network(NetworkEvidence { measured: measured.clone(), matrix });
        let with = CommandReport::judged(
            "net matrix",
            findings(vec!["NET-PORTS"]),
            network(Some(MatrixEvidence { nodes: vec![], cells: vec![] })),
        );
        let json = parsed(&render(&with, Format::Json, &RenderOptions::default()));
        assert_eq!(json["cells"], Value::Array(vec![]));
        assert!(json["measurements"]["network"].is_object());
        let without = CommandReport::judged("net check", findings(vec!["NET-PORTS"]), network(None));
        assert!(parsed(&render(&without, Format::Json, &RenderOptions::default())).get("cells").is_none());
        // Bare measurements (`--measurements-only`) are one line.
        let bare =
            render(&CommandReport::measured("net check", network(None)), Format::Json, &RenderOptions::default());
        assert_eq!(bare.lines().count(), 1);
        assert_eq!(parsed(&bare), serde_json::to_value(&measured).unwrap());
    }

    #[test]
    fn text_puts_the_evidence_before_the_findings() {
        let report = CommandReport::judged("disk", findings(vec!["CP-ETCD-FSYNC"]), disk());
        let text = render(&report, Format::Text, &RenderOptions::default());
        assert!(text.starts_with("fdatasync after each 2300-byte write, in /d:\n"), "{text}");
        let header = text.find("kubev-ha disk of lab.yaml").expect("the findings' header");
        assert!(header > text.find("writes/s").unwrap(), "{text}");
    }

    #[test]
    fn bandwidth_renders_its_measurement_alone() {
        let measured = Bandwidth {
            from: "a".into(),
            to: "b".into(),
            streams: 1,
            total_bps: 1e9,
            per_stream_bps: vec![1e9],
            rtt_ms: None,
            seconds: 1.0,
        };
        let evidence = Evidence::Bandwidth(BandwidthEvidence {
            measured: measured.clone(),
            address: "192.0.2.1:7".parse().unwrap(),
        });
        let report = CommandReport::measured("net bandwidth", evidence);
        let json = render(&report, Format::Json, &RenderOptions::default());
        assert_eq!(json, format!("{}\n", serde_json::to_string(&measured).unwrap()));
        assert!(render(&report, Format::Text, &RenderOptions::default()).starts_with("to b (192.0.2.1:7)"));
    }

    #[test]
    fn audit_json_adds_the_cluster_read_beside_the_findings() {
        let mut live = kubev_ha_model::LiveCluster::empty("context lab (https://192.0.2.10:6443)");
        live.namespace = Some("tenant-a".into());
        live.node_health_checks = Err(kubev_ha_model::Unreadable {
            resource: "nodehealthchecks.remediation.medik8s.io".into(),
            why: kubev_ha_model::WhyUnreadable::NotInstalled { component: "medik8s".into() },
        });
        let evidence = Evidence::Audit(Box::new(crate::AuditEvidence::of(&live)));
        let report = CommandReport::judged("audit", findings(vec!["CP-COUNT"]), evidence);
        let json = parsed(&render(&report, Format::Json, &RenderOptions::default()));
        let cluster = &json["cluster"];
        assert_eq!(cluster["source"], "context lab (https://192.0.2.10:6443)");
        assert_eq!(cluster["serverVersion"], Value::Null);
        assert_eq!(cluster["namespace"], "tenant-a");
        assert_eq!(cluster["read"][0], serde_json::json!({"resource": "nodes", "objects": 0}));
        let nhc = cluster["read"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"].as_str().unwrap().starts_with("nodehealth"));
        assert_eq!(nhc.unwrap()["objects"], Value::Null, "unreadable is null, never 0");
        assert_eq!(cluster["unreadable"][0]["why"]["kind"], "notInstalled");
        assert_eq!(json["tool"], "kubev-ha");
        assert!(json["findings"].is_array());
        let text = render(&report, Format::Text, &RenderOptions::default());
        assert!(text.starts_with("cluster: context lab"), "{text}");
        assert!(text.find("not served: medik8s not installed").unwrap() < text.find("kubev-ha audit of").unwrap());
    }
}
