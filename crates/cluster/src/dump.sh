mkdir -p dump
for r in nodes pods persistentvolumeclaims persistentvolumes \
    storageclasses.storage.k8s.io daemonsets.apps poddisruptionbudgets.policy \
    kubevirts.kubevirt.io virtualmachines.kubevirt.io virtualmachineinstances.kubevirt.io \
    storageprofiles.cdi.kubevirt.io network-attachment-definitions.k8s.cni.cncf.io \
    subnets.kubeovn.io nodehealthchecks.remediation.medik8s.io \
    selfnoderemediationtemplates.self-node-remediation.medik8s.io \
    fenceagentsremediationtemplates.fence-agents-remediation.medik8s.io; do
  kubectl get "$r" --all-namespaces -o json > "dump/$r.json" || rm -f "dump/$r.json"
done
kubectl get configmap kubeadm-config -n kube-system -o json > dump/configmaps.json || rm -f dump/configmaps.json
kubev-ha audit --from-dump dump
