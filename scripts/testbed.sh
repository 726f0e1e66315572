#!/usr/bin/env bash
# A small cluster of test hosts on one machine: one network namespace per
# node, joined by veth pairs to a bridge, each running its own sshd.
#
#   scripts/testbed.sh up   NAME DIR [CONTROL_PLANES] [WORKERS]
#   scripts/testbed.sh down NAME DIR
#
# NAME (at most 6 letters and digits) prefixes every namespace, link and
# file, so several test beds can coexist; DIR receives the SSH keys, an
# ssh_config, the inventory (inventory.yaml) and the state `down` needs.
# Nodes get 10.X.Y.11.. (control planes) and 10.X.Y.21.. (workers) on a
# /24 derived from NAME; the bridge, in the root namespace, is .1, so the
# root namespace reaches every node (that is how `kubev-ha net matrix`
# runs from here). /etc/netns/NS/hosts makes every node name resolve in
# every namespace. The inventory declares the bridge's address as the DNS
# server; tests/common/testbed.rs serves DNS there (nothing else does, so
# without it NET-DNS must fail although /etc/hosts resolves every name).
# `down` removes all of it and is safe to run twice.
# Needs root, iproute2 and openssh-server.
set -euo pipefail

cmd=${1:?usage: testbed.sh up|down NAME DIR [CONTROL_PLANES] [WORKERS]}
name=${2:?name}
dir=${3:?dir}
cps=${4:-3}
workers=${5:-2}

[[ $name =~ ^[a-z0-9]{1,6}$ ]] || { echo "testbed: NAME must be 1 to 6 lower-case letters or digits" >&2; exit 2; }
bridge="${name}br"
# A /24 from the name: 10.(100..199).(0..255).0
sum=$(printf '%s' "$name" | cksum | cut -d' ' -f1)
net="10.$((100 + sum % 100)).$(((sum / 100) % 256))"

nodes() {
    for i in $(seq 1 "$cps"); do echo "cp-$i control-plane $net.$((10 + i))"; done
    for i in $(seq 1 "$workers"); do echo "w-$i worker $net.$((20 + i))"; done
}

ns_of() { echo "${name}-$1"; }

down() {
    if [ -f "$dir/nodes" ]; then
        while read -r node _ _; do
            ns=$(ns_of "$node")
            if [ -f "$dir/$node.sshd.pid" ]; then kill "$(cat "$dir/$node.sshd.pid")" 2>/dev/null || true; fi
            ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
            ip netns del "$ns" 2>/dev/null || true
            rm -rf "/etc/netns/$ns"
        done < "$dir/nodes"
    fi
    ip link del "$bridge" 2>/dev/null || true
    for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^${name}v" || true); do
        ip link del "$link" 2>/dev/null || true
    done
}

up() {
    [ "$(id -u)" = 0 ] || { echo "testbed: needs root (network namespaces)" >&2; exit 3; }
    command -v ip >/dev/null || { echo "testbed: needs iproute2" >&2; exit 3; }
    [ -x /usr/sbin/sshd ] || { echo "testbed: needs openssh-server" >&2; exit 3; }
    mkdir -p "$dir" /run/sshd
    down
    nodes > "$dir/nodes"
    ip link add "$bridge" type bridge
    ip addr add "$net.1/24" dev "$bridge"
    ip link set "$bridge" up

    [ -f "$dir/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
    [ -f "$dir/client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key"
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    : > "$dir/known_hosts"

    local hosts="127.0.0.1 localhost"$'\n'
    while read -r node _ addr; do hosts+="$addr $node"$'\n'; done < "$dir/nodes"

    local i=0
    while read -r node role addr; do
        i=$((i + 1))
        ns=$(ns_of "$node")
        outer="${name}v${i}"
        ip netns add "$ns"
        ip link add "$outer" type veth peer name "${name}p${i}"
        ip link set "${name}p${i}" netns "$ns"
        ip -n "$ns" link set "${name}p${i}" name eth0
        ip link set "$outer" master "$bridge" up
        ip -n "$ns" addr add "$addr/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
        mkdir -p "/etc/netns/$ns"
        printf '%s' "$hosts" > "/etc/netns/$ns/hosts"
        printf '%s\n' "$node" > "/etc/netns/$ns/hostname"
        cat > "$dir/$node.sshd_config" <<EOF
ListenAddress $addr:22
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PidFile $dir/$node.sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin yes
LogLevel ERROR
EOF
        ip netns exec "$ns" /usr/sbin/sshd -f "$dir/$node.sshd_config"
    done < "$dir/nodes"

    cat > "$dir/ssh_config" <<EOF
Host *
  User root
  IdentityFile $dir/client_key
  UserKnownHostsFile $dir/known_hosts
  StrictHostKeyChecking accept-new
  BatchMode yes
EOF

    {
        echo "apiVersion: kubev-ha/v1alpha1"
        echo "kind: Inventory"
        echo "metadata: {name: testbed-$name}"
        echo "network:"
        echo "  nodeCIDR: $net.0/24"
        echo "  podCIDR: 10.244.0.0/16"
        echo "  serviceCIDR: 10.96.0.0/12"
        echo "  dns: {servers: [$net.1]}"
        echo "nodes:"
        while read -r node role addr; do
            echo "  - {name: $node, address: $addr, roles: [$role], zone: z-${node##*-}, nics: [{name: eth0, mtu: 1500}]}"
        done < "$dir/nodes"
    } > "$dir/inventory.yaml"

    # Wait until every sshd answers.
    while read -r node _ addr; do
        for _ in $(seq 1 50); do
            if (exec 3<>"/dev/tcp/$addr/22") 2>/dev/null; then break; fi
            sleep 0.1
        done
    done < "$dir/nodes"
    echo "testbed $name up: $(wc -l < "$dir/nodes") nodes on $net.0/24; inventory $dir/inventory.yaml, ssh config $dir/ssh_config"
}

case "$cmd" in
    up) up ;;
    down) down; echo "testbed $name down" ;;
    *) echo "usage: testbed.sh up|down NAME DIR [CONTROL_PLANES] [WORKERS]" >&2; exit 2 ;;
esac
