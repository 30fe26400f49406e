// A kubeconfig for a fake Kubernetes API on 127.0.0.1 (plain HTTP needs insecure-skip-tls-verify; K3s' real
// kubeconfig carries its CA and client certificate).
import * as http from "node:http";
import type { AddressInfo } from "node:net";

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

/** An API server that accepts connections and never answers, on 127.0.0.1, with a kubeconfig naming it. */
export async function silentKubeServer(): Promise<{ server: http.Server; kubeconfig: string; close(): Promise<void> }> {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        server,
        kubeconfig: fakeKubeconfig((server.address() as AddressInfo).port),
        close: () => {
            server.closeAllConnections();
            return new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
