#!/usr/bin/env python3
"""Writes the host fixture trees of kubev-ha's probe tests.

Each tree holds the files `kubev-ha host --root TREE` reads, laid out as on
a real machine. `cloud-nested-guest` is captured from the machine this runs
on (a cloud VM with nested virtualisation: /dev/kvm works, cpuinfo shows no
vmx/svm); the others are written from the formats of real machines of each
kind (kernel documentation of /proc and /sys, and outputs of such hosts).
Run it from anywhere; it rewrites the trees next to itself.
"""
import os, random, shutil, sys, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20261124)

def w(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

def keep(root, rel):
    w(root, os.path.join(rel, ".keep"), "")

def cpuinfo(vendor, model, family, sockets, cores, threads_per_core, flags, mhz):
    out = []
    n = 0
    for t in range(threads_per_core):
        for s in range(sockets):
            for c in range(cores):
                out.append(
                    f"processor\t: {n}\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: 106\n"
                    f"model name\t: {model}\nstepping\t: 6\ncpu MHz\t\t: {mhz}\ncache size\t: 49152 KB\n"
                    f"physical id\t: {s}\nsiblings\t: {cores * threads_per_core}\ncore id\t\t: {c}\n"
                    f"cpu cores\t: {cores}\napicid\t\t: {s * 128 + c * 2 + t}\nfpu\t\t: yes\n"
                    f"flags\t\t: {flags}\nbogomips\t: {mhz * 2:.2f}\nclflush size\t: 64\n"
                    f"address sizes\t: 46 bits physical, 57 bits virtual\npower management:\n"
                )
                n += 1
    return "\n".join(out) + "\n"

BASE_FLAGS = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq"
TAIL_FLAGS = "ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx2 bmi1 bmi2 erms"

def meminfo(kib):
    return (f"MemTotal:       {kib} kB\nMemFree:        {kib // 2} kB\nMemAvailable:   {kib * 3 // 4} kB\n"
            f"Buffers:          102400 kB\nCached:          2048000 kB\nSwapCached:            0 kB\n")

def modules(loaded):
    return "".join(f"{m} {rnd.randint(16, 900) * 1024} {rnd.randint(0, 3)} - Live 0x0000000000000000\n" for m in loaded)

def modules_dep(shipped, compression):
    paths = {
        "geneve": "kernel/drivers/net/geneve.ko", "openvswitch": "kernel/net/openvswitch/openvswitch.ko",
        "ip_tables": "kernel/net/ipv4/netfilter/ip_tables.ko", "iptable_nat": "kernel/net/ipv4/netfilter/iptable_nat.ko",
        "vhost_net": "kernel/drivers/vhost/vhost_net.ko", "tun": "kernel/drivers/net/tun.ko",
        "kvm": "kernel/arch/x86/kvm/kvm.ko", "kvm_intel": "kernel/arch/x86/kvm/kvm-intel.ko", "kvm_amd": "kernel/arch/x86/kvm/kvm-amd.ko",
        "bridge": "kernel/net/bridge/bridge.ko", "br_netfilter": "kernel/net/bridge/br_netfilter.ko", "overlay": "kernel/fs/overlayfs/overlay.ko",
        "nf_conntrack": "kernel/net/netfilter/nf_conntrack.ko", "x_tables": "kernel/net/netfilter/x_tables.ko",
        "nsh": "kernel/net/nsh/nsh.ko", "vhost": "kernel/drivers/vhost/vhost.ko", "nvme": "kernel/drivers/nvme/host/nvme.ko",
    }
    return "".join(f"{paths[m]}{compression}:\n" for m in shipped if m in paths)

def net_tcp(ports):
    head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    lines = [f"{i:4}: 00000000:{p:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {10000 + i} 1 0000000000000000 100 0 0 10 0\n" for i, p in enumerate(ports)]
    return head + "".join(lines)

def net_udp(ports):
    head = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    return head + "".join(f"{i:5}: 00000000:{p:04X} 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 {20000 + i} 2 0000000000000000 0\n" for i, p in enumerate(ports))

def disk(root, name, sectors, rotational, majmin, model=None, parts=()):
    base = f"sys/block/{name}"
    w(root, f"{base}/size", f"{sectors}\n")
    w(root, f"{base}/queue/rotational", f"{rotational}\n")
    w(root, f"{base}/removable", "0\n")
    w(root, f"{base}/dev", f"{majmin[0]}:{majmin[1]}\n")
    w(root, f"sys/class/block/{name}/dev", f"{majmin[0]}:{majmin[1]}\n")
    if model:
        w(root, f"{base}/device/model", f"{model}\n")
    for i, (pname, psize) in enumerate(parts, start=1):
        mm = f"{majmin[0]}:{majmin[1] + i}"
        w(root, f"{base}/{pname}/dev", mm + "\n")
        w(root, f"{base}/{pname}/partition", f"{i}\n")
        w(root, f"{base}/{pname}/size", f"{psize}\n")
        w(root, f"sys/class/block/{pname}/dev", mm + "\n")

def nic(root, name, speed, mtu, mac, state="up", virtual=False, bridge=False, einval=False):
    base = f"sys/class/net/{name}"
    w(root, f"{base}/speed", "" if einval else f"{speed}\n")
    if einval:
        w(root, f"{base}/speed.EINVAL", "reading speed returns EINVAL on the real machine\n")
    w(root, f"{base}/mtu", f"{mtu}\n")
    w(root, f"{base}/operstate", f"{state}\n")
    w(root, f"{base}/address", f"{mac}\n")
    w(root, f"{base}/type", "1\n")
    if virtual:
        keep(root, f"sys/devices/virtual/net/{name}")
    if bridge:
        keep(root, f"{base}/bridge")

def mac():
    return "%02x:%02x:%02x:%02x:%02x:%02x" % tuple([rnd.choice([0x0c, 0x3c, 0xa0, 0xb4])] + [rnd.randint(0, 255) for _ in range(5)])

def common(root, hostname, release, cmdline, os_pretty, mountinfo, swaps=""):
    w(root, "proc/sys/kernel/osrelease", release + "\n")
    w(root, "proc/sys/kernel/hostname", hostname + "\n")
    w(root, "proc/cmdline", cmdline + "\n")
    w(root, "proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" + swaps)
    w(root, "proc/self/mountinfo", mountinfo)
    w(root, "etc/machine-id", uuid.UUID(int=rnd.getrandbits(128)).hex + "\n")
    w(root, "etc/os-release", f'PRETTY_NAME="{os_pretty}"\nNAME="{os_pretty.split()[0]}"\n')
    w(root, "sys/class/dmi/id/product_uuid", str(uuid.UUID(int=rnd.getrandbits(128))) + "\n")
    w(root, "proc/net/tcp6", net_tcp([]))
    w(root, "proc/net/udp6", net_udp([]))

def fresh(name):
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    return root

def xeon_server():
    root = fresh("xeon-server")
    w(root, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 6, 2, 32, 2, BASE_FLAGS + " vmx smx est tm2 " + TAIL_FLAGS, 2000.0))
    w(root, "proc/meminfo", meminfo(527_936_512))
    rel = "6.1.0-27-amd64"
    common(root, "fra-w-a1", rel, "BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-amd64 root=UUID=5d2f1c1e ro quiet",
           "Debian GNU/Linux 12 (bookworm)",
           "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
           "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
           "24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
           "30 22 259:1 / /boot/efi rw,relatime shared:30 - vfat /dev/nvme0n1p1 rw\n")
    loaded = ["kvm_intel", "kvm", "openvswitch", "geneve", "ip_tables", "iptable_nat", "vhost_net", "vhost", "tun", "br_netfilter", "bridge", "overlay", "nf_conntrack", "x_tables", "nsh", "nvme"]
    w(root, "proc/modules", modules(loaded))
    w(root, f"lib/modules/{rel}/modules.dep", modules_dep(loaded, ".ko.xz"))
    w(root, f"lib/modules/{rel}/modules.builtin", "kernel/drivers/block/loop.ko\nkernel/fs/ext4/ext4.ko\n")
    for m in loaded:
        keep(root, f"sys/module/{m}")
    w(root, "sys/module/kvm_intel/parameters/nested", "Y\n")
    disk(root, "nvme0n1", 1_875_385_008, 0, (259, 0), "SAMSUNG MZQL2960HCJR-00A07", [("nvme0n1p1", 1_048_576), ("nvme0n1p2", 1_874_334_720)])
    disk(root, "nvme1n1", 15_002_931_888, 0, (259, 3), "SAMSUNG MZQL27T6HBLA-00A07")
    for i in range(8):
        keep(root, f"sys/block/loop{i}")
    nic(root, "ens2f0", 25000, 9000, mac())
    nic(root, "ens2f1", 25000, 9000, mac())
    nic(root, "eno1", 1000, 1500, mac())
    nic(root, "br0", -1, 1500, mac(), virtual=True, bridge=True)
    nic(root, "genev_sys_6081", 0, 65000, mac(), state="unknown", virtual=True, einval=True)
    nic(root, "lo", 0, 65536, "00:00:00:00:00:00", state="unknown", virtual=True, einval=True)
    w(root, "proc/net/tcp", net_tcp([22, 6443, 2379, 2380, 10250]))
    w(root, "proc/net/udp", net_udp([6081]))
    w(root, "sys/class/dmi/id/product_name", "PowerEdge R750\n")
    w(root, "dev/kvm", "")

def epyc_server():
    root = fresh("epyc-server")
    w(root, "proc/cpuinfo", cpuinfo("AuthenticAMD", "AMD EPYC 7543 32-Core Processor", 25, 1, 32, 2, BASE_FLAGS + " svm extapic cr8_legacy " + TAIL_FLAGS, 2800.0))
    w(root, "proc/meminfo", meminfo(263_921_292))
    rel = "5.15.0-105-generic"
    common(root, "epyc-01", rel, "BOOT_IMAGE=/vmlinuz-5.15.0-105-generic root=/dev/mapper/vg-root ro",
           "Ubuntu 22.04.4 LTS",
           "25 1 259:1 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p1 rw\n"
           "40 25 8:1 / /var/lib/etcd rw,relatime shared:40 - xfs /dev/sda1 rw,attr2,inode64\n")
    loaded = ["kvm_amd", "kvm", "ip_tables", "tun", "nvme", "overlay", "x_tables"]
    shipped = loaded + ["geneve", "openvswitch", "iptable_nat", "vhost_net", "vhost", "nsh", "bridge", "br_netfilter", "nf_conntrack"]
    w(root, "proc/modules", modules(loaded))
    w(root, f"lib/modules/{rel}/modules.dep", modules_dep(shipped, ".ko"))
    w(root, f"lib/modules/{rel}/modules.builtin", "kernel/drivers/block/loop.ko\n")
    for m in loaded:
        keep(root, f"sys/module/{m}")
    w(root, "sys/module/kvm_amd/parameters/nested", "1\n")
    disk(root, "nvme0n1", 3_750_748_848, 0, (259, 0), "MZ1L21T9HCLS-00A07", [("nvme0n1p1", 3_750_746_112)])
    disk(root, "sda", 7_501_476_528, 0, (8, 0), "MZ7L33T8HBLT-00A07", [("sda1", 7_501_474_816)])
    nic(root, "enp65s0f0", 100000, 9000, mac())
    nic(root, "enp65s0f1", 100000, 9000, mac())
    nic(root, "lo", 0, 65536, "00:00:00:00:00:00", state="unknown", virtual=True, einval=True)
    w(root, "proc/net/tcp", net_tcp([22]))
    w(root, "proc/net/udp", net_udp([]))
    w(root, "sys/class/dmi/id/product_name", "ProLiant DL385 Gen10 Plus v2\n")
    w(root, "dev/kvm", "")

def laptop():
    root = fresh("laptop-hdd")
    w(root, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", 6, 1, 4, 2, BASE_FLAGS + " vmx est tm2 " + TAIL_FLAGS, 1600.0))
    w(root, "proc/meminfo", meminfo(16_290_616))
    rel = "6.8.0-45-generic"
    common(root, "thinkpad", rel, "BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic root=UUID=0b1e ro quiet splash",
           "Ubuntu 24.04.1 LTS",
           "27 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n28 27 8:1 / /boot/efi rw - vfat /dev/sda1 rw\n")
    loaded = ["kvm_intel", "kvm", "ip_tables", "x_tables", "bridge", "overlay"]
    shipped = loaded + ["geneve", "openvswitch", "iptable_nat", "vhost_net", "vhost", "nsh", "br_netfilter", "nf_conntrack"]
    w(root, "proc/modules", modules(loaded))
    w(root, f"lib/modules/{rel}/modules.dep", modules_dep(shipped, ".ko.zst"))
    w(root, f"lib/modules/{rel}/modules.builtin", "kernel/drivers/net/tun.ko\nkernel/drivers/block/loop.ko\n")
    for m in loaded + ["tun"]:
        keep(root, f"sys/module/{m}")
    w(root, "sys/module/kvm_intel/parameters/nested", "N\n")
    disk(root, "sda", 1_953_525_168, 1, (8, 0), "ST1000LM035-1RK1", [("sda1", 1_048_576), ("sda2", 1_948_000_000), ("sda3", 4_000_000)])
    nic(root, "enp0s31f6", 1000, 1500, mac())
    nic(root, "wlp2s0", 0, 1500, mac(), einval=True)
    nic(root, "lo", 0, 65536, "00:00:00:00:00:00", state="unknown", virtual=True, einval=True)
    w(root, "proc/net/tcp", net_tcp([631]))
    w(root, "proc/net/udp", net_udp([5353]))
    w(root, "sys/class/dmi/id/product_name", "20L6S01V00\n")
    w(root, "dev/kvm", "")

def vm_swap_noipv6():
    root = fresh("vm-swap-noipv6")
    w(root, "proc/cpuinfo", cpuinfo("GenuineIntel", "QEMU Virtual CPU version 2.5+", 6, 1, 4, 1, BASE_FLAGS + " " + TAIL_FLAGS, 2394.454))
    w(root, "proc/meminfo", meminfo(8_008_740))
    rel = "4.18.0-513.el8.x86_64"
    common(root, "rhel8-vm", rel, "BOOT_IMAGE=(hd0,msdos1)/vmlinuz-4.18.0-513.el8.x86_64 root=/dev/mapper/rhel-root ro ipv6.disable=1 crashkernel=auto",
           "Red Hat Enterprise Linux 8.9 (Ootpa)",
           "40 1 252:1 / / rw,relatime shared:1 - xfs /dev/vda1 rw,attr2\n",
           swaps="/dev/vda2                               partition\t2097148\t\t0\t\t-2\n")
    loaded = ["ip_tables", "x_tables", "tun"]
    shipped = loaded + ["openvswitch", "iptable_nat", "vhost_net", "vhost", "nsh"]
    w(root, "proc/modules", modules(loaded))
    w(root, f"lib/modules/{rel}/modules.dep", modules_dep(shipped, ".ko.xz"))
    w(root, f"lib/modules/{rel}/modules.builtin", "kernel/fs/xfs/xfs.ko\n")
    for m in loaded:
        keep(root, f"sys/module/{m}")
    disk(root, "vda", 104_857_600, 1, (252, 0), None, [("vda1", 100_663_296), ("vda2", 4_194_304)])
    nic(root, "eth0", -1, 1500, mac())
    nic(root, "lo", 0, 65536, "00:00:00:00:00:00", state="unknown", virtual=True, einval=True)
    w(root, "proc/net/tcp", net_tcp([22, 10250]))
    w(root, "proc/net/udp", net_udp([]))
    w(root, "sys/class/dmi/id/product_name", "KVM\n")

def capture(rel, root):
    src = os.path.join("/", rel)
    try:
        with open(src, "rb") as f:
            data = f.read()
    except OSError:
        return
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)

def nested_guest():
    root = fresh("cloud-nested-guest")
    for rel in ["proc/cpuinfo", "proc/meminfo", "proc/sys/kernel/osrelease", "proc/sys/kernel/hostname", "proc/cmdline",
                "proc/swaps", "proc/modules", "proc/config.gz", "proc/net/route", "proc/self/mountinfo", "proc/net/tcp", "proc/net/tcp6", "proc/net/udp",
                "proc/net/udp6", "etc/machine-id", "etc/os-release", "sys/class/dmi/id/product_uuid", "sys/class/dmi/id/product_name"]:
        capture(rel, root)
    release = open("/proc/sys/kernel/osrelease").read().strip()
    for f in ["modules.dep", "modules.builtin"]:
        capture(f"lib/modules/{release}/{f}", root)
    for name in os.listdir("/sys/block"):
        for rel in ["size", "queue/rotational", "removable", "dev", "device/model"]:
            capture(f"sys/block/{name}/{rel}", root)
        for part in os.listdir(f"/sys/block/{name}"):
            if os.path.exists(f"/sys/block/{name}/{part}/partition"):
                for rel in ["dev", "partition", "size"]:
                    capture(f"sys/block/{name}/{part}/{rel}", root)
    for name in os.listdir("/sys/class/block"):
        capture(f"sys/class/block/{name}/dev", root)
    for name in os.listdir("/sys/class/net"):
        for rel in ["mtu", "operstate", "address", "type"]:
            capture(f"sys/class/net/{name}/{rel}", root)
        try:
            speed = open(f"/sys/class/net/{name}/speed").read()
            w(root, f"sys/class/net/{name}/speed", speed)
        except OSError:
            w(root, f"sys/class/net/{name}/speed", "")
            w(root, f"sys/class/net/{name}/speed.EINVAL", "reading speed returns EINVAL on the real machine\n")
        if os.path.exists(f"/sys/devices/virtual/net/{name}"):
            keep(root, f"sys/devices/virtual/net/{name}")
    if os.path.exists("/dev/kvm"):
        w(root, "dev/kvm", "")

def link(root, name, ifindex, mtu, mac, speed=None, iflink=None, devtype=None, virtual=True, state="up", master=None, entries=()):
    """A link as sysfs shows it (layout checked on Linux 6.18 for veths and
    bridges): uevent with DEVTYPE where the driver sets one, ifindex and
    iflink (a veth's is its peer's index), `master` as a symlink to the
    bond or bridge, and `entries` (bonding/, brif/PORT, lower_DEV, ...) as
    empty directories or, for `name=value`, files."""
    base = f"sys/class/net/{name}"
    w(root, f"{base}/uevent", (f"DEVTYPE={devtype}\n" if devtype else "") + f"INTERFACE={name}\nIFINDEX={ifindex}\n")
    w(root, f"{base}/ifindex", f"{ifindex}\n")
    w(root, f"{base}/iflink", f"{iflink if iflink is not None else ifindex}\n")
    w(root, f"{base}/mtu", f"{mtu}\n")
    w(root, f"{base}/operstate", f"{state}\n")
    w(root, f"{base}/address", f"{mac}\n")
    w(root, f"{base}/type", "1\n")
    if speed is None:
        w(root, f"{base}/speed", "")
        w(root, f"{base}/speed.EINVAL", "reading speed returns EINVAL on the real machine\n")
    else:
        w(root, f"{base}/speed", f"{speed}\n")
    if virtual:
        keep(root, f"sys/devices/virtual/net/{name}")
    if master:
        os.symlink(f"../{master}", os.path.join(root, base, "master"))
    for e in entries:
        if "=" in e:
            rel, text = e.split("=", 1)
            w(root, f"{base}/{rel}", text + "\n")
        else:
            keep(root, f"{base}/{e}")

def bonded_worker():
    """A worker whose traffic leaves by an LACP bond: eno1 and eno2 (25 Gb/s)
    in bond0, VLAN 100 (management, under the bridge br-mgmt) and VLAN 200
    (live migration) on it, Kube-OVN's Open vSwitch links, a Geneve
    tunnel and one pod's veth."""
    global rnd
    saved, rnd = rnd, random.Random(20261201)
    root = fresh("bonded-worker")
    w(root, "proc/cpuinfo", cpuinfo("AuthenticAMD", "AMD EPYC 9354 32-Core Processor", 25, 1, 32, 2, BASE_FLAGS + " svm extapic cr8_legacy " + TAIL_FLAGS, 3250.0))
    w(root, "proc/meminfo", meminfo(395_936_512))
    rel = "5.15.0-119-generic"
    common(root, "fra-w-b3", rel, "BOOT_IMAGE=/boot/vmlinuz-5.15.0-119-generic root=UUID=77c1 ro",
           "Ubuntu 22.04.5 LTS",
           "25 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n")
    loaded = ["kvm_amd", "kvm", "openvswitch", "geneve", "ip_tables", "iptable_nat", "vhost_net", "vhost", "tun", "bonding", "8021q", "bridge", "nsh", "nvme"]
    w(root, "proc/modules", modules(loaded))
    w(root, f"lib/modules/{rel}/modules.dep", modules_dep(loaded, ""))
    for m in loaded:
        keep(root, f"sys/module/{m}")
    disk(root, "nvme0n1", 3_750_748_848, 0, (259, 0), "SAMSUNG MZQL21T9HCJR-00A07", [("nvme0n1p1", 1_048_576), ("nvme0n1p2", 3_749_000_000)])
    eno1, eno2 = mac(), mac()
    # The bond takes its first slave's MAC and gives it to every slave; a
    # slave's own stays in bonding_slave/perm_hwaddr.
    link(root, "eno1", 2, 9000, eno1, speed=25000, virtual=False, master="bond0",
         entries=["upper_bond0", f"bonding_slave/perm_hwaddr={eno1}", "bonding_slave/state=active"])
    link(root, "eno2", 3, 9000, eno1, speed=25000, virtual=False, master="bond0",
         entries=["upper_bond0", f"bonding_slave/perm_hwaddr={eno2}", "bonding_slave/state=active"])
    link(root, "bond0", 4, 9000, eno1, speed=50000, devtype="bond",
         entries=["bonding/slaves=eno1 eno2", "bonding/mode=802.3ad 4", "lower_eno1", "lower_eno2", "upper_bond0.100", "upper_bond0.200"])
    link(root, "bond0.100", 5, 9000, eno1, speed=50000, iflink=4, devtype="vlan", master="br-mgmt",
         entries=["lower_bond0", "upper_br-mgmt"])
    link(root, "bond0.200", 6, 9000, eno1, speed=50000, iflink=4, devtype="vlan", entries=["lower_bond0"])
    link(root, "br-mgmt", 7, 9000, eno1, speed=50000, devtype="bridge", entries=["bridge", "brif/bond0.100", "lower_bond0.100"])
    w(root, "proc/net/vlan/config", "VLAN Dev name\t | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
      "bond0.100      | 100  | bond0\nbond0.200      | 200  | bond0\n")
    link(root, "ovs-system", 8, 1500, mac(), state="down")
    link(root, "br-int", 9, 1400, mac(), state="unknown")
    link(root, "genev_sys_6081", 10, 65000, mac(), devtype="geneve", state="unknown", iflink=0)
    link(root, "9d2c41a7_h", 11, 1400, mac(), speed=10000, iflink=3, master="ovs-system")
    nic(root, "lo", 0, 65536, "00:00:00:00:00:00", state="unknown", virtual=True, einval=True)
    w(root, "proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "br-mgmt\t00000000\t0100640A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n")
    w(root, "proc/net/tcp", net_tcp([22, 10250]))
    w(root, "proc/net/udp", net_udp([6081]))
    w(root, "sys/class/dmi/id/product_name", "PowerEdge R7625\n")
    w(root, "dev/kvm", "")
    rnd = saved

def netns_node():
    """A node that is a network namespace joined to a bridge by a veth pair,
    as the test bed of scripts/testbed.sh builds them: its only link is the
    veth eth0 (layout as a veth in a namespace shows it on Linux 6.18,
    speed 10000 as the veth driver reports)."""
    global rnd
    saved, rnd = rnd, random.Random(20261202)
    root = fresh("netns-node")
    w(root, "proc/cpuinfo", cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Platinum 8488C", 6, 1, 2, 1, BASE_FLAGS + " " + TAIL_FLAGS, 2400.0))
    w(root, "proc/meminfo", meminfo(24_615_004))
    common(root, "w-1", "6.18.44", "console=ttyS0 reboot=k panic=1", "Debian GNU/Linux 12 (bookworm)",
           "22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n")
    link(root, "eth0", 2, 1500, mac(), speed=10000, iflink=5)
    nic(root, "lo", 0, 65536, "00:00:00:00:00:00", state="unknown", virtual=True, einval=True)
    w(root, "proc/net/tcp", net_tcp([22]))
    w(root, "proc/net/udp", net_udp([]))
    rnd = saved


if __name__ == "__main__":
    # `make_fixtures.py TREE...` writes only those trees (each of the later
    # ones has its own random generator, so it comes out the same alone).
    trees = {"xeon-server": xeon_server, "epyc-server": epyc_server, "laptop-hdd": laptop, "vm-swap-noipv6": vm_swap_noipv6,
             "cloud-nested-guest": nested_guest, "bonded-worker": bonded_worker, "netns-node": netns_node}
    for name in sys.argv[1:] or trees:
        trees[name]()
    print("wrote", ", ".join(sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)))))
