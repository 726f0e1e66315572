//! Disks from /sys/block: NVMe by name, SSD or HDD by the rotational
//! flag, size in 512-byte sectors; and which disk holds a path (etcd's data
//! dir), through /proc/self/mountinfo and the block devices' MAJ:MIN.

use kubev_ha_model::HostDisk;
use kubev_ha_model::{ByteSize, Media};

use crate::root::Root;

/// Block devices that are not disks.
fn is_virtual_block(name: &str) -> bool {
    ["loop", "ram", "zram", "sr", "fd", "dm-", "md", "nbd", "drbd"].iter().any(|p| name.starts_with(p))
        || (name.starts_with("mmcblk") && (name.contains("boot") || name.contains("rpmb")))
}

/// Paravirtual disks: their rotational flag is whatever the hypervisor
/// says (often 1), so it proves nothing about the media behind them.
fn is_paravirtual(name: &str) -> bool {
    name.starts_with("vd") || name.starts_with("xvd")
}

/// The host's disks from /sys/block, with size, medium and model; virtual devices (loop, RAM, zram,
/// optical, device-mapper, md, nbd, DRBD) and disks of size zero are left out. What each holds is
/// filled in by [`crate::collect`].
pub(crate) fn collect_disks(root: &Root) -> Vec<HostDisk> {
    root.list("/sys/block")
        .into_iter()
        .filter(|name| !is_virtual_block(name))
        .map(|name| {
            let base = format!("/sys/block/{name}");
            let size = root
                .read_trimmed(&format!("{base}/size"))
                .and_then(|s| s.parse::<u64>().ok())
                .map(|sectors| ByteSize::bytes(sectors.saturating_mul(512)));
            let rotational = root.read_trimmed(&format!("{base}/queue/rotational")).map(|r| r == "1");
            let kind = if name.starts_with("nvme") {
                Some(Media::Nvme)
            } else {
                match rotational {
                    Some(false) => Some(Media::Ssd),
                    Some(true) if is_paravirtual(&name) => None,
                    Some(true) => Some(Media::Hdd),
                    None => None,
                }
            };
            let model = root.read_trimmed(&format!("{base}/device/model")).or_else(|| {
                is_paravirtual(&name).then(|| "paravirtual disk (its media is the hypervisor's)".to_string())
            });
            HostDisk { name, kind, size, rotational, model, holds: vec![] }
        })
        .filter(|d| d.size.is_some_and(|s| s.as_u64() > 0))
        .collect()
}

/// One line of /proc/self/mountinfo: mount point, MAJ:MIN, file system type, source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    /// Where it is mounted.
    pub point: String,
    /// The device number, `MAJ:MIN`.
    pub dev: String,
    /// The file system type.
    pub fstype: String,
    /// The mount source (`/dev/nvme0n1p2`, `tmpfs`).
    pub source: String,
}

/// Every mount of /proc/self/mountinfo's text; malformed lines are skipped.
pub(crate) fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let sep = fields.iter().position(|f| *f == "-")?;
            Some(Mount {
                dev: fields.get(2)?.to_string(),
                point: unescape(fields.get(4)?),
                fstype: fields.get(sep + 1)?.to_string(),
                source: fields.get(sep + 2).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

/// mountinfo escapes spaces and the like as octal (`\040`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let code: String = chars.by_ref().take(3).collect();
            if let Ok(n) = u8::from_str_radix(&code, 8) {
                out.push(n as char);
                continue;
            }
            out.push('\\');
            out.push_str(&code);
        } else {
            out.push(c);
        }
    }
    out
}

/// The mount that holds `path`: the longest mount point that prefixes it.
pub(crate) fn mount_of<'a>(mounts: &'a [Mount], path: &str) -> Option<&'a Mount> {
    mounts
        .iter()
        .filter(|m| {
            m.point == "/" || path == m.point || path.starts_with(&format!("{}/", m.point.trim_end_matches('/')))
        })
        .max_by_key(|m| m.point.len())
}

/// Why no disk could be named for a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UnknownDisk {
    /// No line of /proc/self/mountinfo covers the path.
    #[error("no mount holds {path}")]
    NoMount {
        /// The path asked about.
        path: String,
    },
    /// The path lives on a file system with no block device (tmpfs, overlay, NFS).
    #[error("{path} is on {fstype} ({source_name}), not a block device")]
    NotABlockDevice {
        /// The path asked about.
        path: String,
        /// The file system type.
        fstype: String,
        /// The mount's source as mountinfo names it.
        source_name: String,
    },
    /// The device is a partition or a mapping whose disk could not be told.
    #[error("{path} is on {device}, whose disk could not be found (LVM, RAID or device mapper)")]
    NoParentDisk {
        /// The path asked about.
        path: String,
        /// The device it is on.
        device: String,
    },
    /// The mount's device number names no device under /sys/class/block.
    #[error("{path} is on device {dev} ({source_name}), not found under /sys/class/block")]
    UnknownDevice {
        /// The path asked about.
        path: String,
        /// The device number (`major:minor`).
        dev: String,
        /// The mount's source as mountinfo names it.
        source_name: String,
    },
}

/// Which disk holds `path`, or why none does.
pub(crate) fn disk_of(root: &Root, mounts: &[Mount], path: &str) -> Result<String, UnknownDisk> {
    let mount = mount_of(mounts, path).ok_or_else(|| UnknownDisk::NoMount { path: path.to_string() })?;
    if mount.dev.starts_with("0:") {
        return Err(UnknownDisk::NotABlockDevice {
            path: path.to_string(),
            fstype: mount.fstype.clone(),
            source_name: mount.source.clone(),
        });
    }
    // Find the block device with this MAJ:MIN, then its parent disk.
    for name in root.list("/sys/class/block") {
        if root.read_trimmed(&format!("/sys/class/block/{name}/dev")).as_deref() != Some(mount.dev.as_str()) {
            continue;
        }
        if root.exists(&format!("/sys/block/{name}")) {
            return Ok(name);
        }
        for disk in root.list("/sys/block") {
            if root.exists(&format!("/sys/block/{disk}/{name}/partition")) {
                return Ok(disk);
            }
        }
        return Err(UnknownDisk::NoParentDisk { path: path.to_string(), device: name });
    }
    Err(UnknownDisk::UnknownDevice {
        path: path.to_string(),
        dev: mount.dev.clone(),
        source_name: mount.source.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 259:2 / / rw,relatime - ext4 /dev/nvme0n1p2 rw
30 27 259:5 / /var/lib/etcd rw,relatime - xfs /dev/nvme1n1p1 rw
31 27 8:1 / /mnt/with\\040space rw - ext4 /dev/sda1 rw
";

    #[test]
    fn finds_the_mount_of_a_path() {
        let mounts = parse_mountinfo(MOUNTINFO);
        assert_eq!(mount_of(&mounts, "/var/lib/etcd/member").unwrap().dev, "259:5");
        assert_eq!(mount_of(&mounts, "/var/lib/etcdx").unwrap().dev, "259:2");
        assert_eq!(mount_of(&mounts, "/home").unwrap().point, "/");
        assert_eq!(mounts[3].point, "/mnt/with space");
    }

    #[test]
    fn overlay_root_is_not_a_disk() {
        let mounts = parse_mountinfo("1 0 0:33 / / rw - overlay overlay rw\n");
        let root = Root::new("/nonexistent");
        let why = disk_of(&root, &mounts, "/var/lib/etcd").unwrap_err();
        assert!(matches!(why, UnknownDisk::NotABlockDevice { ref fstype, .. } if fstype == "overlay"), "{why:?}");
        assert_eq!(why.to_string(), "/var/lib/etcd is on overlay (overlay), not a block device");
    }
}
