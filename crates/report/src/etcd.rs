//! `kubev-ha etcd`: the members table, one row per member, and the
//! endpoints that did not answer.

use comfy_table::{ColumnConstraint, ContentArrangement, Table, Width, presets::UTF8_FULL_CONDENSED};
use kubev_ha_model::ByteSize;
use kubev_ha_model::{EtcdHealth, EtcdMember, EtcdStatus};

/// Two tables in `width` columns: who the members are (role, health and
/// client URLs; with `verbose` also the member ID and the peer URLs), then
/// their raft position and latency metrics; then each unreachable endpoint.
///
/// One table of every column is far wider than a terminal, and squeezing
/// it breaks URLs in the middle, so the columns are split in two and a URL
/// is never wrapped: it is what a reader copies.
pub(crate) fn members_table(status: &EtcdStatus, width: u16, verbose: bool) -> String {
    let mut who = table(width);
    let mut header = vec!["member"];
    if verbose {
        header.push("id");
    }
    header.extend(["role", "health", if verbose { "client / peer URLs" } else { "client URLs" }]);
    who.set_header(header);
    let mut raft = table(width);
    raft.set_header(vec![
        "member",
        "version",
        "db size",
        "term / index",
        "has\nleader",
        "wal fsync\np99",
        "commit\np99",
        "leader\nchanges",
    ]);
    let ms = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.2} ms"));
    for m in &status.members {
        let health = match &m.health {
            EtcdHealth::Healthy { read_ms } => format!("healthy ({read_ms:.1} ms)"),
            EtcdHealth::Unhealthy { reason } => format!("unhealthy: {reason}"),
            EtcdHealth::Down { reason } => format!("down: {reason}"),
            EtcdHealth::NotProbed => "not probed".into(),
        };
        let role = match (m.is_leader, m.is_learner) {
            (true, _) => "leader",
            (_, true) => "learner",
            _ => "follower",
        };
        let mut row = vec![m.name.clone()];
        if verbose {
            row.push(m.id.clone());
        }
        row.extend([role.to_string(), health, urls(m, verbose)]);
        who.add_row(row);
        raft.add_row(vec![
            m.name.clone(),
            m.version.clone().unwrap_or_else(|| "-".into()),
            m.db_size.map_or("-".into(), |b| ByteSize::bytes(b).human()),
            format!(
                "{} / {}",
                m.raft_term.map_or("-".into(), |v| v.to_string()),
                m.raft_index.map_or("-".into(), |v| v.to_string())
            ),
            m.has_leader.map_or("-", |h| if h { "yes" } else { "no" }).into(),
            ms(m.wal_fsync_p99_ms),
            ms(m.backend_commit_p99_ms),
            m.leader_changes.map_or("-".into(), |v| format!("{v:.0}")),
        ]);
    }
    // The member's name, its ID and its URLs are what a reader copies.
    keep_whole(&mut who, width, if verbose { &[0, 1, 4] } else { &[0, 3] });
    keep_whole(&mut raft, width, &[0]);
    let mut out = format!("{who}\n{raft}\n");
    for (endpoint, why) in &status.unreachable {
        out.push_str(&format!("unreachable: {endpoint}: {why}\n"));
    }
    out
}

fn table(width: u16) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    t
}

/// Gives each column of `whole` the width of its longest line, so the
/// other columns wrap instead, at spaces; unless that leaves the others
/// narrower than their longest word, where fitting `width` comes first.
fn keep_whole(t: &mut Table, width: u16, whole: &[usize]) {
    let widths: Vec<usize> = (0..t.column_count()).map(|c| least_width(t, c, !whole.contains(&c))).collect();
    // Every column pays its padding and one border; the table one more.
    let needed: usize = 1 + widths.iter().map(|w| w + 3).sum::<usize>();
    if needed > usize::from(width) {
        return;
    }
    for &column in whole {
        let w = widths.get(column).and_then(|w| u16::try_from(w + 2).ok());
        if let (Some(w), Some(c)) = (w, t.column_mut(column)) {
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(w)));
        }
    }
}

/// The characters `column` needs without breaking a line (or, with
/// `by_word`, without breaking a word), header included.
fn least_width(t: &Table, column: usize, by_word: bool) -> usize {
    let rows = t.header().into_iter().chain(t.row_iter());
    let lines = rows
        .filter_map(|r| r.cell_iter().nth(column))
        .flat_map(|c| c.content().lines().map(str::to_string).collect::<Vec<_>>());
    let count = |s: &str| s.chars().count();
    if by_word {
        lines.map(|l| l.split_whitespace().map(count).max().unwrap_or(0)).max().unwrap_or(0)
    } else {
        lines.map(|l| count(&l)).max().unwrap_or(0)
    }
}

/// The member's client URLs (and with `verbose` its peer URLs), one per
/// line, and the endpoint it was reached by when that is none of its
/// client URLs (a load balancer, a tunnel).
fn urls(m: &EtcdMember, verbose: bool) -> String {
    let mut lines: Vec<String> = if verbose {
        let clients = m.client_urls.iter().map(|u| format!("client {u}"));
        clients.chain(m.peer_urls.iter().map(|u| format!("peer {u}"))).collect()
    } else {
        m.client_urls.clone()
    };
    if let Some(e) = m.endpoint.as_deref().filter(|e| {
        !m.client_urls.iter().any(|u| kubev_ha_model::url::normalise(u) == kubev_ha_model::url::normalise(e))
    }) {
        lines.push(format!("asked at {e}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn member(name: &str, endpoint: Option<&str>) -> EtcdMember {
        EtcdMember {
            id: "8e9e05c52164694d".into(),
            name: name.into(),
            peer_urls: vec![format!("http://{name}:2380")],
            client_urls: vec![format!("http://{name}:2379")],
            is_learner: false,
            endpoint: endpoint.map(str::to_string),
            health: EtcdHealth::Healthy { read_ms: 1.25 },
            version: Some("3.5.21".into()),
            db_size: None,
            raft_term: Some(4),
            raft_index: None,
            is_leader: true,
            wal_fsync_p99_ms: Some(2.5),
            backend_commit_p99_ms: None,
            leader_changes: Some(1.0),
            has_leader: Some(true),
        }
    }

    /// Three members as kubeadm writes them: https, IP addresses, the
    /// health of a member that timed out.
    fn kubeadm_status() -> EtcdStatus {
        let mut members: Vec<EtcdMember> = (1..=3)
            .map(|i| {
                let mut m = member(&format!("cp-{i}.example.internal"), Some(&format!("https://10.0.0.1{i}:2379")));
                m.client_urls = vec![format!("https://10.0.0.1{i}:2379")];
                m.peer_urls = vec![format!("https://10.0.0.1{i}:2380")];
                m.db_size = Some(21_000_000);
                m.raft_index = Some(1_234_567);
                m.backend_commit_p99_ms = Some(12.5);
                m
            })
            .collect();
        members[2].health = EtcdHealth::Down { reason: "context deadline exceeded after 5 s".into() };
        EtcdStatus { endpoints: vec![], members, alarms: vec![], unreachable: BTreeMap::new() }
    }

    #[test]
    fn etcd_members_table_fits_the_width_without_breaking_urls() {
        let status = kubeadm_status();
        for verbose in [false, true] {
            let table = members_table(&status, 100, verbose);
            for line in table.lines() {
                assert!(line.chars().count() <= 100, "{} columns:\n{line}\n{table}", line.chars().count());
            }
            // A URL, a name or an ID is copied from the table: each stays on one line.
            assert_eq!(table.contains("8e9e05c52164694d"), verbose, "{table}");
            for i in 1..=3 {
                assert!(table.contains(&format!("cp-{i}.example.internal")), "{table}");
                assert!(table.contains(&format!("https://10.0.0.1{i}:2379")), "{table}");
                assert_eq!(table.contains(&format!("https://10.0.0.1{i}:2380")), verbose, "{table}");
            }
        }
    }

    #[test]
    fn etcd_members_table_shows_each_member_and_who_did_not_answer() {
        let status = EtcdStatus {
            endpoints: vec!["http://cp-1:2379".into()],
            members: vec![member("cp-1", Some("HTTP://CP-1:2379/")), member("cp-2", Some("http://lb:2379"))],
            alarms: vec![],
            unreachable: BTreeMap::from([("http://cp-3:2379".into(), "connection refused".into())]),
        };
        let table = members_table(&status, 400, true);
        for cell in ["healthy (1.2 ms)", "3.5.21", "4 / -", "leader", "2.50 ms", "client http://cp-1:2379"] {
            assert!(table.contains(cell), "{cell} missing from\n{table}");
        }
        // The same URL written differently is no other endpoint; a load balancer is.
        assert!(!table.contains("asked at HTTP://CP-1"), "{table}");
        assert!(table.contains("asked at http://lb:2379"), "{table}");
        assert!(table.ends_with("unreachable: http://cp-3:2379: connection refused\n"), "{table}");
    }
}
