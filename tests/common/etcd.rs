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

/// Where a member listens, and the client port it advertises.
struct Place {
    host: String,
    client_port: u16,
    advertised_client_port: u16,
    peer_port: u16,
}

impl Place {
    fn on(host: &str, client_port: u16, peer_port: u16) -> Place {
        Place { host: host.to_string(), client_port, advertised_client_port: client_port, peer_port }
    }
}

struct Member {
    child: Option<Child>,
    host: String,
    client_port: u16,
}

pub struct EtcdCluster {
    members: Vec<Member>,
    pub tls: Option<Tls>,
    pub dir: tempfile::TempDir,
    /// Ports advertised with nothing behind them, held for the cluster's
    /// life (see [`unlistened_port`]).
    reserved: Vec<std::os::fd::OwnedFd>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// A port on 127.0.0.1 on which nothing listens and nothing else can:
/// a TCP socket bound to it without `listen`, so connections are refused
/// at once, while the port stays taken for as long as the socket lives. A
/// port found free and released (as [`free_port`] does) was once taken by
/// another test's etcd running in parallel, which then answered there.
fn unlistened_port() -> Result<(u16, std::os::fd::OwnedFd), String> {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: plain socket calls on a descriptor this function owns; the
    // address structures are fully initialised before use.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(format!("socket: {}", std::io::Error::last_os_error()));
        }
        let owned = OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        if libc::bind(fd, (&raw const addr).cast(), len) != 0 {
            return Err(format!("bind: {}", std::io::Error::last_os_error()));
        }
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut bound_len = len;
        if libc::getsockname(fd, (&raw mut bound).cast(), &mut bound_len) != 0 {
            return Err(format!("getsockname: {}", std::io::Error::last_os_error()));
        }
        Ok((u16::from_be(bound.sin_port), owned))
    }
}

/// A port free on every one of `hosts`, so that members on different
/// loopback addresses can share it, as control planes share 2379.
fn port_free_on_all(hosts: &[String]) -> Result<u16, String> {
    for _ in 0..50 {
        let port = free_port();
        if port != 0 && hosts.iter().all(|h| TcpListener::bind((h.as_str(), port)).is_ok()) {
            return Ok(port);
        }
    }
    Err(format!("found no port free on all of {}", hosts.join(", ")))
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
    /// Starts `n` members on 127.0.0.1, each on its own ports, and waits
    /// for a leader, or says why it cannot.
    pub fn start(n: usize, tls: bool) -> Result<EtcdCluster, String> {
        let hosts = (0..n).map(|_| Place::on("127.0.0.1", free_port(), free_port())).collect();
        EtcdCluster::launch(hosts, tls)
    }

    /// Starts `n` members on the loopback aliases 127.0.0.1, 127.0.0.2, ...
    /// (Linux routes all of 127.0.0.0/8 to lo), all on the same client
    /// port, the way control planes each serve etcd on their own address.
    pub fn start_on_loopback_aliases(n: usize) -> Result<EtcdCluster, String> {
        let addresses: Vec<String> = (1..=n).map(|i| format!("127.0.0.{i}")).collect();
        let client = port_free_on_all(&addresses)?;
        let mut peer = port_free_on_all(&addresses)?;
        for _ in 0..10 {
            if peer != client {
                break;
            }
            peer = port_free_on_all(&addresses)?;
        }
        if client == peer {
            return Err("found no second port free on all loopback aliases".into());
        }
        EtcdCluster::launch(addresses.iter().map(|a| Place::on(a, client, peer)).collect(), false)
    }

    /// The client port of member `i` (0-based).
    pub fn client_port(&self, i: usize) -> u16 {
        self.members[i].client_port
    }

    /// Starts `n` members on 127.0.0.1 of which all but the first
    /// advertise a client URL on which nothing listens, as members do that
    /// advertise an address this machine cannot reach.
    pub fn start_advertising_unreachable(n: usize) -> Result<EtcdCluster, String> {
        let mut reserved = Vec::new();
        let mut hosts = Vec::new();
        for i in 0..n {
            let mut place = Place::on("127.0.0.1", free_port(), free_port());
            if i > 0 {
                let (port, socket) = unlistened_port()?;
                place.advertised_client_port = port;
                reserved.push(socket);
            }
            hosts.push(place);
        }
        let mut cluster = EtcdCluster::launch(hosts, false)?;
        cluster.reserved = reserved;
        Ok(cluster)
    }

    /// Starts one member per place, named m1, m2, ...
    fn launch(hosts: Vec<Place>, tls: bool) -> Result<EtcdCluster, String> {
        let n = hosts.len();
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
        let cluster: Vec<String> =
            hosts.iter().enumerate().map(|(i, p)| format!("m{}=http://{}:{}", i + 1, p.host, p.peer_port)).collect();
        let cluster = cluster.join(",");
        let mut members = Vec::new();
        for (i, place) in hosts.iter().enumerate() {
            let Place { host, client_port: client, advertised_client_port: advertised, peer_port: peer } = place;
            let name = format!("m{}", i + 1);
            let data = dir.path().join(&name);
            let log = std::fs::File::create(dir.path().join(format!("{name}.log"))).map_err(|e| e.to_string())?;
            let mut cmd = Command::new("etcd");
            cmd.args(["--name", &name, "--data-dir"])
                .arg(&data)
                .args(["--listen-client-urls", &format!("{scheme}://{host}:{client}")])
                .args(["--advertise-client-urls", &format!("{scheme}://{host}:{advertised}")])
                .args(["--listen-peer-urls", &format!("http://{host}:{peer}")])
                .args(["--initial-advertise-peer-urls", &format!("http://{host}:{peer}")])
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
                cmd.arg("--trusted-ca-file").arg(tls.as_ref().map(|t| t.ca.clone()).unwrap_or_default());
            }
            let child = cmd.spawn().map_err(|e| format!("cannot start etcd: {e}"))?;
            members.push(Member { child: Some(child), host: host.clone(), client_port: *client });
        }
        let cluster = EtcdCluster { members, tls, dir, reserved: Vec::new() };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(status) = inspect(&cluster.config(Duration::from_secs(2)))
                && status.members.len() == n
                && status.members.iter().all(|m| m.health.is_healthy())
            {
                return Ok(cluster);
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
        self.members.iter().map(|m| format!("{scheme}://{}:{}", m.host, m.client_port)).collect()
    }

    pub fn config(&self, timeout: Duration) -> EtcdConfig {
        EtcdConfig {
            endpoints: self.endpoints(),
            cacert: self.tls.as_ref().map(|t| t.ca.clone()),
            cert: self.tls.as_ref().map(|t| t.client_cert.clone()),
            key: self.tls.as_ref().map(|t| t.client_key.clone()),
            timeout,
            discover: true,
        }
    }

    /// The member (0-based) the cluster names its leader, if it names one.
    pub fn leader(&self) -> Option<usize> {
        let status = inspect(&self.config(Duration::from_secs(2))).ok()?;
        let leader = status.members.iter().find(|m| m.is_leader)?;
        self.endpoints().iter().position(|e| leader.endpoint.as_ref() == Some(e))
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
