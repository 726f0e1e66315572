//! Which process holds a port: the socket's inode from /proc/net, then
//! the process with a descriptor on that inode. Only the processes this
//! user may inspect are seen; for the others the answer is `None`.

use kubev_ha_rules::ports::Protocol;

fn inode_of(port: u16, protocol: Protocol) -> Option<String> {
    let (files, state) = match protocol {
        Protocol::Tcp => (["/proc/net/tcp", "/proc/net/tcp6"], "0A"),
        Protocol::Udp => (["/proc/net/udp", "/proc/net/udp6"], "07"),
        Protocol::Vrrp => return None,
    };
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(st), Some(inode)) = (f.get(1), f.get(3), f.get(9)) else { continue };
            let local_port = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) && *st == state && *inode != "0" {
                return Some(inode.to_string());
            }
        }
    }
    None
}

/// `sshd (pid 812)`, or `None` when it cannot be told.
pub fn holder_of(port: u16, protocol: Protocol) -> Option<String> {
    let inode = inode_of(port, protocol)?;
    let target = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else { continue };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.to_string_lossy() == target) {
                let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                return Some(format!("{} (pid {pid})", comm.trim()));
            }
        }
    }
    Some(format!("socket inode {inode}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_own_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = holder_of(port, Protocol::Tcp).unwrap();
        assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
    }
}
