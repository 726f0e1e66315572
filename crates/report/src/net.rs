//! The network checks' own tables: the probes that failed, and the N×N
//! matrix of `net matrix` per port group, drawn from its cells.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kubev_ha_model::measure::{CellState, MatrixCell, NetworkMeasurements, PortProbe};
use kubev_ha_rules::ports::PORT_MATRIX;

/// The probes that did not find the port open (all of them, when few).
pub fn probe_table(probes: &[PortProbe], width: u16) -> String {
    let bad: Vec<&PortProbe> = probes.iter().filter(|p| !p.state.is_open()).collect();
    let open = probes.len() - bad.len();
    let mut out = format!("{} probes: {open} open, {} not\n", probes.len(), bad.len());
    if bad.is_empty() {
        return out;
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width)
        .set_header(vec!["from", "to", "port", "component", "state", "detail"]);
    for p in bad {
        t.add_row(vec![
            p.from.clone(),
            p.to.clone(),
            format!("{}/{}", p.port, p.protocol),
            p.component.clone(),
            format!("{:?}", p.state).to_lowercase(),
            p.detail.clone(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    out
}

/// The N×N matrix per port group from its cells: ✓ all open, ✗ something
/// not, ? a node unreachable, - not measured, · nothing to reach.
pub fn matrix_text(nodes: &[String], measured: &NetworkMeasurements, cells: &[MatrixCell]) -> String {
    let mut out = String::new();
    let short = |s: &str| s.chars().take(10).collect::<String>();
    for rule in PORT_MATRIX {
        let group: Vec<&MatrixCell> = cells.iter().filter(|c| c.group == rule.component).collect();
        if group.is_empty() {
            continue;
        }
        let cell = |from: &str, to: &str| -> char {
            match group.iter().find(|c| c.from == from && c.to == to).map(|c| c.state) {
                None => '·',
                Some(CellState::Open) => '✓',
                Some(CellState::Failing) => '✗',
                Some(CellState::Unreachable) => '?',
                Some(CellState::NotMeasured) => '-',
            }
        };
        out.push_str(&format!("\n{} {}/{}\n", rule.component, rule.ports_text(), rule.protocols_text()));
        out.push_str(&format!("  {:>10} ", "from \\ to"));
        for t in nodes {
            out.push_str(&format!("{:>10} ", short(t)));
        }
        out.push('\n');
        for f in nodes {
            out.push_str(&format!("  {:>10} ", short(f)));
            for t in nodes {
                out.push_str(&format!("{:>10} ", cell(f, t)));
            }
            out.push('\n');
        }
    }
    let bad: Vec<&PortProbe> = cells.iter().flat_map(|c| &c.failing).collect();
    if !bad.is_empty() {
        out.push_str("\nFailing cells:\n");
        for p in bad {
            out.push_str(&format!(
                "  {} → {} {}/{} ({}): {:?}, {}\n",
                p.from, p.to, p.port, p.protocol, p.component, p.state, p.detail
            ));
        }
    }
    let unmeasured = cells.iter().filter(|c| c.state == CellState::NotMeasured).count();
    if unmeasured > 0 {
        out.push_str(&format!("  {unmeasured} cell(s) not measured (-)\n"));
    }
    for (node, why) in &measured.unreachable {
        out.push_str(&format!("  {node}: unreachable: {why}\n"));
    }
    if !measured.taken.is_empty() {
        out.push_str("\nPorts the responders could not take:\n");
        for t in &measured.taken {
            out.push_str(&format!(
                "  {} {}/{} ({}): {}{}\n",
                t.node,
                t.port,
                t.protocol,
                t.component,
                t.holder
                    .as_deref()
                    .map_or_else(|| "held by an unknown process".to_string(), |h| format!("held by {h}")),
                if t.error.is_empty() { String::new() } else { format!(" ({})", t.error) }
            ));
        }
    }
    out.push_str("\n✓ open  ✗ not open  ? node unreachable  - not measured  · nothing to reach\n");
    out
}
