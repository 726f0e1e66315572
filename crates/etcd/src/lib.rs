//! Asks a running etcd cluster what state it is in: its members, whether
//! each answers a linearizable read within a deadline, alarms, and from
//! each member's /metrics the WAL fsync and backend commit p99, leader
//! changes and whether it has a leader.
//!
//! It speaks etcd's JSON gateway (grpc-gateway, `POST /v3/...` on the
//! client port, served by every etcd since 3.3) rather than gRPC, so the
//! build needs no protoc and no generated code; TLS with client
//! certificates, as kubeadm's etcd requires, goes through rustls.
//! int64 and uint64 fields come as JSON strings, and keys as base64.

pub mod metrics;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubev_ha_model::measure::{EtcdHealth, EtcdMember, EtcdStatus};
use serde::Deserialize;
use serde_json::{Value, json};

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct EtcdConfig {
    pub endpoints: Vec<String>,
    pub cacert: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    /// Every request's deadline; a member that does not answer by then is down.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum EtcdError {
    #[error("cannot read {path}: {error}")]
    File { path: PathBuf, error: std::io::Error },
    #[error("{path} holds no usable {what}")]
    Pem { path: PathBuf, what: &'static str },
    #[error("`{0}` is not an endpoint: expected http://HOST:PORT or https://HOST:PORT")]
    Endpoint(String),
    #[error("--cert and --key go together")]
    HalfAPair,
    #[error("no endpoint answered: {0}")]
    NothingAnswered(String),
}

/// `/v3/maintenance/status`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct StatusResponse {
    header: Header,
    version: String,
    #[serde(rename = "dbSize")]
    db_size: Option<String>,
    leader: Option<String>,
    #[serde(rename = "raftIndex")]
    raft_index: Option<String>,
    #[serde(rename = "raftTerm")]
    raft_term: Option<String>,
    errors: Vec<String>,
    #[serde(rename = "isLearner")]
    is_learner: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct Header {
    member_id: Option<String>,
}

/// `/v3/cluster/member/list`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct MemberList {
    members: Vec<ListedMember>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
struct ListedMember {
    #[serde(rename = "ID")]
    id: String,
    name: String,
    #[serde(rename = "peerURLs")]
    peer_urls: Vec<String>,
    #[serde(rename = "clientURLs")]
    client_urls: Vec<String>,
    #[serde(rename = "isLearner")]
    is_learner: bool,
}

/// What one endpoint said.
#[derive(Debug, Default)]
struct EndpointReport {
    endpoint: String,
    status: Option<StatusResponse>,
    members: Option<Vec<ListedMember>>,
    read: Option<Result<f64, String>>,
    alarms: Vec<String>,
    metrics: Option<metrics::Metrics>,
    error: Option<String>,
}

/// The key etcdctl's `endpoint health` reads: "health", base64-encoded.
const HEALTH_KEY_BASE64: &str = "aGVhbHRo";

/// Member IDs as etcdctl prints them: hexadecimal.
fn hex_id(decimal: &str) -> String {
    decimal.parse::<u64>().map(|id| format!("{id:x}")).unwrap_or_else(|_| decimal.to_string())
}

fn normalise(url: &str) -> String {
    url.trim_end_matches('/').to_ascii_lowercase()
}

fn read_file(path: &PathBuf) -> Result<Vec<u8>, EtcdError> {
    std::fs::read(path).map_err(|error| EtcdError::File { path: path.clone(), error })
}

fn agent(config: &EtcdConfig) -> Result<ureq::Agent, EtcdError> {
    use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
    let mut tls = TlsConfig::builder();
    if let Some(path) = &config.cacert {
        let pem = read_file(path)?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(c)) => Some(c.to_owned()),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(EtcdError::Pem { path: path.clone(), what: "CA certificate" });
        }
        tls = tls.root_certs(RootCerts::new_with_certs(&certs));
    }
    match (&config.cert, &config.key) {
        (Some(cert), Some(key)) => {
            let pem = read_file(cert)?;
            let chain: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|i| match i {
                    Ok(PemItem::Certificate(c)) => Some(c.to_owned()),
                    _ => None,
                })
                .collect();
            if chain.is_empty() {
                return Err(EtcdError::Pem { path: cert.clone(), what: "certificate" });
            }
            let key_pem = read_file(key)?;
            let private = PrivateKey::from_pem(&key_pem)
                .map_err(|_| EtcdError::Pem { path: key.clone(), what: "private key" })?;
            tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, private.to_owned())));
        }
        (None, None) => {}
        _ => return Err(EtcdError::HalfAPair),
    }
    let cfg = ureq::Agent::config_builder()
        .timeout_global(Some(config.timeout))
        .http_status_as_error(false)
        .tls_config(tls.build())
        .build();
    Ok(ureq::Agent::new_with_config(cfg))
}

fn post(agent: &ureq::Agent, endpoint: &str, path: &str, body: Value) -> Result<Value, String> {
    let mut response =
        agent.post(&format!("{}{path}", endpoint.trim_end_matches('/'))).send_json(body).map_err(|e| describe(&e))?;
    let status = response.status();
    let value: Value = response.body_mut().read_json().map_err(|e| describe(&e))?;
    if !status.is_success() {
        let message = value.get("message").or(value.get("error")).and_then(Value::as_str).unwrap_or("no message");
        return Err(format!("HTTP {}: {message}", status.as_u16()));
    }
    Ok(value)
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "no answer within the deadline".to_string(),
        ureq::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

fn ask(agent: &ureq::Agent, endpoint: &str) -> EndpointReport {
    let mut report = EndpointReport { endpoint: endpoint.to_string(), ..EndpointReport::default() };
    match post(agent, endpoint, "/v3/maintenance/status", json!({})) {
        Ok(v) => report.status = serde_json::from_value(v).ok(),
        Err(e) => {
            report.error = Some(e);
            return report;
        }
    }
    report.members = post(agent, endpoint, "/v3/cluster/member/list", json!({}))
        .ok()
        .and_then(|v| serde_json::from_value::<MemberList>(v).ok())
        .map(|l| l.members);
    // A linearizable read goes through the leader and needs quorum: the
    // same check as `etcdctl endpoint health`.
    let started = Instant::now();
    report.read = Some(
        post(agent, endpoint, "/v3/kv/range", json!({ "key": HEALTH_KEY_BASE64, "serializable": false }))
            .map(|_| started.elapsed().as_secs_f64() * 1000.0),
    );
    if let Ok(v) = post(agent, endpoint, "/v3/maintenance/alarm", json!({ "action": "GET" })) {
        for alarm in v.get("alarms").and_then(Value::as_array).into_iter().flatten() {
            let kind = alarm.get("alarm").and_then(Value::as_str).unwrap_or("NONE");
            if kind != "NONE" {
                let member = alarm.get("memberID").and_then(Value::as_str).map(hex_id).unwrap_or_default();
                report.alarms.push(format!("{kind} on member {member}"));
            }
        }
    }
    report.metrics = agent
        .get(&format!("{}/metrics", endpoint.trim_end_matches('/')))
        .call()
        .ok()
        .and_then(|mut r| r.body_mut().read_to_string().ok())
        .map(|text| metrics::parse(&text));
    report
}

/// Asks every endpoint at once and puts the answers together.
pub fn inspect(config: &EtcdConfig) -> Result<EtcdStatus, EtcdError> {
    for e in &config.endpoints {
        if !(e.starts_with("http://") || e.starts_with("https://")) || e.len() < 10 {
            return Err(EtcdError::Endpoint(e.clone()));
        }
    }
    let agent = agent(config)?;
    let reports: Vec<EndpointReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = config.endpoints.iter().map(|e| scope.spawn(|| ask(&agent, e))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });

    let mut unreachable = BTreeMap::new();
    for r in &reports {
        if let Some(e) = &r.error {
            unreachable.insert(r.endpoint.clone(), e.clone());
        }
    }
    if unreachable.len() == reports.len() {
        let all: Vec<String> = unreachable.iter().map(|(e, why)| format!("{e}: {why}")).collect();
        return Err(EtcdError::NothingAnswered(all.join("; ")));
    }

    let listed: Vec<ListedMember> = reports.iter().find_map(|r| r.members.clone()).unwrap_or_default();
    let leader = reports.iter().find_map(|r| r.status.as_ref().and_then(|s| s.leader.clone())).filter(|l| l != "0");
    let mut members: Vec<EtcdMember> = listed
        .iter()
        .map(|m| {
            let urls: Vec<String> = m.client_urls.iter().map(|u| normalise(u)).collect();
            // The endpoint this member answered on: by the member ID in the
            // status header, else by a matching client URL.
            let answered = reports
                .iter()
                .find(|r| r.status.as_ref().and_then(|s| s.header.member_id.as_deref()) == Some(m.id.as_str()));
            let by_url = reports.iter().find(|r| urls.contains(&normalise(&r.endpoint)));
            let report = answered.or(by_url);
            let status = report.and_then(|r| r.status.as_ref());
            let health = match report {
                None => EtcdHealth::NotProbed,
                Some(r) if r.error.is_some() => EtcdHealth::Down { reason: r.error.clone().unwrap_or_default() },
                Some(r) => match &r.read {
                    Some(Ok(ms)) => EtcdHealth::Healthy { read_ms: *ms },
                    Some(Err(e)) => EtcdHealth::Unhealthy { reason: format!("linearizable read failed: {e}") },
                    None => EtcdHealth::Unhealthy { reason: "no read attempted".into() },
                },
            };
            let metrics = report.and_then(|r| r.metrics.as_ref());
            EtcdMember {
                id: hex_id(&m.id),
                name: m.name.clone(),
                peer_urls: m.peer_urls.clone(),
                client_urls: m.client_urls.clone(),
                is_learner: m.is_learner || status.is_some_and(|s| s.is_learner),
                endpoint: report.map(|r| r.endpoint.clone()),
                health,
                version: status.map(|s| s.version.clone()).filter(|v| !v.is_empty()),
                db_size: status.and_then(|s| s.db_size.as_deref()).and_then(|v| v.parse().ok()),
                raft_term: status.and_then(|s| s.raft_term.as_deref()).and_then(|v| v.parse().ok()),
                raft_index: status.and_then(|s| s.raft_index.as_deref()).and_then(|v| v.parse().ok()),
                is_leader: leader.as_deref() == Some(m.id.as_str()),
                wal_fsync_p99_ms: metrics.and_then(|x| x.wal_fsync_p99_ms),
                backend_commit_p99_ms: metrics.and_then(|x| x.backend_commit_p99_ms),
                leader_changes: metrics.and_then(|x| x.leader_changes),
                has_leader: metrics.and_then(|x| x.has_leader),
            }
        })
        .collect();
    members.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut alarms: Vec<String> = reports.iter().flat_map(|r| r.alarms.clone()).collect();
    alarms.sort();
    alarms.dedup();
    let errors: Vec<String> = reports.iter().filter_map(|r| r.status.as_ref()).flat_map(|s| s.errors.clone()).collect();
    alarms.extend(errors.into_iter().map(|e| format!("member error: {e}")));
    Ok(EtcdStatus { endpoints: config.endpoints.clone(), members, alarms, unreachable })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_as_etcdctl_does() {
        assert_eq!(hex_id("10276657743932975437"), "8e9e05c52164694d");
        assert_eq!(hex_id("x"), "x");
    }

    #[test]
    fn the_health_key_is_base64() {
        // "health" in base64, as the JSON gateway wants bytes fields.
        assert_eq!(HEALTH_KEY_BASE64, "aGVhbHRo");
    }

    #[test]
    fn refuses_bad_endpoints_before_connecting() {
        let config = EtcdConfig {
            endpoints: vec!["localhost:2379".into()],
            cacert: None,
            cert: None,
            key: None,
            timeout: Duration::from_secs(1),
        };
        assert!(matches!(inspect(&config), Err(EtcdError::Endpoint(_))));
    }
}
