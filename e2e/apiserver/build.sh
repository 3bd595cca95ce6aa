#!/bin/sh
# Builds kube-apiserver and etcd, for the e2e test of tandem check --server,
# once per machine: into a cache folder outside the checkout, so that every
# clone reuses them, and that later runs only check they are there. A cold
# build takes about 8 minutes and 2 GB of memory on two cores. Prints the
# folder.
set -eu
tools=$(cd "$(dirname "$0")/tools" && pwd)
version=$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$tools/go.mod")
dir=${TANDEM_APISERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem/apiserver-$version}
if [ -x "$dir/kube-apiserver" ] && [ -x "$dir/etcd" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir"
cd "$tools"
minor=$(echo "$version" | cut -d. -f2)
# Without a version, kubectl cannot parse what the server reports.
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
echo "building kube-apiserver $version and etcd into $dir (once per machine)" >&2
# Each binary is built beside its final name and moved into place, so an
# interrupted build leaves nothing that looks complete.
go build -trimpath -ldflags "$ldflags" -o "$dir/kube-apiserver.partial.$$" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags "-s -w" -o "$dir/etcd.partial.$$" go.etcd.io/etcd/server/v3
mv "$dir/etcd.partial.$$" "$dir/etcd"
mv "$dir/kube-apiserver.partial.$$" "$dir/kube-apiserver"
echo "$dir"
