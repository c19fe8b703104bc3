#!/usr/bin/env bash
# reactor/podman/test-images.sh — builds, if missing, the local images the
# podman driver's tests run (no image registry is reachable from the test
# machines, so nothing is pulled):
#
#   localhost/dinfra-busybox:latest          Debian's static busybox on an
#                                            empty root: sh, httpd, wget …,
#                                            /srv/index.html
#   localhost/dinfra-busybox-healthy:latest  the same with a HEALTHCHECK
#                                            (wget of its own port 8080)
#
# Uses $DINFRA_CONTAINER_ENGINE (default podman) with CONTAINERS_CONF
# defaulting to this folder's containers.conf. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
engine="${DINFRA_CONTAINER_ENGINE:-podman}"
base="localhost/dinfra-busybox:latest"
healthy="localhost/dinfra-busybox-healthy:latest"

die() { echo "test-images: $*" >&2; exit 1; }
command -v "$engine" >/dev/null || die "$engine is not installed (deploy/setup.sh installs podman)"

if ! "$engine" image inspect "$base" >/dev/null 2>&1; then
    busybox="$(command -v busybox || true)"
    [ -n "$busybox" ] || die "busybox is not installed (deploy/setup.sh installs busybox-static)"
    # The image has no libc: the binary must be static.
    if ldd "$busybox" >/dev/null 2>&1; then
        die "$busybox is dynamically linked; install Debian's busybox-static"
    fi
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    root="$work/rootfs"
    mkdir -p "$root/bin" "$root/srv" "$root/tmp" "$root/etc"
    cp "$busybox" "$root/bin/busybox"
    for applet in sh httpd wget sleep echo cat ls nc; do
        ln -s busybox "$root/bin/$applet"
    done
    echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
    echo "<h1>served by a DINFRA container</h1>" > "$root/srv/index.html"
    tar -C "$root" -cf "$work/rootfs.tar" .
    "$engine" import --quiet --change 'CMD ["/bin/sh"]' "$work/rootfs.tar" "$base" >/dev/null
    echo "test-images: built $base"
fi

if ! "$engine" image inspect "$healthy" >/dev/null 2>&1; then
    printf '%s\n' \
        "FROM $base" \
        'HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]' \
        'CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/srv"]' \
        | "$engine" build --quiet --format docker --tag "$healthy" -f - "$here" >/dev/null
    echo "test-images: built $healthy"
fi
