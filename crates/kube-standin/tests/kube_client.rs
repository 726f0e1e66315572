//! The `kube` crate (the client kubev-ha's audit uses, with rustls and
//! ring) against the stand-in: it accepts the kubeconfig the stand-in
//! writes, verifies its certificate, pages with `limit` and `continue`,
//! reads the `Status` errors, and meets the stand-in's bounds (a deadline
//! against `delay`, a queue behind `max_connections`, nothing after Drop).

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube_standin::{StandIn, StandInOptions};

fn smoke() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/standin-smoke")
}

/// A client with `deadline` on connecting and on every read.
async fn client(standin: &StandIn, deadline: Option<Duration>) -> kube::Client {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    standin.write_kubeconfig(&path, "standin").unwrap();
    let kubeconfig = Kubeconfig::read_from(&path).unwrap();
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.unwrap();
    config.read_timeout = deadline;
    config.connect_timeout = deadline;
    kube::Client::try_from(config).unwrap()
}

#[tokio::test]
async fn kube_lists_every_pod_page_by_page() {
    let standin = StandIn::start(&smoke(), StandInOptions { page_size: Some(3), ..Default::default() }).unwrap();
    let pods: Api<Pod> = Api::all(client(&standin, Some(Duration::from_secs(10))).await);
    let mut names = Vec::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page = pods.list(&params).await.unwrap();
        assert!(page.items.len() <= 3);
        names.extend(page.items.iter().filter_map(|p| p.metadata.name.clone()));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(standin.requests().iter().filter(|r| r.path == "/api/v1/pods").count(), 3);
    let etcd = Api::<Pod>::namespaced(pods.into_client(), "kube-system")
        .list(&ListParams::default().labels("component=etcd"))
        .await
        .unwrap();
    assert_eq!(etcd.items.len(), 3);
}

#[tokio::test]
async fn kube_reads_forbidden_and_not_found_as_statuses() {
    let standin =
        StandIn::start(&smoke(), StandInOptions { forbidden: vec!["nodes".into()], ..Default::default() }).unwrap();
    let client = client(&standin, Some(Duration::from_secs(10))).await;
    let nodes: Api<Node> = Api::all(client.clone());
    let kube::Error::Api(status) = nodes.list(&ListParams::default()).await.unwrap_err() else {
        panic!("not an API error")
    };
    assert!(status.is_forbidden(), "{status:?}");
    assert!(status.message.starts_with("nodes is forbidden: User "), "{}", status.message);
    let pods: Api<Pod> = Api::namespaced(client, "vms");
    let kube::Error::Api(status) = pods.get("nope").await.unwrap_err() else { panic!("not an API error") };
    assert!(status.is_not_found(), "{status:?}");
    assert_eq!(status.message, r#"pods "nope" not found"#);
}

#[tokio::test]
async fn a_delay_past_the_clients_deadline_is_a_timeout_not_a_hang() {
    let options = StandInOptions { delay: Some(Duration::from_secs(30)), ..Default::default() };
    let standin = StandIn::start(&smoke(), options).unwrap();
    let nodes: Api<Node> = Api::all(client(&standin, Some(Duration::from_millis(300))).await);
    let err = nodes.list(&ListParams::default()).await.unwrap_err();
    assert!(!matches!(err, kube::Error::Api(_)), "a deadline, not a server answer: {err:?}");
    // Dropping the stand-in while that response still waits must not hang.
    drop(standin);
}

#[tokio::test]
async fn connections_past_the_bound_wait_for_one_to_close() {
    let options = StandInOptions { max_connections: Some(1), ..Default::default() };
    let standin = StandIn::start(&smoke(), options).unwrap();
    let address = standin.url().trim_start_matches("https://").to_string();
    // A connection that never speaks holds the only slot.
    let holder = tokio::net::TcpStream::connect(&address).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let nodes: Api<Node> = Api::all(client(&standin, Some(Duration::from_millis(500))).await);
    assert!(nodes.list(&ListParams::default()).await.is_err(), "served past max_connections");
    // The client's connection may still finish in its pool and take the
    // slot next: drop it with the holder.
    drop(nodes);
    drop(holder);
    let nodes: Api<Node> = Api::all(client(&standin, Some(Duration::from_secs(10))).await);
    assert_eq!(nodes.list(&ListParams::default()).await.unwrap().items.len(), 5);
}

#[tokio::test]
async fn nothing_answers_after_drop() {
    let standin = StandIn::start(&smoke(), StandInOptions::default()).unwrap();
    let address = standin.url().trim_start_matches("https://").to_string();
    let held = tokio::net::TcpStream::connect(&address).await.unwrap();
    drop(standin);
    assert!(tokio::net::TcpStream::connect(&address).await.is_err(), "still accepting after drop");
    // The connection open at drop is closed: reading it ends.
    use tokio::io::AsyncReadExt as _;
    let mut held = held;
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(10), held.read(&mut buf)).await.expect("connection left open");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[test]
fn standin_json_sets_the_options_and_bad_json_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(smoke().join("nodes.json"), dir.path().join("nodes.json")).unwrap();
    std::fs::write(dir.path().join("standin.json"), r#"{"forbidden": ["nodes"], "page_size": 2}"#).unwrap();
    let standin = StandIn::start(dir.path(), StandInOptions::default()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let nodes: Api<Node> = Api::all(client(&standin, Some(Duration::from_secs(10))).await);
        let kube::Error::Api(status) = nodes.list(&ListParams::default()).await.unwrap_err() else { panic!() };
        assert_eq!(status.code, 403);
    });
    drop(standin);

    std::fs::write(dir.path().join("standin.json"), "{\n  \"page_size\": 2,\n  \"colour\": 1\n}").unwrap();
    let err = StandIn::start(dir.path(), StandInOptions::default()).unwrap_err().to_string();
    assert!(err.contains("standin.json:3:"), "{err}");
    assert!(err.contains("unknown field `colour`"), "{err}");
}

#[tokio::test]
async fn a_connection_that_never_speaks_is_closed_after_the_idle_timeout() {
    let options = StandInOptions { idle_timeout: Some(Duration::from_millis(200)), ..Default::default() };
    let standin = StandIn::start(&smoke(), options).unwrap();
    let address = standin.url().trim_start_matches("https://").to_string();
    let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    use tokio::io::AsyncReadExt as _;
    let mut buf = [0u8; 16];
    // The outer timeout only keeps a regression from hanging the suite.
    let read = tokio::time::timeout(Duration::from_secs(30), silent.read(&mut buf)).await.expect("never closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}
