//! Label selectors in their string form (`k=v`, `k in (a,b)`), as
//! `AUDIT_READS` and the API server's `labelSelector` parameter write them.
//!
//! The dump path matches items against the reads' selector strings, and
//! the live path turns a PodDisruptionBudget's `spec.selector` into the
//! string it sends; both by the syntax of k8s.io/apimachinery
//! `pkg/labels/selector.go` (v0.33): requirements joined by commas, each
//! `key`, `!key`, `key=value`, `key==value`, `key!=value`,
//! `key in (a,b)` or `key notin (a,b)`.

use kubev_ha_model::{LabelExpression, LabelSelector};

/// One requirement of a selector string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed selector string; the empty string selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selector(Vec<Requirement>);

/// Splits at commas outside parentheses.
fn split_top(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = vec![];
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err(format!("selector {s:?}: unbalanced parentheses"));
        }
    }
    if depth != 0 {
        return Err(format!("selector {s:?}: unbalanced parentheses"));
    }
    parts.push(&s[start..]);
    Ok(parts)
}

fn values(s: &str, whole: &str) -> Result<Vec<String>, String> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|v| v.strip_suffix(')'))
        .ok_or_else(|| format!("selector {whole:?}: a set needs (parentheses)"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

impl Selector {
    /// Parses a selector string.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Ok(Selector::default());
        }
        let mut out = vec![];
        for part in split_top(s)? {
            let part = part.trim();
            let bad = || format!("selector {s:?}: cannot read {part:?}");
            let req = if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().into(), values(v, s)?)
            } else if let Some((k, v)) = part.split_once(" in ") {
                Requirement::In(k.trim().into(), values(v, s)?)
            } else if let Some(k) = part.strip_prefix('!') {
                Requirement::DoesNotExist(k.trim().into())
            } else if !part.is_empty() && !part.contains([' ', '(', ')']) {
                Requirement::Exists(part.into())
            } else {
                return Err(bad());
            };
            out.push(req);
        }
        Ok(Selector(out))
    }

    /// Whether `labels` satisfy every requirement.
    pub(crate) fn matches(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

/// The `labelSelector` string of a Kubernetes selector object; `None` when
/// an operator is unknown (the API server would refuse the selector, and
/// such a selector matches nothing).
pub(crate) fn to_string(selector: &LabelSelector) -> Option<String> {
    let mut parts: Vec<String> = selector.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for LabelExpression { key, operator, values } in &selector.match_expressions {
        parts.push(match operator.as_str() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => return None,
        });
    }
    Some(parts.join(","))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selector_strings_match_as_the_api_server_matches() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);
        let cases: &[Case<'_>] = &[
            ("", &[], true),
            ("kubevirt.io=virt-handler", &[("kubevirt.io", "virt-handler")], true),
            ("kubevirt.io=virt-handler", &[("kubevirt.io", "virt-api")], false),
            ("kubevirt.io=virt-handler", &[], false),
            ("kubevirt.io in (virt-api,virt-controller)", &[("kubevirt.io", "virt-controller")], true),
            ("kubevirt.io in (virt-api,virt-controller)", &[("kubevirt.io", "virt-handler")], false),
            ("kubevirt.io in (virt-api, virt-controller)", &[("kubevirt.io", "virt-api")], true),
            ("a notin (x,y)", &[("a", "z")], true),
            ("a notin (x,y)", &[("a", "x")], false),
            ("a notin (x,y)", &[], true),
            ("a==1,b!=2", &[("a", "1"), ("b", "3")], true),
            ("a==1,b!=2", &[("a", "1"), ("b", "2")], false),
            ("a,!b", &[("a", "")], true),
            ("a,!b", &[("a", ""), ("b", "")], false),
            ("app=ovn-central,x in (1,2)", &[("app", "ovn-central"), ("x", "2")], true),
        ];
        for (s, l, want) in cases {
            let sel = Selector::parse(s).unwrap();
            assert_eq!(sel.matches(&labels(l)), *want, "{s} on {l:?}");
        }
    }

    #[test]
    fn every_audit_read_selector_parses() {
        for read in kubev_ha_spec::AUDIT_READS {
            if let Some(s) = read.label_selector {
                Selector::parse(s).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    #[test]
    fn bad_selector_strings_are_errors() {
        for s in ["a in x", "a in (x", "a b", "(a)"] {
            assert!(Selector::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn selector_objects_become_strings_that_select_the_same() {
        let sel = LabelSelector {
            match_labels: [("app".to_string(), "db".to_string())].into(),
            match_expressions: vec![
                LabelExpression { key: "tier".into(), operator: "In".into(), values: vec!["a".into(), "b".into()] },
                LabelExpression { key: "x".into(), operator: "DoesNotExist".into(), values: vec![] },
            ],
        };
        let s = to_string(&sel).unwrap();
        assert_eq!(s, "app=db,tier in (a,b),!x");
        let parsed = Selector::parse(&s).unwrap();
        for l in [
            labels(&[("app", "db"), ("tier", "b")]),
            labels(&[("app", "db"), ("tier", "c")]),
            labels(&[("app", "db"), ("tier", "a"), ("x", "1")]),
        ] {
            assert_eq!(parsed.matches(&l), sel.matches(&l), "{l:?}");
        }
        let unknown = LabelSelector {
            match_expressions: vec![LabelExpression { key: "k".into(), operator: "Gt".into(), values: vec![] }],
            ..Default::default()
        };
        assert_eq!(to_string(&unknown), None);
    }
}
