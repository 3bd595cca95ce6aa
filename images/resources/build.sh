#!/bin/sh
# Builds, without a registry, the images Compose runs for tandem's backing
# resources, tagged with the names a catalogue uses (IMAGE:TAG arguments,
# e.g. postgres:16). No image can be pulled here, so each is made from
# Debian's packages: one root filesystem made with debootstrap and
# `docker import`, then a small image per kind that gives Debian's server
# the environment contract of the official image (POSTGRES_USER, ...).
#
# The tags stand in for the official images; the Debian version inside is
# what bookworm ships (PostgreSQL 15, MariaDB 10.11 for mysql, Redis 7.0,
# NATS 2.9), recorded in each image's labels.
#
# Idempotent: the root filesystem is rebuilt only when this script changes;
# the per-kind images are rebuilt every time, from Docker's build cache.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages="postgresql-15,mariadb-server,redis-server,nats-server,wget,ca-certificates"
base=tandem/debian-resources:$suite
recipe=$(sha256sum <"$here/build.sh" | cut -c1-16)

if ! command -v docker >/dev/null; then
	echo "images: docker is not installed" >&2
	exit 1
fi

have=$(docker image inspect --format '{{index .Config.Labels "tandem.recipe"}}' "$base" 2>/dev/null || true)
if [ "$have" != "$recipe" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "images: debootstrap needs root; run this as root (sudo make images)" >&2
		exit 1
	fi
	if ! command -v debootstrap >/dev/null; then
		echo "images: installing debootstrap" >&2
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	fi
	rootfs=$(mktemp -d /var/tmp/tandem-rootfs.XXXXXX)
	chmod 755 "$rootfs"
	log=$(mktemp /var/tmp/tandem-rootfs-log.XXXXXX)
	cleanup() {
		umount -R "$rootfs/proc" 2>/dev/null || true
		rm -rf --one-file-system "$rootfs" "$log" "$log.tar"
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	fail() {
		tail -n 30 "$log" >&2
		echo "images: $1 failed (the lines above are the end of its output)" >&2
		exit 1
	}
	echo "images: debootstrap $suite with $packages (a few minutes, once)" >&2
	debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$log" 2>&1 || fail debootstrap
	# Package scripts must not start servers inside the build.
	printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
	chmod +x "$rootfs/usr/sbin/policy-rc.d"
	mount -t proc proc "$rootfs/proc"
	chroot "$rootfs" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(echo "$packages" | tr , ' ')" \
		>"$log" 2>&1 || fail "installing $packages"
	umount "$rootfs/proc"
	# Debian's postinst made a cluster and a datadir of its own; the
	# entrypoints initialise theirs from the container's environment.
	rm -rf "$rootfs"/var/lib/postgresql/* "$rootfs"/var/lib/mysql/* "$rootfs"/etc/postgresql/* \
		"$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
		"$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
	# sh has no pipefail: a failed tar leaves a note for the check below.
	{ tar -C "$rootfs" -c . || echo failed >"$log.tar"; } | docker import \
		--change "LABEL tandem.recipe=$recipe" \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		- "$base" >/dev/null
	if [ -e "$log.tar" ]; then
		docker rmi "$base" >/dev/null 2>&1 || true
		echo "images: packing the root filesystem failed" >&2
		exit 1
	fi
	echo "images: built $base" >&2
fi

for image in "$@"; do
	kind=${image%%:*}
	if [ ! -f "$here/Dockerfile.$kind" ]; then
		echo "images: no recipe for $image (have: $(cd "$here" && ls Dockerfile.* | sed 's/Dockerfile\.//' | tr '\n' ' '))" >&2
		exit 1
	fi
	stand_in=$(docker image inspect --format '{{index .Config.Labels "tandem.stands-in-for"}}' "$image" 2>/dev/null || echo absent)
	if [ "$stand_in" = "" ]; then
		echo "images: $image exists and is not one of these stand-ins; keeping it" >&2
		continue
	fi
	# The legacy builder is enough (and all there may be): no RUN steps.
	if ! out=$(docker build -q -f "$here/Dockerfile.$kind" --build-arg "BASE=$base" --label "tandem.stands-in-for=$image" -t "$image" "$here" 2>&1); then
		echo "$out" >&2
		echo "images: building $image failed" >&2
		exit 1
	fi
	echo "images: $image" >&2
done
