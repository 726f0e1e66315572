//! The docs say what the code does: the generated catalog is current, the
//! README's first commands are the ones CI runs, every example is documented.

use crate::common::root;

#[test]
fn docs_rules_md_matches_the_catalog() {
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    let generated = kubev_ha_report::catalog::rules_markdown();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn readme_starts_with_the_two_commands_and_ci_runs_the_second() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let first_block = readme.split("```").nth(1).expect("a code block near the top of the README");
    assert!(first_block.contains("cargo run --release -- check examples/ha-reference.yaml"), "{first_block}");
    assert!(first_block.contains("scripts/test.sh"), "{first_block}");
    assert!(ci.contains("scripts/test.sh"), ".ci/run must call the README's test command");
}

#[test]
fn report_format_doc_names_every_field() {
    let doc = std::fs::read_to_string(root().join("docs/report-format.md")).unwrap();
    for field in [
        "tool",
        "version",
        "source",
        "profile",
        "findings",
        "rule",
        "subject",
        "severity",
        "message",
        "requirement",
        "remediation",
        "location",
        "waived",
        "summary",
        "notes",
    ] {
        assert!(doc.contains(&format!("`{field}`")), "docs/report-format.md does not document `{field}`");
    }
}

#[test]
fn every_rule_is_in_the_spec_or_documented_as_an_extension() {
    let spec = std::fs::read_to_string(root().join("docs/source/rules.md")).unwrap();
    for rule in kubev_ha_rules::CATALOG {
        assert!(spec.contains(&format!("| {} |", rule.id)), "{} is not in the catalog spec", rule.id);
    }
}
