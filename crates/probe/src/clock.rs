//! Clock synchronisation, as the kernel knows it: adjtimex(2) with no
//! modes only reads. TIME_ERROR, or STA_UNSYNC in the status, means the
//! clock is not being disciplined by NTP/chrony/PTP.

use kubev_ha_model::TimeSync;

/// The live system's clock state; captured file trees have none.
pub(crate) fn collect(live: bool) -> TimeSync {
    if !live {
        return TimeSync { synchronised: None, detail: Some("not read: a captured file tree has no clock".into()) };
    }
    // SAFETY: timex is plain data; modes = 0 asks adjtimex to read only.
    let mut tx: libc::timex = unsafe { std::mem::zeroed() };
    tx.modes = 0;
    // SAFETY: tx is a valid, writable timex for the call's duration.
    let state = unsafe { libc::adjtimex(&mut tx) };
    if state < 0 {
        return TimeSync {
            synchronised: None,
            detail: Some(format!("adjtimex failed: {}", std::io::Error::last_os_error())),
        };
    }
    let unsync = tx.status & libc::STA_UNSYNC != 0;
    let synchronised = state != libc::TIME_ERROR && !unsync;
    let detail = format!(
        "adjtimex state {}{}, estimated error {} µs",
        match state {
            libc::TIME_OK => "TIME_OK",
            libc::TIME_INS => "TIME_INS",
            libc::TIME_DEL => "TIME_DEL",
            libc::TIME_OOP => "TIME_OOP",
            libc::TIME_WAIT => "TIME_WAIT",
            libc::TIME_ERROR => "TIME_ERROR",
            _ => "unknown",
        },
        if unsync { ", STA_UNSYNC set" } else { "" },
        tx.esterror
    );
    TimeSync { synchronised: Some(synchronised), detail: Some(detail) }
}
