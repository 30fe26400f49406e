#!/bin/sh
# Stub k3s-uninstall.sh: removes what the fake installer created, itself included, like the real one.
set -eu
echo "k3s-uninstall.sh $*" >>"$STUB_ROOT/stub/calls.log"
rm -rf "$STUB_ROOT/etc/rancher/k3s" "$STUB_ROOT/var/lib/rancher/k3s"
rm -f "$STUB_ROOT/usr/local/bin/k3s" "$STUB_ROOT/stub/state/k3s.active" "$STUB_ROOT/stub/state/k3s.version"
rm -f "$STUB_ROOT/usr/local/bin/k3s-uninstall.sh"
