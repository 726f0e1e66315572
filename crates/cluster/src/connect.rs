//! Reading a live cluster through the Kubernetes API.
//!
//! Discovery first (`/version`, `/api`, `/api/v1`, `/apis`, then
//! `/apis/G/V` of each group read), so that a group or resource that is
//! not served is named not installed without asking for it; then every
//! `AUDIT_READS` entry, page by page, at most `max_in_flight` requests at
//! once; then the follow-up (the pods of budgets that allow no disruption).
//! Only GET requests are sent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::join_all;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use kubev_ha_model::{LiveCluster, PodPlacement, WhyUnreadable};
use kubev_ha_spec::{AUDIT_READS, ApiRead, ApiVerb};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use crate::ClusterError;
use crate::collect::{Collector, Family, Src, unreadable};
use crate::selector;

/// How to reach the cluster and how hard to read it.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `--kubeconfig`; `None` reads KUBECONFIG, then ~/.kube/config, then
    /// the in-cluster service account.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`; `None` is the kubeconfig's current context.
    pub context: Option<String>,
    /// `--namespace`: read VMs, VMIs, PVCs and PDBs from this namespace only.
    pub namespace: Option<String>,
    /// The deadline of the whole audit (`--timeout`).
    pub timeout: Duration,
    /// The deadline of one request.
    pub request_timeout: Duration,
    /// Objects per page (`limit`).
    pub page_size: u32,
    /// Requests in flight at once.
    pub max_in_flight: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            kubeconfig: None,
            context: None,
            namespace: None,
            timeout: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
            page_size: 500,
            max_in_flight: 4,
        }
    }
}

/// Told of each page read, for a progress bar.
pub trait ReadProgress: Send + Sync {
    /// Reading starts: `reads` request families in all.
    fn started(&self, reads: usize);
    /// A page of `read` came back with `objects` objects.
    fn page(&self, read: &ApiRead, objects: usize);
    /// A request family is done (read, or unreadable).
    fn finished(&self, read: &ApiRead);
}

/// Progress told to no one.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl ReadProgress for NoProgress {
    fn started(&self, _: usize) {}
    fn page(&self, _: &ApiRead, _: usize) {}
    fn finished(&self, _: &ApiRead) {}
}

/// Reads the cluster `options` point at.
pub async fn read_cluster(options: &ConnectOptions, progress: &dyn ReadProgress) -> Result<LiveCluster, ClusterError> {
    let (config, source) = load_config(options).await?;
    let server = server_url(&config.cluster_url);
    // Building the client may run the kubeconfig's exec plugin (kubelogin,
    // a cloud CLI) as a blocking child process, which can wait forever (for
    // a browser login, say): it runs on a blocking thread under the overall
    // deadline, and its error text, which kube-client words with the
    // plugin's command, environment and output, never reaches the user.
    let connect = tokio::task::spawn_blocking(move || Client::try_from(config));
    let client = match tokio::time::timeout(options.timeout, connect).await {
        Err(_) => return Err(ClusterError::Deadline { seconds: options.timeout.as_secs() }),
        Ok(Err(join)) => {
            return Err(ClusterError::Connect { server, reason: format!("the client could not be built: {join}") });
        }
        Ok(Ok(Err(e))) => return Err(ClusterError::Connect { server, reason: client_error(&e) }),
        Ok(Ok(Ok(client))) => client,
    };
    let reader = Reader {
        progress,
        client,
        server,
        permits: Semaphore::new(options.max_in_flight.max(1)),
        request_timeout: options.request_timeout,
        page_size: options.page_size.max(1),
        namespace: options.namespace.clone(),
        collector: Mutex::new(Collector::default()),
    };
    match tokio::time::timeout(options.timeout, reader.read_all(source)).await {
        Ok(result) => result,
        Err(_) => Err(ClusterError::Deadline { seconds: options.timeout.as_secs() }),
    }
}

/// The server URL as reports show it: scheme, host and port, never a
/// user part or query.
fn server_url(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("https");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    let host = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let path = uri.path().trim_end_matches('/');
    format!("{scheme}://{host}{path}")
}

/// The client configuration, as kubectl finds it: `--kubeconfig` (else
/// KUBECONFIG, else ~/.kube/config) with `--context` (else its current
/// context); with no kubeconfig anywhere, the in-cluster service account.
/// This is `Config::infer`'s order, done by hand to name the context.
async fn load_config(options: &ConnectOptions) -> Result<(Config, String), ClusterError> {
    let config_err = |reason: String| ClusterError::Config { reason };
    let default_path = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube").join("config"));
    let have_kubeconfig = options.kubeconfig.is_some()
        || options.context.is_some()
        || std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty())
        || default_path.as_ref().is_some_and(|p| p.is_file());
    if !have_kubeconfig {
        let config = Config::incluster().map_err(|e| {
            config_err(format!(
                "no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) and not running in a cluster: {e}"
            ))
        })?;
        let source = format!("in-cluster ({})", server_url(&config.cluster_url));
        return Ok((config, source));
    }
    let kubeconfig = match &options.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| config_err(redact(&e.to_string())))?;
    let context = options
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone().filter(|c| !c.is_empty()))
        .ok_or_else(|| config_err("the kubeconfig names no current context; pass --context".into()))?;
    if !kubeconfig.contexts.iter().any(|c| c.name == context) {
        let known: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(config_err(format!("no context {context:?} in the kubeconfig (it has: {})", known.join(", "))));
    }
    let kc_options = KubeConfigOptions { context: Some(context.clone()), ..KubeConfigOptions::default() };
    let config = Config::from_custom_kubeconfig(kubeconfig, &kc_options)
        .await
        .map_err(|e| config_err(redact(&e.to_string())))?;
    let source = format!("context {context} ({})", server_url(&config.cluster_url));
    Ok((config, source))
}

/// A kubeconfig error without the values it quotes: a YAML parser names
/// the value it could not read (`invalid type: string "…"`), and in a
/// kubeconfig that value may be a token. Positions and field names stay.
fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    // The quote that opened the value being dropped: `"` (serde_yaml's)
    // or a backtick (serde's `unknown variant `…``).
    let mut open: Option<char> = None;
    let mut escaped = false;
    for c in message.chars() {
        match open {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    out.push('…');
                    out.push(c);
                    open = None;
                }
            }
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    open = Some(c);
                }
            }
        }
    }
    out
}

/// A client error in words that cannot hold a credential: kube-client
/// words an exec plugin's failure with its command line, environment and
/// output, where tokens live, so an authentication error is named only.
fn client_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Auth(_) => {
            "authentication failed (the kubeconfig's credential or exec plugin; its output is not shown because it \
             may hold secrets: run `kubectl get nodes` with the same kubeconfig to see it)"
                .to_string()
        }
        other => redact(&other.to_string()),
    }
}

/// Why one request failed.
#[derive(Debug)]
enum RequestError {
    /// The server answered with an error status.
    Status { code: u16, message: String },
    /// No answer within the request deadline.
    Timeout(Duration),
    /// No answer at all, or a body that is not text.
    Other(String),
}

impl RequestError {
    fn into_why(self, read: &ApiRead) -> WhyUnreadable {
        match self {
            RequestError::Status { code: 403, message } => {
                WhyUnreadable::Forbidden { verb: read.verb.as_str().to_string(), message }
            }
            RequestError::Status { code: 404, .. } => {
                WhyUnreadable::NotInstalled { component: read.component.to_string() }
            }
            RequestError::Status { code: 410, message } => {
                WhyUnreadable::Failed { reason: format!("the list expired while it was paged (410 Gone): {message}") }
            }
            other => WhyUnreadable::Failed { reason: other.to_string() },
        }
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Status { code, message } => write!(f, "HTTP {code}: {message}"),
            RequestError::Timeout(d) => write!(f, "no answer within {} s", d.as_secs_f64()),
            RequestError::Other(reason) => f.write_str(reason),
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `/version`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Version {
    git_version: Option<String>,
}

/// `/apis`: `APIGroupList`.
#[derive(Deserialize)]
struct GroupList {
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    name: String,
    #[serde(default)]
    versions: Vec<GroupVersion>,
}

#[derive(Deserialize)]
struct GroupVersion {
    version: String,
}

/// `/api/v1`, `/apis/G/V`: `APIResourceList`.
#[derive(Deserialize)]
struct ResourceList {
    #[serde(default)]
    resources: Vec<Resource>,
}

#[derive(Deserialize)]
struct Resource {
    name: String,
}

/// What discovery says of a group/version: its resources, or why not.
type Served = Result<BTreeSet<String>, WhyUnreadable>;

struct Reader<'a> {
    progress: &'a dyn ReadProgress,
    client: Client,
    server: String,
    permits: Semaphore,
    request_timeout: Duration,
    page_size: u32,
    namespace: Option<String>,
    collector: Mutex<Collector>,
}

impl Reader<'_> {
    /// One GET, holding a permit, within the request deadline.
    async fn get(&self, path_and_query: &str) -> Result<String, RequestError> {
        let _permit = self.permits.acquire().await.map_err(|e| RequestError::Other(e.to_string()))?;
        let request = http::Request::get(path_and_query)
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| RequestError::Other(format!("bad request {path_and_query}: {e}")))?;
        match tokio::time::timeout(self.request_timeout, self.client.request_text(request)).await {
            Err(_) => Err(RequestError::Timeout(self.request_timeout)),
            Ok(Ok(body)) => Ok(body),
            Ok(Err(kube::Error::Api(status))) => {
                Err(RequestError::Status { code: status.code, message: status.message })
            }
            Ok(Err(e)) => Err(RequestError::Other(client_error(&e))),
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, RequestError> {
        let body = self.get(path).await?;
        serde_json::from_str(&body).map_err(|e| RequestError::Other(format!("{path} did not answer as expected: {e}")))
    }

    fn connect_error(&self, path: &str, e: RequestError) -> ClusterError {
        let reason = match &e {
            RequestError::Status { code: 401, .. } => format!("{path}: the server refused the credentials ({e})"),
            _ => format!("{path}: {e}"),
        };
        ClusterError::Connect { server: self.server.clone(), reason }
    }

    fn collector(&self) -> std::sync::MutexGuard<'_, Collector> {
        // A poisoned lock means a conversion panicked; the data it guards
        // is still the pages taken so far.
        self.collector.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn read_all(self, source: String) -> Result<LiveCluster, ClusterError> {
        let progress = self.progress;
        progress.started(AUDIT_READS.len());
        let version: Version = self.get_json("/version").await.map_err(|e| self.connect_error("/version", e))?;
        let served = self.discover().await?;
        let families = AUDIT_READS.iter().filter(|r| Family::of(r) != Some(Family::PdbPods)).map(|read| async {
            self.read_family(read, &served).await;
            progress.finished(read);
        });
        join_all(families).await;
        self.follow_up(&served).await;
        progress.finished(Family::PdbPods.read());
        let collector = self.collector.into_inner().unwrap_or_else(|p| p.into_inner());
        Ok(collector.finish(source, version.git_version, self.namespace))
    }

    /// What the server serves of the group/versions the audit reads.
    async fn discover(&self) -> Result<BTreeMap<(String, String), Served>, ClusterError> {
        let _: serde::de::IgnoredAny = self.get_json("/api").await.map_err(|e| self.connect_error("/api", e))?;
        let groups: GroupList = self.get_json("/apis").await.map_err(|e| self.connect_error("/apis", e))?;
        let wanted: BTreeSet<(&str, &str)> = AUDIT_READS.iter().map(|r| (r.group, r.version)).collect();
        let lookups = wanted.into_iter().map(|(group, version)| {
            let groups = &groups;
            async move {
                let listed = groups.groups.iter().find(|g| g.name == group);
                let is_served =
                    group.is_empty() || listed.is_some_and(|g| g.versions.iter().any(|v| v.version == version));
                let served: Served = if let (false, Some(listed)) = (is_served, listed) {
                    // The component is there, in other versions than the one
                    // whose fields the reader knows: not "not installed".
                    let versions: Vec<&str> = listed.versions.iter().map(|v| v.version.as_str()).collect();
                    Err(WhyUnreadable::Failed {
                        reason: format!(
                            "the server serves {group} as {}, not {version}, the version the audit reads",
                            versions.join(", ")
                        ),
                    })
                } else if !is_served {
                    Err(WhyUnreadable::NotInstalled { component: String::new() })
                } else {
                    let path =
                        if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
                    match self.get_json::<ResourceList>(&path).await {
                        Ok(list) => Ok(list.resources.into_iter().map(|r| r.name).collect()),
                        Err(RequestError::Status { code: 404, .. }) => {
                            Err(WhyUnreadable::NotInstalled { component: String::new() })
                        }
                        Err(e) => Err(WhyUnreadable::Failed { reason: format!("discovery of {path}: {e}") }),
                    }
                };
                ((group.to_string(), version.to_string()), served)
            }
        });
        Ok(join_all(lookups).await.into_iter().collect())
    }

    /// Whether discovery found the read's resource; the reason when not.
    fn check_served(read: &ApiRead, served: &BTreeMap<(String, String), Served>) -> Result<(), WhyUnreadable> {
        match served.get(&(read.group.to_string(), read.version.to_string())) {
            Some(Ok(resources)) if resources.contains(read.resource) => Ok(()),
            Some(Err(WhyUnreadable::Failed { reason })) => Err(WhyUnreadable::Failed { reason: reason.clone() }),
            _ => Err(WhyUnreadable::NotInstalled { component: read.component.to_string() }),
        }
    }

    /// The namespace a read is made in: its own, else `--namespace` if it follows the filter.
    fn namespace_of(&self, read: &ApiRead) -> Option<String> {
        if read.follows_namespace_filter { self.namespace.clone() } else { None }
    }

    async fn read_family(&self, read: &'static ApiRead, served: &BTreeMap<(String, String), Served>) {
        let Some(family) = Family::of(read) else { return };
        if let Err(why) = Self::check_served(read, served) {
            self.collector().fail(family, why);
            return;
        }
        let path = read.path(self.namespace_of(read).as_deref());
        if read.verb == ApiVerb::Get {
            match self.get(&path).await {
                Ok(body) => {
                    let result = self.collector().accept(family, Src::Object(&body));
                    match result {
                        Ok(taken) => self.progress.page(read, taken.objects),
                        Err(reason) => self.collector().fail(family, WhyUnreadable::Failed { reason }),
                    }
                }
                // No such object (a cluster not made by kubeadm): `Ok(None)`.
                Err(RequestError::Status { code: 404, .. }) => {}
                Err(e) => self.collector().fail(family, e.into_why(read)),
            }
            return;
        }
        let selector = read.label_selector.map(str::to_string);
        if let Err(why) =
            self.list(read, &path, selector.as_deref(), |body| self.collector().accept(family, Src::Page(body))).await
        {
            self.collector().fail(family, why);
        }
    }

    /// Lists `path` page by page, handing each page to `take`, which
    /// answers the `continue` token.
    async fn list(
        &self,
        read: &ApiRead,
        path: &str,
        selector: Option<&str>,
        mut take: impl FnMut(&str) -> Result<crate::collect::Taken, String>,
    ) -> Result<(), WhyUnreadable> {
        let mut next: Option<String> = None;
        loop {
            let mut query = format!("{path}?limit={}", self.page_size);
            if let Some(s) = selector.filter(|s| !s.is_empty()) {
                query.push_str("&labelSelector=");
                query.push_str(&encode(s));
            }
            if let Some(token) = &next {
                query.push_str("&continue=");
                query.push_str(&encode(token));
            }
            let body = self.get(&query).await.map_err(|e| e.into_why(read))?;
            let taken = take(&body).map_err(|reason| WhyUnreadable::Failed { reason })?;
            self.progress.page(read, taken.objects);
            match taken.next {
                Some(token) => next = Some(token),
                None => return Ok(()),
            }
        }
    }

    /// The follow-up: the pods each blocking budget covers, by its own
    /// selector, in its namespace (the `AUDIT_READS` entry whose selector
    /// is made at run time).
    async fn follow_up(&self, served: &BTreeMap<(String, String), Served>) {
        let read = Family::PdbPods.read();
        let blocking = self.collector().blocking_pdbs();
        if blocking.is_empty() {
            return;
        }
        if let Err(why) = Self::check_served(read, served) {
            self.collector().fail_pdb_pods(unreadable(read, why));
            return;
        }
        let lookups = blocking.into_iter().map(|(index, namespace, sel)| async move {
            // An operator the API server does not know selects nothing.
            let Some(sel) = selector::to_string(&sel) else { return Ok((index, vec![])) };
            let path = read.path(Some(&namespace));
            let mut pods: Vec<PodPlacement> = vec![];
            self.list(read, &path, Some(&sel), |body| {
                let mut slim: Vec<PodPlacement> = vec![];
                let taken = crate::collect::take_pods(Src::Page(body), &mut slim)?;
                pods.extend(slim);
                Ok(taken)
            })
            .await?;
            Ok((index, pods))
        });
        for result in join_all(lookups).await {
            match result {
                Ok((index, pods)) => self.collector().set_pdb_pods(index, pods),
                Err(why) => self.collector().fail_pdb_pods(unreadable(read, why)),
            }
        }
    }
}

#[cfg(test)]
mod tests;
