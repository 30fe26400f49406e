import type { EdgeDoor } from "../contracts/doors";
import { pods, tcp } from "../contracts/flows";
import type { OwnNamespace, PartPlacement } from "../contracts/placement";
import { ARGO_CD, POD_PORTS } from "./facts";
import { serviceFqdn } from "../kubernetes/serviceNames";

export const ARGO_CD_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: ARGO_CD.namespace,
    // Argo CD's chart defaults: every container non-root, seccomp RuntimeDefault, drop ALL, no privilege escalation;
    // only configMap, secret and emptyDir volumes (tests/security/chartPods.ts checks each pod it renders).
    podSecurity: "restricted",
    // The repo-server clones the user's repo from wherever it is.
    egress: "open",
    mesh: "none",
    ingress: "flows",
    createdWhen: (config) => config.gitops.argocd,
};

/** Argo CD's door on the ingress gateway: HTTPS on the https port, 301 from the http port, on to the server's Service. */
export function argoCdDoor(ports: { http: number; https: number }): EdgeDoor {
    return {
        name: "argocd",
        httpPort: ports.http,
        httpsPort: ports.https,
        destination: { host: serviceFqdn(ARGO_CD.serverService, ARGO_CD.namespace), port: ARGO_CD.serverPort },
    };
}

/** Argo CD (homelab:argocd): its UI and API through the gateway, its components among themselves. */
export const gitopsPlacement: PartPlacement = {
    namespaces: [ARGO_CD_NAMESPACE],
    flows: ({ peers }) => [
        { name: "gateway-to-argocd", from: peers.gateway, to: pods(ARGO_CD.namespace, { "app.kubernetes.io/name": "argocd-server" }), ports: tcp(POD_PORTS.argocdServer), why: "Argo CD's UI and API through the gateway" },
        { name: "argocd-internal", from: pods(ARGO_CD.namespace), to: pods(ARGO_CD.namespace), ports: [], why: "server, repo-server, application controller, ApplicationSet controller and Redis among themselves" },
    ],
    // Last among the gateway's ports, and only when Argo CD is installed.
    doors: (config) => (config.gitops.argocd ? [{ door: argoCdDoor({ http: config.mesh.ports.argocd, https: config.mesh.ports.argocdHttps }), routing: "edge", order: 6 }] : []),
};
