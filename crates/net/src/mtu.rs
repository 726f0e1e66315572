//! Path MTU between two nodes: UDP datagrams with don't-fragment set, at
//! sizes found by binary search, each confirmed by the peer's responder
//! answering with the size it received. A bridge or switch port with a
//! smaller MTU drops bigger frames silently, so the answer, not the
//! absence of an error, is the proof.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use kubev_ha_model::PathMtu;
use tokio::net::UdpSocket;

use crate::wire;

/// IP and UDP headers (IPv4; IPv6 headers are 20 bytes longer).
fn headers(addr: &SocketAddr) -> u32 {
    if addr.is_ipv6() { 48 } else { 28 }
}

fn set_df_probe(socket: &std::net::UdpSocket, v6: bool) -> std::io::Result<()> {
    // IP_PMTUDISC_PROBE: set DF and ignore the cached path MTU, so the
    // kernel sends what it is given up to the interface MTU.
    let (level, name, value) = if v6 {
        (libc::IPPROTO_IPV6, libc::IPV6_MTU_DISCOVER, libc::IPV6_PMTUDISC_PROBE)
    } else {
        (libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, libc::IP_PMTUDISC_PROBE)
    };
    // SAFETY: setsockopt with a c_int value on our own socket.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            name,
            &value as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// The MTU of the route to the peer, as the kernel knows it (IP_MTU).
fn route_mtu(socket: &std::net::UdpSocket, v6: bool) -> Option<u32> {
    let (level, name) = if v6 { (libc::IPPROTO_IPV6, libc::IPV6_MTU) } else { (libc::IPPROTO_IP, libc::IP_MTU) };
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt into a c_int on our own, connected socket.
    let rc = unsafe {
        libc::getsockopt(socket.as_raw_fd(), level, name, &mut value as *mut _ as *mut libc::c_void, &mut len)
    };
    (rc == 0 && value > 0).then_some(value as u32)
}

/// Whether a datagram of `payload` bytes reaches the responder and comes back confirmed.
async fn gets_through(socket: &UdpSocket, payload: usize, wait: Duration) -> bool {
    let mut datagram = wire::PROBE_PREFIX.to_vec();
    datagram.resize(payload.max(64), b'.');
    let mut buf = [0u8; wire::ANSWER_MAX];
    for _ in 0..2 {
        if socket.send(&datagram).await.is_err() {
            return false;
        }
        if let Ok(Ok(n)) = tokio::time::timeout(wait, socket.recv(&mut buf)).await
            && wire::parse_identity(&String::from_utf8_lossy(&buf[..n])).and_then(|id| id.received)
                == Some(datagram.len())
        {
            return true;
        }
    }
    false
}

/// Measures the path MTU from this host to `addr` (a UDP responder port).
pub(crate) async fn path_mtu(from: &str, to: &str, addr: SocketAddr, wait: Duration) -> PathMtu {
    let result = |mtu, local_mtu, detail: String| PathMtu { from: from.into(), to: to.into(), mtu, local_mtu, detail };
    let bind: SocketAddr =
        if addr.is_ipv6() { "[::]:0".parse().unwrap_or(addr) } else { "0.0.0.0:0".parse().unwrap_or(addr) };
    let std_socket = match std::net::UdpSocket::bind(bind).and_then(|s| s.connect(addr).map(|_| s)) {
        Ok(s) => s,
        Err(e) => return result(None, None, format!("cannot open a socket towards {addr}: {e}")),
    };
    let v6 = addr.is_ipv6();
    if let Err(e) = set_df_probe(&std_socket, v6) {
        return result(None, None, format!("cannot set don't-fragment: {e}"));
    }
    let local = route_mtu(&std_socket, v6).unwrap_or(1500);
    let _ = std_socket.set_nonblocking(true);
    let Ok(socket) = UdpSocket::from_std(std_socket) else {
        return result(None, Some(local), "cannot register the socket".into());
    };
    let h = headers(&addr) as usize;
    let mut good = 576usize.saturating_sub(h);
    let mut bad = local as usize - h + 1;
    if !gets_through(&socket, good, wait).await {
        return result(
            None,
            Some(local),
            format!("not even {} bytes got through: no responder, or the path is closed", good + h),
        );
    }
    if gets_through(&socket, bad - 1, wait).await {
        return result(Some(local), Some(local), format!("{local} bytes get through, the full MTU of the route"));
    }
    while bad - good > 1 {
        let mid = (good + bad) / 2;
        if gets_through(&socket, mid, wait).await {
            good = mid;
        } else {
            bad = mid;
        }
    }
    let mtu = (good + h) as u32;
    result(
        Some(mtu),
        Some(local),
        format!("packets above {mtu} bytes are lost although this side's route allows {local}"),
    )
}
