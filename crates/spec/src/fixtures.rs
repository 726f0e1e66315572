//! Inventories and look-ups the unit tests of the matrix share.

use kubev_ha_model::Inventory;

use crate::{PORT_MATRIX, PortRule, Protocol, targets_from};

pub(crate) fn row(component: &str) -> &'static PortRule {
    PORT_MATRIX.iter().find(|r| r.component == component).unwrap()
}

pub(crate) fn inventory(extra: &str) -> Inventory {
    let text = format!(
        "apiVersion: kubev-ha/v1alpha1\nkind: Inventory\nmetadata: {{name: c}}\n{extra}nodes:\n\
  - {{name: cp-1, address: 10.0.0.1, roles: [control-plane]}}\n\
  - {{name: cp-2, address: 10.0.0.2, roles: [control-plane]}}\n\
  - {{name: w-1, address: 10.0.0.3, roles: [worker]}}\n\
  - {{name: w-2, address: 10.0.0.4, roles: [worker]}}\n"
    );
    kubev_ha_model::parse_str("c.yaml", &text).expect("the inventory parses").inventory
}

pub(crate) fn ports_to(inventory: &Inventory, from: &str, to: &str) -> Vec<(u16, Protocol)> {
    targets_from(inventory, from).into_iter().filter(|t| t.node == to).map(|t| (t.port, t.protocol)).collect()
}
