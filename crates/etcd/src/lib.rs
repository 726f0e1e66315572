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

#![warn(missing_docs, unreachable_pub)]

mod metrics;

// The public API is the items of this file and this re-export (metrics is
// a private module); callers name them by the crate root.
pub use metrics::{Metrics, parse as parse_metrics};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubev_ha_model::{EtcdHealth, EtcdMember, EtcdStatus};
// Members are matched by URL in the model's one normal form.
use kubev_ha_model::url::normalise;
use serde::Deserialize;
use serde_json::{Value, json};

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct EtcdConfig {
    /// The client URLs to ask (`https://10.0.0.1:2379`).
    pub endpoints: Vec<String>,
    /// The CA bundle that signs the members' server certificates; the TLS library's default roots (not
    /// the cluster's CA) when `None`.
    pub cacert: Option<PathBuf>,
    /// The client certificate (PEM), for members that require one (kubeadm's do); goes with `key`.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
    /// Every request's deadline; a member that does not answer by then is down.
    pub timeout: Duration,
    /// After reading the member list, also ask the members none of the
    /// endpoints reached at their advertised client URLs, as
    /// `etcdctl --cluster` does.
    pub discover: bool,
}

/// At most this many advertised client URLs are asked in discovery: etcd
/// advises at most 7 members, so a longer list is not a cluster to walk.
const MAX_DISCOVERED_URLS: usize = 32;

/// Why the cluster could not be asked at all (a member that does not answer is a result, not an
/// error).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EtcdError {
    /// A certificate or key file could not be read.
    #[error("cannot read {path}")]
    File {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A certificate or key file holds no PEM item of the kind expected.
    #[error("{path} holds no usable {what}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What it should hold (`CA certificate`, `certificate`, `private key`).
        what: &'static str,
    },
    /// An endpoint is not an `http://` or `https://` URL.
    #[error("`{0}` is not an endpoint: expected http://HOST:PORT or https://HOST:PORT")]
    Endpoint(String),
    /// Only one of the client certificate and its key was given.
    #[error("--cert and --key go together")]
    HalfAPair,
    /// Not one endpoint answered; each endpoint with its reason, joined.
    #[error("no endpoint answered: {0}")]
    #[diagnostic(help(
        "is etcd listening there? With TLS, give --cacert, --cert and --key (kubeadm's etcd asks for a client certificate)"
    ))]
    NothingAnswered(String),
}

/// Why one request to one endpoint failed. An endpoint that failed keeps
/// its error as text in the report (`unreachable`, a member's health), so
/// these are what those texts say.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RequestError {
    /// No answer within `--timeout`.
    #[error("no answer within the deadline")]
    Timeout,
    /// The connection failed (refused, reset, unreadable body).
    #[error(transparent)]
    Io(std::io::Error),
    /// The HTTP exchange failed (TLS, protocol).
    #[error(transparent)]
    Http(ureq::Error),
    /// etcd answered with an error status; `message` is the gateway's
    /// `message` (or `error`) field.
    #[error("HTTP {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// What etcd said.
        message: String,
    },
    /// The thread asking this endpoint panicked (a bug); its message.
    #[error("internal error: the probe of this endpoint panicked: {0}")]
    Panicked(String),
}

impl RequestError {
    /// HTTP 503: etcd refuses while a leader election is under way (gRPC
    /// Unavailable, "leader changed", "no leader").
    pub(crate) fn is_unavailable(&self) -> bool {
        matches!(self, RequestError::Status { status: 503, .. })
    }
}

impl From<ureq::Error> for RequestError {
    fn from(e: ureq::Error) -> Self {
        match e {
            ureq::Error::Timeout(_) => RequestError::Timeout,
            ureq::Error::Io(io) => RequestError::Io(io),
            other => RequestError::Http(other),
        }
    }
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
    read: Option<Result<f64, RequestError>>,
    alarms: Vec<String>,
    metrics: Option<metrics::Metrics>,
    error: Option<RequestError>,
}

impl EndpointReport {
    /// Why the endpoint could not be asked, as the report says it.
    fn reason(&self) -> Option<String> {
        self.error.as_ref().map(|e| kubev_ha_model::chain(e))
    }
}

/// The key etcdctl's `endpoint health` reads: "health", base64-encoded.
const HEALTH_KEY_BASE64: &str = "aGVhbHRo";

/// Member IDs as etcdctl prints them: hexadecimal.
fn hex_id(decimal: &str) -> String {
    decimal.parse::<u64>().map(|id| format!("{id:x}")).unwrap_or_else(|_| decimal.to_string())
}

fn read_file(path: &PathBuf) -> Result<Vec<u8>, EtcdError> {
    std::fs::read(path).map_err(|source| EtcdError::File { path: path.clone(), source })
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

fn post(agent: &ureq::Agent, endpoint: &str, path: &str, body: Value) -> Result<Value, RequestError> {
    let mut response = agent.post(&format!("{}{path}", endpoint.trim_end_matches('/'))).send_json(body)?;
    let status = response.status();
    let value: Value = response.body_mut().read_json()?;
    if !status.is_success() {
        let message = value.get("message").or(value.get("error")).and_then(Value::as_str).unwrap_or("no message");
        return Err(RequestError::Status { status: status.as_u16(), message: message.to_string() });
    }
    Ok(value)
}

/// A linearizable read goes through the leader and needs quorum: the same
/// check as `etcdctl endpoint health`. Its latency is that of the read
/// that answered.
///
/// While a leader election is under way etcd refuses reads with HTTP 503
/// (gRPC Unavailable: "leader changed", "no leader"); an election takes
/// about one election timeout (1 s by default), so a refused read is
/// tried again until `deadline` has passed instead of being taken for lost
/// quorum. Without quorum the refusals go on and the last one is reported.
fn linearizable_read(agent: &ureq::Agent, endpoint: &str, deadline: Duration) -> Result<f64, RequestError> {
    const PAUSE: Duration = Duration::from_millis(100);
    let until = Instant::now() + deadline;
    loop {
        let started = Instant::now();
        match post(agent, endpoint, "/v3/kv/range", json!({ "key": HEALTH_KEY_BASE64, "serializable": false })) {
            Ok(_) => return Ok(started.elapsed().as_secs_f64() * 1000.0),
            Err(e) if e.is_unavailable() && Instant::now() + PAUSE < until => std::thread::sleep(PAUSE),
            Err(e) => return Err(e),
        }
    }
}

/// The report of the thread that asked `endpoint`; a thread that panicked
/// leaves a failed endpoint, not a missing one.
fn joined(endpoint: &str, result: std::thread::Result<EndpointReport>) -> EndpointReport {
    result.unwrap_or_else(|payload| EndpointReport {
        endpoint: endpoint.to_string(),
        error: Some(RequestError::Panicked(kubev_ha_model::panic_message(payload.as_ref()))),
        ..EndpointReport::default()
    })
}

fn ask(agent: &ureq::Agent, endpoint: &str, deadline: Duration) -> EndpointReport {
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
    report.read = Some(linearizable_read(agent, endpoint, deadline));
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

/// Asks every endpoint at once and puts the answers together; with
/// `discover`, then asks the members the endpoints did not reach at their
/// advertised client URLs, with the same agent (deadline and TLS).
pub fn inspect(config: &EtcdConfig) -> Result<EtcdStatus, EtcdError> {
    for e in &config.endpoints {
        if !is_endpoint(e) {
            return Err(EtcdError::Endpoint(e.clone()));
        }
    }
    let agent = agent(config)?;
    let ask_all = |endpoints: &[String]| -> Vec<EndpointReport> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = endpoints.iter().map(|e| scope.spawn(|| ask(&agent, e, config.timeout))).collect();
            endpoints.iter().zip(handles).map(|(e, h)| joined(e, h.join())).collect()
        })
    };
    let mut reports = ask_all(&config.endpoints);
    if reports.iter().all(|r| r.error.is_some()) {
        let all: Vec<String> =
            reports.iter().map(|r| format!("{}: {}", r.endpoint, r.reason().unwrap_or_default())).collect();
        return Err(EtcdError::NothingAnswered(all.join("; ")));
    }

    let listed: Vec<ListedMember> = reports.iter().find_map(|r| r.members.clone()).unwrap_or_default();
    if config.discover {
        // A member's URLs are asked side by side, so a member advertising
        // an address unreachable from here costs one deadline, not one
        // per URL; the URLs it advertises are the member's word, so only
        // well-formed ones are asked.
        let mut more: Vec<String> = unasked(&listed, &reports)
            .iter()
            .flat_map(|m| m.client_urls.iter())
            .filter(|u| is_endpoint(u))
            .map(|u| normalise(u))
            .collect();
        more.sort();
        more.dedup();
        more.truncate(MAX_DISCOVERED_URLS);
        reports.extend(ask_all(&more));
    }

    let mut unreachable = BTreeMap::new();
    for r in &reports {
        if let Some(e) = r.reason() {
            unreachable.insert(r.endpoint.clone(), e);
        }
    }
    let leader = leader_of(&reports);
    let mut members: Vec<EtcdMember> = listed
        .iter()
        .map(|m| {
            let urls: Vec<String> = m.client_urls.iter().map(|u| normalise(u)).collect();
            // The endpoint this member answered on: by the member ID in the
            // status header, else by a matching client URL.
            let answered = reports
                .iter()
                .find(|r| r.status.as_ref().and_then(|s| s.header.member_id.as_deref()) == Some(m.id.as_str()));
            let by_url =
                reports.iter().filter(|r| urls.contains(&normalise(&r.endpoint))).min_by_key(|r| r.error.is_some());
            let report = answered.or(by_url);
            let status = report.and_then(|r| r.status.as_ref());
            let health = match report {
                // A member publishes its client URLs once it has started
                // and joined; one without any has never served (etcdctl
                // lists it as "unstarted").
                None if m.client_urls.is_empty() => EtcdHealth::Down {
                    reason: "advertises no client URL: the member was added but never started".into(),
                },
                None => EtcdHealth::NotProbed,
                Some(r) if r.error.is_some() => EtcdHealth::Down { reason: r.reason().unwrap_or_default() },
                Some(r) => match &r.read {
                    Some(Ok(ms)) => EtcdHealth::Healthy { read_ms: *ms },
                    Some(Err(e)) => EtcdHealth::Unhealthy {
                        reason: format!("linearizable read failed: {}", kubev_ha_model::chain(e)),
                    },
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

/// The leader the answering members name, taken from the newest raft
/// term in which any of them names one. Raft elects at most one leader per
/// term, so members that name a leader in the same term agree; a member
/// cut off from its peers names none ("0"), or an old leader in an older
/// term, and must not hide the one the others follow. Within a term the
/// most-named leader wins, should answers ever disagree.
fn leader_of(reports: &[EndpointReport]) -> Option<String> {
    let mut votes: BTreeMap<(u64, &str), usize> = BTreeMap::new();
    for status in reports.iter().filter_map(|r| r.status.as_ref()) {
        let Some(leader) = status.leader.as_deref().filter(|l| !l.is_empty() && *l != "0") else { continue };
        let term = status.raft_term.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
        *votes.entry((term, leader)).or_default() += 1;
    }
    let newest = votes.keys().map(|(term, _)| *term).max()?;
    votes
        .iter()
        .filter(|((term, _), _)| *term == newest)
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.1.cmp(a.0.1)))
        .map(|((_, leader), _)| leader.to_string())
}

/// The members no report covers, by member ID in a status header or by a
/// client URL among the endpoints asked.
fn unasked<'a>(listed: &'a [ListedMember], reports: &[EndpointReport]) -> Vec<&'a ListedMember> {
    listed
        .iter()
        .filter(|m| {
            let by_id = reports
                .iter()
                .any(|r| r.status.as_ref().and_then(|s| s.header.member_id.as_deref()) == Some(m.id.as_str()));
            let by_url = m.client_urls.iter().any(|u| reports.iter().any(|r| normalise(&r.endpoint) == normalise(u)));
            !by_id && !by_url
        })
        .collect()
}

fn is_endpoint(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://")) && url.len() >= 10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status answer from member `id` that names `leader` in raft term `term`.
    fn answer(id: &str, leader: &str, term: u64) -> EndpointReport {
        EndpointReport {
            endpoint: format!("http://{id}:2379"),
            status: Some(StatusResponse {
                header: Header { member_id: Some(id.into()) },
                leader: Some(leader.into()),
                raft_term: Some(term.to_string()),
                ..StatusResponse::default()
            }),
            ..EndpointReport::default()
        }
    }

    #[test]
    fn a_cut_off_member_answering_first_does_not_hide_the_leader() {
        // Member 1 lost its leader (it reports 0); members 2 and 3 agree on 3.
        let reports = [answer("1", "0", 5), answer("2", "3", 4), answer("3", "3", 4)];
        assert_eq!(leader_of(&reports).as_deref(), Some("3"));
    }

    #[test]
    fn a_stale_leader_loses_to_the_newer_term() {
        // Member 1 was leader in term 4 and was cut off; 2 and 3 elected 2 in term 5.
        let reports = [answer("1", "1", 4), answer("2", "2", 5), answer("3", "2", 5)];
        assert_eq!(leader_of(&reports).as_deref(), Some("2"));
        // Nobody names a leader: none.
        assert_eq!(leader_of(&[answer("1", "0", 7), answer("2", "0", 7)]), None);
    }

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
    fn a_refused_read_during_an_election_is_unavailable() {
        let refused = RequestError::Status { status: 503, message: "etcdserver: leader changed".into() };
        assert!(refused.is_unavailable());
        assert_eq!(refused.to_string(), "HTTP 503: etcdserver: leader changed");
        assert!(!RequestError::Status { status: 500, message: "x".into() }.is_unavailable());
        assert!(!RequestError::Timeout.is_unavailable());
    }

    #[test]
    fn a_panicked_endpoint_thread_is_a_failed_endpoint() {
        let result = std::thread::spawn(|| -> EndpointReport { panic!("bad answer") }).join();
        let report = joined("http://10.0.0.1:2379", result);
        assert_eq!(report.endpoint, "http://10.0.0.1:2379");
        assert!(matches!(report.error, Some(RequestError::Panicked(ref why)) if why == "bad answer"), "{report:?}");
        assert_eq!(report.reason().as_deref(), Some("internal error: the probe of this endpoint panicked: bad answer"));
        let fine = joined("http://10.0.0.2:2379", Ok(EndpointReport::default()));
        assert!(fine.error.is_none());
    }

    #[test]
    fn refuses_bad_endpoints_before_connecting() {
        let config = EtcdConfig {
            endpoints: vec!["localhost:2379".into()],
            cacert: None,
            cert: None,
            key: None,
            timeout: Duration::from_secs(1),
            discover: true,
        };
        assert!(matches!(inspect(&config), Err(EtcdError::Endpoint(_))));
    }
}
