//! The `kube-standin` binary, as benchmarks run it: it writes a kubeconfig,
//! prints the URL, serves, and stops cleanly on SIGTERM; bad arguments and
//! a bad recording are exit 2 with the reason.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn smoke() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/standin-smoke")
}

#[test]
fn it_serves_until_sigterm_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kube-standin"))
        .arg("--dir")
        .arg(smoke())
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["--page-size", "2", "--for", "120"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim();
    assert!(url.starts_with("https://127.0.0.1:"), "{line:?}");
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains(&format!("server: {url}\n")), "{text}");
    assert!(text.contains("certificate-authority-data: ") && text.contains("token: "), "{text}");
    // The token file is its owner's alone.
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&kubeconfig).unwrap().permissions().mode() & 0o777, 0o600);
    let address = url.trim_start_matches("https://");
    assert!(std::net::TcpStream::connect(address).is_ok());

    // SAFETY: kill has no memory preconditions; the pid is our child's.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(std::net::TcpStream::connect_timeout(&address.parse().unwrap(), Duration::from_secs(5)).is_err());
}

#[test]
fn bad_arguments_and_bad_recordings_are_exit_2_with_the_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_kube-standin")).args(["--dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dir needs a value"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nodes.json"), "{\"kind\": \"List\",\n \"items\": [}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kube-standin"))
        .arg("--dir")
        .arg(dir.path())
        .arg("--kubeconfig")
        .arg(dir.path().join("kc"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nodes.json:2:"), "{err}");
    assert!(!dir.path().join("kc").exists());
}
