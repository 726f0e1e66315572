//! Writing an inventory back out as YAML (generated inventories, probed
//! inventories), in the same shape the reader accepts.

use crate::inventory::{Inventory, Node};

/// The serialiser refused a value (a float that YAML cannot spell, say).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write YAML")]
pub struct WriteError(#[source] serde_saphyr::ser::Error);

/// The inventory as a YAML document.
pub fn to_yaml(inventory: &Inventory) -> Result<String, WriteError> {
    serde_saphyr::to_string(inventory).map_err(WriteError)
}

/// One node as an entry of the `nodes:` list, indented to paste under it.
pub fn node_to_yaml(node: &Node) -> Result<String, WriteError> {
    let text = serde_saphyr::to_string(&[node]).map_err(WriteError)?;
    Ok(text.lines().map(|l| format!("  {l}\n")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_the_reference_example() {
        let text = include_str!("../../../examples/ha-reference.yaml");
        let first = crate::parse_str("a.yaml", text).unwrap().inventory;
        let yaml = super::to_yaml(&first).unwrap();
        let second =
            crate::parse_str("b.yaml", &yaml).unwrap_or_else(|e| panic!("{}\n{yaml}", e.render_plain())).inventory;
        assert_eq!(super::to_yaml(&second).unwrap(), yaml);
        assert_eq!(first.nodes.len(), second.nodes.len());
        assert_eq!(first.nodes[3].memory, second.nodes[3].memory);
    }
}
