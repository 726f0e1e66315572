//! Probing other hosts over SSH, with the system's OpenSSH client.
//!
//! The client is the one the operator already trusts: ~/.ssh/config,
//! the agent, known_hosts and ProxyJump all apply as they would to a
//! plain `ssh`. Each node gets one connection that streams this very
//! binary into a temporary file, runs `kubev-ha host --facts-only` there,
//! and removes the file on exit (a shell trap): the same collectors, the
//! KVM ioctls and adjtimex included, which reading files over SSH could
//! not do. Nothing else on the host changes.
//!
//! Every node has a deadline; at most `parallel` run at once; a node that
//! cannot be reached is reported with the reason, and the others finish.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use kubev_ha_model::{HostFacts, HostProbe};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio::sync::Semaphore;

/// Why a remote run gave no answer. Reports keep it as text (a node's
/// `unreachable` reason), spelled with its causes by
/// [`kubev_ha_model::chain`].
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The ssh client (or the program) could not be started.
    #[error("cannot run {}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A standard stream of the ssh client was not piped (`stdin`, `stdout`, `stderr`).
    #[error("no {0} pipe to the ssh client")]
    NoPipe(&'static str),
    /// Writing the binary to the node, or reading or waiting for ssh.
    #[error(transparent)]
    Io(std::io::Error),
    /// Nothing within the deadline; `said` is the last line ssh wrote to
    /// stderr, if any.
    #[error("no answer within {}s{}", deadline.as_secs(), said.as_deref().map(|s| format!(": {s}")).unwrap_or_default())]
    Silent {
        /// The deadline that passed.
        deadline: Duration,
        /// The last line ssh wrote to stderr.
        said: Option<String>,
    },
    /// ssh or the remote program failed; the words come from its exit
    /// status and stderr.
    #[error("{0}")]
    Failed(String),
    /// The remote program exited successfully but printed no answer.
    #[error("the remote program ended without a word")]
    Ended,
    /// What the node sent back is not the JSON expected.
    #[error("unreadable {what}")]
    Unreadable {
        /// What was being read.
        what: &'static str,
        /// Why it could not be read.
        #[source]
        source: serde_json::Error,
    },
}

/// How to reach one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// The node's name (for reports).
    pub node: String,
    /// Address or host name to connect to (or a Host alias of ssh_config).
    pub host: String,
    /// The SSH user; ssh's own choice (~/.ssh/config, the local user) when `None`.
    pub user: Option<String>,
    /// The SSH port; ssh's own choice (22, ~/.ssh/config) when `None`.
    pub port: Option<u16>,
    /// The private key; ssh's own choice (the agent, ~/.ssh/config) when `None`.
    pub identity: Option<PathBuf>,
}

impl SshTarget {
    /// How to reach an inventory node: its address, and `ssh.username`,
    /// `ssh.port` and `ssh.privateKeyFile` (a KubeVCluster manifest's
    /// sshUsername and sshPrivateKeyFile), with `~/` expanded as a shell
    /// would. What is not declared is left to ~/.ssh/config.
    pub fn of_node(node: &kubev_ha_model::Node) -> SshTarget {
        let ssh = node.ssh.as_ref();
        SshTarget {
            node: node.name.clone(),
            host: node.address.to_string(),
            user: ssh.and_then(|s| s.username.clone()),
            port: ssh.and_then(|s| s.port),
            identity: ssh.and_then(|s| s.private_key_file.as_deref()).map(expand_home),
        }
    }
}

/// `~/id` as the user means it: below $HOME.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// How to run the SSH client.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// The whole per-node deadline: connect, upload, collect.
    pub timeout: Duration,
    /// How many nodes at once.
    pub parallel: usize,
    /// `-F FILE`: an ssh_config instead of ~/.ssh/config.
    pub config: Option<PathBuf>,
    /// Extra `-o KEY=VALUE` options.
    pub options: Vec<String>,
    /// Run the collector with `sudo -n` (for non-root users: product_uuid,
    /// and /dev/kvm without the kvm group).
    pub sudo: bool,
    /// The `ssh` program.
    pub program: PathBuf,
    /// The etcd data dir to look up on the node.
    pub etcd_path: String,
    /// Where the temporary copy of this binary goes on the node: /tmp by
    /// default, another directory where /tmp is mounted noexec.
    pub remote_dir: String,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            timeout: Duration::from_secs(60),
            parallel: 16,
            config: None,
            options: vec![],
            sudo: false,
            program: PathBuf::from("ssh"),
            etcd_path: crate::DEFAULT_ETCD_PATH.into(),
            remote_dir: "/tmp".into(),
        }
    }
}

/// A word quoted for a POSIX shell.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// The shell the remote side runs: refuse another architecture before
/// reading anything, read exactly `binary_len` bytes of stdin into a
/// temporary file that a trap removes whatever happens, and run it with
/// `args` (the rest of stdin is the program's).
fn remote_script(sudo: bool, dir: &str, binary_len: usize, args: &[String]) -> String {
    let arch = std::env::consts::ARCH;
    let run = if sudo { "sudo -n \"$f\"" } else { "\"$f\"" };
    let args: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    format!(
        "set -e; a=$(uname -m); if [ \"$a\" != {arch} ]; then echo \"kubev-ha: the node is $a, this kubev-ha is {arch}\" >&2; exit 97; fi; \
f=$(mktemp {}/kubev-ha.XXXXXX); trap 'rm -f \"$f\"' EXIT HUP INT TERM; head -c {binary_len} > \"$f\"; chmod 700 \"$f\"; \
{run} {}",
        shell_quote(dir.trim_end_matches('/')),
        args.join(" ")
    )
}

/// The arguments of the `ssh` command for `target`.
pub(crate) fn ssh_args(target: &SshTarget, options: &SshOptions, remote_command: &str) -> Vec<String> {
    let connect = options.timeout.as_secs().clamp(1, 30);
    let mut args = vec![
        "-o".into(),
        "BatchMode=yes".into(),
        "-o".into(),
        format!("ConnectTimeout={connect}"),
        "-o".into(),
        "ServerAliveInterval=5".into(),
        "-o".into(),
        "ServerAliveCountMax=2".into(),
    ];
    if let Some(config) = &options.config {
        args.push("-F".into());
        args.push(config.display().to_string());
    }
    for o in &options.options {
        args.push("-o".into());
        args.push(o.clone());
    }
    if let Some(port) = target.port {
        args.push("-p".into());
        args.push(port.to_string());
    }
    if let Some(identity) = &target.identity {
        args.push("-i".into());
        args.push(identity.display().to_string());
    }
    if let Some(user) = &target.user {
        args.push("-l".into());
        args.push(user.clone());
    }
    args.push("--".into());
    args.push(target.host.clone());
    args.push(remote_command.into());
    args
}

/// Why a remote run failed, in words, from ssh's exit status and stderr.
fn failure(status: std::process::ExitStatus, stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    let reason = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim().to_string();
    // The collector is this very binary, linked against the C library of
    // the machine it was built on; an older distribution's loader says
    // "version `GLIBC_2.34' not found". Say what to do about it.
    if let Some(needed) = stderr.split('`').nth(1).filter(|v| v.starts_with("GLIBC_") && stderr.contains("not found")) {
        return format!(
            "the node's C library is older than this kubev-ha needs ({needed}): run `kubev-ha probe` from a kubev-ha \
             built on the oldest distribution among the nodes, or a static build \
             (cargo build --release --target x86_64-unknown-linux-musl)"
        );
    }
    match status.code() {
        Some(255) => format!("ssh: {}", reason.trim_start_matches("ssh: ")),
        Some(code) => format!("the remote kubev-ha exited with {code}: {reason}"),
        None => "the ssh client was killed".to_string(),
    }
}

fn command(target: &SshTarget, options: &SshOptions, binary_len: usize, args: &[String]) -> Command {
    let script = remote_script(options.sudo, &options.remote_dir, binary_len, args);
    let mut command = Command::new(&options.program);
    command
        .args(ssh_args(target, options, &script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs this binary with `args` on the node, `input` on its stdin, and
/// returns its stdout; never waits past `options.timeout`.
pub async fn run_remote(
    target: &SshTarget,
    options: &SshOptions,
    binary: &[u8],
    args: &[String],
    input: &[u8],
) -> Result<Vec<u8>, RemoteError> {
    let run = async {
        let mut child = command(target, options, binary.len(), args)
            .spawn()
            .map_err(|source| RemoteError::Spawn { program: options.program.clone(), source })?;
        if let Some(mut stdin) = child.stdin.take() {
            // A node that refuses (wrong architecture) closes the pipe
            // early; its stderr then says why.
            let _ = stdin.write_all(binary).await;
            let _ = stdin.write_all(input).await;
            let _ = stdin.shutdown().await;
        }
        let out = child.wait_with_output().await.map_err(RemoteError::Io)?;
        if out.status.success() { Ok(out.stdout) } else { Err(RemoteError::Failed(failure(out.status, &out.stderr))) }
    };
    tokio::time::timeout(options.timeout, run)
        .await
        .unwrap_or(Err(RemoteError::Silent { deadline: options.timeout, said: None }))
}

/// A long-running remote program (a responder): its stdin stays open
/// until [`RemoteSession::stop`], which the program takes as the signal
/// to end.
pub struct RemoteSession {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::BufReader<tokio::process::ChildStdout>,
}

impl RemoteSession {
    /// Starts this binary with `args` on the node.
    pub async fn start(
        target: &SshTarget,
        options: &SshOptions,
        binary: &[u8],
        args: &[String],
    ) -> Result<RemoteSession, RemoteError> {
        let mut child = command(target, options, binary.len(), args)
            .spawn()
            .map_err(|source| RemoteError::Spawn { program: options.program.clone(), source })?;
        let mut stdin = child.stdin.take().ok_or(RemoteError::NoPipe("stdin"))?;
        let stdout = child.stdout.take().ok_or(RemoteError::NoPipe("stdout"))?;
        let upload = async {
            stdin.write_all(binary).await.map_err(RemoteError::Io)?;
            stdin.flush().await.map_err(RemoteError::Io)
        };
        if let Ok(result) = tokio::time::timeout(options.timeout, upload).await {
            result?;
        } else {
            // ssh never connected (or the node never read): say what ssh said.
            let _ = child.start_kill();
            let mut err = Vec::new();
            if let Some(mut e) = child.stderr.take() {
                use tokio::io::AsyncReadExt;
                let _ = tokio::time::timeout(Duration::from_secs(1), e.read_to_end(&mut err)).await;
            }
            let said = String::from_utf8_lossy(&err)
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.trim().to_string());
            return Err(RemoteError::Silent { deadline: options.timeout, said });
        }
        Ok(RemoteSession { child, stdin: Some(stdin), stdout: tokio::io::BufReader::new(stdout) })
    }

    /// The next line the program prints, within `timeout`.
    pub async fn line(&mut self, timeout: Duration) -> Result<String, RemoteError> {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        match tokio::time::timeout(timeout, self.stdout.read_line(&mut line)).await {
            Ok(Ok(0)) => {
                let status = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
                let mut err = Vec::new();
                if let Some(mut e) = self.child.stderr.take() {
                    use tokio::io::AsyncReadExt;
                    let _ = tokio::time::timeout(Duration::from_secs(1), e.read_to_end(&mut err)).await;
                }
                match status {
                    Ok(Ok(s)) => Err(RemoteError::Failed(failure(s, &err))),
                    _ => Err(RemoteError::Ended),
                }
            }
            Ok(Ok(_)) => Ok(line),
            Ok(Err(e)) => Err(RemoteError::Io(e)),
            Err(_) => Err(RemoteError::Silent { deadline: timeout, said: None }),
        }
    }

    /// Closes its stdin (the program ends) and waits a little, then kills.
    pub async fn stop(mut self) {
        drop(self.stdin.take());
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// Probes one node: upload, collect, parse. Never waits past the deadline.
pub(crate) async fn probe_one(target: &SshTarget, options: &SshOptions, binary: Arc<Vec<u8>>) -> HostProbe {
    let args: Vec<String> = vec!["host".into(), "--facts-only".into(), "--etcd-path".into(), options.etcd_path.clone()];
    match run_remote(target, options, &binary, &args, &[]).await {
        Ok(stdout) => match serde_json::from_slice::<HostFacts>(&stdout) {
            Ok(facts) => HostProbe::Probed { facts: Box::new(facts) },
            Err(source) => HostProbe::Unreachable {
                reason: kubev_ha_model::chain(&RemoteError::Unreadable { what: "answer from the node", source }),
            },
        },
        Err(e) => HostProbe::Unreachable { reason: kubev_ha_model::chain(&e) },
    }
}

/// Probes every target, at most `options.parallel` at once; `on_done` is
/// called as each finishes (for progress).
pub async fn probe_all(
    targets: Vec<SshTarget>,
    options: &SshOptions,
    binary: Vec<u8>,
    on_done: impl Fn(&str, &HostProbe) + Send + Sync + 'static,
) -> BTreeMap<String, HostProbe> {
    let binary = Arc::new(binary);
    let permits = Arc::new(Semaphore::new(options.parallel.max(1)));
    let on_done = Arc::new(on_done);
    let tasks: Vec<_> = targets
        .into_iter()
        .map(|target| {
            let (binary, permits, options, on_done) =
                (binary.clone(), permits.clone(), options.clone(), on_done.clone());
            let node = target.node.clone();
            let task = tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let probe = probe_one(&target, &options, binary).await;
                on_done(&target.node, &probe);
                probe
            });
            (node, task)
        })
        .collect();
    let mut out = BTreeMap::new();
    for (node, task) in tasks {
        out.insert(node, joined(task.await));
    }
    out
}

/// The probe of a node's task; a task that panicked leaves the node
/// unreachable with the reason, never missing from the report.
fn joined(result: Result<HostProbe, tokio::task::JoinError>) -> HostProbe {
    result.unwrap_or_else(|e| HostProbe::Unreachable { reason: task_failure("the probe task", e) })
}

/// Why a task gave no result, as the reason a report keeps: `what`
/// ("the probe task") panicked, with the panic's message, or was
/// cancelled. Callers report the target as failed with it, never drop it.
pub fn task_failure(what: &str, e: tokio::task::JoinError) -> String {
    if e.is_panic() {
        format!("internal error: {what} panicked: {}", kubev_ha_model::panic_message(e.into_panic().as_ref()))
    } else {
        format!("internal error: {what} was cancelled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_under_home_is_expanded() {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        assert_eq!(
            expand_home("~/.ssh/id_ed25519"),
            home.map_or_else(|| PathBuf::from("~/.ssh/id_ed25519"), |h| h.join(".ssh/id_ed25519"))
        );
        assert_eq!(expand_home("/etc/kubev/key"), PathBuf::from("/etc/kubev/key"));
        assert_eq!(expand_home("~user/key"), PathBuf::from("~user/key"), "only the caller's own home");
    }

    #[test]
    fn an_old_c_library_is_named_with_what_to_do() {
        use std::os::unix::process::ExitStatusExt;
        let stderr = b"/tmp/kubev-ha.Ab12Cd: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /tmp/kubev-ha.Ab12Cd)\n";
        let why = failure(std::process::ExitStatus::from_raw(1 << 8), stderr);
        assert!(why.contains("GLIBC_2.34") && why.contains("static build"), "{why}");
        let why = failure(
            std::process::ExitStatus::from_raw(255 << 8),
            b"ssh: connect to host x port 22: Connection refused\n",
        );
        assert_eq!(why, "ssh: connect to host x port 22: Connection refused");
    }

    #[tokio::test]
    async fn a_panicked_node_task_leaves_the_node_unreachable() {
        let panicked = tokio::spawn(async { panic!("odd facts") }).await;
        assert_eq!(
            joined(panicked),
            HostProbe::Unreachable { reason: "internal error: the probe task panicked: odd facts".into() }
        );
    }

    #[test]
    fn a_silent_node_says_what_ssh_said() {
        let silent = RemoteError::Silent { deadline: Duration::from_secs(5), said: Some("Permission denied".into()) };
        assert_eq!(silent.to_string(), "no answer within 5s: Permission denied");
        assert_eq!(
            RemoteError::Silent { deadline: Duration::from_secs(5), said: None }.to_string(),
            "no answer within 5s"
        );
        let spawn =
            RemoteError::Spawn { program: "ssh".into(), source: std::io::Error::from(std::io::ErrorKind::NotFound) };
        assert_eq!(kubev_ha_model::chain(&spawn), "cannot run ssh: entity not found");
    }

    #[test]
    fn builds_the_ssh_command() {
        let target = SshTarget {
            node: "cp-1".into(),
            host: "10.0.0.11".into(),
            user: Some("ubuntu".into()),
            port: Some(2222),
            identity: Some("/keys/id".into()),
        };
        let args = ssh_args(&target, &SshOptions { timeout: Duration::from_secs(5), ..SshOptions::default() }, "true");
        let joined = args.join(" ");
        assert!(joined.starts_with("-o BatchMode=yes -o ConnectTimeout=5"), "{joined}");
        assert!(joined.ends_with("-p 2222 -i /keys/id -l ubuntu -- 10.0.0.11 true"), "{joined}");
    }

    #[test]
    fn the_remote_script_cleans_up() {
        let script = remote_script(true, "/tmp", 1234, &["host".into(), "--facts-only".into(), "it's".into()]);
        assert!(script.contains("trap 'rm -f \"$f\"' EXIT"));
        assert!(script.contains("head -c 1234 > \"$f\""));
        assert!(script.contains("sudo -n \"$f\" 'host' '--facts-only' 'it'\\''s'"), "{script}");
    }
}
