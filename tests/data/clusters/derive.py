#!/usr/bin/env python3
"""Derives the broken recorded clusters from healthy-3zone.

healthy-3zone is `kubev-ha generate --cluster-dump tests/data/clusters/healthy-3zone
--workers 6 --zones 3 --vms 12 --seed 1`; each broken case is a copy with
the edits below (each one a failure mode a real cluster shows, with the
fields the real API then reports). Run from the repository root after
regenerating healthy-3zone: python3 tests/data/clusters/derive.py
"""

import copy
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
HEALTHY = os.path.join(HERE, "healthy-3zone")


def load(case, kind):
    with open(os.path.join(HERE, case, kind + ".json")) as f:
        return json.load(f)


def save(case, kind, data):
    with open(os.path.join(HERE, case, kind + ".json"), "w") as f:
        json.dump(data, f, indent=4, ensure_ascii=False)
        f.write("\n")


def fresh(case):
    d = os.path.join(HERE, case)
    if os.path.exists(d):
        for name in os.listdir(d):
            if name.endswith(".json") and name != "standin.json":
                os.remove(os.path.join(d, name))
    else:
        os.makedirs(d)
    for name in os.listdir(HEALTHY):
        if name.endswith(".json") and name != "standin.json":
            shutil.copy(os.path.join(HEALTHY, name), d)


def item(lst, name, namespace=None):
    for it in lst["items"]:
        if it["metadata"]["name"] == name and (namespace is None or it["metadata"].get("namespace") == namespace):
            return it
    raise KeyError(name)


def cond(obj, kind):
    for c in obj["status"]["conditions"]:
        if c["type"] == kind:
            return c
    raise KeyError(kind)


def broken_storage_eviction():
    case = "broken-storage-eviction"
    fresh(case)
    # No medik8s operators: their CRDs are not served, so no files at all.
    os.remove(os.path.join(HERE, case, "nodehealthchecks.json"))
    os.remove(os.path.join(HERE, case, "snrtemplates.json"))

    # KubeVirt's cluster-wide evictionStrategy left unset, and the VMIs with
    # none of their own: the effective strategy is None (a drain shuts them
    # down), except db-00005 which asks LiveMigrate itself.
    kv = load(case, "kubevirt")
    del kv["items"][0]["spec"]["configuration"]["evictionStrategy"]
    save(case, "kubevirt", kv)
    vms, vmis = load(case, "vms"), load(case, "vmis")
    for vm in vms["items"]:
        if vm["metadata"]["name"] != "db-00005":
            del vm["spec"]["template"]["spec"]["evictionStrategy"]
    for vmi in vmis["items"]:
        if vmi["metadata"]["name"] != "db-00005":
            del vmi["spec"]["evictionStrategy"]
    # KubeVirt (<= v1.5) made a PDB only for VMIs that migrate on eviction.
    pdbs = load(case, "pdbs")
    owners = {v["metadata"]["uid"]: v["metadata"]["name"] for v in vmis["items"]}
    pdbs["items"] = [
        p for p in pdbs["items"]
        if not p["metadata"].get("ownerReferences") or owners[p["metadata"]["ownerReferences"][0]["uid"]] == "db-00005"
    ]
    save(case, "pdbs", pdbs)

    # A second class, TopoLVM on the workers' local NVMe: CDI knows it as
    # RWO only (pkg/storagecapabilities createTopoLVMCapabilities), and its
    # PVs are pinned to one node by nodeAffinity.
    scs = load(case, "storageclasses")
    sc = copy.deepcopy(scs["items"][0])
    sc["metadata"]["name"] = "topolvm-nvme"
    sc["metadata"]["uid"] = "6a1f0c52-9d47-4b1e-8f0e-2c5d7b9a1e31"
    sc["metadata"]["annotations"] = {}
    sc["provisioner"] = "topolvm.io"
    sc["parameters"] = {"csi.storage.k8s.io/fstype": "xfs", "topolvm.io/device-class": "nvme"}
    sc["volumeBindingMode"] = "WaitForFirstConsumer"
    scs["items"].append(sc)
    save(case, "storageclasses", scs)
    sps = load(case, "storageprofiles")
    sp = copy.deepcopy(sps["items"][0])
    sp["metadata"]["name"] = "topolvm-nvme"
    sp["metadata"]["uid"] = "0d6b3e8a-52c1-4f7d-9a64-3b8e1f0c7d25"
    sp["metadata"]["ownerReferences"][0]["name"] = "topolvm-nvme"
    sp["metadata"]["ownerReferences"][0]["uid"] = sc["metadata"]["uid"]
    sp["status"] = {
        "claimPropertySets": [
            {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"},
            {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"},
        ],
        "cloneStrategy": "copy",
        "provisioner": "topolvm.io",
        "storageClass": "topolvm-nvme",
    }
    sps["items"].append(sp)
    save(case, "storageprofiles", sps)

    # db-00005's disk lives on it: the PVC RWO, the PV pinned to w-c1.
    pvcs, pvs = load(case, "pvcs"), load(case, "pvs")
    pvc = item(pvcs, "db-00005-rootdisk", "prod")
    for key in ("volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner"):
        pvc["metadata"]["annotations"][key] = "topolvm.io"
    pvc["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] = "w-c1"
    pvc["spec"]["accessModes"] = ["ReadWriteOnce"]
    pvc["spec"]["storageClassName"] = "topolvm-nvme"
    pvc["status"]["accessModes"] = ["ReadWriteOnce"]
    save(case, "pvcs", pvcs)
    pv = item(pvs, pvc["spec"]["volumeName"])
    pv["metadata"]["annotations"] = {"pv.kubernetes.io/provisioned-by": "topolvm.io"}
    pv["metadata"]["finalizers"] = ["kubernetes.io/pv-protection"]
    pv["spec"]["accessModes"] = ["ReadWriteOnce"]
    pv["spec"]["storageClassName"] = "topolvm-nvme"
    pv["spec"]["csi"] = {
        "driver": "topolvm.io",
        "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "1759651200000-6187-topolvm.io", "topolvm.io/device-class": "nvme"},
        "volumeHandle": pvc["metadata"]["uid"],
    }
    pv["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "topology.topolvm.io/node", "operator": "In", "values": ["w-c1"]}]}
    ]}}
    save(case, "pvs", pvs)

    # ... so virt-handler reports it not live-migratable, with the reason
    # and message of pkg/virt-handler/vm.go.
    message = ("cannot migrate VMI: PVC db-00005-rootdisk is not shared, live migration requires that all PVCs "
               "must be shared (using ReadWriteMany access mode)")
    for obj in (item(vmis, "db-00005", "prod"), item(vms, "db-00005", "prod")):
        c = cond(obj, "LiveMigratable")
        c.update({"message": message, "reason": "DisksNotLiveMigratable", "status": "False"})
    vmi = item(vmis, "db-00005", "prod")
    for vs in vmi["status"]["volumeStatus"]:
        if vs["name"] == "rootdisk":
            vs["persistentVolumeClaimInfo"]["accessModes"] = ["ReadWriteOnce"]
            vs["persistentVolumeClaimInfo"]["volumeMode"] = "Block"
    vmi["status"]["migrationMethod"] = "BlockMigration"
    save(case, "vms", vms)
    save(case, "vmis", vmis)


def broken_topology():
    case = "broken-topology"
    fresh(case)
    nodes = load(case, "nodes")
    # cp-3 racked in fra-a: etcd members in two zones, 2 of 3 in one.
    item(nodes, "cp-3")["metadata"]["labels"]["topology.kubernetes.io/zone"] = "fra-a"
    # w-c2 stopped posting status: the node lifecycle controller sets Ready
    # Unknown and the unreachable taints.
    w = item(nodes, "w-c2")
    for c in w["status"]["conditions"]:
        c.update({"status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status.",
                  "lastTransitionTime": "2026-10-28T03:14:07Z"})
    w["spec"]["taints"] = [
        {"effect": "NoSchedule", "key": "node.kubernetes.io/unreachable", "timeAdded": "2026-10-28T03:14:07Z"},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "timeAdded": "2026-10-28T03:14:12Z"},
    ]
    # w-b2 cordoned (kubectl cordon).
    w = item(nodes, "w-b2")
    w["spec"]["unschedulable"] = True
    w["spec"]["taints"] = [{"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "timeAdded": "2026-10-27T09:00:00Z"}]
    # w-a2 lost /dev/kvm (kvm_intel not loaded): virt-handler's KVM device
    # plugin never registered, so no devices.kubevirt.io/kvm.
    w = item(nodes, "w-a2")
    del w["status"]["capacity"]["devices.kubevirt.io/kvm"]
    del w["status"]["allocatable"]["devices.kubevirt.io/kvm"]
    # w-b1 alone got a newer CPU: only it offers Icelake-Server-noTSX.
    w = item(nodes, "w-b1")
    w["metadata"]["labels"]["cpu-model.node.kubevirt.io/Icelake-Server-noTSX"] = "true"
    w["metadata"]["labels"]["cpu-model-migration.node.kubevirt.io/Icelake-Server-noTSX"] = "true"
    save(case, "nodes", nodes)

    # The migration NAD deleted: KubeVirt still names it.
    # The migration NAD is gone, but Multus still serves a tenant network:
    # an empty list would say Multus is not installed at all (kubectl drops
    # the kind of an empty list), which is another failure.
    nads = load(case, "nads")
    tenant = nads["items"][0]
    tenant["metadata"]["name"] = "tenant-vlan20"
    tenant["metadata"]["namespace"] = "prod"
    tenant["metadata"]["uid"] = "6f1c2d7e-0b3a-4c55-9e21-7d8a4b1c2f30"
    config = json.loads(tenant["spec"]["config"])
    config["name"] = "tenant-vlan20"
    config.pop("ipam", None)
    config["mtu"] = 1500
    tenant["spec"]["config"] = json.dumps(config)
    save(case, "nads", nads)

    kv = load(case, "kubevirt")
    del kv["items"][0]["spec"]["workloadUpdateStrategy"]
    save(case, "kubevirt", kv)

    pods = load(case, "pods")
    handlers = [p for p in pods["items"] if p["metadata"]["labels"].get("kubevirt.io") == "virt-handler"]
    # The virt-handler on w-b2 was recreated without its migration0 attachment.
    h = next(p for p in handlers if p["spec"]["nodeName"] == "w-b2")
    status = json.loads(h["metadata"]["annotations"]["k8s.v1.cni.cncf.io/network-status"])
    h["metadata"]["annotations"]["k8s.v1.cni.cncf.io/network-status"] = json.dumps(
        [s for s in status if s["interface"] != "migration0"], indent=4)
    del h["metadata"]["annotations"]["k8s.v1.cni.cncf.io/networks"]
    # The one on w-c2 is not ready (its node is unreachable).
    h = next(p for p in handlers if p["spec"]["nodeName"] == "w-c2")
    for c in h["status"]["conditions"]:
        if c["type"] in ("Ready", "ContainersReady"):
            c["status"] = "False"
            c["reason"] = "NodeNotReady" if c["type"] == "Ready" else "ContainersNotReady"
    h["status"]["containerStatuses"][0]["ready"] = False
    # Both virt-api replicas on w-a1.
    apis = [p for p in pods["items"] if p["metadata"]["labels"].get("kubevirt.io") == "virt-api"]
    w_a1 = item(nodes, "w-a1")
    for p in apis:
        p["spec"]["nodeName"] = "w-a1"
        p["status"]["hostIP"] = w_a1["status"]["addresses"][0]["address"]
        p["status"]["hostIPs"] = [{"ip": p["status"]["hostIP"]}]
    save(case, "pods", pods)

    # The shop's PDB asks for all 3 replicas: no disruption allowed, so a
    # drain of w-b1, w-c1 or w-a2 stops.
    pdbs = load(case, "pdbs")
    pdb = item(pdbs, "web-frontend", "shop")
    pdb["metadata"]["generation"] = 2
    pdb["spec"] = {"minAvailable": 3, "selector": {"matchLabels": {"app": "web-frontend"}}}
    pdb["status"].update({"desiredHealthy": 3, "disruptionsAllowed": 0, "observedGeneration": 2})
    pdb["status"]["conditions"][0].update({"observedGeneration": 2, "reason": "InsufficientPods", "status": "False"})
    save(case, "pdbs", pdbs)

    vms, vmis = load(case, "vms"), load(case, "vmis")
    # app-00007 switched to runStrategy Manual: nothing restarts it.
    vm = item(vms, "app-00007", "prod")
    vm["spec"]["runStrategy"] = "Manual"
    vm["status"]["runStrategy"] = "Manual"
    # web-00003 pinned to the Icelake model only w-b1 has.
    for obj in (item(vmis, "web-00003", "prod")["spec"], item(vms, "web-00003", "prod")["spec"]["template"]["spec"]):
        obj["domain"]["cpu"]["model"] = "Icelake-Server-noTSX"
    # A standalone VMI (kubectl create -f vmi.yaml): no VM owns it.
    base = item(vmis, "web-00009", "prod")
    vmi = copy.deepcopy(base)
    vmi["metadata"]["name"] = "scratch-debug"
    vmi["metadata"]["uid"] = "3f2b9c71-0e4d-4a8b-b6d2-91c7e5a04f18"
    vmi["metadata"]["labels"] = {"kubevirt.io/nodeName": "w-b1"}
    vmi["metadata"]["finalizers"] = ["kubevirt.io/virtualMachineControllerFinalize"]
    del vmi["metadata"]["ownerReferences"]
    del vmi["metadata"]["annotations"]["kubevirt.io/vm-generation"]
    vmi["spec"]["domain"]["cpu"]["model"] = "host-model"
    vmi["spec"]["volumes"] = [
        {"containerDisk": {"image": "quay.io/containerdisks/fedora:41", "imagePullPolicy": "IfNotPresent"}, "name": "rootdisk"},
        vmi["spec"]["volumes"][1],
    ]
    vmi["status"]["volumeStatus"] = [
        {"containerDiskVolume": {"checksum": 2734191554}, "name": "rootdisk", "target": "vda"},
        {"name": "cloudinitdisk", "size": 1048576, "target": "vdb"},
    ]
    vmi["status"]["nodeName"] = "w-b1"
    vmi["status"]["activePods"] = {"c8a4e2f1-7b3d-4e9a-a1f6-5d2c8b7e0a93": "w-b1"}
    del vmi["status"]["virtualMachineRevisionName"]
    vmis["items"].append(vmi)
    save(case, "vms", vms)
    save(case, "vmis", vmis)

    nhc = load(case, "nodehealthchecks")
    st = nhc["items"][0]["status"]
    st.update({"healthyNodes": 5, "phase": "Remediating", "reason": "NHC is remediating 1 nodes"})
    st["unhealthyNodes"] = [{"name": "w-c2", "remediations": [{
        "resource": {"apiVersion": "self-node-remediation.medik8s.io/v1alpha1", "kind": "SelfNodeRemediation",
                     "name": "w-c2", "namespace": "medik8s", "uid": "9e0d7c4b-3a2f-4b1e-8d6c-5f4e3d2c1b0a"},
        "started": "2026-10-28T03:19:07Z"}]}]
    st["inFlightRemediations"] = {"w-c2": "2026-10-28T03:19:07Z"}
    save(case, "nodehealthchecks", nhc)


def broken_forbidden():
    case = "broken-forbidden"
    fresh(case)
    # The audit's identity may not list VMIs: the stand-in answers 403, and
    # a dump has no vmis file (kubectl would have printed the 403 instead).
    os.remove(os.path.join(HERE, case, "vmis.json"))
    with open(os.path.join(HERE, case, "standin.json"), "w") as f:
        json.dump({"forbidden": ["virtualmachineinstances.kubevirt.io"]}, f, indent=4)
        f.write("\n")


if __name__ == "__main__":
    broken_storage_eviction()
    broken_topology()
    broken_forbidden()
