#!/usr/bin/env bash
# Builds (once) and caches a minimal Debian unstable root holding matrix-synapse and the
# reference Python synadm. Idempotent: a warm run only checks that both are installed.
# The Debian mirror is read from this machine's apt sources, never written down here.
set -euo pipefail

ROOT=${SYNADM_SYNAPSE_ROOT:-/var/cache/synadm-test/sid-root}

mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $2 !~ /security/ && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "root.sh: no Debian mirror found in the apt sources" >&2; exit 1; }
  echo "$uri"
}

mount_root() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}

umount_root() {
  mountpoint -q "$ROOT/dev" && umount "$ROOT/dev" || true
  mountpoint -q "$ROOT/proc" && umount "$ROOT/proc" || true
}

installed() {
  [ -x "$ROOT/usr/bin/synadm" ] && chroot "$ROOT" python3 -c 'import synapse' 2>/dev/null
}

if [ "${1:-}" = "umount" ]; then umount_root; exit 0; fi

if [ -f "$ROOT/.synadm-root-ready" ] && installed; then
  echo "$ROOT"
  exit 0
fi

if ! command -v debootstrap >/dev/null; then
  echo "root.sh: installing debootstrap" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  echo "root.sh: debootstrap sid into $ROOT (a few minutes, once)" >&2
  debootstrap --variant=minbase sid "$ROOT" "$(mirror)" >&2
fi

# No init in the root: stop package scripts from starting services.
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
# The machine's mirror may serve a Release file past its Valid-Until date.
echo 'Acquire::Check-Valid-Until "false";' > "$ROOT/etc/apt/apt.conf.d/99synadm-test"

mount_root
trap umount_root EXIT
echo "root.sh: installing matrix-synapse and synadm in the root" >&2
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
echo "matrix-synapse matrix-synapse/server-name string localhost" | chroot "$ROOT" debconf-set-selections 2>/dev/null || true
echo "matrix-synapse matrix-synapse/report-stats boolean false" | chroot "$ROOT" debconf-set-selections 2>/dev/null || true
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  matrix-synapse synadm ca-certificates >&2
chroot "$ROOT" apt-get clean
installed || { echo "root.sh: matrix-synapse or synadm missing after install" >&2; exit 1; }
touch "$ROOT/.synadm-root-ready"
echo "$ROOT"
