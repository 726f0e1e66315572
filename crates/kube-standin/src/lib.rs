//! A stand-in for the Kubernetes API server, for tests and benchmarks.
//!
//! No API server can run where kubev-ha's tests run, so [`StandIn`] serves a
//! recorded cluster (a directory of `kubectl get -o json` Lists) over
//! HTTPS on 127.0.0.1, at the real API paths, with the real discovery
//! documents, paging (`limit`, `continue`), label and field selectors, and
//! the real `Status` errors (401 without its token, 403 for resources named
//! forbidden, 404, 405 for anything but GET). Debian's kubectl and the
//! `kube` crate both talk to it as to a cluster; a test proves the first.
//!
//! It is read-only by construction: it answers GET only, which is all the
//! audit may do, and logs every request so tests can hold what was asked
//! to what `render rbac` grants.

#![warn(missing_docs, unreachable_pub)]

mod api;
mod continue_token;
mod kinds;
mod selector;
mod server;
mod status;
mod store;
mod tls;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;

pub use continue_token::{ContinueError, ContinueToken};
pub use kinds::{KINDS, KindInfo};
pub use selector::{FieldRequirement, FieldSelector, LabelRequirement, LabelSelector, SelectorError};

/// How the stand-in serves. Every field may also be set by a `standin.json`
/// in the recorded directory (see [`OptionsFile`]); what is set here wins,
/// and the lists are joined.
#[derive(Debug, Clone, Default)]
pub struct StandInOptions {
    /// The most objects in one page: a page holds min(limit, page_size).
    /// A list with no `limit` is sent whole, as a server sends it.
    pub page_size: Option<usize>,
    /// Qualified resources (`virtualmachines.kubevirt.io`, `nodes`) every
    /// list and get of which is answered 403 Forbidden.
    pub forbidden: Vec<String>,
    /// API groups (`kubeovn.io`) or qualified resources served although no
    /// object of them is recorded: a CRD installed with no objects.
    pub served_groups: Vec<String>,
    /// Waited before every response is sent, for deadline tests.
    pub delay: Option<Duration>,
    /// The most connections served at once (default 64); more wait in the
    /// listen backlog until one closes.
    pub max_connections: Option<usize>,
    /// How long a connection may sit idle before it is closed (default 30 s).
    pub idle_timeout: Option<Duration>,
}

/// `standin.json`: the options a recorded case carries with it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsFile {
    /// As [`StandInOptions::page_size`].
    #[serde(default)]
    pub page_size: Option<usize>,
    /// As [`StandInOptions::forbidden`].
    #[serde(default)]
    pub forbidden: Vec<String>,
    /// As [`StandInOptions::served_groups`].
    #[serde(default)]
    pub served_groups: Vec<String>,
    /// As [`StandInOptions::delay`], in milliseconds.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// As [`StandInOptions::max_connections`].
    #[serde(default)]
    pub max_connections: Option<usize>,
    /// As [`StandInOptions::idle_timeout`], in milliseconds.
    #[serde(default)]
    pub idle_timeout_ms: Option<u64>,
}

/// One request the stand-in answered, in the order they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, or whatever else was tried (answered 405).
    pub method: String,
    /// The URL path, `/api/v1/namespaces/kube-system/pods`.
    pub path: String,
    /// The raw query string, still percent-encoded; empty if none.
    pub query: String,
    /// The HTTP status answered.
    pub status: u16,
}

/// Why the stand-in could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StandInError {
    /// A file or the directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// A file is JSON but not a List of objects the stand-in serves.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the item.
        message: String,
    },
    /// The certificates or the token could not be made.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// The socket could not be bound, or the runtime not started.
    #[error("cannot serve: {0}")]
    Serve(#[source] std::io::Error),
}

/// A running stand-in. Dropping it stops the accept loop and closes every
/// open connection.
pub struct StandIn {
    url: String,
    ca_pem: String,
    token: String,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for StandIn {
    // The token stays out of debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").field("url", &self.url).finish_non_exhaustive()
    }
}

const DEFAULT_MAX_CONNECTIONS: usize = 64;
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

impl StandIn {
    /// Serves the recorded cluster in `dir` on a random port of 127.0.0.1,
    /// on its own thread and runtime (so it may be started and dropped from
    /// synchronous tests and from inside another runtime alike).
    pub fn start(dir: &Path, options: StandInOptions) -> Result<StandIn, StandInError> {
        let options = merge(options, read_options_file(dir)?);
        let store = store::Store::load(dir)?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(StandInError::Serve)?;
        listener.set_nonblocking(true).map_err(StandInError::Serve)?;
        let address = listener.local_addr().map_err(StandInError::Serve)?;
        let tls = tls::make()?;
        let token = tls::token()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(server::Shared {
            api: api::Api {
                store,
                forbidden: options.forbidden.iter().cloned().collect::<BTreeSet<_>>(),
                served_groups: options.served_groups.iter().cloned().collect(),
                page_size: options.page_size,
                server_address: address.to_string(),
            },
            token: token.clone(),
            log: log.clone(),
            delay: options.delay,
            idle_timeout: options.idle_timeout.unwrap_or(DEFAULT_IDLE_TIMEOUT),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kube-standin")
            .enable_all()
            .build()
            .map_err(StandInError::Serve)?;
        let (shutdown, watch) = tokio::sync::watch::channel(false);
        let max_connections = options.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        let config = tls.config;
        let thread = std::thread::Builder::new()
            .name("kube-standin".into())
            .spawn(move || {
                runtime.block_on(server::serve(listener, config, shared, max_connections, watch));
                // Dropping the runtime here cancels every connection task.
                drop(runtime);
            })
            .map_err(StandInError::Serve)?;
        Ok(StandIn {
            url: format!("https://{address}"),
            ca_pem: tls.ca_pem,
            token,
            log,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PEM of the CA that signed the serving certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The bearer token it accepts (in the kubeconfig it writes; tests
    /// that make raw requests need it).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The kubeconfig text: one cluster with the CA inline, one user with
    /// the token, one context named `context`, current.
    pub fn kubeconfig(&self, context: &str) -> String {
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        let (url, token) = (&self.url, &self.token);
        // Quoted scalars: the context name is the caller's and could hold
        // YAML's special characters. JSON strings are valid YAML.
        let q = |s: &str| serde_json::Value::from(s).to_string();
        let context = q(context);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kube-standin\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\nusers:\n- name: kube-standin\n  user:\n    token: {token}\ncontexts:\n- name: {context}\n  context:\n    cluster: kube-standin\n    user: kube-standin\ncurrent-context: {context}\npreferences: {{}}\n"
        )
    }

    /// Writes [`StandIn::kubeconfig`] to `path`, readable by its owner only
    /// (it holds the token).
    pub fn write_kubeconfig(&self, path: &Path, context: &str) -> std::io::Result<()> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        file.write_all(self.kubeconfig(context).as_bytes())
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Forgets the requests logged so far.
    pub fn clear_requests(&self) {
        if let Ok(mut log) = self.log.lock() {
            log.clear();
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads `standin.json` of `dir`, if there is one.
fn read_options_file(dir: &Path) -> Result<OptionsFile, StandInError> {
    let path = dir.join(store::OPTIONS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OptionsFile::default()),
        Err(e) => return Err(StandInError::Read { path, source: e }),
    };
    serde_json::from_str(&text).map_err(|e| StandInError::Parse {
        path: path.clone(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

fn merge(mut options: StandInOptions, file: OptionsFile) -> StandInOptions {
    options.page_size = options.page_size.or(file.page_size);
    options.forbidden.extend(file.forbidden);
    options.served_groups.extend(file.served_groups);
    options.delay = options.delay.or(file.delay_ms.map(Duration::from_millis));
    options.max_connections = options.max_connections.or(file.max_connections);
    options.idle_timeout = options.idle_timeout.or(file.idle_timeout_ms.map(Duration::from_millis));
    options
}
