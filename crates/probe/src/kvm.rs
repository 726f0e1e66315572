//! KVM, proven by asking it: open /dev/kvm, KVM_GET_API_VERSION must
//! answer 12, KVM_CREATE_VM must succeed. The cpuinfo flags vmx/svm are a
//! hint only: a nested guest (like a cloud VM with nested virtualisation)
//! has a working /dev/kvm and no flag, and a host can show the flag with
//! the module not loaded.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::FileTypeExt;

use kubev_ha_model::KvmFacts;

use crate::cpu::CpuInfo;
use crate::root::Root;

/// `_IO(KVMIO, 0x00)` and `_IO(KVMIO, 0x01)` with KVMIO = 0xAE
/// (include/uapi/linux/kvm.h).
const KVM_GET_API_VERSION: libc::c_ulong = 0xAE00;
const KVM_CREATE_VM: libc::c_ulong = 0xAE01;

/// What KVM offers on `root`: the device, its API version and a VM created and closed at once (on a
/// live root only), the vmx/svm flag and vendor from `cpu`, and the KVM module among
/// `loaded_modules` with its `nested` parameter.
pub(crate) fn collect(root: &Root, cpu: &CpuInfo, loaded_modules: &[String]) -> KvmFacts {
    let mut facts = KvmFacts {
        cpu_flag: cpu.virt_flag.clone(),
        vendor: cpu.vendor.clone(),
        module: ["kvm_intel", "kvm_amd"].iter().find(|m| loaded_modules.iter().any(|l| l == *m)).map(|m| m.to_string()),
        ..KvmFacts::default()
    };
    if let Some(module) = &facts.module {
        facts.nested = root
            .read_trimmed(&format!("/sys/module/{module}/parameters/nested"))
            .map(|v| matches!(v.as_str(), "Y" | "y" | "1"));
    }
    let path = root.path("/dev/kvm");
    let metadata = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            facts.device = Some(false);
            return facts;
        }
        Err(e) => {
            facts.error = Some(e.to_string());
            return facts;
        }
    };
    facts.device = Some(true);
    if !root.is_live() || !metadata.file_type().is_char_device() {
        facts.error = Some("not a character device (a captured file tree): the KVM API was not asked".into());
        return facts;
    }
    match ask_kvm(&path) {
        Ok((version, created)) => {
            facts.api_version = Some(version);
            facts.create_vm = Some(created.is_ok());
            if let Err(e) = created {
                facts.error = Some(format!("KVM_CREATE_VM failed: {e}"));
            }
        }
        // The facts keep one line: the message and its cause.
        Err(e) => facts.error = Some(kubev_ha_model::chain(&e)),
    }
    facts
}

/// Why the KVM device could not be asked. The facts keep it as text
/// (`kvm.error`).
#[derive(Debug, thiserror::Error)]
enum KvmError {
    #[error("cannot open /dev/kvm (a non-root user needs the kvm group)")]
    Open(#[source] std::io::Error),
    #[error("KVM_GET_API_VERSION failed")]
    ApiVersion(#[source] std::io::Error),
}

/// Opens the device and asks it; the VM, if created, is closed at once.
/// The inner result is KVM_CREATE_VM's.
fn ask_kvm(path: &std::path::Path) -> Result<(i32, Result<(), std::io::Error>), KvmError> {
    let file = std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(KvmError::Open)?;
    let fd = file.as_raw_fd();
    // SAFETY: KVM_GET_API_VERSION takes no argument and only returns an
    // int; fd is an open descriptor owned by `file` for the whole call.
    let version = unsafe { libc::ioctl(fd, KVM_GET_API_VERSION as _, 0) };
    if version < 0 {
        return Err(KvmError::ApiVersion(std::io::Error::last_os_error()));
    }
    // SAFETY: KVM_CREATE_VM with machine type 0 returns a new descriptor
    // or -1; fd stays valid as above.
    let vm = unsafe { libc::ioctl(fd, KVM_CREATE_VM as _, 0) };
    let created = if vm < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        // SAFETY: vm is a fresh descriptor returned to us alone; OwnedFd
        // closes it when dropped, which tears the VM down.
        drop(unsafe { OwnedFd::from_raw_fd(vm) });
        Ok(())
    };
    Ok((version, created))
}
