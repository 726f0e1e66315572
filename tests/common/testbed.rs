//! The network-namespace test bed of scripts/testbed.sh from Rust: up on
//! creation, down when dropped (also after a failed assertion).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use super::dns::TestDns;

pub struct Testbed {
    pub name: String,
    pub dir: tempfile::TempDir,
    /// The DNS server the inventory declares (the bridge's address, port
    /// 53, in the root namespace), knowing every node, as a cluster's DNS
    /// would. `None` once stopped.
    pub dns: Option<TestDns>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Testbed {
    /// Builds 3 control planes and 2 workers, or says why it cannot here.
    pub fn up() -> Result<Testbed, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("needs root for network namespaces".into());
        }
        for (tool, package) in [("ip", "iproute2"), ("/usr/sbin/sshd", "openssh-server"), ("ssh", "openssh-client")] {
            if Command::new(tool).arg("-V").output().is_err() && Command::new(tool).arg("-h").output().is_err() {
                return Err(format!("no {tool} (install {package})"));
            }
        }
        // Short, unique per process and per test bed: at most 6 characters.
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{}{}", std::process::id() % 10_000, n);
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new(script()).args(["up", &name]).arg(dir.path()).output().map_err(|e| e.to_string())?;
        let mut bed = Testbed { name, dir, dns: None };
        if !out.status.success() {
            return Err(format!("testbed.sh up failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        let nodes = bed.nodes();
        let bridge = nodes
            .first()
            .and_then(|(_, ip)| match ip {
                IpAddr::V4(v4) => {
                    let [a, b, c, _] = v4.octets();
                    Some(IpAddr::from([a, b, c, 1]))
                }
                IpAddr::V6(_) => None,
            })
            .ok_or("testbed.sh wrote no nodes")?;
        let records = nodes.into_iter().map(|(name, ip)| (name, vec![ip])).collect();
        bed.dns = Some(TestDns::start(bridge, 53, records).map_err(|e| format!("DNS server on {bridge}:53: {e}"))?);
        Ok(bed)
    }

    /// The nodes and their addresses, as testbed.sh made them.
    pub fn nodes(&self) -> Vec<(String, IpAddr)> {
        std::fs::read_to_string(self.dir.path().join("nodes"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let name = words.next()?.to_string();
                let ip = words.nth(1)?.parse().ok()?;
                Some((name, ip))
            })
            .collect()
    }

    /// Runs `kubev-ha ARGS` inside a node's namespace (its /etc/hosts is the
    /// test bed's, which lists every node).
    pub fn kubev_ha_in(&self, node: &str, args: &[&str]) -> std::process::Output {
        Command::new("ip")
            .args(["netns", "exec", &self.namespace(node), env!("CARGO_BIN_EXE_kubev-ha")])
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("ip netns exec kubev-ha")
    }

    pub fn inventory(&self) -> PathBuf {
        self.dir.path().join("inventory.yaml")
    }

    pub fn ssh_config(&self) -> PathBuf {
        self.dir.path().join("ssh_config")
    }

    pub fn namespace(&self, node: &str) -> String {
        format!("{}-{node}", self.name)
    }

    /// Runs a command inside a node's namespace; panics when it fails.
    pub fn exec(&self, node: &str, args: &[&str]) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.namespace(node)])
            .args(args)
            .output()
            .expect("ip netns exec");
        assert!(out.status.success(), "{args:?} in {node}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// A TCP listener on `port` of every address inside a node's namespace,
    /// held by this test process: something that is not the responder
    /// already owns the port. Closed when dropped.
    pub fn hold_tcp(&self, node: &str, port: u16) -> std::net::TcpListener {
        self.hold_tcp_on(node, std::net::Ipv4Addr::UNSPECIFIED, port)
    }

    /// A TCP listener on `address:port` inside `node`'s namespace (on
    /// 127.0.0.1, as kubeadm binds kube-scheduler and controller-manager).
    pub fn hold_tcp_on(&self, node: &str, address: std::net::Ipv4Addr, port: u16) -> std::net::TcpListener {
        let path = format!("/var/run/netns/{}", self.namespace(node));
        // setns changes only the calling thread's namespace, and a socket
        // stays in the namespace it was made in: a short-lived thread makes
        // the socket there and hands it back.
        std::thread::spawn(move || {
            let ns = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            // SAFETY: setns on a descriptor we own, for this thread only.
            let rc = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&ns), libc::CLONE_NEWNET) };
            assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
            std::net::TcpListener::bind((address, port)).expect("bind in the namespace")
        })
        .join()
        .expect("the namespace thread")
    }

    /// Writes `text` to a file in the test bed's directory.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/testbed.sh")
}

impl Drop for Testbed {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["down", &self.name]).arg(self.dir.path()).output();
    }
}
