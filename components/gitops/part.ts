// Argo CD (homelab:argocd): its namespace, its UI and API through the gateway, its pods' budget.
import type { Part } from "../contracts/part";
import type { EdgeDoor } from "../contracts/doors";
import { pods, tcp } from "../contracts/flows";
import type { OwnNamespace } from "../contracts/placement";
import { type BudgetLine, type PodResources } from "../contracts/budget";
import { budgetLine, podLine } from "../kubernetes/requests";
import { serviceFqdn } from "../kubernetes/serviceNames";
import { ARGO_CD, POD_PORTS } from "./facts";
import { argoCdValues } from "./values";

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
function argoCdDoor(ports: { http: number; https: number }): EdgeDoor {
    return {
        name: "argocd",
        httpPort: ports.http,
        httpsPort: ports.https,
        destination: { host: serviceFqdn(ARGO_CD.serverService, ARGO_CD.namespace), port: ARGO_CD.serverPort },
    };
}

/**
 * Argo CD's pods with the values the layer sends (dex and notifications off, so not counted), as argo-cd 10.1.1
 * renders them: repo-server's init container copyutil, and the redis-secret-init pre-install hook Job.
 */
function argoCdBudget(): BudgetLine[] {
    const values = argoCdValues({ url: "https://placeholder" });
    const repoServer: PodResources = {
        containers: [{ name: "repo-server", resources: values.repoServer.resources }],
        initContainers: [{ name: "copyutil", resources: values.repoServer.copyutil.resources }],
    };
    return [
        budgetLine("argocd/server", values.server.resources, values.server.replicas),
        podLine("argocd/repo-server", repoServer, values.repoServer.replicas),
        budgetLine("argocd/application-controller", values.controller.resources, values.controller.replicas),
        budgetLine("argocd/applicationset-controller", values.applicationSet.resources, values.applicationSet.replicas),
        budgetLine("argocd/redis", values.redis.resources, 1),
        // Helm waits for this pre-install Job, like cert-manager's start-up check.
        budgetLine("argocd/redis-secret-init", values.redisSecretInit.resources, 1),
    ];
}

export const gitopsPart: Part = {
    name: "gitops",
    namespaces: [ARGO_CD_NAMESPACE],
    flows: ({ peers }) => [
        {
            name: "gateway-to-argocd",
            from: peers.gateway,
            to: pods(ARGO_CD.namespace, { "app.kubernetes.io/name": "argocd-server" }),
            ports: tcp(POD_PORTS.argocdServer),
            why: "Argo CD's UI and API through the gateway",
        },
        {
            name: "argocd-internal",
            from: pods(ARGO_CD.namespace),
            to: pods(ARGO_CD.namespace),
            ports: [],
            why: "server, repo-server, application controller, ApplicationSet controller and Redis among themselves",
        },
    ],
    // Last among the gateway's ports, and only when Argo CD is installed.
    doors: (config) =>
        config.gitops.argocd ? [{ door: argoCdDoor({ http: config.mesh.ports.argocd, https: config.mesh.ports.argocdHttps }), routing: "edge", order: 6 }] : [],
    vaultEntries: {},
    vaultReads: [],
    budget: (plan) => (plan.argocd ? argoCdBudget() : []),
    monitors: [],
    rules: () => [],
    dashboards: [],
    // Proven by no smoke check and taken away by no drill of its own.
    probes: () => [],
    drills: [],
};
