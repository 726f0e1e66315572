//! No input makes the tool panic: random bytes, and random mutations of
//! the bundled examples, either load (and then judge without panicking)
//! or fail with a located error.

use proptest::prelude::*;

use kubev_ha_model::{Facts, parse_bytes, parse_str};
use kubev_ha_rules::{CheckOptions, check};

fn examples() -> Vec<String> {
    let dir = crate::common::root().join("examples");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    texts.sort();
    assert!(texts.len() >= 3, "the examples are missing");
    texts
}

/// Loads `bytes`; when it loads, judges it in both profiles. Either way it
/// must not panic, and an error must say where.
fn exercise(bytes: &[u8]) {
    match parse_bytes("fuzz.yaml", bytes) {
        Ok(loaded) => {
            let facts = Facts::from(loaded);
            for profile in [kubev_ha_model::Profile::Production, kubev_ha_model::Profile::Minimum] {
                let report = check(&facts, &CheckOptions { profile: Some(profile), ..CheckOptions::default() });
                assert!(!report.findings.is_empty());
            }
        }
        Err(err) => {
            assert!(!err.problems.is_empty());
            assert!(err.render_plain().starts_with("fuzz.yaml"));
        }
    }
}

/// One edit of a YAML text, as a person (or a broken tool) might make it.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, String),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
    Reindent(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let value = prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("~".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("\"\"".to_string()),
        Just("1.5e300".to_string()),
        Just("NaN".to_string()),
        Just("*anchor".to_string()),
        Just("&a [*a]".to_string()),
        Just("16GiB".to_string()),
        Just("0Gbps".to_string()),
        Just("10.0.0.0/33".to_string()),
        "[a-zA-Z0-9./:-]{0,12}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), value).prop_map(|(l, v)| Mutation::ReplaceValue(l, v)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, b)| Mutation::InsertBytes(at, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..6).prop_map(|(l, n)| Mutation::Reindent(l, n)),
    ]
}

fn apply(text: &str, m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // An earlier edit (a truncation to nothing) may have left no line at
    // all: the line edits then work on one empty line, never index an
    // empty list.
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    match m {
        Mutation::DeleteLine(i) => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
        Mutation::ReplaceValue(i, v) => {
            let line = &mut lines[i % n];
            if let Some(colon) = line.find(": ") {
                line.truncate(colon + 2);
                line.push_str(v);
            }
        }
        Mutation::Reindent(i, spaces) => {
            let line = &mut lines[i % n];
            let trimmed = line.trim_start().to_string();
            *line = format!("{}{trimmed}", " ".repeat(*spaces));
        }
        Mutation::InsertBytes(at, bytes) => {
            let mut all = lines.join("\n").into_bytes();
            let at = at % (all.len() + 1);
            all.splice(at..at, bytes.iter().copied());
            return all;
        }
        Mutation::Truncate(at) => {
            let all = lines.join("\n").into_bytes();
            return all[..at % (all.len() + 1)].to_vec();
        }
    }
    lines.join("\n").into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes);
    }

    #[test]
    fn random_yaml_like_text_never_panics(text in "[a-z:{}\\[\\], \n\\-0-9.&*!|>'\"#]{0,300}") {
        exercise(text.as_bytes());
    }

    #[test]
    fn mutated_examples_never_panic(which in 0usize..16, edits in proptest::collection::vec(mutation(), 1..4)) {
        let texts = examples();
        let mut bytes = texts[which % texts.len()].clone().into_bytes();
        for edit in &edits {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes = apply(&text, edit);
        }
        exercise(&bytes);
    }
}

#[test]
fn every_example_loads() {
    for text in examples() {
        parse_str("example.yaml", &text).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    }
}

/// The head of a valid inventory, so that what refuses a document below
/// is the part under test and not a missing `apiVersion`.
const VALID_HEAD: &str = "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: t}\nnodes:\n  \
                          - {name: w-1, address: 10.0.0.1, roles: [worker]}\n";

/// Loads `text`, which must be refused with a located error, and returns
/// the error's plain text.
fn refused(text: &str) -> String {
    // The head alone loads: the refusal below comes from what was added.
    parse_str("head.yaml", VALID_HEAD).unwrap_or_else(|e| panic!("the head must load: {}", e.render_plain()));
    match parse_bytes("fuzz.yaml", text.as_bytes()) {
        Ok(_) => panic!("loaded, but must be refused"),
        Err(err) => {
            let plain = err.render_plain();
            assert!(plain.starts_with("fuzz.yaml"), "{plain}");
            plain
        }
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // An inventory refuses the unknown key before descending into it...
    let plain = refused(&format!("{VALID_HEAD}labels: {nested}\n"));
    assert!(plain.contains("unknown key `labels`"), "{plain}");
    // ...and a known key of the wrong type at its first bracket.
    let plain = refused(&format!("{VALID_HEAD}workloads: [{{name: {nested}}}]\n"));
    assert!(!plain.contains("overflow"), "{plain}");
    // A KubeVCluster manifest walks keys it does not know: the reader's
    // recursion limit must stop it, not the stack.
    let manifest = format!(
        "apiVersion: virtualization.k8c.io/v1alpha1\nkind: KubeVCluster\ncontrolPlane:\n  hosts:\n    - address: 10.0.0.1\nofflineSettings: {nested}\n"
    );
    match parse_bytes("fuzz.yaml", manifest.as_bytes()) {
        Ok(_) => panic!("100,000 levels of nesting loaded"),
        Err(err) => {
            let plain = err.render_plain();
            assert!(plain.contains("recursion limit exceeded"), "{plain}");
        }
    }
}

/// Eleven levels of ten aliases each under `key`: 10^12 nodes once expanded.
fn anchor_bomb(key: &str) -> String {
    let mut text = format!("{key}:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        text.push_str(&format!(
            "  b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            p = if i == 1 { "a".into() } else { format!("b{}", i - 1) }
        ));
    }
    text
}

#[test]
fn anchor_bombs_are_refused() {
    // In an inventory every key is known, so the bomb is refused at its
    // unknown key, before any alias is expanded.
    let plain = refused(&format!("{VALID_HEAD}{}", anchor_bomb("bomb")));
    assert!(plain.contains("unknown key `bomb`"), "{plain}");

    // A KubeVCluster manifest ignores keys it does not know, so the reader
    // walks the bomb: the reader's alias budget must refuse it.
    let manifest = format!(
        "apiVersion: virtualization.k8c.io/v1alpha1\nkind: KubeVCluster\ncontrolPlane:\n  hosts:\n    - address: 10.0.0.1\n{}",
        anchor_bomb("offlineSettings")
    );
    match parse_bytes("fuzz.yaml", manifest.as_bytes()) {
        Ok(_) => panic!("an anchor bomb loaded"),
        Err(err) => {
            let plain = err.render_plain();
            assert!(plain.contains("too large or too complex"), "{plain}");
        }
    }
}

/// Regression: a zone with workers but no etcd member anywhere made the
/// zone verdict subtract quorum from zero members and panic.
#[test]
fn zones_without_any_control_plane_do_not_panic() {
    let text = "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: t}\nnodes:\n  \
                - {name: w-1, address: 10.0.0.1, roles: [worker], zone: a, cpu: {threads: 8}, memory: 8Gi}\n";
    let loaded = parse_str("no-cp.yaml", text).expect("a valid inventory");
    let report = check(&Facts::from(loaded), &CheckOptions::default());
    let zone = report.findings.iter().find(|f| f.rule == "HA-ZONE-FAILURE").expect("judged");
    assert_ne!(zone.severity, kubev_ha_rules::Severity::Pass, "{zone:?}");
    // Not asked to survive a zone (no ha.tolerate): information, which
    // still says that no etcd member means no quorum.
    assert_eq!(zone.severity, kubev_ha_rules::Severity::Info, "{zone:?}");
    assert!(zone.message.contains("0 of 0 members"), "{zone:?}");
}

/// Regression: `Truncate` to nothing, then a line edit, panicked in the
/// mutator itself ("removal index (is 0) should be < len (is 0)"), so the
/// proptest failed on its own harness, not on the tool.
#[test]
fn the_mutator_edits_lines_of_an_emptied_text() {
    let emptied = apply("kind: Inventory\n", &Mutation::Truncate(0));
    assert!(emptied.is_empty());
    for edit in [
        Mutation::DeleteLine(0),
        Mutation::DuplicateLine(3),
        Mutation::SwapLines(0, 1),
        Mutation::ReplaceValue(0, "x".into()),
        Mutation::Reindent(0, 2),
    ] {
        let edited = apply(&String::from_utf8_lossy(&emptied), &edit);
        exercise(&edited);
    }
}
