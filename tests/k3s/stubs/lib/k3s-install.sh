#!/bin/sh
# Fake get.k3s.io installer (run with `sh`): records how it was called and lays down a stub k3s under STUB_ROOT.
set -eu
# Swallow stdin like a careless installer would: a script fed on stdin must be fully parsed before this runs.
cat >/dev/null
printf 'INSTALL_K3S_VERSION=%s INSTALL_K3S_EXEC=%s INSTALL_K3S_FORCE_RESTART=%s argc=%s\n' \
    "${INSTALL_K3S_VERSION:-}" "${INSTALL_K3S_EXEC:-}" "${INSTALL_K3S_FORCE_RESTART:-}" "$#" >>"$STUB_ROOT/stub/installer.log"
echo "installer $INSTALL_K3S_VERSION" >>"$STUB_ROOT/stub/calls.log"
if [ "${STUB_INSTALLER_FAIL:-0}" = 1 ]; then
    echo "[ERROR]  stub installer failure" >&2
    exit 1
fi
state="$STUB_ROOT/stub/state"
bin="$STUB_ROOT/usr/local/bin"
mkdir -p "$state" "$bin" "$STUB_ROOT/etc/rancher/k3s"
# Keep the config k3s would start with, so tests can check it was in place before the installer ran.
cp "$STUB_ROOT/etc/rancher/k3s/config.yaml" "$state/config-at-install.yaml"
if [ -f "$STUB_ROOT/etc/rancher/k3s/registries.yaml" ]; then
    cp "$STUB_ROOT/etc/rancher/k3s/registries.yaml" "$state/registries-at-install.yaml"
fi
printf '%s\n' "$INSTALL_K3S_VERSION" >"$state/k3s.version"
cp "$STUB_ROOT/stub/lib/k3s" "$bin/k3s"
cp "$STUB_ROOT/stub/lib/k3s-uninstall.sh" "$bin/k3s-uninstall.sh"
chmod 755 "$bin/k3s" "$bin/k3s-uninstall.sh"
cat >"$STUB_ROOT/etc/rancher/k3s/k3s.yaml" <<'KUBECONFIG'
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EK
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Q0VSVAo=
    client-key-data: S0VZCg==
KUBECONFIG
touch "$state/k3s.active"
echo "[INFO]  stub k3s $INSTALL_K3S_VERSION installed"
