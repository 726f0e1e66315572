#!/usr/bin/env bash
# Measures kubev-ha side by side with the reference tools, on this machine,
# in one run, and prints Markdown tables for BENCHMARKS.md.
#
#   scripts/bench.sh [plan] [host] [disk] [net] [audit]   (default: all five)
#
# plan: `kubev-ha plan` end to end (CPU and wall time, peak RSS) for 100..50,000
#       workers against a plain parse of the same file (parse_generic), and
#       the criterion benchmark of plan() against parsing the input.
# host: `kubev-ha host` against `virt-host-validate` (libvirt-clients).
# disk: `kubev-ha disk` against fio's etcd test, alternately, same directory.
# net:  in network namespaces (root): `net bandwidth` against iperf3 (1 and
#       4 streams), a port sweep against `nmap -sT` (open and filtered
#       ports), and the responder's memory under 10,000 connections.
# audit: `kubev-ha audit` against the stand-in (kube-standin) at 500 and 5,000
#       workers (10,000 and 100,000 VMIs), beside Debian's kubectl listing the
#       VMIs from the same stand-in and a plain serde_json parse of them
#       (AUDIT_SIZES="workers:vms ..." and AUDIT_ROUNDS change the sizes and rounds).
# As root it installs what is missing (fio iperf3 nmap libvirt-clients
# nftables iproute2 openssh-server bc python3). Timings are medians of several runs.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(plan host disk net audit)

need=()
for pkg in fio iperf3 nmap libvirt-clients nftables iproute2 openssh-server bc python3; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})) && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cargo build --release --quiet
K="$PWD/target/release/kubev-ha"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}}'; }
now() { date +%s.%N; }
# CPU seconds (user + system, to the millisecond) that COMMAND... takes, its output discarded.
cputime() {
    # The difference of two readings: a python3 started through a shim
    # (pyenv) inherits the CPU time of the shim's own children across exec.
    python3 -c 'import resource, subprocess, sys
cpu = lambda r: r.ru_utime + r.ru_stime
before = cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(f"{cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - before:.3f}")' "$@"
}

echo "# Measured on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d)"
echo

for section in "${sections[@]}"; do
case "$section" in
plan)
    cargo build --release --quiet -p kubev-ha-model --example parse_generic
    P="$PWD/target/release/examples/parse_generic"
    echo "## plan: end to end against a plain parse of the same file, median of 5, interleaved"
    echo
    echo "Each round runs \`parse_generic FILE\` (serde-saphyr into a generic value, nothing else), then \`kubev-ha plan FILE --format json --no-fix\` for its CPU time, then once more for wall time and peak RSS; CPU seconds (user + system, from getrusage) are what a busy 2-core machine disturbs least."
    echo
    echo "| workers | VMs | scenarios | input | plain parse | plan | plan / parse | plan wall | plan peak RSS |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for w in 100 1000 5000 20000 50000; do
        f="$work/w$w.yaml"
        "$K" generate --workers "$w" --zones 10 --vms $((w * 20)) > "$f"
        parse=(); cpu=(); wall=(); rss=()
        for _ in 1 2 3 4 5; do
            parse+=("$(cputime "$P" "$f")")
            cpu+=("$(cputime "$K" plan "$f" --format json --no-fix)")
            out=$( { /usr/bin/time -f '%e %M' "$K" plan "$f" --format json --no-fix > "$work/plan.json"; } 2>&1 | tail -1)
            wall+=("${out% *}"); rss+=("${out#* }")
        done
        scenarios=$(python3 -c "import json;print(len(json.load(open('$work/plan.json'))['scenarios']))")
        p=$(printf '%s\n' "${parse[@]}" | median); c=$(printf '%s\n' "${cpu[@]}" | median)
        t=$(printf '%s\n' "${wall[@]}" | median); r=$(printf '%s\n' "${rss[@]}" | median)
        ratio=$(awk -v c="$c" -v p="$p" 'BEGIN {if (p > 0) printf "%.2f", c / p; else print "n/a"}')
        echo "| $w | $((w * 20)) | $scenarios | $(du -k "$f" | awk '{if ($1 < 1024) printf "%d KiB", $1; else printf "%.1f MiB", $1/1024}') | ${p} s | ${c} s | ${ratio} | ${t} s | $(awk -v k="$r" 'BEGIN {printf "%.0f MiB", k/1024}') |"
    done
    echo
    echo "criterion (\`cargo bench -p kubev-ha-plan\`), median time per iteration: plan/N is plan() on the inventory in memory (every single-worker and single-zone scenario, the smallest-fix search included), parse/N is reading the same inventory from YAML:"
    echo
    echo '```'
    cargo bench -p kubev-ha-plan --bench plan -- --output-format bencher 2>/dev/null \
        | awk '/^test / {ns=$5; gsub(",", "", ns); printf "%-12s %10.2f ms\n", $2, ns/1e6}' || true
    echo '```'
    echo
    ;;
host)
    echo "## host: \`kubev-ha host\` against \`virt-host-validate\`, 20 runs each"
    echo
    k=(); v=()
    for _ in $(seq 1 20); do
        s=$(now); "$K" host > /dev/null || true; e=$(now); k+=("$(echo "$e - $s" | bc -l)")
        s=$(now); virt-host-validate > /dev/null 2>&1 || true; e=$(now); v+=("$(echo "$e - $s" | bc -l)")
    done
    echo "| tool | median | slowest |"
    echo "|---|---:|---:|"
    echo "| kubev-ha host | $(printf '%s\n' "${k[@]}" | median | awk '{printf "%.1f ms", $1*1000}') | $(printf '%s\n' "${k[@]}" | sort -n | tail -1 | awk '{printf "%.1f ms", $1*1000}') |"
    echo "| virt-host-validate | $(printf '%s\n' "${v[@]}" | median | awk '{printf "%.1f ms", $1*1000}') | $(printf '%s\n' "${v[@]}" | sort -n | tail -1 | awk '{printf "%.1f ms", $1*1000}') |"
    echo
    ;;
disk)
    dir="${BENCH_DISK_DIR:-$work/disk}"
    mkdir -p "$dir"
    echo "## disk: \`kubev-ha disk\` against fio's etcd test in $dir (22 MiB in 2300-byte writes, fdatasync after each), alternating, 3 runs each"
    echo
    echo "| run | fio p99 | kubev-ha p99 | fio p50 | kubev-ha p50 | fio time | kubev-ha time |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for i in 1 2 3; do
        s=$(now)
        fio --name=etcd --directory="$dir" --rw=write --ioengine=sync --fdatasync=1 --size=22m --bs=2300 --output-format=json > "$work/fio.json" 2>/dev/null
        e=$(now); ft=$(echo "$e - $s" | bc -l)
        rm -f "$dir"/etcd.*
        s=$(now)
        "$K" disk "$dir" --format json > "$work/k.json" || true
        e=$(now); kt=$(echo "$e - $s" | bc -l)
        python3 - "$work/fio.json" "$work/k.json" "$i" "$ft" "$kt" <<'PY'
import json, sys
fio = json.load(open(sys.argv[1]))["jobs"][0]["sync"]["lat_ns"]["percentile"]
k = json.load(open(sys.argv[2]))["measurements"]["fdatasync"]
print(f"| {sys.argv[3]} | {fio['99.000000']/1e6:.3f} ms | {k['p99Ms']:.3f} ms | {fio['50.000000']/1e6:.3f} ms | {k['p50Ms']:.3f} ms | {float(sys.argv[4]):.2f} s | {float(sys.argv[5]):.2f} s |")
PY
    done
    echo
    ;;
net)
    if [ "$(id -u)" != 0 ]; then echo "## net: skipped (needs root for network namespaces)"; continue; fi
    scripts/testbed.sh up bench "$work/bed" 1 2 > /dev/null
    trap 'scripts/testbed.sh down bench "$work/bed" > /dev/null; rm -rf "$work"' EXIT
    inv="$work/bed/inventory.yaml"
    A=$(awk '$1=="w-1" {print $3}' "$work/bed/nodes")
    nsA=bench-w-1; nsB=bench-w-2; nsC=bench-cp-1
    echo "## net: bandwidth, w-2 → w-1 over a veth pair and a bridge, 5 s each, alternating, 5 runs"
    echo
    echo 'kubev-ha writes 1 MiB at a time; iperf3 writes 128 KiB by default, so both iperf3 default and `iperf3 -l 1M` are shown. Ratio: kubev-ha over iperf3 default.'
    echo
    echo 'The last column checks kubev-ha against the kernel: bytes w-1 eth0 received during the kubev-ha run (its rx_bytes counter), over the seconds kubev-ha reports.'
    echo
    echo "| streams | run | iperf3 | iperf3 -l 1M | kubev-ha net bandwidth | ratio | kernel rx during kubev-ha |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    ip netns exec "$nsA" iperf3 -s -D -p 5201 -I "$work/iperf3.pid" >/dev/null
    ip netns exec "$nsA" "$K" net serve --role worker --name w-1 --ttl 10m --bandwidth-port 5202 > /dev/null 2>&1 &
    serve=$!
    sleep 1
    for streams in 1 4; do
        ratios=()
        for i in 1 2 3 4 5; do
            ip=$(ip netns exec "$nsB" iperf3 -c "$A" -p 5201 -t 5 -P "$streams" -J | python3 -c "import json,sys; print(json.load(sys.stdin)['end']['sum_received']['bits_per_second'])")
            ip1m=$(ip netns exec "$nsB" iperf3 -c "$A" -p 5201 -t 5 -P "$streams" -l 1M -J | python3 -c "import json,sys; print(json.load(sys.stdin)['end']['sum_received']['bits_per_second'])")
            rx0=$(ip netns exec "$nsA" cat /sys/class/net/eth0/statistics/rx_bytes)
            ip netns exec "$nsB" "$K" net bandwidth --to "$A:5202" --streams "$streams" --duration 5s --format json > "$work/bw.json"
            rx1=$(ip netns exec "$nsA" cat /sys/class/net/eth0/statistics/rx_bytes)
            ours=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['totalBps'])" "$work/bw.json")
            kernel=$(python3 -c "import json,sys; print(($rx1-$rx0)*8/json.load(open(sys.argv[1]))['seconds'])" "$work/bw.json")
            python3 -c "print(f'| $streams | $i | {$ip/1e9:.2f} Gbit/s | {$ip1m/1e9:.2f} Gbit/s | {$ours/1e9:.2f} Gbit/s | {$ours/$ip:.3f} | {$kernel/1e9:.2f} Gbit/s |')"
            ratios+=("$(python3 -c "print($ours/$ip)")")
        done
        echo "| $streams | **median** | | | | **$(printf '%s\n' "${ratios[@]}" | median | awk '{printf "%.3f", $1}')** | |"
    done
    kill "$serve" 2>/dev/null || true; wait "$serve" 2>/dev/null || true
    kill "$(cat "$work/iperf3.pid")" 2>/dev/null || true
    echo

    echo "## net: port sweep from w-2 of every TCP port w-2 must reach on w-1 and cp-1, against \`nmap -sT\`, 3 runs"
    echo
    echo "Ports closed on purpose on cp-1, by nftables: 6443 is dropped (filtered), 6641 is answered with a reset (closed). Each tool probes exactly the TCP ports a worker must reach on each host (nmap gets one port list per host, both hosts scanned at once); kubev-ha also probes the UDP ports and resolves the node names in the same run. Both give up on a silent port adaptively (kubev-ha: two tries of 10× the slowest answer from that host, at least 250 ms)."
    ip netns exec "$nsA" "$K" net serve --role worker --name w-1 --ttl 10m > /dev/null 2>&1 &
    s1=$!
    ip netns exec "$nsC" "$K" net serve --role control-plane --name cp-1 --ttl 10m > /dev/null 2>&1 &
    s2=$!
    sleep 1
    C=$(awk '$1=="cp-1" {print $3}' "$work/bed/nodes")
    ip netns exec "$nsC" nft -f - <<EOF
table inet bench {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 6443 drop
    tcp dport 6641 reject with tcp reset
  }
}
EOF
    ip netns exec "$nsB" "$K" net check "$inv" --from w-2 --no-mtu --format json > "$work/check.json" || true
    portsA=$(python3 -c "import json,sys; print(','.join(sorted({str(p['port']) for p in json.load(open(sys.argv[1]))['measurements']['network']['probes'] if p['protocol']=='tcp' and p['address']==sys.argv[2]}, key=int)))" "$work/check.json" "$A")
    portsC=$(python3 -c "import json,sys; print(','.join(sorted({str(p['port']) for p in json.load(open(sys.argv[1]))['measurements']['network']['probes'] if p['protocol']=='tcp' and p['address']==sys.argv[2]}, key=int)))" "$work/check.json" "$C")
    echo
    echo "| run | kubev-ha net check | nmap -sT (defaults) | same verdict on every TCP port |"
    echo "|---:|---:|---:|---|"
    for i in 1 2 3; do
        s=$(now); ip netns exec "$nsB" "$K" net check "$inv" --from w-2 --no-mtu --format json > "$work/check.json" || true; e=$(now); kt=$(echo "$e - $s" | bc -l)
        s=$(now)
        ip netns exec "$nsB" nmap -sT -n -Pn -p "$portsA" "$A" -oX "$work/nmapA.xml" > /dev/null &
        nA=$!
        ip netns exec "$nsB" nmap -sT -n -Pn -p "$portsC" "$C" -oX "$work/nmapC.xml" > /dev/null &
        nC=$!
        wait "$nA" "$nC"
        e=$(now); nt=$(echo "$e - $s" | bc -l)
        same=$(python3 - "$work/check.json" "$work/nmapA.xml" "$work/nmapC.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
ours = {}
for p in json.load(open(sys.argv[1]))["measurements"]["network"]["probes"]:
    if p["protocol"] == "tcp":
        state = {"open": "open", "open-other": "open", "closed": "closed", "filtered": "filtered"}.get(p["state"], p["state"])
        ours[(p["address"], p["port"])] = state
theirs = {}
for host in [h for f in sys.argv[2:4] for h in ET.parse(f).getroot().iter("host")]:
    addr = host.find("address").get("addr")
    for port in host.iter("port"):
        theirs[(addr, int(port.get("portid")))] = port.find("state").get("state")
common = [k for k in ours if k in theirs]
diff = [k for k in common if ours[k] != theirs[k]]
states = sorted(set(ours[k] for k in common))
print(f"{'yes' if not diff else 'NO: ' + str(diff)} ({len(common)} ports: {', '.join(states)})")
PY
)
        echo "| $i | $(printf '%.2f s' "$kt") | $(printf '%.2f s' "$nt") | $same |"
    done
    kill "$s1" "$s2" 2>/dev/null || true; wait "$s1" "$s2" 2>/dev/null || true
    echo

    echo "## net: the responder under 10,000 concurrent connections"
    echo
    echo "10,000 TCP connections opened at once from w-2 to w-1's kubelet port (10250) and held for 3 s; \"connected\" counts the handshakes that completed, peak RSS is the responder's high-water mark."
    echo
    echo "| --max-conns | connected | served | closed at once over the limit | peak RSS |"
    echo "|---:|---:|---:|---:|---:|"
    for max in 1024 20000; do
        ip netns exec "$nsA" bash -c "ulimit -n 65536 2>/dev/null || true; exec '$K' net serve --role worker --name w-1 --ttl 20s --max-conns $max" > /dev/null 2> "$work/serve.err" &
        pid=$!
        sleep 1
        rpid=$pid  # ip netns exec and bash's exec both keep the process: this is the responder
        cat > "$work/flood.py" <<'PY'
import socket, sys, resource, time
socks = []
for i in range(10000):
    s = socket.socket(); s.setblocking(False)
    try: s.connect((sys.argv[1], 10250))
    except BlockingIOError: pass
    socks.append(s)
time.sleep(3)
# Completed handshakes: no socket error and a peer address (a socket the
# responder has since closed still has one).
done = 0
for s in socks:
    try:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            s.getpeername(); done += 1
    except OSError:
        pass
print(done)
PY
        ip netns exec "$nsB" bash -c "ulimit -n 65536 2>/dev/null || true; exec python3 '$work/flood.py' '$A'" > "$work/flood.out" &
        client=$!
        sleep 2
        hwm=$(awk '/VmHWM/ {print $2}' "/proc/$rpid/status" 2>/dev/null || echo 0)
        wait "$client" 2>/dev/null || true
        opened=$(cat "$work/flood.out")
        wait "$pid" 2>/dev/null || true
        served=$(grep -o '[0-9]* connections answered' "$work/serve.err" | awk '{print $1}')
        refused=$(grep -o '[0-9]* refused over the limit' "$work/serve.err" | awk '{print $1}')
        echo "| $max | $opened | ${served:-?} | ${refused:-?} | $(awk -v k="$hwm" 'BEGIN {printf "%.1f MiB", k/1024}') |"
    done
    echo
    ;;
audit)
    # The Debian kubectl (kubernetes-client), not whichever kubectl is first
    # on PATH: scripts/test.sh diverts the package's binary when another
    # package owns /usr/bin/kubectl, so follow the diversion.
    DK=$(dpkg -L kubernetes-client 2>/dev/null | grep -m1 '/kubectl$' || true)
    [ -z "$DK" ] || DK=$(dpkg-divert --truename "$DK")
    if [ -z "$DK" ]; then echo "## audit: skipped (Debian's kubernetes-client is not installed)"; continue; fi
    cargo build --release --quiet -p kube-standin
    cargo build --release --quiet -p kubev-ha-cluster --example parse_json
    S="$PWD/target/release/kube-standin"
    J="$PWD/target/release/examples/parse_json"
    # CPU seconds, wall seconds and peak RSS (MiB) of one command, output
    # discarded, whatever its exit status (audit exits 1 on a failed rule).
    cat > "$work/measure.py" <<'PY'
import resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
print(f"{cpu:.3f} {wall:.3f} {after.ru_maxrss / 1024:.0f}")
PY
    echo "## audit: end to end against the stand-in, beside Debian's kubectl listing the same VMIs and a plain parse of them, median of 3, interleaved"
    echo
    echo "Each size is generated (\`kubev-ha generate --cluster-dump\`), served by \`kube-standin\` over HTTPS on loopback (pages of 500, as kubectl asks), and each round runs \`kubev-ha audit --kubeconfig K --format json\` (every read of the audit, judged), \`kubectl get vmi -A -o json > /dev/null\` (Debian's kubernetes-client, one resource only) and \`parse_json vmis.json\` (serde_json into a generic value, nothing else), in turn. CPU is user + system of the client (the stand-in's own CPU is not counted); peak RSS is the client's."
    echo
    echo "| workers | VMIs | dump | audit CPU | audit wall | audit peak RSS | kubectl vmi CPU | kubectl wall | kubectl peak RSS | parse vmis.json CPU | parse peak RSS |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for size in ${AUDIT_SIZES:-500:10000 5000:100000}; do
        workers=${size%%:*}; vms=${size##*:}
        d="$work/dump-$workers"
        "$K" generate --cluster-dump "$d" --workers "$workers" --zones 10 --vms "$vms" > /dev/null 2>&1
        "$S" --dir "$d" --kubeconfig "$work/kubeconfig" --page-size 500 --for 3600 > "$work/standin.out" 2>&1 &
        spid=$!
        for _ in $(seq 600); do [ -s "$work/kubeconfig" ] && grep -q https "$work/standin.out" && break; sleep 0.5; done
        a_cpu=(); a_wall=(); a_rss=(); k_cpu=(); k_wall=(); k_rss=(); p_cpu=(); p_rss=()
        for round in $(seq "${AUDIT_ROUNDS:-3}"); do
            read -r c w r < <(python3 "$work/measure.py" "$K" audit --kubeconfig "$work/kubeconfig" --format json --timeout 30m)
            a_cpu+=("$c"); a_wall+=("$w"); a_rss+=("$r")
            read -r c w r < <(python3 "$work/measure.py" "$DK" --kubeconfig "$work/kubeconfig" get vmi -A -o json --request-timeout 30m)
            k_cpu+=("$c"); k_wall+=("$w"); k_rss+=("$r")
            read -r c w r < <(python3 "$work/measure.py" "$J" "$d/vmis.json")
            p_cpu+=("$c"); p_rss+=("$r")
        done
        kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
        m() { printf '%s\n' "$@" | median; }
        echo "| $workers | $vms | $(du -sh "$d" | cut -f1) | $(m "${a_cpu[@]}") s | $(m "${a_wall[@]}") s | $(m "${a_rss[@]}") MiB | $(m "${k_cpu[@]}") s | $(m "${k_wall[@]}") s | $(m "${k_rss[@]}") MiB | $(m "${p_cpu[@]}") s | $(m "${p_rss[@]}") MiB |"
        rm -rf "$d" "$work/kubeconfig"
    done
    echo
    ;;
*) echo "unknown section $section (plan, host, disk, net, audit)" >&2; exit 2 ;;
esac
done
