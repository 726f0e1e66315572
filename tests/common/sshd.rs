//! A real OpenSSH server on loopback for tests: throwaway host and client
//! keys in a temporary directory, a free port, listening on 127.0.0.1 and
//! 127.0.0.2; stopped when dropped.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sshd {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub user: String,
}

impl Sshd {
    pub fn client_key(&self) -> PathBuf {
        self.dir.path().join("client_key")
    }

    pub fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    /// The `-o` options a client needs to trust this throwaway server.
    pub fn client_options(&self) -> Vec<String> {
        vec![format!("UserKnownHostsFile={}", self.known_hosts().display()), "StrictHostKeyChecking=accept-new".into()]
    }

    /// Starts sshd, or says why it cannot run here.
    pub fn start() -> Result<Sshd, String> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.exists() {
            return Err("no /usr/sbin/sshd (install openssh-server)".into());
        }
        if Command::new("ssh").arg("-V").output().is_err() {
            return Err("no ssh client (install openssh-client)".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for key in ["host_key", "client_key"] {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(dir.path().join(key))
                .status()
                .map_err(|e| format!("ssh-keygen: {e}"))?;
            if !status.success() {
                return Err("ssh-keygen failed".into());
            }
        }
        std::fs::copy(dir.path().join("client_key.pub"), dir.path().join("authorized_keys"))
            .map_err(|e| e.to_string())?;
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        let d = dir.path().display();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nListenAddress 127.0.0.2\nHostKey {d}/host_key\n\
AuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nStrictModes no\nUsePAM no\n\
PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin yes\nLogLevel ERROR\n"
        );
        std::fs::write(dir.path().join("sshd_config"), config).map_err(|e| e.to_string())?;
        // sshd's privilege-separation directory; only root may create it.
        let _ = std::fs::create_dir_all("/run/sshd");
        let mut child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(dir.path().join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start sshd: {e}"))?;
        // Generous: on a loaded machine sshd can take seconds to listen, and
        // a slow start must not turn the ssh tests into skips.
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                return Err(format!("sshd exited ({status}): {}", err.trim()));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err("sshd did not start listening within 30s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| {
            String::from_utf8_lossy(&Command::new("id").arg("-un").output().map(|o| o.stdout).unwrap_or_default())
                .trim()
                .to_string()
        });
        Ok(Sshd { child, port, dir, user })
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
