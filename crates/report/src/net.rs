//! The network checks' own tables: the probes that failed, the N×N
//! matrix of `net matrix` per port group, drawn from its cells, and the
//! measured path MTU and DNS answers.

use std::collections::BTreeMap;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kubev_ha_model::{
    AnswerSource, CellState, DnsServerAnswer, MatrixCell, NetworkMeasurements, PathMtu, PortProbe, PortState,
};
use kubev_ha_spec::PORT_MATRIX;

/// Failing probes up to this many are listed one per row; more are
/// grouped by (from, to, state), their ports wrapped in one cell.
const PROBE_ROWS: usize = 12;

/// The probes that did not find the port open: one row each when few,
/// grouped by (from, to, how they failed) when many. `verbose` lists every
/// probe, open ones too.
pub(crate) fn probe_table(probes: &[PortProbe], width: u16, verbose: bool) -> String {
    let bad: Vec<&PortProbe> = probes.iter().filter(|p| !p.state.is_open()).collect();
    let open = probes.len() - bad.len();
    let mut out = format!("{} probes: {open} open, {} not\n", probes.len(), bad.len());
    let rows: Vec<&PortProbe> = if verbose { probes.iter().collect() } else { bad.clone() };
    if rows.is_empty() {
        return out;
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    if verbose || rows.len() <= PROBE_ROWS {
        t.set_header(vec!["from", "to", "port", "component", "state", "detail"]);
        for p in rows {
            t.add_row(vec![
                p.from.clone(),
                p.to.clone(),
                format!("{}/{}", p.port, p.protocol),
                p.component.clone(),
                p.state.to_string(),
                p.detail.clone(),
            ]);
        }
    } else {
        t.set_header(vec!["from", "to", "state", "ports", "detail"]);
        for ((from, to, state), group) in grouped(&bad) {
            let ports: Vec<String> = group.iter().map(|p| format!("{}/{}", p.port, p.protocol)).collect();
            t.add_row(vec![
                from.to_string(),
                to.to_string(),
                state.to_string(),
                format!("{}: {}", ports.len(), ports.join(" ")),
                details(&group),
            ]);
        }
    }
    out.push_str(&format!("{t}\n"));
    out
}

/// Path MTU and DNS as measured, for people (JSON has every value): one
/// line per kind of result, every path and answer with `verbose`, lines
/// wrapped to `width`.
pub(crate) fn measurements_text(measured: &NetworkMeasurements, width: u16, verbose: bool) -> String {
    let mut lines: Vec<String> = Vec::new();
    if !measured.path_mtu.is_empty() {
        lines.push(format!(
            "Path MTU of {} path(s) (the largest IP packet that crossed with don't-fragment, confirmed by the responder):",
            measured.path_mtu.len()
        ));
        let mut groups: BTreeMap<(Option<u32>, Option<u32>), Vec<&PathMtu>> = BTreeMap::new();
        for m in &measured.path_mtu {
            groups.entry((m.mtu, m.local_mtu)).or_default().push(m);
        }
        // The most common value is a count; the exceptions are named.
        let common = groups.iter().max_by_key(|(_, paths)| paths.len()).map(|(key, _)| *key);
        for (key, paths) in groups.iter().rev() {
            let (mtu, local) = key;
            let what = match mtu {
                Some(m) => format!("{m} bytes"),
                None => "not measured".to_string(),
            };
            let interface = local.map(|l| format!(" (interface {l})")).unwrap_or_default();
            let named = verbose || mtu.is_none() || Some(*key) != common;
            let list = if named {
                let each: Vec<String> = paths
                    .iter()
                    .map(|p| {
                        if mtu.is_none() || verbose && !p.detail.is_empty() {
                            format!("{} → {} ({})", p.from, p.to, p.detail)
                        } else {
                            format!("{} → {}", p.from, p.to)
                        }
                    })
                    .collect();
                format!(": {}", summarised(&each, verbose, 8))
            } else {
                String::new()
            };
            lines.push(format!("  {what}{interface}: {} path(s){list}", paths.len()));
        }
    }
    if !measured.dns.is_empty() {
        let as_declared = measured.dns.iter().filter(|c| c.matches == Some(true)).count();
        let from_hosts = measured.dns.iter().filter(|c| c.source == Some(AnswerSource::HostsFile)).count();
        lines.push(format!(
            "DNS, system resolver: {} lookups from {} node(s), {as_declared} as declared, {from_hosts} answered by /etc/hosts",
            measured.dns.len(),
            measured.from.len()
        ));
        for c in measured.dns.iter().filter(|c| verbose || c.matches != Some(true)) {
            let source = match c.source {
                Some(AnswerSource::HostsFile) => " [/etc/hosts]",
                Some(AnswerSource::Resolver) => " [resolver]",
                None => "",
            };
            lines.push(format!("  {} → {}: {}{source}", c.from, c.name, c.detail));
        }
    }
    if !measured.dns_servers.is_empty() {
        lines.push("DNS servers, asked directly (not through /etc/hosts):".to_string());
        let mut groups: BTreeMap<(&str, &str), Vec<&DnsServerAnswer>> = BTreeMap::new();
        for a in &measured.dns_servers {
            groups.entry((a.server.as_str(), a.from.as_str())).or_default().push(a);
        }
        for ((server, from), answers) in groups {
            let good = answers.iter().filter(|a| a.matches == Some(true)).count();
            let tcp = answers.iter().filter(|a| a.transport == "tcp").count();
            let tcp = if tcp > 0 { format!(", {tcp} over TCP after truncation") } else { String::new() };
            let summary = if answers.iter().any(|a| a.outcome.server_answers()) {
                format!("{good} of {} names as declared{tcp}", answers.len())
            } else {
                format!("does not answer: {}", answers[0].detail)
            };
            lines.push(format!("  {server} from {from}: {summary}"));
            let shown: Vec<String> = answers
                .iter()
                .filter(|a| verbose || a.matches != Some(true) && a.outcome.server_answers())
                .map(|a| {
                    let rtt = a.rtt_ms.map(|r| format!(", {r:.1} ms")).unwrap_or_default();
                    format!("{}: {} ({}{rtt})", a.name, a.detail, a.transport)
                })
                .collect();
            for line in summarised_lines(&shown, verbose, 8) {
                lines.push(format!("    {line}"));
            }
        }
    }
    let mut out = String::new();
    let width = usize::from(width.max(40));
    for line in lines {
        let indent = " ".repeat(line.len() - line.trim_start().len() + 4);
        let options = textwrap::Options::new(width).subsequent_indent(&indent);
        for wrapped in textwrap::wrap(&line, options) {
            out.push_str(&wrapped);
            out.push('\n');
        }
    }
    out
}

/// The N×N matrix per port group from its cells: ✓ all open, ✗ something
/// not, ? a node unreachable, - not measured, · nothing to reach. The
/// failing probes follow, grouped when many; `verbose` lists each.
pub(crate) fn matrix_text(
    nodes: &[String],
    measured: &NetworkMeasurements,
    cells: &[MatrixCell],
    verbose: bool,
) -> String {
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
        if verbose || bad.len() <= PROBE_ROWS {
            for p in bad {
                out.push_str(&format!(
                    "  {} → {} {}/{} ({}): {}, {}\n",
                    p.from, p.to, p.port, p.protocol, p.component, p.state, p.detail
                ));
            }
        } else {
            // One line per (from, to, how), the ports counted and the first few named.
            for ((from, to, state), group) in grouped(&bad) {
                let ports: Vec<String> = group.iter().map(|p| format!("{}/{}", p.port, p.protocol)).collect();
                out.push_str(&format!(
                    "  {from} → {to}: {} {}: {} ({})\n",
                    ports.len(),
                    state,
                    summarised(&ports, false, 8),
                    details(&group)
                ));
            }
        }
    }
    let unmeasured = cells.iter().filter(|c| c.state == CellState::NotMeasured).count();
    if unmeasured > 0 {
        out.push_str(&format!("  {unmeasured} cell(s) {} (-)\n", CellState::NotMeasured));
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

/// `a, b, c and 9 more`, or all of them with `all`.
fn summarised(items: &[String], all: bool, max: usize) -> String {
    if all || items.len() <= max {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..max].join(", "), items.len() - max)
    }
}

/// The first `max` lines and a count of the rest, or all of them with `all`.
fn summarised_lines(items: &[String], all: bool, max: usize) -> Vec<String> {
    if all || items.len() <= max {
        return items.to_vec();
    }
    let mut shown = items[..max].to_vec();
    shown.push(format!("… and {} more (--verbose lists them all)", items.len() - max));
    shown
}

/// Failing probes of one (from, to) pair that failed the same way.
type Group<'a> = ((&'a str, &'a str, PortState), Vec<&'a PortProbe>);

/// Probes by (from, to, state), in first-seen order of their keys.
fn grouped<'a>(probes: &[&'a PortProbe]) -> Vec<Group<'a>> {
    let mut groups: Vec<Group<'a>> = Vec::new();
    for p in probes {
        let key = (p.from.as_str(), p.to.as_str(), p.state);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(p),
            None => groups.push((key, vec![p])),
        }
    }
    groups
}

/// The distinct details of a group, most frequent first.
fn details(group: &[&PortProbe]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for p in group {
        match counts.iter_mut().find(|(d, _)| *d == p.detail) {
            Some((_, n)) => *n += 1,
            None => counts.push((p.detail.as_str(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .map(|(d, n)| if *n > 1 { format!("{d} (×{n})") } else { d.to_string() })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What `net check` or `net matrix` shows before its findings: the matrix
/// (or, for `net check`, the failing probes), the path MTU and DNS
/// measurements, and each measured bandwidth.
pub(crate) fn network_text(n: &crate::command::NetworkEvidence, width: u16, verbose: bool) -> String {
    let mut out = match &n.matrix {
        Some(m) => matrix_text(&m.nodes, &n.measured, &m.cells, verbose),
        None => probe_table(&n.measured.probes, width, verbose),
    };
    out.push_str(&measurements_text(&n.measured, width, verbose));
    out.push_str(&crate::bandwidth::pairs_text(&n.measured.bandwidth));
    out
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::{DnsOutcome, DnsServerAnswer, MatrixCell, PathMtu};

    use super::*;

    fn probe(to: &str, port: u16, state: PortState) -> PortProbe {
        PortProbe {
            from: "cp-1".into(),
            to: to.into(),
            address: "10.0.0.12".into(),
            port,
            protocol: "tcp".into(),
            component: "NodePort services".into(),
            state,
            detail: "refused".into(),
            rtt_ms: None,
        }
    }

    #[test]
    fn many_failing_probes_are_grouped_and_verbose_lists_each() {
        let mut probes: Vec<PortProbe> = (30000..30040).map(|p| probe("cp-2", p, PortState::Closed)).collect();
        probes.push(probe("cp-3", 10250, PortState::Open));
        let grouped = probe_table(&probes, 100, false);
        assert!(grouped.contains("41 probes: 1 open, 40 not"), "{grouped}");
        assert!(grouped.contains("40: 30000/tcp 30001/tcp"), "{grouped}");
        assert!(grouped.contains("refused (×40)"), "{grouped}");
        assert!(!grouped.contains("10250"), "open probes only with verbose: {grouped}");
        assert!(grouped.lines().all(|l| l.chars().count() <= 100), "{grouped}");
        let every = probe_table(&probes, 100, true);
        assert!(every.contains("10250/tcp") && every.lines().filter(|l| l.contains("30039/tcp")).count() == 1);

        let cell = MatrixCell {
            group: "NodePort services".into(),
            ports: "30000-32767".into(),
            protocols: "tcp".into(),
            from: "cp-1".into(),
            to: "cp-2".into(),
            state: CellState::Failing,
            reason: None,
            probes: 40,
            failing: probes[..40].to_vec(),
        };
        let nodes = ["cp-1".to_string(), "cp-2".to_string()];
        let measured = NetworkMeasurements::default();
        let short = matrix_text(&nodes, &measured, std::slice::from_ref(&cell), false);
        assert!(short.contains("cp-1 → cp-2: 40 closed: 30000/tcp"), "{short}");
        assert!(short.contains("and 32 more (refused (×40))"), "{short}");
        let long = matrix_text(&nodes, &measured, &[cell], true);
        assert_eq!(long.lines().filter(|l| l.contains("cp-1 → cp-2 300")).count(), 40, "{long}");
    }

    #[test]
    fn path_mtu_and_dns_answers_are_shown() {
        let path = |to: &str, mtu: Option<u32>| PathMtu {
            from: "cp-1".into(),
            to: to.into(),
            mtu,
            local_mtu: Some(1500),
            detail: "measured".into(),
        };
        let answer = |name: &str, outcome: DnsOutcome, matches: Option<bool>| DnsServerAnswer {
            from: "cp-1".into(),
            server: "10.0.0.2:53".into(),
            name: name.into(),
            queried: format!("{name}."),
            expected: "10.0.0.11".into(),
            outcome,
            addresses: vec![],
            transport: "udp".into(),
            rtt_ms: Some(0.5),
            matches,
            detail: format!("{name}: {outcome:?}"),
        };
        let measured = NetworkMeasurements {
            from: vec!["cp-1".into()],
            path_mtu: vec![path("cp-2", Some(1500)), path("cp-3", Some(1500)), path("w-1", Some(1400))],
            dns_servers: vec![
                answer("cp-1", DnsOutcome::Answered, Some(true)),
                answer("w-1", DnsOutcome::NoSuchName, Some(false)),
            ],
            ..NetworkMeasurements::default()
        };
        let text = measurements_text(&measured, 100, false);
        // The common value is counted, the exception named.
        assert!(text.contains("1500 bytes (interface 1500): 2 path(s)\n"), "{text}");
        assert!(text.contains("1400 bytes (interface 1500): 1 path(s): cp-1 → w-1"), "{text}");
        assert!(text.contains("10.0.0.2:53 from cp-1: 1 of 2 names as declared"), "{text}");
        assert!(text.contains("w-1: w-1: NoSuchName") && !text.contains("cp-1: cp-1: Answered"), "{text}");
        let verbose = measurements_text(&measured, 100, true);
        assert!(verbose.contains("cp-1 → cp-2 (measured)") && verbose.contains("cp-1: cp-1: Answered"), "{verbose}");
    }
}
