//! `net matrix`: from one machine, over SSH, a responder on every node,
//! the checks from every node, bandwidth between workers, then the
//! responders stopped. The orchestration lives here, not in the binary;
//! the binary only shows progress and renders.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kubev_ha_model::Inventory;
use kubev_ha_model::{Bandwidth, NetworkMeasurements};
use kubev_ha_probe::{RemoteError, RemoteSession, SshOptions, SshTarget, run_remote};

use crate::check::merge;
use crate::wire::BANDWIDTH_PORT;
use kubev_ha_model::ServeReport;

/// What a matrix run does beyond the SSH settings.
#[derive(Debug, Clone)]
pub struct MatrixOptions {
    /// The deadline of every probe of `net check` on the nodes.
    pub probe_timeout: Duration,
    /// How long the responders may live at most (they are stopped sooner).
    pub responder_ttl: Duration,
    /// Worker-to-worker bandwidth, for this long, when asked.
    pub bandwidth: Option<Duration>,
    /// The port every node asks the declared DNS servers on.
    pub dns_port: u16,
}

/// Where a run is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A new phase began.
    Phase(&'static str),
    /// One node finished a step (started its responder, or checked).
    Step,
}

/// Runs the whole matrix. `inventory_text` is sent to every node as the
/// input of its `net check`; `binary` is this program, run on each node.
pub async fn run_matrix(
    inventory: &Inventory,
    inventory_text: &str,
    ssh: &SshOptions,
    binary: Vec<u8>,
    options: &MatrixOptions,
    progress: impl Fn(Progress) + Clone + Send + Sync + 'static,
) -> NetworkMeasurements {
    let targets: Vec<SshTarget> = inventory.nodes.iter().map(|n| SshTarget::of_node(n)).collect();
    let text: Arc<str> = inventory_text.into();
    let (ttl, probe_timeout, dns_port) = (options.responder_ttl, options.probe_timeout, options.dns_port);
    let binary = Arc::new(binary);
    let permits = Arc::new(tokio::sync::Semaphore::new(ssh.parallel.max(1)));
    // The responders listen on the rows the inventory's features turn on,
    // as the checks that probe them compute from the same inventory.
    let features: Vec<String> = kubev_ha_spec::Features::of(inventory).names().into_iter().map(String::from).collect();
    // 1. Responders on every node.
    progress(Progress::Phase("starting responders"));
    let mut starts = Vec::new();
    for target in targets.clone() {
        let node = inventory.node(&target.node).map(|n| n.value.clone());
        let (binary, ssh, permits, progress) = (binary.clone(), ssh.clone(), permits.clone(), progress.clone());
        let bandwidth = options.bandwidth.is_some();
        let features = features.clone();
        let node_name = target.node.clone();
        let task = tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let roles: Vec<String> = node.iter().flat_map(|n| n.roles.iter().map(|r| r.to_string())).collect();
            let mut argv: Vec<String> = vec!["net".into(), "serve".into(), "--name".into(), target.node.clone()];
            for r in roles {
                argv.push("--role".into());
                argv.push(r);
            }
            for f in features {
                argv.push("--feature".into());
                argv.push(f);
            }
            argv.extend(["--ttl".into(), format!("{}s", ttl.as_secs()), "--stop-on-eof".into(), "--json".into()]);
            if bandwidth && node.as_ref().is_some_and(|n| n.is_worker()) {
                argv.extend(["--bandwidth-port".into(), BANDWIDTH_PORT.to_string()]);
            }
            let result = async {
                let mut session = RemoteSession::start(&target, &ssh, &binary, &argv).await?;
                let line = session.line(ssh.timeout).await?;
                let report: ServeReport = serde_json::from_str(&line)
                    .map_err(|source| RemoteError::Unreadable { what: "responder report", source })?;
                Ok::<_, RemoteError>((session, report))
            }
            .await
            .map_err(|e| kubev_ha_model::chain(&e));
            progress(Progress::Step);
            result
        });
        starts.push((node_name, task));
    }
    let mut sessions: Vec<RemoteSession> = Vec::new();
    let mut reports: BTreeMap<String, ServeReport> = BTreeMap::new();
    let mut unreachable: BTreeMap<String, String> = BTreeMap::new();
    for (node, task) in starts {
        match task.await.unwrap_or_else(|e| Err(task_failure(e))) {
            Ok((session, report)) => {
                sessions.push(session);
                reports.insert(node, report);
            }
            Err(why) => {
                unreachable.insert(node, why);
            }
        }
    }

    // 2. Checks from every node that answered.
    progress(Progress::Phase("checking from every node"));
    let mut checks = Vec::new();
    for target in targets.iter().filter(|t| reports.contains_key(&t.node)).cloned() {
        let (binary, ssh, permits, progress, text) =
            (binary.clone(), ssh.clone(), permits.clone(), progress.clone(), text.clone());
        let node_name = target.node.clone();
        let task = tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let argv: Vec<String> = vec![
                "net".into(),
                "check".into(),
                "-".into(),
                "--from".into(),
                target.node.clone(),
                "--timeout".into(),
                format!("{}ms", probe_timeout.as_millis()),
                "--dns-port".into(),
                dns_port.to_string(),
                "--measurements-only".into(),
                // The remote side reads the same text from its stdin: let it
                // take what this side was allowed to read.
                "--max-input".into(),
                text.len().max(kubev_ha_model::DEFAULT_MAX_INPUT.as_u64() as usize).to_string(),
            ];
            let out = run_remote(&target, &ssh, &binary, &argv, text.as_bytes()).await;
            progress(Progress::Step);
            out.and_then(|o| {
                serde_json::from_slice::<NetworkMeasurements>(&o)
                    .map_err(|source| RemoteError::Unreadable { what: "check result", source })
            })
            .map_err(|e| kubev_ha_model::chain(&e))
        });
        checks.push((node_name, task));
    }
    let mut parts = Vec::new();
    for (node, task) in checks {
        match task.await.unwrap_or_else(|e| Err(task_failure(e))) {
            Ok(m) => parts.push(m),
            Err(why) => {
                unreachable.insert(node, why);
            }
        }
    }

    // 3. Bandwidth between workers: each to the next, over the migration
    //    network when its addresses are known.
    let mut bandwidth = Vec::new();
    let mut notes = Vec::new();
    if let Some(duration) = options.bandwidth {
        progress(Progress::Phase("measuring bandwidth"));
        let workers: Vec<&SshTarget> = targets
            .iter()
            .filter(|t| reports.contains_key(&t.node) && inventory.node(&t.node).is_some_and(|n| n.is_worker()))
            .collect();
        let cidr = inventory.migration_network().and_then(|m| m.cidr);
        for (i, from) in workers.iter().enumerate() {
            let Some(to) = workers.get((i + 1) % workers.len()).filter(|t| t.node != from.node) else { continue };
            let address = reports
                .get(&to.node)
                .and_then(|r| r.addresses.iter().find(|a| cidr.is_some_and(|c| c.contains(a))).map(|a| a.to_string()))
                .unwrap_or_else(|| to.host.clone());
            let argv: Vec<String> = vec![
                "net".into(),
                "bandwidth".into(),
                "--to".into(),
                // An IPv6 address needs its brackets before a port.
                match address.parse::<std::net::IpAddr>() {
                    Ok(ip) => std::net::SocketAddr::new(ip, BANDWIDTH_PORT).to_string(),
                    Err(_) => format!("{address}:{BANDWIDTH_PORT}"),
                },
                "--duration".into(),
                format!("{}s", duration.as_secs().max(1)),
                "--format".into(),
                "json".into(),
            ];
            match run_remote(from, ssh, &binary, &argv, &[])
                .await
                .and_then(|o| {
                    serde_json::from_slice::<Bandwidth>(&o)
                        .map_err(|source| RemoteError::Unreadable { what: "bandwidth result", source })
                })
                .map_err(|e| kubev_ha_model::chain(&e))
            {
                Ok(mut b) => {
                    b.from = from.node.clone();
                    b.to = to.node.clone();
                    bandwidth.push(b);
                }
                Err(why) => notes.push(format!("bandwidth {} → {} not measured: {why}", from.node, to.node)),
            }
        }
    }

    // 4. Stop the responders.
    progress(Progress::Phase("stopping responders"));
    for s in sessions {
        s.stop().await;
    }
    let mut all = merge(parts);
    all.unreachable.extend(unreachable);
    all.bandwidth = bandwidth;
    all.notes.extend(notes);
    all.taken = reports.iter().flat_map(|(node, r)| r.taken.iter().map(|t| t.on_node(node))).collect();
    all
}

/// Why a node's task gave no result: it panicked (or was cancelled). The
/// node is then reported unreachable with this reason, not left out.
fn task_failure(e: tokio::task::JoinError) -> String {
    kubev_ha_probe::task_failure("the task of this node", e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicked_node_task_is_a_reason_not_a_missing_node() {
        let e = tokio::spawn(async { panic!("bad report") }).await.unwrap_err();
        assert_eq!(task_failure(e), "internal error: the task of this node panicked: bad report");
    }
}
