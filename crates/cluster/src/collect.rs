//! Gathering converted objects per request family, shared by the live and
//! the dump path: both hand it pages (or single objects) of raw JSON, and
//! it deserializes them into the slim types of [`crate::objects`] and keeps
//! the facts. [`Collector::finish`] makes the [`LiveCluster`].

use std::collections::BTreeMap;

use kubev_ha_model::{
    DaemonSetStatus, InfraComponent, KubeVirtConfig, KubeadmConfig, LiveCluster, LiveNetworkAttachment, LiveNode,
    LiveNodeHealthCheck, LivePdb, LivePv, LivePvc, LiveStorageClass, LiveStorageProfile, LiveSubnet, LiveVm, LiveVmi,
    NodeLocalDns, PodPlacement, Read, Unreadable, VirtHandlerPod, WhyUnreadable,
};
use kubev_ha_spec::{AUDIT_READS, ApiRead, ApiVerb};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::objects::{self, LabeledPod};

/// What each `AUDIT_READS` entry feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Family {
    Nodes,
    EtcdPods,
    Kubeadm,
    KubeVirt,
    Vms,
    Vmis,
    Pvcs,
    Pvs,
    StorageClasses,
    StorageProfiles,
    NetworkAttachments,
    VirtHandlers,
    VirtHandlerDaemonSet,
    Subnets,
    NodeLocalDns,
    NodeHealthChecks,
    SnrTemplates,
    FarTemplates,
    Pdbs,
    PdbPods,
    VirtInfra,
    CoreDns,
    OvnCentral,
}

impl Family {
    /// The family of a read, by its resource and selector; `None` for a
    /// read this reader does not know (a test holds every one known).
    pub(crate) fn of(read: &ApiRead) -> Option<Family> {
        Some(match (read.resource, read.label_selector) {
            ("nodes", _) => Family::Nodes,
            ("pods", Some("component=etcd")) => Family::EtcdPods,
            ("configmaps", _) => Family::Kubeadm,
            ("kubevirts", _) => Family::KubeVirt,
            ("virtualmachines", _) => Family::Vms,
            ("virtualmachineinstances", _) => Family::Vmis,
            ("persistentvolumeclaims", _) => Family::Pvcs,
            ("persistentvolumes", _) => Family::Pvs,
            ("storageclasses", _) => Family::StorageClasses,
            ("storageprofiles", _) => Family::StorageProfiles,
            ("network-attachment-definitions", _) => Family::NetworkAttachments,
            ("pods", Some("kubevirt.io=virt-handler")) => Family::VirtHandlers,
            ("daemonsets", Some("kubevirt.io=virt-handler")) => Family::VirtHandlerDaemonSet,
            ("subnets", _) => Family::Subnets,
            ("daemonsets", Some("k8s-app=node-local-dns")) => Family::NodeLocalDns,
            ("nodehealthchecks", _) => Family::NodeHealthChecks,
            ("selfnoderemediationtemplates", _) => Family::SnrTemplates,
            ("fenceagentsremediationtemplates", _) => Family::FarTemplates,
            ("poddisruptionbudgets", _) => Family::Pdbs,
            ("pods", Some("")) => Family::PdbPods,
            ("pods", Some("kubevirt.io in (virt-api,virt-controller)")) => Family::VirtInfra,
            ("pods", Some("k8s-app=kube-dns")) => Family::CoreDns,
            ("pods", Some("app=ovn-central")) => Family::OvnCentral,
            _ => return None,
        })
    }

    /// The read of this family.
    pub(crate) fn read(self) -> &'static ApiRead {
        AUDIT_READS.iter().find(|r| Family::of(r) == Some(self)).unwrap_or(&AUDIT_READS[0])
    }
}

/// The resource as an [`Unreadable`] names it: `nodes`,
/// `virtualmachineinstances.kubevirt.io`, `configmaps/kubeadm-config`.
pub(crate) fn resource_name(read: &ApiRead) -> String {
    match (read.verb, read.name) {
        (ApiVerb::Get, Some(name)) => format!("{}/{name}", read.qualified()),
        _ => read.qualified(),
    }
}

/// What a read could not do, as the facts keep it.
pub(crate) fn unreadable(read: &ApiRead, why: WhyUnreadable) -> Unreadable {
    Unreadable { resource: resource_name(read), why }
}

/// The raw JSON handed over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Src<'a> {
    /// A List page (`items`, `metadata.continue`).
    Page(&'a str),
    /// One object.
    Object(&'a str),
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    metadata: ListMeta,
}

#[derive(Deserialize, Default)]
struct ListMeta {
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
}

/// A page taken in: how many objects, and the `continue` token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Taken {
    pub(crate) objects: usize,
    pub(crate) next: Option<String>,
}

/// Which object of a page that does not parse is at fault: the error
/// names it when the page itself is JSON and one item is not the kind's
/// shape (a field of the wrong type).
fn page_error<T: DeserializeOwned>(body: &str, e: serde_json::Error) -> String {
    #[derive(Deserialize)]
    struct Named {
        #[serde(default)]
        kind: String,
        #[serde(default)]
        metadata: objects::Meta,
    }
    let Ok(page) = serde_json::from_str::<Page<Box<serde_json::value::RawValue>>>(body) else {
        return format!("the list does not parse: {e}");
    };
    for raw in &page.items {
        if let Err(item_error) = serde_json::from_str::<T>(raw.get()) {
            let named: Option<Named> = serde_json::from_str(raw.get()).ok();
            let (kind, key) = named.map(|n| (n.kind, n.metadata.key())).unwrap_or_default();
            return format!("{kind} {key} does not parse: {item_error}").trim_start().to_string();
        }
    }
    format!("the list does not parse: {e}")
}

fn take<T: DeserializeOwned, U>(
    src: Src<'_>,
    out: &mut Vec<U>,
    convert: impl Fn(T) -> Result<U, String>,
) -> Result<Taken, String> {
    let (items, next) = match src {
        Src::Page(body) => {
            let page: Page<T> = serde_json::from_str(body).map_err(|e| page_error::<T>(body, e))?;
            (page.items, page.metadata.continue_.filter(|c| !c.is_empty()))
        }
        Src::Object(raw) => (vec![serde_json::from_str(raw).map_err(|e| format!("does not parse: {e}"))?], None),
    };
    let objects = items.len();
    for item in items {
        out.push(convert(item)?);
    }
    Ok(Taken { objects, next })
}

/// Takes a page of pods as placements (the live follow-up).
pub(crate) fn take_pods(src: Src<'_>, out: &mut Vec<PodPlacement>) -> Result<Taken, String> {
    take(src, out, |p: objects::Pod| Ok(p.placement()))
}

/// Converted objects, family by family, and the families that failed.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    errors: BTreeMap<Family, Unreadable>,
    nodes: Vec<LiveNode>,
    etcd: Vec<PodPlacement>,
    kubeadm: Vec<KubeadmConfig>,
    kubevirt: Vec<KubeVirtConfig>,
    vms: Vec<LiveVm>,
    vmis: Vec<LiveVmi>,
    pvcs: Vec<LivePvc>,
    pvs: Vec<LivePv>,
    storage_classes: Vec<LiveStorageClass>,
    storage_profiles: Vec<LiveStorageProfile>,
    nads: Vec<LiveNetworkAttachment>,
    handlers: Vec<VirtHandlerPod>,
    handler_ds: Vec<DaemonSetStatus>,
    subnets: Vec<LiveSubnet>,
    node_local_dns: Vec<NodeLocalDns>,
    nhcs: Vec<LiveNodeHealthCheck>,
    snr: Vec<String>,
    far: Vec<String>,
    pdbs: Vec<(LivePdb, bool)>,
    pdb_pods: Vec<LabeledPod>,
    virt_infra: Vec<LabeledPod>,
    coredns: Vec<PodPlacement>,
    ovn: Vec<PodPlacement>,
    /// Whether the pods of blocking budgets were attached.
    pdb_pods_error: Option<Unreadable>,
}

impl Collector {
    /// Whether the family already failed (the dump then skips its items).
    pub(crate) fn failed(&self, family: Family) -> bool {
        self.errors.contains_key(&family)
    }

    /// Marks the family unreadable; the first reason stays.
    pub(crate) fn fail(&mut self, family: Family, why: WhyUnreadable) {
        self.errors.entry(family).or_insert_with(|| unreadable(family.read(), why));
    }

    /// Takes a page or object of `family`; an error is the reason, naming
    /// the object when one does not convert.
    pub(crate) fn accept(&mut self, family: Family, src: Src<'_>) -> Result<Taken, String> {
        use objects as o;
        match family {
            Family::Nodes => take(src, &mut self.nodes, o::Node::convert),
            Family::EtcdPods => take(src, &mut self.etcd, |p: o::Pod| Ok(p.placement())),
            Family::Kubeadm => take(src, &mut self.kubeadm, o::ConfigMap::kubeadm),
            Family::KubeVirt => take(src, &mut self.kubevirt, o::KubeVirt::convert),
            Family::Vms => take(src, &mut self.vms, o::Vm::convert),
            Family::Vmis => take(src, &mut self.vmis, o::Vmi::convert),
            Family::Pvcs => take(src, &mut self.pvcs, o::Pvc::convert),
            Family::Pvs => take(src, &mut self.pvs, o::Pv::convert),
            Family::StorageClasses => take(src, &mut self.storage_classes, o::StorageClass::convert),
            Family::StorageProfiles => take(src, &mut self.storage_profiles, o::StorageProfile::convert),
            Family::NetworkAttachments => take(src, &mut self.nads, o::NetworkAttachment::convert),
            Family::VirtHandlers => take(src, &mut self.handlers, o::Pod::virt_handler),
            Family::VirtHandlerDaemonSet => take(src, &mut self.handler_ds, |d: o::DaemonSet| Ok(d.status())),
            Family::Subnets => take(src, &mut self.subnets, o::Subnet::convert),
            Family::NodeLocalDns => take(src, &mut self.node_local_dns, o::DaemonSet::node_local_dns),
            Family::NodeHealthChecks => take(src, &mut self.nhcs, o::NodeHealthCheck::convert),
            Family::SnrTemplates => take(src, &mut self.snr, o::Named::convert),
            Family::FarTemplates => take(src, &mut self.far, o::Named::convert),
            Family::Pdbs => take(src, &mut self.pdbs, |p: o::Pdb| p.convert().map(|c| (c.pdb, c.selects_nothing))),
            Family::PdbPods => take(src, &mut self.pdb_pods, |p: o::Pod| Ok(p.labeled())),
            Family::VirtInfra => take(src, &mut self.virt_infra, |p: o::Pod| Ok(p.labeled())),
            Family::CoreDns => take(src, &mut self.coredns, |p: o::Pod| Ok(p.placement())),
            Family::OvnCentral => take(src, &mut self.ovn, |p: o::Pod| Ok(p.placement())),
        }
    }

    /// The budgets whose pods the follow-up reads: they allow no
    /// disruption, KubeVirt did not make them, and their selector selects
    /// something. By index, with namespace and selector.
    pub(crate) fn blocking_pdbs(&self) -> Vec<(usize, String, kubev_ha_model::LabelSelector)> {
        if self.failed(Family::Pdbs) {
            return vec![];
        }
        self.pdbs
            .iter()
            .enumerate()
            .filter(|(_, (p, nothing))| p.disruptions_allowed == 0 && !p.kubevirt_owned && !nothing)
            .map(|(i, (p, _))| (i, p.namespace.clone(), p.selector.clone()))
            .collect()
    }

    /// Gives budget `index` its pods.
    pub(crate) fn set_pdb_pods(&mut self, index: usize, pods: Vec<PodPlacement>) {
        if let Some((pdb, _)) = self.pdbs.get_mut(index) {
            pdb.pods = pods;
        }
    }

    /// The follow-up could not read the pods: the budgets cannot be judged.
    pub(crate) fn fail_pdb_pods(&mut self, why: Unreadable) {
        self.pdb_pods_error.get_or_insert(why);
    }

    /// The dump's follow-up: each blocking budget's pods from the pods dumped.
    pub(crate) fn attach_dumped_pdb_pods(&mut self) {
        let blocking = self.blocking_pdbs();
        if blocking.is_empty() {
            return;
        }
        if let Some(e) = self.errors.get(&Family::PdbPods) {
            self.pdb_pods_error = Some(e.clone());
            return;
        }
        // A dump may hold only some pods (the virt-handlers, one namespace):
        // a blocking budget whose namespace has no pod in it at all cannot
        // be told from one that covers nothing, so its pods are unread, not
        // none.
        if let Some((_, namespace, _)) =
            blocking.iter().find(|(_, namespace, _)| !self.pdb_pods.iter().any(|p| p.pod.namespace == *namespace))
        {
            let read = Family::PdbPods.read();
            self.pdb_pods_error = Some(unreadable(
                read,
                WhyUnreadable::Failed {
                    reason: format!(
                        "the dump holds no pod in namespace {namespace}, where a PodDisruptionBudget allows no disruption: dump every pod (kubectl get pods -A -o json)"
                    ),
                },
            ));
            return;
        }
        for (index, namespace, selector) in blocking {
            let pods = self
                .pdb_pods
                .iter()
                .filter(|p| p.pod.namespace == namespace && selector.matches(&p.labels))
                .map(|p| p.pod.clone())
                .collect();
            self.set_pdb_pods(index, pods);
        }
    }

    fn get<T>(&mut self, family: Family, data: T) -> Read<T> {
        match self.errors.get(&family) {
            Some(e) => Err(e.clone()),
            None => Ok(data),
        }
    }

    /// Puts every list in name order (namespace, then name), as the API
    /// server lists them: a dump's files hold objects in whatever order
    /// they were written, and the same objects must give the same report
    /// whichever path read them.
    fn sort(&mut self) {
        fn pod(p: &PodPlacement) -> (String, String) {
            (p.namespace.clone(), p.name.clone())
        }
        self.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        self.etcd.sort_by_key(pod);
        self.vms.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.vmis.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.pvcs.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.pvs.sort_by(|a, b| a.name.cmp(&b.name));
        self.storage_classes.sort_by(|a, b| a.name.cmp(&b.name));
        self.storage_profiles.sort_by(|a, b| a.name.cmp(&b.name));
        self.nads.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.handlers.sort_by_key(|h| pod(&h.pod));
        self.subnets.sort_by(|a, b| a.name.cmp(&b.name));
        self.nhcs.sort_by(|a, b| a.name.cmp(&b.name));
        self.snr.sort();
        self.far.sort();
        self.pdbs.sort_by(|(a, _), (b, _)| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.virt_infra.sort_by_key(|p| pod(&p.pod));
        self.coredns.sort_by_key(pod);
        self.ovn.sort_by_key(pod);
    }

    /// The facts.
    pub(crate) fn finish(
        mut self,
        source: String,
        server_version: Option<String>,
        namespace: Option<String>,
    ) -> LiveCluster {
        self.sort();
        let nodes = std::mem::take(&mut self.nodes);
        let etcd = std::mem::take(&mut self.etcd);
        let kubeadm = std::mem::take(&mut self.kubeadm).into_iter().next();
        let kubevirt = std::mem::take(&mut self.kubevirt).into_iter().next();
        let handler_ds = std::mem::take(&mut self.handler_ds).into_iter().next();
        let nld = std::mem::take(&mut self.node_local_dns).into_iter().next();
        let pdbs: Vec<LivePdb> = std::mem::take(&mut self.pdbs).into_iter().map(|(p, _)| p).collect();
        let pdbs = match self.pdb_pods_error.take() {
            Some(e) if !self.failed(Family::Pdbs) => Err(e),
            _ => self.get(Family::Pdbs, pdbs),
        };
        let infra_pods = std::mem::take(&mut self.virt_infra);
        let by_label = |name: &str| -> Vec<PodPlacement> {
            infra_pods
                .iter()
                .filter(|p| p.labels.get("kubevirt.io").map(String::as_str) == Some(name))
                .map(|p| p.pod.clone())
                .collect()
        };
        let (virt_api, virt_controller) = (by_label("virt-api"), by_label("virt-controller"));
        let coredns = std::mem::take(&mut self.coredns);
        let ovn = std::mem::take(&mut self.ovn);
        LiveCluster {
            source,
            server_version,
            namespace,
            nodes: self.get(Family::Nodes, nodes),
            etcd_pods: self.get(Family::EtcdPods, etcd),
            kubeadm: self.get(Family::Kubeadm, kubeadm),
            kubevirt: self.get(Family::KubeVirt, kubevirt),
            vms: {
                let v = std::mem::take(&mut self.vms);
                self.get(Family::Vms, v)
            },
            vmis: {
                let v = std::mem::take(&mut self.vmis);
                self.get(Family::Vmis, v)
            },
            pvcs: {
                let v = std::mem::take(&mut self.pvcs);
                self.get(Family::Pvcs, v)
            },
            pvs: {
                let v = std::mem::take(&mut self.pvs);
                self.get(Family::Pvs, v)
            },
            storage_classes: {
                let v = std::mem::take(&mut self.storage_classes);
                self.get(Family::StorageClasses, v)
            },
            storage_profiles: {
                let v = std::mem::take(&mut self.storage_profiles);
                self.get(Family::StorageProfiles, v)
            },
            network_attachments: {
                let v = std::mem::take(&mut self.nads);
                self.get(Family::NetworkAttachments, v)
            },
            virt_handlers: {
                let v = std::mem::take(&mut self.handlers);
                self.get(Family::VirtHandlers, v)
            },
            virt_handler_daemonset: self.get(Family::VirtHandlerDaemonSet, handler_ds),
            subnets: {
                let v = std::mem::take(&mut self.subnets);
                self.get(Family::Subnets, v)
            },
            node_local_dns: self.get(Family::NodeLocalDns, nld),
            node_health_checks: {
                let v = std::mem::take(&mut self.nhcs);
                self.get(Family::NodeHealthChecks, v)
            },
            self_node_remediation_templates: {
                let v = std::mem::take(&mut self.snr);
                self.get(Family::SnrTemplates, v)
            },
            fence_agents_remediation_templates: {
                let v = std::mem::take(&mut self.far);
                self.get(Family::FarTemplates, v)
            },
            pdbs,
            infra: vec![
                InfraComponent { name: "virt-api".into(), pods: self.get(Family::VirtInfra, virt_api) },
                InfraComponent { name: "virt-controller".into(), pods: self.get(Family::VirtInfra, virt_controller) },
                InfraComponent { name: "CoreDNS".into(), pods: self.get(Family::CoreDns, coredns) },
                InfraComponent { name: "OVN central".into(), pods: self.get(Family::OvnCentral, ovn) },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_audit_read_feeds_its_own_family() {
        let mut seen = BTreeSet::new();
        for read in AUDIT_READS {
            let family = Family::of(read).unwrap_or_else(|| panic!("{} has no family", read.qualified()));
            assert!(seen.insert(family), "{family:?} twice");
            assert_eq!(family.read(), read);
        }
    }

    #[test]
    fn a_page_reports_its_continue_token_and_a_bad_object_names_itself() {
        let mut c = Collector::default();
        let page = r#"{"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"abc"},
            "items":[{"metadata":{"name":"w1"},"status":{"capacity":{"cpu":"8"}}}]}"#;
        assert_eq!(c.accept(Family::Nodes, Src::Page(page)), Ok(Taken { objects: 1, next: Some("abc".into()) }));
        let last = r#"{"kind":"NodeList","metadata":{"continue":""},"items":[]}"#;
        assert_eq!(c.accept(Family::Nodes, Src::Page(last)), Ok(Taken { objects: 0, next: None }));
        let bad = r#"{"items":[{"metadata":{"name":"w2"},"status":{"capacity":{"cpu":"eight"}}}]}"#;
        let e = c.accept(Family::Nodes, Src::Page(bad)).unwrap_err();
        assert!(e.contains("node w2") && e.contains("status.capacity.cpu"), "{e}");
        // A field of the wrong type: the object is still named.
        let wrong = r#"{"items":[{"kind":"Node","metadata":{"name":"w3"}},{"kind":"Node","metadata":{"name":"w4"},"spec":{"unschedulable":"yes"}}]}"#;
        let e = c.accept(Family::Nodes, Src::Page(wrong)).unwrap_err();
        assert!(e.starts_with("Node w4 does not parse: invalid type"), "{e}");
        let e = c.accept(Family::Nodes, Src::Page("{\"items\": [}")).unwrap_err();
        assert!(e.starts_with("the list does not parse") && e.contains("line 1 column"), "{e}");
    }
}
