//! The docs say what the code does: the generated catalog is current, the
//! README's first commands are the ones CI runs, every example is documented.

use crate::common::root;

#[test]
fn docs_rules_md_matches_the_catalog() {
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    let generated = kubev_ha_report::rules_markdown();
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
        "awaits",
        "summary",
        "awaitingEvidence",
        "notes",
        // What the measuring commands add (kubev_ha_report::CommandReport).
        "facts",
        "hosts",
        "measurements",
        "diskRun",
        "cells",
        // What `audit` adds.
        "cluster",
        "serverVersion",
        "unreadable",
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

#[test]
fn inventory_doc_names_every_schema_property() {
    let doc = std::fs::read_to_string(root().join("docs/inventory.md")).unwrap();
    let schema = kubev_ha_model::inventory_schema();
    let mut names = std::collections::BTreeSet::new();
    schema_names(&schema, &mut names);
    // Guards the walk itself: an empty set would make the test pass vacuously.
    assert!(names.contains("nodes") && names.contains("quotaBackendBytes") && names.contains("kube-vip"), "{names:?}");
    let documented = backticked_names(&doc);
    let missing: Vec<&String> = names.iter().filter(|name| !documented.contains(name.as_str())).collect();
    assert!(
        missing.is_empty(),
        "docs/inventory.md does not document {missing:?}: write each as `name` or in a path such as `nodes[].name`"
    );
}

#[test]
fn schema_describes_every_property_value_and_definition() {
    // The inventory types' doc comments are the schema's descriptions, which
    // editors show on hover: an undocumented field is a bare name there.
    let schema = kubev_ha_model::inventory_schema();
    let mut undescribed = Vec::new();
    undescribed_parts(&schema, "#", &mut undescribed);
    let definitions = schema["$defs"].as_object().map_or(0, |d| d.len());
    assert!(definitions > 40, "the walk found only {definitions} definitions");
    assert!(undescribed.is_empty(), "the schema has no description for {undescribed:?}: document them in the model");
}

/// The JSON pointers of every property, definition and `const` alternative
/// of `schema` that has no `description`.
fn undescribed_parts(schema: &serde_json::Value, at: &str, found: &mut Vec<String>) {
    let described = |v: &serde_json::Value| v.get("description").is_some_and(serde_json::Value::is_string);
    match schema {
        serde_json::Value::Object(object) => {
            for key in ["properties", "$defs"] {
                if let Some(serde_json::Value::Object(children)) = object.get(key) {
                    found
                        .extend(children.iter().filter(|(_, v)| !described(v)).map(|(k, _)| format!("{at}/{key}/{k}")));
                }
            }
            if let Some(serde_json::Value::Array(alternatives)) = object.get("oneOf") {
                found.extend(
                    alternatives
                        .iter()
                        .filter(|v| v.get("const").is_some() && !described(v))
                        .map(|v| format!("{at}/oneOf/{}", v["const"])),
                );
            }
            object.iter().for_each(|(k, v)| undescribed_parts(v, &format!("{at}/{k}"), found));
        }
        serde_json::Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| undescribed_parts(v, &format!("{at}/{i}"), found))
        }
        _ => {}
    }
}

/// Every property name and every allowed enum value anywhere in `schema`.
fn schema_names(schema: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
    match schema {
        serde_json::Value::Object(object) => {
            if let Some(serde_json::Value::Object(properties)) = object.get("properties") {
                names.extend(properties.keys().cloned());
            }
            if let Some(serde_json::Value::Array(values)) = object.get("enum") {
                names.extend(values.iter().filter_map(|v| v.as_str()).map(str::to_string));
            }
            if let Some(serde_json::Value::String(value)) = object.get("const") {
                names.insert(value.clone());
            }
            object.values().for_each(|v| schema_names(v, names));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| schema_names(v, names)),
        _ => {}
    }
}

/// The inline code spans of a Markdown text (outside fenced blocks), and the
/// segments of those that are field paths (`classes[].accessModes` names
/// `classes` and `accessModes`), since the doc's tables write a field by its path.
fn backticked_names(markdown: &str) -> std::collections::BTreeSet<String> {
    let mut in_fence = false;
    let prose: Vec<&str> = markdown
        .lines()
        .filter(|line| {
            let fence = line.trim_start().starts_with("```");
            in_fence ^= fence;
            !fence && !in_fence
        })
        .collect();
    let prose = prose.join("\n");
    let spans = prose.split('`').skip(1).step_by(2);
    spans
        .flat_map(|span| std::iter::once(span).chain(span.split('.').map(|s| s.trim_end_matches("[]"))))
        .map(str::to_string)
        .collect()
}

/// Regression: the README's `net bandwidth --to HOST:PORT` line followed a
/// `net serve` without `--bandwidth-port`, so a reader who ran them in
/// order measured against a port nothing listened on. Every bandwidth
/// line of a code block must have a `net serve` with its port in the same
/// block (the `--help` example's default port is 5201).
#[test]
fn readme_bandwidth_examples_have_a_sink_to_measure() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut checked = 0;
    for block in readme.split("```").skip(1).step_by(2) {
        for line in block.lines().filter(|l| l.contains("kubev-ha net bandwidth")) {
            let to = line.split_whitespace().skip_while(|w| *w != "--to").nth(1).expect("--to HOST[:PORT]");
            let port = to.rsplit_once(':').map_or("5201", |(_, p)| p);
            let serves = block.lines().any(|l| {
                l.contains("kubev-ha net serve")
                    && l.split_whitespace().skip_while(|w| *w != "--bandwidth-port").nth(1) == Some(port)
            });
            assert!(serves, "README: `{line}` has no `net serve ... --bandwidth-port {port}` in its block");
            checked += 1;
        }
    }
    assert!(checked > 0, "the README shows `net bandwidth`");
}

#[test]
fn audit_doc_lists_every_read_of_the_audit() {
    // docs/audit.md's "What is read" is the permission a reader grants:
    // every request family of AUDIT_READS is a row, with its verb and why.
    let doc = std::fs::read_to_string(root().join("docs/audit.md")).unwrap();
    for read in kubev_ha_spec::AUDIT_READS {
        let row = format!("| `{}` | {} |", read.qualified(), read.verb.as_str());
        let found = doc.lines().any(|l| l.starts_with(&row) && l.contains(read.why));
        assert!(found, "docs/audit.md has no row `{row} ...` ending in {:?}", read.why);
    }
    let rows = doc.lines().filter(|l| l.starts_with("| `") && (l.contains("` | list |") || l.contains("` | get |")));
    assert_eq!(rows.count(), kubev_ha_spec::AUDIT_READS.len(), "docs/audit.md lists a read the audit does not make");
}
