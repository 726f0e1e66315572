#!/usr/bin/env bash
# Runs the whole kubev-ha test suite, after the checks a reviewer makes:
# formatting (cargo fmt --check), lints (clippy, warnings denied) and the
# API docs (cargo doc, warnings denied, so no intra-doc link is broken).
# The first step that fails stops the script, saying which one it was.
#
# As root it first installs the Debian packages the tests use for real
# (see PACKAGES below); without root it says what is missing, and the tests
# that need those programs skip with a printed reason. Everything else the
# build needs comes from cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

# Programs the tests start for real, and the Debian packages that bring them.
PACKAGES=(
    openssh-server  # sshd on loopback for `kubev-ha probe`
    openssh-client  # ssh and ssh-keygen
    etcd-server     # a real etcd cluster for `kubev-ha etcd`
    iproute2        # network namespaces: the test bed of scripts/testbed.sh
    nftables        # rendered firewall rules, checked and applied
    kubernetes-client  # Debian's kubectl, against the Kubernetes API stand-in (tests/kubectl.rs)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing: ${missing[*]}"
        # Another package may own /usr/bin/kubectl (Google Cloud SDK's
        # `kubectl`); dpkg would refuse to overwrite it. Divert the Debian
        # package's copy beside it instead, leaving the other one alone:
        # tests/kubectl.rs finds the diverted path through `dpkg -L`.
        if [[ " ${missing[*]} " == *" kubernetes-client "* ]]; then
            owner=$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | grep -v '^diversion' | cut -d: -f1 || true)
            if [ -n "$owner" ] && [ "$owner" != kubernetes-client ]; then
                dpkg-divert --package "$owner" --no-rename --divert /usr/bin/kubectl.kubernetes-client --add /usr/bin/kubectl
            fi
        fi
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "not root (or no apt-get): not installing ${missing[*]}; the tests that need them will skip"
    fi
fi

# What a reviewer checks, before anything runs. rustfmt and clippy are
# rustup components; CI must not skip them silently when they are absent.
for component in rustfmt clippy; do
    subcommand=${component/rustfmt/fmt}
    if ! cargo "$subcommand" --version >/dev/null 2>&1; then
        echo "error: cargo $subcommand is missing: install it with \`rustup component add $component\`" >&2
        exit 1
    fi
done

# Runs one named step; a failure stops the script with the step's name.
step() {
    local name=$1
    shift
    echo "== $name: $*"
    if ! "$@"; then
        echo "error: $name failed (\`$*\`); fix it, or run the command above to see why" >&2
        exit 1
    fi
}

step "formatting" cargo fmt --all --check
step "lints" cargo clippy --workspace --all-targets -- -D warnings
step "docs" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
    # Doc tests first (nextest does not run them), so that the run closes
    # on nextest's summary of every test.
    cargo test --workspace --doc --quiet
    cargo nextest run --workspace --no-fail-fast --status-level skip --final-status-level slow
else
    cargo test --workspace
fi
