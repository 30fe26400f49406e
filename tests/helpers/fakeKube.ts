// A kubeconfig for a fake Kubernetes API on 127.0.0.1 (plain HTTP needs insecure-skip-tls-verify; K3s' real
// kubeconfig carries its CA and client certificate).

export function fakeKubeconfig(port: number): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: fake\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
        "users:",
        "- name: admin\n  user:\n    token: test-token",
        "contexts:",
        "- name: fake\n  context:\n    cluster: fake\n    user: admin",
        "current-context: fake",
    ].join("\n");
}
