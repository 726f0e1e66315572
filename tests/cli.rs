//! The command line end to end: exit codes, both formats, waivers, the
//! catalog and the schema.

use serde_json::Value;

use crate::common::{kubev_ha, stderr, stdout};

fn json_of(args: &[&str]) -> (Value, i32) {
    let out = kubev_ha(args);
    let value: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (value, out.status.code().unwrap_or(-1))
}

#[test]
fn reference_passes_in_production() {
    let out = kubev_ha(&["check", "examples/ha-reference.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    for heading in ["Control plane", "Workers", "Storage", "Network", "High availability"] {
        assert!(text.contains(&format!("\n{heading}\n")), "no {heading} section:\n{text}");
    }
    assert!(text.contains("Summary:"), "{text}");
    assert!(!text.contains(" fail "), "{text}");
    assert!(!text.contains('\x1b'), "colour escapes in piped output");
}

#[test]
fn flawed_example_fails_with_exit_1() {
    let out = kubev_ha(&["check", "examples/flawed.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("requirements failed"));
}

#[test]
fn lab_passes_minimum_but_not_production() {
    assert_eq!(kubev_ha(&["check", "examples/lab-minimum.yaml"]).status.code(), Some(0));
    assert_eq!(kubev_ha(&["check", "examples/lab-minimum.yaml", "--profile", "production"]).status.code(), Some(1));
}

#[test]
fn strict_fails_on_unknown() {
    // The reference passes, but measurements are unknown until taken.
    assert_eq!(kubev_ha(&["check", "examples/ha-reference.yaml", "--strict"]).status.code(), Some(1));
}

#[test]
fn json_report_has_the_documented_shape() {
    let (report, code) = json_of(&["check", "examples/flawed.yaml", "--format", "json"]);
    assert_eq!(code, 1);
    for key in ["tool", "version", "source", "profile", "findings", "summary"] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    assert_eq!(report["tool"], "kubev-ha");
    assert_eq!(report["profile"], "production");
    let findings = report["findings"].as_array().unwrap();
    for f in findings {
        for key in ["rule", "subject", "severity", "message", "requirement"] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
        if f["severity"] != "pass" {
            assert!(f.get("remediation").is_some(), "open finding without remediation: {f}");
        }
    }
    let summary = &report["summary"];
    let counted: u64 =
        ["pass", "info", "warn", "fail", "unknown", "waived"].iter().map(|k| summary[k].as_u64().unwrap()).sum();
    assert_eq!(counted as usize, findings.len(), "every finding is counted once");
    assert!(summary["fail"].as_u64().unwrap() > 10);
    assert_eq!(summary["waived"], 1, "the flawed example waives W-MEDIA on w-1");
    let waived = findings.iter().find(|f| f.get("waived").is_some()).unwrap();
    assert_eq!(waived["rule"], "W-MEDIA");
    assert_eq!(waived["severity"], "warn", "a waived finding keeps its severity");
    assert!(waived["waived"]["reason"].as_str().unwrap().contains("ISO images"));
    let located = findings.iter().find(|f| f["subject"] == "node/cp-1").unwrap();
    assert!(located["location"]["line"].as_u64().unwrap() > 1);
}

#[test]
fn waiving_every_failure_turns_exit_1_into_0() {
    let (report, _) = json_of(&["check", "examples/flawed.yaml", "--format", "json"]);
    let failing: std::collections::BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "fail" && f.get("waived").is_none())
        .map(|f| format!("{}:{}", f["rule"].as_str().unwrap(), f["subject"].as_str().unwrap()))
        .collect();
    let mut args = vec!["check".to_string(), "examples/flawed.yaml".into(), "--format".into(), "json".into()];
    for spec in &failing {
        args.push("--waive".into());
        args.push(format!("{spec}=accepted for the test"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (waived, code) = json_of(&args);
    assert_eq!(code, 0, "all failures waived");
    assert_eq!(waived["summary"]["fail"], 0);
    // A waiver names a rule and subject, so it also waives the other open
    // findings of that pair (a warn beside a fail, say).
    let open_of_waived_pairs = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "pass" && f.get("waived").is_none())
        .filter(|f| failing.contains(&format!("{}:{}", f["rule"].as_str().unwrap(), f["subject"].as_str().unwrap())))
        .count() as u64;
    let expected = report["summary"]["waived"].as_u64().unwrap() + open_of_waived_pairs;
    assert_eq!(waived["summary"]["waived"].as_u64().unwrap(), expected, "waived failures stay in the report");
    assert_eq!(
        waived["findings"].as_array().unwrap().len(),
        report["findings"].as_array().unwrap().len(),
        "nothing disappears"
    );
}

#[test]
fn waiver_of_an_unknown_rule_is_a_usage_error() {
    let out = kubev_ha(&["check", "examples/flawed.yaml", "--waive", "CP-SPRAED"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `CP-SPREAD`"), "{}", stderr(&out));
}

#[test]
fn waiver_matching_nothing_is_noted() {
    let out = kubev_ha(&["check", "examples/ha-reference.yaml", "--waive", "W-CPU:node/nope"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("waiver W-CPU:node/nope matched no finding"), "{}", stdout(&out));
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    let text = std::fs::read_to_string(crate::common::example("ha-reference.yaml")).unwrap().replacen(
        "memory: 32Gi",
        "memory: 16GiB",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let out = kubev_ha(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.yaml:44:13"), "{err}");
    assert!(err.contains("did you mean `16Gi`"), "{err}");
    assert!(stdout(&out).is_empty(), "no report for bad input");
}

#[test]
fn missing_file_exits_2() {
    let out = kubev_ha(&["check", "does/not/exist.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read does/not/exist.yaml"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(kubev_ha(&["check"]).status.code(), Some(2));
    assert_eq!(kubev_ha(&["check", "examples/flawed.yaml", "--profile", "lab"]).status.code(), Some(2));
    assert_eq!(kubev_ha(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn standard_input_is_read_with_a_dash() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(["check", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(crate::common::example("ha-reference.yaml")).unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["source"], "<stdin>");
    // Hints cannot name standard input again: they say FILE.
    let hints: Vec<&str> =
        report["findings"].as_array().unwrap().iter().filter_map(|f| f["remediation"].as_str()).collect();
    assert!(hints.iter().all(|h| !h.contains("<stdin>")), "{hints:#?}");
    assert!(hints.iter().any(|h| h.contains("`kubev-ha probe FILE`")), "{hints:#?}");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let out = kubev_ha(&["--color", "always", "check", "examples/flawed.yaml"]);
    assert!(stdout(&out).contains("\x1b["), "no colour with --color always");
    let out = kubev_ha(&["check", "examples/flawed.yaml", "--color", "never"]);
    assert!(!stdout(&out).contains('\x1b'));
}

#[test]
fn quiet_hides_passes_but_counts_them() {
    let out = kubev_ha(&["check", "examples/ha-reference.yaml", "--quiet"]);
    let text = stdout(&out);
    assert!(!text.contains("    pass "), "{text}");
    assert!(text.contains("pass,"), "{text}");
}

#[test]
fn rules_lists_every_rule() {
    let out = kubev_ha(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for rule in kubev_ha_rules::CATALOG {
        assert!(text.contains(rule.id), "{} missing", rule.id);
    }
}

#[test]
fn rules_explains_one_rule_and_rejects_unknown_ids() {
    let out = kubev_ha(&["rules", "cp-spread"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("CP-SPREAD") && text.contains("production: fail") && text.contains("minimum:    warn"),
        "{text}"
    );
    let out = kubev_ha(&["rules", "CP-SPRAED"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `CP-SPREAD`"));
}

#[test]
fn rules_json_and_ports() {
    let (rules, code) = json_of(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(rules["rules"].as_array().unwrap().len(), kubev_ha_rules::CATALOG.len());
    let (ports, _) = json_of(&["rules", "--ports", "--format", "json"]);
    let rows = ports["ports"].as_array().unwrap();
    assert_eq!(rows.len(), kubev_ha_spec::PORT_MATRIX.len());
    // Every row says its network and when it applies.
    assert!(rows.iter().all(|r| r["network"].is_string() && r["when"].is_string()), "{rows:?}");
    let text = stdout(&kubev_ha(&["rules", "--ports"]));
    assert!(text.contains("61000–61009") && text.contains("VRRP"), "{text}");
    assert!(text.contains("local-only") && text.contains("interconnection"), "{text}");
    let md = stdout(&kubev_ha(&["rules", "--ports", "--format", "markdown"]));
    assert!(md.starts_with("| component | port | proto | network |"), "{md}");
}

#[test]
fn schema_is_json_schema_of_the_inventory() {
    let (schema, code) = json_of(&["schema"]);
    assert_eq!(code, 0);
    assert_eq!(schema["title"], "kubev-ha Inventory");
    assert_eq!(schema["additionalProperties"], false, "unknown keys are errors in the schema too");
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for key in ["apiVersion", "kind", "metadata", "nodes"] {
        assert!(required.contains(&key), "{key} not required");
    }
}

/// KubeVirt migration limits of 0 would mean no drain ever finishes: the
/// inventory is refused with the line, not judged with a silent 1.
#[test]
fn zero_parallel_migrations_is_an_input_error() {
    let text = std::fs::read_to_string(crate::common::example("ha-reference.yaml"))
        .unwrap()
        .replace("parallelOutboundMigrationsPerNode: 2", "parallelOutboundMigrationsPerNode: 0");
    assert!(text.contains("parallelOutboundMigrationsPerNode: 0"), "the example changed; update this test");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zero.yaml");
    std::fs::write(&file, text).unwrap();
    let out = kubev_ha(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("zero.yaml:") && err.contains("ha.migration.parallelOutboundMigrationsPerNode is 0"), "{err}");
}

/// Regression: `kubev-ha check /dev/zero` read until it held 6.4 GB. An
/// endless stream of NULs on standard input is refused at its first
/// chunk: the writer is cut off long before it has written it all.
#[test]
fn a_stream_of_nuls_on_stdin_is_refused_before_it_is_read() {
    use std::io::Write;
    const OFFERED: usize = 256 << 20;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubev-ha"))
        .args(["check", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![0u8; 1 << 16];
        let mut written = 0;
        while written < OFFERED {
            match stdin.write(&chunk) {
                Ok(n) => written += n,
                Err(_) => break, // the reader is gone: refused
            }
        }
        written
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>:1:1: byte 0 is a NUL byte: the input is binary, not text"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    assert!(written < OFFERED, "the whole stream was read before the refusal");
}

/// A sparse file far over the limit is refused from its size, without a
/// byte read; so is a real inventory with the limit set below its size,
/// by every command that reads one, and a limit above it lets it through.
#[test]
fn input_over_the_limit_is_refused_by_every_command_that_reads_one() {
    let dir = tempfile::tempdir().unwrap();
    let sparse = dir.path().join("huge.yaml");
    std::fs::File::create(&sparse).unwrap().set_len(10 << 30).unwrap();
    let out = kubev_ha(&["check", sparse.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the file is 10Gi, over the input limit of 64Mi; not read"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--max-input"), "the help names the flag: {}", stderr(&out));

    let reference = "examples/ha-reference.yaml";
    let commands: [&[&str]; 7] = [
        &["check", reference],
        &["plan", reference],
        &["render", "nftables", reference],
        &["probe", reference],
        &["etcd", reference],
        &["net", "check", reference, "--from", "cp-1"],
        &["net", "matrix", reference],
    ];
    for command in commands {
        let out = kubev_ha(&[command, &["--max-input", "1Ki"]].concat());
        assert_eq!(out.status.code(), Some(2), "{command:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("over the input limit of 1Ki; not read"), "{command:?}: {}", stderr(&out));
    }
    let out = kubev_ha(&["check", reference, "--max-input", "1Mi"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `--strict` on a declared inventory: measurements cannot be in the file,
/// so with `--allow-unmeasured` the unknowns that only a measurement fills
/// are listed as awaiting evidence and do not fail the run, while an
/// unknown the inventory could have stated still does. Before, `--strict`
/// could never pass on a declared inventory.
#[test]
fn strict_with_allow_unmeasured_passes_a_complete_declared_inventory() {
    let (report, code) =
        json_of(&["check", "examples/ha-reference.yaml", "--strict", "--allow-unmeasured", "--format", "json"]);
    assert_eq!(code, 0, "{}", report["summary"]);
    let unknown: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "unknown").collect();
    assert!(!unknown.is_empty(), "the reference has measurements still to take");
    for f in &unknown {
        let awaits = f["awaits"].as_str().unwrap_or_else(|| panic!("an unknown the inventory could state: {f}"));
        assert!(["fdatasync", "etcd", "network", "hosts"].contains(&awaits), "{f}");
        assert!(f["remediation"].as_str().unwrap().contains("kubev-ha "), "says which command measures it: {f}");
    }
    assert_eq!(report["summary"]["awaitingEvidence"], unknown.len());
    let of = |rule: &str| unknown.iter().find(|f| f["rule"] == rule).map(|f| f["awaits"].clone());
    assert_eq!(of("CP-ETCD-FSYNC"), Some("fdatasync".into()));
    assert_eq!(of("CP-ETCD-HEALTH"), Some("etcd".into()));
    assert_eq!(of("NET-PORTS"), Some("network".into()));
    assert_eq!(of("HOST-KERNEL"), Some("hosts".into()));

    // Plain --strict still fails on them, and says what would accept them.
    let out = kubev_ha(&["check", "examples/ha-reference.yaml", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--allow-unmeasured accepts"), "{}", stderr(&out));
    // Without --strict the flag means nothing: a usage error.
    assert_eq!(kubev_ha(&["check", "examples/ha-reference.yaml", "--allow-unmeasured"]).status.code(), Some(2));
}

#[test]
fn strict_with_allow_unmeasured_still_fails_on_what_the_inventory_left_out() {
    let text = std::fs::read_to_string(crate::common::example("ha-reference.yaml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The first worker's memory (line 78 of the reference) left out.
    assert_eq!(lines[77].trim(), "memory: 512Gi");
    let without: String = lines.iter().enumerate().filter(|(i, _)| *i != 77).map(|(_, l)| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-memory.yaml");
    std::fs::write(&file, without).unwrap();
    let out = kubev_ha(&["check", file.to_str().unwrap(), "--strict", "--allow-unmeasured", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let declarable: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "unknown" && f.get("awaits").is_none())
        .collect();
    assert!(declarable.iter().any(|f| f["rule"] == "W-MEMORY"), "{declarable:#?}");
    assert!(stderr(&out).contains("the inventory could state"), "{}", stderr(&out));
}

/// A node the probe could not reach is unknown, but not awaiting evidence:
/// the measurement was tried and failed, so `--allow-unmeasured` must not
/// hide it.
#[test]
fn an_unreachable_node_does_not_await_evidence() {
    use kubev_ha_model::HostProbe;
    let inventory = crate::common::reference();
    let hosts = inventory
        .nodes
        .iter()
        .map(|n| (n.name.clone(), HostProbe::Unreachable { reason: "connection refused".into() }))
        .collect();
    let facts = kubev_ha_model::Facts::from_inventory(inventory, "r.yaml").with_probes(hosts);
    let report = kubev_ha_rules::check(&facts, &kubev_ha_rules::CheckOptions::default());
    let kernel: Vec<_> = report.findings.iter().filter(|f| f.rule == "HOST-KERNEL").collect();
    assert!(!kernel.is_empty());
    for f in kernel {
        assert_eq!(f.severity, kubev_ha_rules::Severity::Unknown, "{f:?}");
        assert_eq!(f.awaits, None, "{f:?}");
    }
    assert!(report.failed_allowing_unmeasured());
}

/// `plan` judged only failed verdicts: --strict was refused as an unknown
/// option (exit 2). lab-minimum's node failure fails without fencing, and
/// its profile (minimum) makes that a warning, as `check` does: exit 0,
/// and 1 with --strict.
#[test]
fn plan_strict_fails_on_a_heuristic_miss() {
    let out = kubev_ha(&["plan", "examples/lab-minimum.yaml"]);
    assert_eq!(out.status.code(), Some(0), "without --strict a warning passes: {}", stderr(&out));
    let out = kubev_ha(&["plan", "examples/lab-minimum.yaml", "--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--strict: exit 1 for 1 warn"), "{}", stderr(&out));
}

/// `plan --waive` was refused (exit 2); a waiver of both failed verdicts
/// now turns exit 1 into 0, and waiving one of the two does not.
#[test]
fn plan_waivers_accept_the_failed_verdicts() {
    let out = kubev_ha(&["plan", "examples/flawed.yaml", "--waive", "HA-NODE-FAILURE=rebuilt in Q3"]);
    assert_eq!(out.status.code(), Some(1), "HA-ZONE-FAILURE still fails: {}", stderr(&out));
    let out = kubev_ha(&[
        "plan",
        "examples/flawed.yaml",
        "--waive",
        "HA-NODE-FAILURE=rebuilt in Q3",
        "--waive",
        "HA-ZONE-FAILURE",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("HA-ZONE-FAILURE waived"), "{}", stderr(&out));
    let out = kubev_ha(&["plan", "examples/flawed.yaml", "--waive", "HA-NODE-FAILUR"]);
    assert_eq!(out.status.code(), Some(2), "an unknown rule is a usage error: {}", stderr(&out));
}

/// `plan --profile` was refused (exit 2); the plan now names the profile asked for.
#[test]
fn plan_profile_overrides_the_files_own() {
    let (report, _) = json_of(&["plan", "examples/ha-reference.yaml", "--profile", "minimum", "--format", "json"]);
    assert_eq!(report["profile"], "minimum");
}

/// `host` had neither --strict nor --waive, nor --verbose: the epyc fixture
/// judged as a worker has only unknowns (no /dev/kvm in a captured tree).
#[test]
fn host_accepts_the_judging_options() {
    let root = crate::common::root().join("tests/data/hosts/epyc-server");
    let root = root.to_str().unwrap();
    let base = ["host", "--root", root, "--role", "worker"];
    let run = |extra: &[&str]| kubev_ha(&[&base[..], extra].concat());
    assert_eq!(run(&[]).status.code(), Some(0));
    let strict = run(&["--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    let waived =
        run(&["--strict", "--waive", "W-VIRT", "--waive", "HOST-KVM", "--waive", "HOST-TIME=no clock in a tree"]);
    assert_eq!(waived.status.code(), Some(0), "{}", stderr(&waived));
    let verbose = stdout(&run(&["--verbose"]));
    let plain = stdout(&run(&[]));
    assert!(verbose.len() > plain.len(), "--verbose shows the source text of passing rules too");
}

/// Regression: `etcd FILE`, `net check` and `net matrix` judged an
/// inventory whose waiver names no rule, so the waiver silently waived
/// nothing; `check`, `plan` and `probe` refused it. Every command that
/// judges an inventory now refuses it (exit 2, at the waiver's line) before
/// it contacts anything.
#[test]
fn every_judging_command_refuses_a_waiver_of_an_unknown_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad-waiver.yaml");
    let text = std::fs::read_to_string(crate::common::example("flawed.yaml")).unwrap().replacen(
        "  - rule: W-MEDIA\n",
        "  - rule: W-MEDA\n",
        1,
    );
    assert!(text.contains("W-MEDA"), "the example's waiver moved");
    std::fs::write(&path, text).unwrap();
    let file = path.to_str().unwrap();
    for args in [
        vec!["check", file],
        vec!["plan", file],
        vec!["etcd", file, "--timeout", "1s"],
        vec!["net", "check", file, "--from", "cp-1"],
        vec!["net", "matrix", file],
    ] {
        let out = kubev_ha(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("W-MEDA"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn output_file_holds_the_bytes_standard_output_would() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let reference = crate::common::example("ha-reference.yaml");
    let reference = reference.to_str().unwrap();
    let printed = kubev_ha(&["check", reference, "--format", "json"]);
    let written = kubev_ha(&["check", reference, "--format", "json", "-o", file.to_str().unwrap()]);
    assert_eq!(written.status.code(), printed.status.code());
    assert!(written.stdout.is_empty(), "{}", stdout(&written));
    assert_eq!(std::fs::read(&file).unwrap(), printed.stdout);
}

#[test]
fn formats_and_evidence_not_built_yet_refuse_with_exit_2() {
    let reference = crate::common::example("ha-reference.yaml");
    let reference = reference.to_str().unwrap();
    for format in ["markdown", "junit", "sarif", "html"] {
        let out = kubev_ha(&["check", reference, "--format", format]);
        assert_eq!(out.status.code(), Some(2), "{format}: {}", stderr(&out));
        assert!(stderr(&out).contains("not built yet"), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "no placeholder is printed as a report");
    }
    let out = kubev_ha(&["check", reference, "--evidence", "evidence/"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn bash_completions_parse_and_the_manual_names_every_subcommand() {
    let out = kubev_ha(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("kubev-ha.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let checked = std::process::Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    assert!(stdout(&out).contains("complete -F _kubev__ha"), "{}", stdout(&out));
    let man = stdout(&kubev_ha(&["man"]));
    assert!(man.starts_with(".ie") || man.contains(".TH kubev-ha 1"), "{man}");
    for sub in ["check", "plan", "probe", "disk", "etcd", "net", "audit", "render", "rules", "schema", "completions"] {
        assert!(man.contains(&format!(".SH \"KUBEV-HA {}", sub.to_uppercase())), "no section for {sub}");
    }
}
