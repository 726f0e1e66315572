//! The network edge: TLS, HTTP/1.1 (hyper), the bearer token, the access
//! log, the optional delay, and the bounds (connections at once, idle
//! time per connection). Everything it answers comes from [`crate::api`].

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::LoggedRequest;
use crate::api::Api;
use crate::status;

/// What every connection shares.
pub(crate) struct Shared {
    pub(crate) api: Api,
    pub(crate) token: String,
    pub(crate) log: Arc<Mutex<Vec<LoggedRequest>>>,
    pub(crate) delay: Option<Duration>,
    pub(crate) idle_timeout: Duration,
}

/// Accepts until `shutdown` changes, at most `max_connections` at once
/// (the rest wait in the listen backlog).
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shared: Arc<Shared>,
    max_connections: usize,
    mut shutdown: watch::Receiver<bool>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
    let acceptor = TlsAcceptor::from(tls);
    let permits = Arc::new(Semaphore::new(max_connections.max(1)));
    loop {
        let permit = tokio::select! {
            _ = shutdown.changed() => break,
            permit = permits.clone().acquire_owned() => match permit { Ok(p) => p, Err(_) => break },
        };
        let stream = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors, or a connection reset before accept:
                // wait a little rather than spin, and go on.
                Err(_) => { tokio::time::sleep(Duration::from_millis(10)).await; continue; }
            },
        };
        let (acceptor, shared, shutdown) = (acceptor.clone(), shared.clone(), shutdown.clone());
        tokio::spawn(async move {
            connection(stream, acceptor, shared, shutdown).await;
            drop(permit);
        });
    }
}

/// When the connection last finished a request, and how many are running.
struct Activity {
    in_flight: AtomicUsize,
    last: Mutex<Instant>,
}

impl Activity {
    fn touch(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = Instant::now();
        }
    }

    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        self.last.lock().map(|l| l.elapsed()).unwrap_or_default()
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let idle = shared.idle_timeout;
    let Ok(Ok(stream)) = tokio::time::timeout(idle, acceptor.accept(stream)).await else { return };
    let activity = Arc::new(Activity { in_flight: AtomicUsize::new(0), last: Mutex::new(Instant::now()) });
    let service = {
        let activity = activity.clone();
        service_fn(move |request| {
            let (shared, activity) = (shared.clone(), activity.clone());
            async move {
                activity.in_flight.fetch_add(1, Ordering::SeqCst);
                let response = answer(&shared, request).await;
                activity.touch();
                activity.in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, Infallible>(response)
            }
        })
    };
    let conn = http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut tick = tokio::time::interval((idle / 4).max(Duration::from_millis(10)));
    let mut closing_since: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = shutdown.changed() => break,
            _ = tick.tick() => {
                if activity.idle_for() < idle {
                    continue;
                }
                match closing_since {
                    None => {
                        conn.as_mut().graceful_shutdown();
                        closing_since = Some(Instant::now());
                    }
                    // A client that never finishes its request is dropped.
                    Some(since) if since.elapsed() >= idle => break,
                    Some(_) => {}
                }
            }
        }
    }
}

async fn answer(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let presented = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let (code, body) = if presented.is_some_and(|t| same(t.as_bytes(), shared.token.as_bytes())) {
        shared.api.handle(&method, &path, &query)
    } else {
        let e = status::unauthorized();
        (e.code, e.body)
    };
    if let Some(delay) = shared.delay {
        tokio::time::sleep(delay).await;
    }
    if let Ok(mut log) = shared.log.lock() {
        log.push(LoggedRequest { method, path, query, status: code });
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = hyper::StatusCode::from_u16(code).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    response
}

/// Compares the token in time independent of where it differs.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
