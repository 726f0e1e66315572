//! `kubev-ha net serve`: the ports a responder took, and what it served.

use std::fmt::Write;
use std::time::Duration;

use kubev_ha_model::Interval;
use kubev_ha_model::{ServeReport, ServeStats};

/// What the responder listens on, what it could not take, and when it stops.
pub(crate) fn serving_text(report: &ServeReport, ttl: Duration, max_conns_asked: usize) -> String {
    let mut out = String::new();
    let ports: Vec<String> = report.listening.iter().map(|l| format!("{}/{}", l.port, l.protocol)).collect();
    let _ = writeln!(out, "kubev-ha net serve as {} on {} ports: {}", report.node, ports.len(), ports.join(" "));
    for t in &report.taken {
        let _ = writeln!(
            out,
            "  could not take {}/{} ({}): {}{}",
            t.port,
            t.protocol,
            t.component,
            t.error,
            t.holder.as_deref().map(|h| format!(", held by {h}")).unwrap_or_default()
        );
    }
    if let Some(p) = report.bandwidth_port {
        let _ = writeln!(out, "  bandwidth sink on {p}/tcp");
    }
    let _ = writeln!(
        out,
        "  stops by itself in {} (at most {} connections at once{}; Ctrl-C stops it now)",
        Interval::from_secs(ttl.as_secs()),
        report.max_conns,
        if report.max_conns < max_conns_asked {
            format!(", not the {max_conns_asked} asked for: the open-file limit leaves no more room")
        } else {
            String::new()
        }
    );
    out
}

/// The closing line, for standard error once the responder stopped.
pub fn stopped_text(stats: &ServeStats) -> String {
    format!(
        "kubev-ha net serve: stopped; {} connections answered, {} refused over the limit, {} datagrams answered",
        stats.connections, stats.refused_over_limit, stats.datagrams_answered
    )
}

#[cfg(test)]
mod tests {
    use kubev_ha_model::{Listened, Taken};
    use kubev_ha_spec::Protocol;

    use super::*;

    #[test]
    fn serve_text_names_the_ports_the_holder_and_a_lowered_connection_limit() {
        let report = ServeReport {
            node: "w-1".into(),
            addresses: vec![],
            listening: vec![Listened { port: 10250, protocol: Protocol::Tcp, component: "kubelet".into() }],
            taken: vec![Taken {
                port: 22,
                protocol: Protocol::Tcp,
                component: "ssh".into(),
                holder: Some("sshd (pid 812)".into()),
                error: "address in use".into(),
            }],
            bandwidth_port: Some(7777),
            max_conns: 64,
        };
        let text = serving_text(&report, Duration::from_secs(600), 256);
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "kubev-ha net serve as w-1 on 1 ports: 10250/tcp",
                "  could not take 22/tcp (ssh): address in use, held by sshd (pid 812)",
                "  bandwidth sink on 7777/tcp",
                &format!(
                    "  stops by itself in {} (at most 64 connections at once, not the 256 asked for: the open-file limit leaves no more room; Ctrl-C stops it now)",
                    Interval::from_secs(600)
                ),
            ]
        );
        let stats = ServeStats { connections: 3, refused_over_limit: 1, datagrams_answered: 2, bandwidth_bytes: 0 };
        assert_eq!(
            stopped_text(&stats),
            "kubev-ha net serve: stopped; 3 connections answered, 1 refused over the limit, 2 datagrams answered"
        );
    }
}
