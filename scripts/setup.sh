#!/usr/bin/env bash
# Installs everything SysmonTs needs to build, run and test on a fresh Debian machine of this
# project's kind, then builds it. Idempotent and quiet when nothing is missing; sourced by
# scripts/monitor.sh and scripts/test.sh, so the README's two commands need nothing else.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Build: clang + libbpf headers + bpftool for the eBPF programs. Run: libbpf1.
# Tests: rsyslog (+gnutls) as the remote collector, openssl for the test CA, systemd for
# systemd-analyze, bpftrace/sysstat for benchmark baselines, python3-pefile as the independent
# PE version-resource reader, Wine + msitools + mingw-w64 for
# the Windows build and its smoke test.
packages=(
  clang llvm libbpf-dev libbpf1 bpftool make gcc libc6-dev
  rsyslog rsyslog-gnutls openssl systemd util-linux iproute2 procps
  bpftrace sysstat python3 python3-pefile
  wine64 wine msitools wixl gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev binutils-mingw-w64-x86-64 osslsigncode libevtx1
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

# npm packages, including the pinned Node.js runtime (the `node` package), which npm scripts
# and node_modules/.bin put first on PATH. Installing runs `prepare`, which builds the bundle.
# `npm install --no-save` rather than `npm ci`: the registry served here gives no manifests for
# other platforms' optional packages (@swc/core-darwin-*, ...), so the lock cannot list them and
# `npm ci` refuses it; install still takes every listed version from the lock.
lock_stamp=node_modules/.package-lock.json
if [ ! -f "$lock_stamp" ] || [ package-lock.json -nt "$lock_stamp" ] || [ package.json -nt "$lock_stamp" ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
export PATH="$root/node_modules/.bin:$PATH"

# .NET local tools (pinned in .config/dotnet-tools.json) when the manifest names any.
if [ -f .config/dotnet-tools.json ] && command -v dotnet >/dev/null; then
  dotnet tool restore >/dev/null
fi

# The eBPF object the Linux sensor loads (driver/linux/build/sysmonts.bpf.o).
make -s -C driver/linux
npm run --silent build
