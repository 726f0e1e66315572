//! The N×N matrix of each port group as cells: which (group, from, to) the
//! matrix requires, and how the probes of each fared. `net matrix` prints
//! them as a grid and lists them in its JSON, so both say the same.
//!
//! A cell exists wherever the matrix says `from` must reach a port group on
//! `to`, whether or not anything was measured there: a node that could not
//! be reached still has its row and column, marked unreachable with the
//! reason, and a cell nobody probed is "not measured", never open.
//!
//! Only the rows the inventory's features turn on that live on node
//! addresses and have ports are cells: local-only, pod and migration ports
//! are not reached node to node, and VRRP cannot be probed by connecting.

use crate::features::Features;
use kubev_ha_model::Inventory;
use kubev_ha_model::{CellState, MatrixCell, NetworkMeasurements};

/// Every cell the matrix requires between the nodes of `inventory`, in
/// matrix order, then in inventory order of `from` and `to`.
pub fn matrix_cells(inventory: &Inventory, measured: &NetworkMeasurements) -> Vec<MatrixCell> {
    let mut cells = Vec::new();
    for rule in Features::of(inventory).node_rows().filter(|r| r.port_protocols().next().is_some()) {
        for from in &inventory.nodes {
            for to in inventory.nodes.iter().filter(|n| n.name != from.name) {
                if !rule.applies(&from.roles, &to.roles) {
                    continue;
                }
                let probes: Vec<_> = measured
                    .probes
                    .iter()
                    .filter(|p| p.from == from.name && p.to == to.name && p.component == rule.component)
                    .collect();
                let down: Vec<String> = [&from.name, &to.name]
                    .into_iter()
                    .filter_map(|n| measured.unreachable.get(n).map(|why| format!("{n} unreachable: {why}")))
                    .collect();
                let failing: Vec<_> = probes.iter().filter(|p| !p.state.is_open()).map(|&p| p.clone()).collect();
                let (state, reason) = if !down.is_empty() {
                    (CellState::Unreachable, Some(down.join("; ")))
                } else if probes.is_empty() {
                    let why = if measured.from.contains(&from.name) {
                        format!("no probe of {} from {} to {} was measured", rule.component, from.name, to.name)
                    } else {
                        format!("not checked from {}", from.name)
                    };
                    (CellState::NotMeasured, Some(why))
                } else if failing.is_empty() {
                    (CellState::Open, None)
                } else {
                    (CellState::Failing, None)
                };
                cells.push(MatrixCell {
                    group: rule.component.to_string(),
                    ports: rule.ports_text(),
                    protocols: rule.protocols_text(),
                    from: from.name.clone(),
                    to: to.name.clone(),
                    state,
                    reason,
                    probes: probes.len(),
                    failing,
                });
            }
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::{PortProbe, PortState};

    use super::*;

    fn inventory() -> Inventory {
        let text = "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {name: c}\nnodes:\n\
  - {name: cp-1, address: 10.0.0.1, roles: [control-plane]}\n\
  - {name: w-1, address: 10.0.0.2, roles: [worker]}\n\
  - {name: w-2, address: 10.0.0.3, roles: [worker]}\n";
        kubev_ha_model::parse_str("c.yaml", text).expect("the inventory parses").inventory
    }

    fn probe(from: &str, to: &str, port: u16, component: &str, state: PortState) -> PortProbe {
        PortProbe {
            from: from.into(),
            to: to.into(),
            address: "10.0.0.9".into(),
            port,
            protocol: "tcp".into(),
            component: component.into(),
            state,
            detail: "d".into(),
            rtt_ms: None,
        }
    }

    #[test]
    fn cells_cover_unreachable_rows_and_columns_and_never_call_unmeasured_open() {
        let inv = inventory();
        let mut m = NetworkMeasurements {
            from: vec!["cp-1".into(), "w-1".into()],
            probes: vec![
                probe("w-1", "cp-1", 6443, "API server", PortState::Open),
                probe("cp-1", "w-1", 10250, "kubelet", PortState::Filtered),
            ],
            ..NetworkMeasurements::default()
        };
        m.unreachable.insert("w-2".into(), "ssh: connection timed out".into());
        let cells = matrix_cells(&inv, &m);
        let find = |g: &str, f: &str, t: &str| cells.iter().find(|c| c.group == g && c.from == f && c.to == t);
        assert_eq!(find("API server", "w-1", "cp-1").unwrap().state, CellState::Open);
        let kubelet = find("kubelet", "cp-1", "w-1").unwrap();
        assert_eq!(kubelet.state, CellState::Failing);
        assert_eq!(kubelet.failing.len(), 1);
        // w-2's row and column, though nothing was measured there.
        for c in cells.iter().filter(|c| c.from == "w-2" || c.to == "w-2") {
            assert_eq!(c.state, CellState::Unreachable, "{c:?}");
            assert!(c.reason.as_deref().unwrap().contains("w-2 unreachable: ssh"), "{c:?}");
        }
        assert!(cells.iter().any(|c| c.from == "w-2") && cells.iter().any(|c| c.to == "w-2"));
        // Required but not probed: not measured, not open.
        assert_eq!(find("Geneve", "w-1", "cp-1").unwrap().state, CellState::NotMeasured);
        // Not required: no cell (workers do not reach the kubelet API).
        assert!(find("kubelet", "w-1", "cp-1").is_none());
        // Regression: no cell for ports that are not on node addresses
        // (they stayed "not measured" or failed on a healthy cluster).
        for group in ["kube-scheduler", "controller-manager", "KubeVirt API", "live migration"] {
            assert!(!cells.iter().any(|c| c.group == group), "{group} is not node to node");
        }
        assert!(!cells.iter().any(|c| c.group == "kube-ovn-controller metrics" && c.to.starts_with("w-")));
    }
}
