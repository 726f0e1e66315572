//! The recorded cluster: every object of every `*.json` List in a
//! directory, indexed by kind and kept in storage-key order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::StandInError;
use crate::kinds::{self, KindInfo};

/// The file in a recorded directory that holds options, not objects.
pub(crate) const OPTIONS_FILE: &str = "standin.json";

/// The recorded objects, by kind.
#[derive(Debug)]
pub(crate) struct Store {
    /// Per kind (its index in [`kinds::KINDS`]), the objects by storage key.
    objects: BTreeMap<usize, BTreeMap<String, Value>>,
    /// The resource version lists report: the highest an object carries.
    pub(crate) resource_version: u64,
}

impl Store {
    /// An empty cluster.
    pub(crate) fn new() -> Store {
        Store { objects: BTreeMap::new(), resource_version: 1 }
    }

    /// Reads every `*.json` file of `dir` but [`OPTIONS_FILE`].
    pub(crate) fn load(dir: &Path) -> Result<Store, StandInError> {
        let read_dir = |e| StandInError::Read { path: dir.to_path_buf(), source: e };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_dir)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(read_dir)?;
        files
            .retain(|p| p.extension().is_some_and(|e| e == "json") && p.file_name().is_some_and(|n| n != OPTIONS_FILE));
        files.sort();
        let mut store = Store::new();
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| StandInError::Read { path: file.clone(), source: e })?;
            store.add_list(&file, &text)?;
        }
        Ok(store)
    }

    /// Adds the objects of one List, as `kubectl get -o json` prints it.
    pub(crate) fn add_list(&mut self, file: &Path, text: &str) -> Result<(), StandInError> {
        let bad = |message: String| StandInError::Invalid { path: file.to_path_buf(), message };
        let list: Value = serde_json::from_str(text).map_err(|e| StandInError::Parse {
            path: file.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let kind = list.get("kind").and_then(Value::as_str).unwrap_or("");
        if !kind.ends_with("List") {
            return Err(bad(format!("expected a List (`kind: List` or `XxxList`), found kind {kind:?}")));
        }
        let items =
            list.get("items").and_then(Value::as_array).ok_or_else(|| bad("the List has no `items` array".into()))?;
        for (i, item) in items.iter().enumerate() {
            let field = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or("");
            let (api_version, kind) = (field("apiVersion"), field("kind"));
            let info = kinds::by_kind(api_version, kind).ok_or_else(|| {
                bad(format!("item {i}: the stand-in does not serve apiVersion {api_version:?} kind {kind:?}"))
            })?;
            let index = kinds::KINDS.iter().position(|k| k == info).unwrap_or_default();
            let meta = |name: &str| item.pointer(&format!("/metadata/{name}")).and_then(Value::as_str);
            let name =
                meta("name").filter(|n| !n.is_empty()).ok_or_else(|| bad(format!("item {i}: no metadata.name")))?;
            let key = match (info.namespaced, meta("namespace")) {
                (true, Some(ns)) if !ns.is_empty() => format!("{ns}/{name}"),
                (true, _) => {
                    return Err(bad(format!("item {i}: {kind} {name:?} is namespaced but has no metadata.namespace")));
                }
                (false, _) => name.to_string(),
            };
            if let Some(rv) = meta("resourceVersion").and_then(|v| v.parse::<u64>().ok()) {
                self.resource_version = self.resource_version.max(rv);
            }
            if self.objects.entry(index).or_default().insert(key.clone(), item.clone()).is_some() {
                return Err(bad(format!("item {i}: {kind} {key:?} is recorded twice")));
            }
        }
        Ok(())
    }

    /// The objects of one kind, in key order (none if none recorded).
    pub(crate) fn objects(&self, info: &KindInfo) -> impl Iterator<Item = (&String, &Value)> {
        let index = kinds::KINDS.iter().position(|k| k == info);
        index.and_then(|i| self.objects.get(&i)).into_iter().flat_map(|m| m.iter())
    }

    /// Whether any object of `group` is recorded.
    pub(crate) fn has_group(&self, group: &str) -> bool {
        self.objects.iter().any(|(&i, objects)| kinds::KINDS[i].group == group && !objects.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(text: &str) -> Result<Store, StandInError> {
        let mut store = Store::new();
        store.add_list(Path::new("x.json"), text).map(|()| store)
    }

    #[test]
    fn json_errors_name_file_line_and_column() {
        let err = add("{\n  \"kind\": \"List\",\n  \"items\": [,]\n}").unwrap_err();
        let StandInError::Parse { line, column, .. } = &err else { panic!("{err:?}") };
        assert_eq!((*line, *column), (3, 13));
        assert!(err.to_string().starts_with("x.json:3:13: "), "{err}");
    }

    #[test]
    fn what_is_not_a_list_of_served_objects_is_refused_by_name() {
        let cases = [
            (r#"{"kind": "Node", "apiVersion": "v1"}"#, "expected a List"),
            (r#"{"kind": "List"}"#, "no `items` array"),
            (
                r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}]}"#,
                "item 0: the stand-in does not serve apiVersion \"v1\" kind \"Secret\"",
            ),
            (
                r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}]}"#,
                "namespaced but has no metadata.namespace",
            ),
            (
                r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Node", "metadata": {}}]}"#,
                "item 0: no metadata.name",
            ),
            (
                r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"}}, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"}}]}"#,
                "item 1: Node \"a\" is recorded twice",
            ),
        ];
        for (text, want) in cases {
            let err = add(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn the_resource_version_is_the_highest_recorded() {
        let store = add(r#"{"kind": "NodeList", "items": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a", "resourceVersion": "12"}},
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "b", "resourceVersion": "40"}}]}"#)
        .unwrap();
        assert_eq!(store.resource_version, 40);
    }
}
