//! Reading the facts from `kubectl get -o json` output.
//!
//! Each file is a `List` (or `XxxList`) of objects, or one object, as
//! kubectl prints it. The `items` are streamed from a buffered reader, one
//! at a time: each is routed by its `apiVersion` group and `kind` to the
//! `AUDIT_READS` entries whose namespace and label selector it matches, and
//! converted as the live path converts a page, so a dump and a live read of
//! the same objects give the same facts. A kind that appears nowhere in
//! the dump is not installed, as far as the dump can tell.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use kubev_ha_model::{LiveCluster, WhyUnreadable};
use kubev_ha_spec::{AUDIT_READS, ApiRead};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::ClusterError;
use crate::collect::{Collector, Family, Src};
use crate::selector::Selector;

/// Reads a dump: a file holding a Kubernetes List (or one object), or a
/// directory of such files (`*.json`, in name order). `namespace` filters as
/// `--namespace` does live.
///
/// An empty List loses the kind of what was asked for, so a file holding
/// one is taken to say its resource exists (but is empty) when the file is
/// named after it: `virtualmachineinstances.kubevirt.io.json` (the
/// resource as RBAC names it) or `virtualmachineinstances.json`.
pub fn read_dump(path: &Path, namespace: Option<&str>) -> Result<LiveCluster, ClusterError> {
    let dump_err = |p: &Path, reason: String| ClusterError::Dump { path: p.to_path_buf(), reason };
    let meta = std::fs::metadata(path).map_err(|e| dump_err(path, format!("cannot read: {e}")))?;
    let files = if meta.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| dump_err(path, format!("cannot list the directory: {e}")))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(dump_err(path, "the directory holds no *.json file".into()));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut state = DumpState::new(namespace)?;
    for file in &files {
        let f = File::open(file).map_err(|e| dump_err(file, format!("cannot read: {e}")))?;
        let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, f));
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        DocSeed { state: &mut state, stem: &stem }
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .map_err(|e| dump_err(file, e.to_string()))?;
    }
    Ok(state.finish(path))
}

/// Where a dumped item goes: its reads' families, with the reads'
/// namespace and selector to match.
struct Route {
    family: Family,
    read: &'static ApiRead,
    selector: Selector,
}

struct DumpState {
    namespace: Option<String>,
    routes: BTreeMap<(String, String), Vec<Route>>,
    /// `(group, kind)` seen in the dump (or named by an empty List's file).
    seen: BTreeSet<(String, String)>,
    collector: Collector,
}

/// The group of an `apiVersion`: `kubevirt.io/v1` → `kubevirt.io`, `v1` → ``.
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
}

/// An item's head: what routing needs.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    api_version: String,
    kind: String,
    #[serde(default)]
    metadata: HeadMeta,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HeadMeta {
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
}

impl DumpState {
    fn new(namespace: Option<&str>) -> Result<Self, ClusterError> {
        let mut routes: BTreeMap<(String, String), Vec<Route>> = BTreeMap::new();
        for read in AUDIT_READS {
            let family = Family::of(read).ok_or_else(|| ClusterError::Config {
                reason: format!("the reader does not know the audit read {}", read.qualified()),
            })?;
            let selector =
                Selector::parse(read.label_selector.unwrap_or("")).map_err(|reason| ClusterError::Config { reason })?;
            routes.entry((read.group.to_string(), read.kind.to_string())).or_default().push(Route {
                family,
                read,
                selector,
            });
        }
        Ok(DumpState {
            namespace: namespace.map(str::to_string),
            routes,
            seen: BTreeSet::new(),
            collector: Collector::default(),
        })
    }

    /// Routes one item; an error is one the file position should go with
    /// (an item without apiVersion or kind).
    fn item(&mut self, raw: &RawValue) -> Result<(), String> {
        let head: Head = serde_json::from_str(raw.get())
            .map_err(|e| format!("an item that is not a Kubernetes object (apiVersion and kind): {e}"))?;
        let key = (group_of(&head.api_version).to_string(), head.kind.clone());
        self.seen.insert(key.clone());
        let Some(routes) = self.routes.get(&key) else { return Ok(()) };
        let meta = &head.metadata;
        for route in routes {
            let read = route.read;
            let in_namespace = read.namespace.is_none_or(|ns| ns == meta.namespace)
                && (!read.follows_namespace_filter || self.namespace.as_deref().is_none_or(|ns| ns == meta.namespace));
            let named = read.name.is_none_or(|n| n == meta.name);
            if !(in_namespace && named && route.selector.matches(&meta.labels)) || self.collector.failed(route.family) {
                continue;
            }
            if let Err(reason) = self.collector.accept(route.family, Src::Object(raw.get())) {
                let object = if meta.namespace.is_empty() {
                    meta.name.clone()
                } else {
                    format!("{}/{}", meta.namespace, meta.name)
                };
                let reason = if reason.starts_with("does not parse") {
                    format!("{} {object} {reason}", head.kind)
                } else {
                    reason
                };
                self.collector.fail(route.family, WhyUnreadable::Failed { reason });
            }
        }
        Ok(())
    }

    /// An empty List in a file named after a resource: that resource exists.
    fn empty_list(&mut self, stem: &str, list_kind: Option<&str>, api_version: Option<&str>) {
        for read in AUDIT_READS {
            if stem == read.qualified() || stem == read.resource {
                self.seen.insert((read.group.to_string(), read.kind.to_string()));
            }
        }
        // A typed list (`VirtualMachineInstanceList`, as the API itself
        // answers) names its kind.
        if let (Some(kind), Some(v)) = (list_kind.and_then(|k| k.strip_suffix("List")), api_version) {
            self.seen.insert((group_of(v).to_string(), kind.to_string()));
        }
    }

    fn finish(mut self, path: &Path) -> LiveCluster {
        for read in AUDIT_READS {
            let Some(family) = Family::of(read) else { continue };
            if !self.seen.contains(&(read.group.to_string(), read.kind.to_string())) {
                // Named as not installed, saying why the dump says so.
                self.collector.fail(
                    family,
                    WhyUnreadable::NotInstalled {
                        component: format!("{} (no {} in the dump)", read.component, read.kind),
                    },
                );
            }
        }
        self.collector.attach_dumped_pdb_pods();
        self.collector.finish(path.display().to_string(), None, self.namespace)
    }
}

/// One dump file: a List, whose `items` are streamed, or one object.
struct DocSeed<'a> {
    state: &'a mut DumpState,
    stem: &'a str,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes List or object, as `kubectl get -o json` prints it")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields: Vec<(String, Box<RawValue>)> = vec![];
        let mut items = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                items = Some(map.next_value_seed(ItemsSeed { state: self.state })?);
            } else {
                fields.push((key, map.next_value()?));
            }
        }
        let field = |name: &str| -> Option<String> {
            fields.iter().find(|(k, _)| k == name).and_then(|(_, v)| serde_json::from_str::<String>(v.get()).ok())
        };
        match items {
            Some(0) => {
                let kind = field("kind");
                self.state.empty_list(self.stem, kind.as_deref(), field("apiVersion").as_deref());
                Ok(())
            }
            Some(_) => Ok(()),
            None => {
                // One object (`kubectl get configmap NAME -o json`): put it
                // back together from its fields and route it.
                let mut text = String::from("{");
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(&serde_json::to_string(k).map_err(de::Error::custom)?);
                    text.push(':');
                    text.push_str(v.get());
                }
                text.push('}');
                let raw = RawValue::from_string(text).map_err(de::Error::custom)?;
                self.state.item(&raw).map_err(de::Error::custom)
            }
        }
    }
}

/// `items`: each converted as it is read; the count is the value.
struct ItemsSeed<'a> {
    state: &'a mut DumpState,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut n = 0;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.state.item(&raw).map_err(|e| de::Error::custom(format!("items[{n}]: {e}")))?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
pub(crate) mod tests;
