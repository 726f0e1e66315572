//! Label and field selectors, as the API server reads the `labelSelector`
//! and `fieldSelector` query parameters.
//!
//! The label grammar is apimachinery's `pkg/labels/selector.go`
//! (`Parse`): requirements joined by commas, each `key`, `!key`,
//! `key=value`, `key==value`, `key!=value`, `key in (v1,v2)` or
//! `key notin (v1,v2)`. As there, `!=` and `notin` also match objects that
//! lack the key. Field selectors (`pkg/fields/selector.go`) have only `=`,
//! `==` and `!=`, and a resource supports only the fields its registry
//! names: `metadata.name` and `metadata.namespace` everywhere, and for pods
//! `spec.nodeName` and `status.phase` (kubernetes `pkg/registry/core/pod`,
//! `PodToSelectableFields`, among others the audit does not use).

use std::collections::BTreeSet;

use serde_json::Value;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelRequirement {
    /// `key`: the label is set.
    Exists(String),
    /// `!key`: the label is not set.
    DoesNotExist(String),
    /// `key=value` or `key==value`.
    Equals(String, String),
    /// `key!=value`: not set, or set to another value.
    NotEquals(String, String),
    /// `key in (a,b)`.
    In(String, BTreeSet<String>),
    /// `key notin (a,b)`: not set, or set to none of these.
    NotIn(String, BTreeSet<String>),
}

/// A parsed label selector: every requirement must hold. Empty selects all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(pub Vec<LabelRequirement>);

/// Why a selector does not parse, in the API server's words where it has them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

impl LabelSelector {
    /// Parses a `labelSelector` value.
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let mut requirements = Vec::new();
        for part in split_top_level(text)? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(LabelSelector(requirements))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        let get = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            LabelRequirement::Exists(k) => get(k).is_some(),
            LabelRequirement::DoesNotExist(k) => get(k).is_none(),
            LabelRequirement::Equals(k, v) => get(k) == Some(v.as_str()),
            LabelRequirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            LabelRequirement::In(k, vs) => get(k).is_some_and(|x| vs.contains(x)),
            LabelRequirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(x)),
        })
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Splits at the commas outside parentheses.
fn split_top_level(text: &str) -> Result<Vec<&str>, SelectorError> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| SelectorError(format!("unable to parse requirement: unmatched ')' in {text:?}")))?
            }
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(SelectorError(format!("unable to parse requirement: unclosed '(' in {text:?}")));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str) -> Result<LabelRequirement, SelectorError> {
    if let Some(key) = part.strip_prefix('!') {
        return Ok(LabelRequirement::DoesNotExist(valid_key(key.trim())?));
    }
    if let Some((key, value)) = part.split_once("!=") {
        return Ok(LabelRequirement::NotEquals(valid_key(key.trim())?, valid_value(value.trim())?));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(LabelRequirement::Equals(valid_key(key.trim())?, valid_value(value.trim())?));
    }
    // `key in (...)` / `key notin (...)`: the operator is a word between the key and the set.
    if let Some(open) = part.find('(') {
        let head = part[..open].trim();
        let close = part.rfind(')').filter(|&c| c > open && part[c + 1..].trim().is_empty()).ok_or_else(|| {
            SelectorError(format!("unable to parse requirement: expected ')' at the end of {part:?}"))
        })?;
        let values =
            part[open + 1..close].split(',').map(|v| valid_value(v.trim())).collect::<Result<BTreeSet<_>, _>>()?;
        let mut words = head.split_whitespace();
        let (Some(key), Some(op), None) = (words.next(), words.next(), words.next()) else {
            return Err(SelectorError(format!("unable to parse requirement: {part:?}")));
        };
        let key = valid_key(key)?;
        return match op {
            "in" => Ok(LabelRequirement::In(key, values)),
            "notin" => Ok(LabelRequirement::NotIn(key, values)),
            other => Err(SelectorError(format!(
                "unable to parse requirement: found '{other}', expected: in, notin, =, ==, !=, gt, lt"
            ))),
        };
    }
    let key = part.trim();
    if key.contains(char::is_whitespace) {
        return Err(SelectorError(format!("unable to parse requirement: {part:?}")));
    }
    Ok(LabelRequirement::Exists(valid_key(key)?))
}

/// A label key: an optional DNS prefix and `/`, then a name of at most 63
/// characters of alphanumerics, `-`, `_` and `.` (apimachinery
/// `validation.IsQualifiedName`). Checked loosely: the characters only.
fn valid_key(key: &str) -> Result<String, SelectorError> {
    let ok = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if ok {
        Ok(key.to_string())
    } else {
        Err(SelectorError(format!("unable to parse requirement: invalid label key {key:?}")))
    }
}

/// A label value: empty, or alphanumerics, `-`, `_` and `.`.
fn valid_value(value: &str) -> Result<String, SelectorError> {
    let ok = value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) && value.len() <= 63;
    if ok {
        Ok(value.to_string())
    } else {
        Err(SelectorError(format!("unable to parse requirement: invalid label value: {value:?}")))
    }
}

/// One requirement of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The field, `spec.nodeName`.
    pub field: String,
    /// The value compared.
    pub value: String,
    /// `!=` rather than `=`/`==`.
    pub negated: bool,
}

/// A parsed field selector: every requirement must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(pub Vec<FieldRequirement>);

impl FieldSelector {
    /// Parses a `fieldSelector` value, accepting only the fields `kind`
    /// supports (400 `field label not supported` otherwise, as the server).
    pub fn parse(text: &str, kind: &str) -> Result<FieldSelector, SelectorError> {
        let mut requirements = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, value, negated) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, true)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, v, false)
            } else {
                return Err(SelectorError(format!("invalid selector: '{text}'; can't understand '{part}'")));
            };
            let field = field.trim();
            if !supported_fields(kind).contains(&field) {
                return Err(SelectorError(format!("field label not supported: {field}")));
            }
            requirements.push(FieldRequirement { field: field.to_string(), value: value.trim().to_string(), negated });
        }
        Ok(FieldSelector(requirements))
    }

    /// Whether an object satisfies every requirement; a field the object
    /// lacks reads as the empty string, as the server's selectable fields do.
    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|r| {
            let actual = r.field.split('.').try_fold(object, |v, key| v.get(key)).and_then(Value::as_str).unwrap_or("");
            (actual == r.value) != r.negated
        })
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn supported_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"],
        _ => &["metadata.name", "metadata.namespace"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn every_operator_parses() {
        let s = LabelSelector::parse("a=1,b==2,c!=3,d in (x, y),e notin (z),f,!g").unwrap();
        assert_eq!(
            s.0,
            vec![
                LabelRequirement::Equals("a".into(), "1".into()),
                LabelRequirement::Equals("b".into(), "2".into()),
                LabelRequirement::NotEquals("c".into(), "3".into()),
                LabelRequirement::In("d".into(), ["x".to_string(), "y".to_string()].into()),
                LabelRequirement::NotIn("e".into(), ["z".to_string()].into()),
                LabelRequirement::Exists("f".into()),
                LabelRequirement::DoesNotExist("g".into()),
            ]
        );
    }

    #[test]
    fn the_audits_own_selectors_select_what_they_name() {
        let cases = [
            ("component=etcd", json!({"component": "etcd", "tier": "control-plane"}), true),
            ("component=etcd", json!({"component": "kube-apiserver"}), false),
            ("kubevirt.io in (virt-api,virt-controller)", json!({"kubevirt.io": "virt-api"}), true),
            ("kubevirt.io in (virt-api,virt-controller)", json!({"kubevirt.io": "virt-handler"}), false),
            ("kubevirt.io in (virt-api,virt-controller)", json!({}), false),
            ("k8s-app=kube-dns", json!({"k8s-app": "kube-dns"}), true),
        ];
        for (selector, l, want) in cases {
            assert_eq!(
                LabelSelector::parse(selector).unwrap().matches(Some(&labels(l.clone()))),
                want,
                "{selector} {l}"
            );
        }
    }

    #[test]
    fn negations_match_objects_without_the_key() {
        let none = labels(json!({}));
        let other = labels(json!({"app": "b"}));
        let same = labels(json!({"app": "a"}));
        for selector in ["app!=a", "app notin (a)", "!app"] {
            let s = LabelSelector::parse(selector).unwrap();
            assert!(s.matches(Some(&none)), "{selector}");
            assert!(s.matches(None), "{selector}");
            assert!(!s.matches(Some(&same)), "{selector}");
        }
        assert!(LabelSelector::parse("app!=a").unwrap().matches(Some(&other)));
        assert!(!LabelSelector::parse("!app").unwrap().matches(Some(&other)));
    }

    #[test]
    fn an_empty_selector_selects_everything() {
        assert!(LabelSelector::parse("").unwrap().is_empty());
        assert!(LabelSelector::parse("").unwrap().matches(None));
    }

    #[test]
    fn malformed_selectors_are_errors() {
        for bad in ["a in (x", "a in x)", "a foo (x)", "a b", "a=b c", "=x", "a=(x)"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn field_selectors_read_the_pods_fields_and_refuse_others() {
        let pod = json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        let unscheduled =
            json!({"metadata": {"name": "q", "namespace": "ns"}, "spec": {}, "status": {"phase": "Pending"}});
        let s = FieldSelector::parse("spec.nodeName=n1,status.phase==Running", "Pod").unwrap();
        assert!(s.matches(&pod));
        assert!(!s.matches(&unscheduled));
        let s = FieldSelector::parse("spec.nodeName=", "Pod").unwrap();
        assert!(s.matches(&unscheduled) && !s.matches(&pod));
        let s = FieldSelector::parse("metadata.namespace!=ns", "Pod").unwrap();
        assert!(!s.matches(&pod));
        assert_eq!(
            FieldSelector::parse("spec.nodeName=n1", "Node").unwrap_err().0,
            "field label not supported: spec.nodeName"
        );
        assert!(FieldSelector::parse("metadata.name", "Node").is_err());
    }
}
