//! Conversion edge cases the fixture does not hold.

use super::*;

fn from<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap()
}

#[test]
fn run_strategy_comes_from_run_strategy_else_running() {
    let cases = [
        (r#"{"spec":{"runStrategy":"RerunOnFailure"}}"#, Some(RunStrategy::RerunOnFailure)),
        (r#"{"spec":{"runStrategy":"Manual","running":true}}"#, Some(RunStrategy::Manual)),
        (r#"{"spec":{"running":true}}"#, Some(RunStrategy::Always)),
        (r#"{"spec":{}}"#, Some(RunStrategy::Halted)),
    ];
    for (json, want) in cases {
        assert_eq!(from::<Vm>(json).convert().unwrap().run_strategy, want, "{json}");
    }
    let e = from::<Vm>(r#"{"metadata":{"namespace":"a","name":"b"},"spec":{"runStrategy":"Sometimes"}}"#).convert();
    assert!(e.unwrap_err().contains("VirtualMachine a/b: runStrategy \"Sometimes\""));
}

#[test]
fn a_bad_quantity_or_enum_names_the_object() {
    let vmi = from::<Vmi>(
        r#"{"metadata":{"namespace":"p","name":"v"},"spec":{"domain":{"resources":{"requests":{"memory":"lots"}}}}}"#,
    );
    let e = vmi.convert().unwrap_err();
    assert!(e.contains("VirtualMachineInstance p/v") && e.contains("\"lots\""), "{e}");
    let pvc = from::<Pvc>(r#"{"metadata":{"namespace":"p","name":"c"},"spec":{"accessModes":["ReadWriteSometimes"]}}"#);
    assert!(pvc.convert().unwrap_err().contains("PersistentVolumeClaim p/c"));
    let kv = from::<KubeVirt>(
        r#"{"metadata":{"namespace":"k","name":"kv"},"spec":{"configuration":{"evictionStrategy":"Maybe"}}}"#,
    );
    assert!(kv.convert().unwrap_err().contains("KubeVirt k/kv"));
    let node =
        from::<Node>(r#"{"metadata":{"name":"n"},"status":{"addresses":[{"type":"InternalIP","address":"ten"}]}}"#);
    assert!(node.convert().unwrap_err().contains("node n: InternalIP"));
    let pod = from::<Pod>(
        r#"{"metadata":{"namespace":"kubevirt","name":"h","annotations":{"k8s.v1.cni.cncf.io/network-status":"[{"}}}"#,
    );
    assert!(pod.virt_handler().unwrap_err().contains("pod kubevirt/h"));
}

#[test]
fn quantities_written_as_numbers_are_read() {
    let node = from::<Node>(r#"{"metadata":{"name":"n"},"status":{"capacity":{"cpu":2,"memory":1024}}}"#);
    let n = node.convert().unwrap();
    assert_eq!((n.capacity.cpu_millis, n.capacity.memory), (Some(2000), Some(1024)));
}

#[test]
fn a_handler_without_the_migration_interface_says_so() {
    let pod = from::<Pod>(
        r#"{"metadata":{"annotations":{"k8s.v1.cni.cncf.io/network-status":"[{\"name\":\"kube-ovn\",\"interface\":\"eth0\",\"mtu\":1400,\"default\":true}]"}},"spec":{"nodeName":"w"}}"#,
    );
    let h = pod.virt_handler().unwrap();
    assert!(!h.has_migration0);
    assert_eq!(h.migration0_mtu, None);
    assert!(!h.pod.ready, "no Ready condition is not ready");
}

#[test]
fn node_local_dns_reads_localip_in_either_form_and_cni_configs_that_do_not_parse_are_unknown() {
    let ds = from::<DaemonSet>(
        r#"{"metadata":{"namespace":"kube-system","name":"nld"},"spec":{"template":{"spec":{"containers":[{"args":["-localip=169.254.20.11","-conf","/etc/Corefile"]}]}}}}"#,
    );
    assert_eq!(ds.node_local_dns().unwrap().address, Some("169.254.20.11".parse().unwrap()));
    let none = from::<DaemonSet>(r#"{"metadata":{"name":"x"}}"#);
    assert_eq!(none.node_local_dns().unwrap().address, None);
    let nad = from::<NetworkAttachment>(r#"{"metadata":{"name":"n"},"spec":{"config":"not json"}}"#);
    let n = nad.convert().unwrap();
    assert_eq!((n.cni_type, n.mtu), (None, None));
}

#[test]
fn a_pdb_with_a_null_selector_selects_nothing_and_a_plain_nhc_template_wins() {
    let pdb = from::<Pdb>(r#"{"metadata":{"namespace":"a","name":"p"},"spec":{},"status":{"disruptionsAllowed":0}}"#);
    let c = pdb.convert().unwrap();
    assert!(c.selects_nothing);
    assert!(!c.pdb.kubevirt_owned);
    let nhc = from::<NodeHealthCheck>(
        r#"{"metadata":{"name":"n"},"spec":{"minHealthy":2,"remediationTemplate":{"kind":"SelfNodeRemediationTemplate","namespace":"m","name":"t"}}}"#,
    );
    let n = nhc.convert().unwrap();
    assert_eq!(
        (n.template_kind.as_deref(), n.template.as_deref(), n.min_healthy.as_deref()),
        (Some("SelfNodeRemediationTemplate"), Some("m/t"), Some("2"))
    );
}

#[test]
fn kubeadm_without_cluster_configuration_fails() {
    let cm = from::<ConfigMap>(r#"{"metadata":{"namespace":"kube-system","name":"kubeadm-config"},"data":{}}"#);
    assert!(cm.kubeadm().unwrap_err().contains("no data.ClusterConfiguration"));
    let cm = from::<ConfigMap>(r#"{"metadata":{"name":"k"},"data":{"ClusterConfiguration":"etcd: [unclosed"}}"#);
    assert!(cm.kubeadm().is_err());
}
