//! A real etcd cluster on loopback for tests (Debian's etcd-server):
//! members on free ports with their own data dirs, optionally serving
//! clients over TLS with client certificates made here; torn down when
//! dropped.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kubev_ha_etcd::{EtcdConfig, inspect};

pub struct Tls {
    pub ca: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

struct Member {
    child: Option<Child>,
    client_port: u16,
}

pub struct EtcdCluster {
    members: Vec<Member>,
    pub tls: Option<Tls>,
    pub dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate.
fn make_certs(dir: &std::path::Path) -> Result<(Tls, PathBuf, PathBuf), String> {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair};
    let e = |e: rcgen::Error| e.to_string();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(e)?).map_err(e)?;

    let server_key = KeyPair::generate().map_err(e)?;
    let mut server_params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).map_err(e)?;
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    let server = server_params.signed_by(&server_key, &ca).map_err(e)?;

    let client_key = KeyPair::generate().map_err(e)?;
    let mut client_params = CertificateParams::new(vec!["kubev-ha-test".to_string()]).map_err(e)?;
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = client_params.signed_by(&client_key, &ca).map_err(e)?;

    let write = |name: &str, text: String| -> Result<PathBuf, String> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| e.to_string())?;
        Ok(p)
    };
    let tls = Tls {
        ca: write("ca.crt", ca.pem())?,
        client_cert: write("client.crt", client.pem())?,
        client_key: write("client.key", client_key.serialize_pem())?,
    };
    Ok((tls, write("server.crt", server.pem())?, write("server.key", server_key.serialize_pem())?))
}

impl EtcdCluster {
    /// Starts `n` members and waits for a leader, or says why it cannot.
    pub fn start(n: usize, tls: bool) -> Result<EtcdCluster, String> {
        if Command::new("etcd").arg("--version").stdout(Stdio::null()).status().is_err() {
            return Err("no etcd binary (install etcd-server)".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (tls, server_files) = if tls {
            let (t, c, k) = make_certs(dir.path())?;
            (Some(t), Some((c, k)))
        } else {
            (None, None)
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let cluster: Vec<String> =
            ports.iter().enumerate().map(|(i, (_, peer))| format!("m{}=http://127.0.0.1:{peer}", i + 1)).collect();
        let cluster = cluster.join(",");
        let mut members = Vec::new();
        for (i, (client, peer)) in ports.iter().enumerate() {
            let name = format!("m{}", i + 1);
            let data = dir.path().join(&name);
            let log = std::fs::File::create(dir.path().join(format!("{name}.log"))).map_err(|e| e.to_string())?;
            let mut cmd = Command::new("etcd");
            cmd.args(["--name", &name, "--data-dir"])
                .arg(&data)
                .args(["--listen-client-urls", &format!("{scheme}://127.0.0.1:{client}")])
                .args(["--advertise-client-urls", &format!("{scheme}://127.0.0.1:{client}")])
                .args(["--listen-peer-urls", &format!("http://127.0.0.1:{peer}")])
                .args(["--initial-advertise-peer-urls", &format!("http://127.0.0.1:{peer}")])
                .args([
                    "--initial-cluster",
                    &cluster,
                    "--initial-cluster-state",
                    "new",
                    "--initial-cluster-token",
                    "kubev-ha-test",
                ])
                .args(["--heartbeat-interval", "50", "--election-timeout", "500"])
                .stdout(Stdio::null())
                .stderr(log);
            if let Some((cert, key)) = &server_files {
                cmd.arg("--cert-file").arg(cert).arg("--key-file").arg(key).arg("--client-cert-auth");
                cmd.arg("--trusted-ca-file").arg(&tls.as_ref().map(|t| t.ca.clone()).unwrap_or_default());
            }
            let child = cmd.spawn().map_err(|e| format!("cannot start etcd: {e}"))?;
            members.push(Member { child: Some(child), client_port: *client });
        }
        let cluster = EtcdCluster { members, tls, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(status) = inspect(&cluster.config(Duration::from_secs(2))) {
                if status.members.len() == n && status.members.iter().all(|m| m.health.is_healthy()) {
                    return Ok(cluster);
                }
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(cluster.dir.path().join("m1.log")).unwrap_or_default();
                return Err(format!("etcd did not elect a leader within 30s: {}", log.lines().last().unwrap_or("")));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn endpoints(&self) -> Vec<String> {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        self.members.iter().map(|m| format!("{scheme}://127.0.0.1:{}", m.client_port)).collect()
    }

    pub fn config(&self, timeout: Duration) -> EtcdConfig {
        EtcdConfig {
            endpoints: self.endpoints(),
            cacert: self.tls.as_ref().map(|t| t.ca.clone()),
            cert: self.tls.as_ref().map(|t| t.client_cert.clone()),
            key: self.tls.as_ref().map(|t| t.client_key.clone()),
            timeout,
        }
    }

    /// Stops member `i` (0-based) for good.
    pub fn stop(&mut self, i: usize) {
        if let Some(mut child) = self.members[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.stop(i);
        }
    }
}
