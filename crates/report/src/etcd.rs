//! `kubev-ha etcd`: the members table, one row per member, and the
//! endpoints that did not answer.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use kubev_ha_model::ByteSize;
use kubev_ha_model::{EtcdHealth, EtcdMember, EtcdStatus};

/// Every member's URLs, health, version, size, raft position, role and
/// latency metrics, in `width` columns; then each unreachable endpoint.
pub fn members_table(status: &EtcdStatus, width: u16) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_width(width).set_header(
        vec![
            "member",
            "id",
            "client / peer URLs",
            "health",
            "version",
            "db size",
            "term / index",
            "role",
            "has leader",
            "wal fsync p99",
            "commit p99",
            "leader changes",
        ],
    );
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
        t.add_row(vec![
            m.name.clone(),
            m.id.clone(),
            urls(m),
            health,
            m.version.clone().unwrap_or_else(|| "-".into()),
            m.db_size.map_or("-".into(), |b| ByteSize::bytes(b).human()),
            format!(
                "{} / {}",
                m.raft_term.map_or("-".into(), |v| v.to_string()),
                m.raft_index.map_or("-".into(), |v| v.to_string())
            ),
            role.into(),
            m.has_leader.map_or("-", |h| if h { "yes" } else { "no" }).into(),
            ms(m.wal_fsync_p99_ms),
            ms(m.backend_commit_p99_ms),
            m.leader_changes.map_or("-".into(), |v| format!("{v:.0}")),
        ]);
    }
    let mut out = format!("{t}\n");
    for (endpoint, why) in &status.unreachable {
        out.push_str(&format!("unreachable: {endpoint}: {why}\n"));
    }
    out
}

/// The member's client and peer URLs, one per line, and the endpoint it
/// was reached by when that is none of its client URLs (a load balancer,
/// a tunnel).
fn urls(m: &EtcdMember) -> String {
    let mut lines: Vec<String> = m.client_urls.iter().map(|u| format!("client {u}")).collect();
    lines.extend(m.peer_urls.iter().map(|u| format!("peer {u}")));
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

    #[test]
    fn etcd_members_table_shows_each_member_and_who_did_not_answer() {
        let status = EtcdStatus {
            endpoints: vec!["http://cp-1:2379".into()],
            members: vec![member("cp-1", Some("HTTP://CP-1:2379/")), member("cp-2", Some("http://lb:2379"))],
            alarms: vec![],
            unreachable: BTreeMap::from([("http://cp-3:2379".into(), "connection refused".into())]),
        };
        let table = members_table(&status, 400);
        for cell in ["healthy (1.2 ms)", "3.5.21", "4 / -", "leader", "2.50 ms", "client http://cp-1:2379"] {
            assert!(table.contains(cell), "{cell} missing from\n{table}");
        }
        // The same URL written differently is no other endpoint; a load balancer is.
        assert!(!table.contains("asked at HTTP://CP-1"), "{table}");
        assert!(table.contains("asked at http://lb:2379"), "{table}");
        assert!(table.ends_with("unreachable: http://cp-3:2379: connection refused\n"), "{table}");
    }
}
