#!/usr/bin/env bash
# Installs the Debian 12 packages fwbench needs to build, test and benchmark.
# Idempotent: packages already present are left alone; safe to run again.
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build
  libdpdk-dev dpdk libpcap-dev tcpdump time libspdlog-dev libfmt-dev libmnl-dev libnftnl-dev
  libcli11-dev nlohmann-json3-dev libbdd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  iptables ipset iproute2 nftables nfacct ethtool
  clang libclang-rt-14-dev clang-format
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $EUID -ne 0 ]]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || echo "setup: apt-get update failed; trying the cached package lists" >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#packages[@]} packages present"
