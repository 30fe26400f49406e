// The pods the argo-cd, kiali-operator and PGO charts render with the values the program sends, as far as Pod
// Security reads them (host namespaces, security contexts, volume types), written out from the charts' sources at
// the pinned versions (`helm template` with our values gives the same). They hold while our values set none of
// the keys in CHART_POD_VALUE_KEYS (tests/security/podSecurity.test.ts checks that).
import type { PodSpec } from "./podSecurity";

/** The container securityContext the charts default to: non-root, no escalation, RuntimeDefault seccomp, drop ALL. */
const HARDENED = {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    seccompProfile: { type: "RuntimeDefault" },
    capabilities: { drop: ["ALL"] },
};

const volumes = (type: string, ...names: string[]) => names.map((name) => ({ name, [type]: {} }));

export interface ChartPod {
    /** The workload as the chart names it. */
    workload: string;
    /** repository @ tag : path : line of the securityContext it gets. */
    source: string;
    spec: PodSpec;
}

/** Per namespace, every pod template the chart installed there renders. */
export const CHART_PODS: Record<string, ChartPod[]> = {
    // argoproj/argo-helm @ argo-cd-10.1.1 : charts/argo-cd (global.securityContext {} at values.yaml : 100).
    argocd: [
        {
            workload: "argocd-server",
            source: "values.yaml : 2301-2309 (server.containerSecurityContext)",
            spec: {
                containers: [{ name: "server", securityContext: HARDENED }],
                volumes: [
                    ...volumes("emptyDir", "plugins-home", "tmp"),
                    ...volumes("configMap", "ssh-known-hosts", "tls-certs", "styles", "argocd-cmd-params-cm"),
                    ...volumes("secret", "argocd-repo-server-tls", "argocd-dex-server-tls"),
                ],
            },
        },
        {
            workload: "argocd-repo-server",
            source: "values.yaml : 3164-3172 (repoServer.containerSecurityContext, the copyutil init container's too: templates/argocd-repo-server/deployment.yaml : 421, 443)",
            spec: {
                initContainers: [{ name: "copyutil", securityContext: HARDENED }],
                containers: [{ name: "repo-server", securityContext: HARDENED }],
                volumes: [
                    ...volumes("emptyDir", "helm-working-dir", "plugins", "var-files", "tmp", "gpg-keyring"),
                    ...volumes("configMap", "ssh-known-hosts", "tls-certs", "gpg-keys"),
                    ...volumes("secret", "argocd-repo-server-tls"),
                ],
            },
        },
        {
            workload: "argocd-application-controller",
            source: "values.yaml : 941-949 (controller.containerSecurityContext)",
            spec: {
                containers: [{ name: "application-controller", securityContext: HARDENED }],
                volumes: [
                    ...volumes("emptyDir", "argocd-home", "argocd-application-controller-tmp"),
                    ...volumes("secret", "argocd-repo-server-tls"),
                    ...volumes("configMap", "argocd-cmd-params-cm"),
                ],
            },
        },
        {
            workload: "argocd-applicationset-controller",
            source: "values.yaml : 3594-3602 (applicationSet.containerSecurityContext)",
            spec: {
                containers: [{ name: "applicationset-controller", securityContext: HARDENED }],
                volumes: [
                    ...volumes("configMap", "ssh-known-hosts", "tls-certs", "gpg-keys", "argocd-cmd-params-cm"),
                    ...volumes("emptyDir", "gpg-keyring", "tmp"),
                    ...volumes("secret", "argocd-repo-server-tls"),
                ],
            },
        },
        {
            workload: "argocd-redis",
            source: "values.yaml : 1711-1715 (redis.securityContext: runAsNonRoot, runAsUser 999, RuntimeDefault), 1731-1736 (redis.containerSecurityContext)",
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    { name: "redis", securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
                ],
                volumes: volumes("configMap", "health"),
            },
        },
        {
            workload: "argocd-redis-secret-init (pre-install Job)",
            source: "values.yaml : 2000-2008 (redisSecretInit.containerSecurityContext; templates/redis-secret-init/job.yaml : 51)",
            spec: { containers: [{ name: "secret-init", securityContext: HARDENED }] },
        },
    ],
    // kiali/helm-charts @ v2.29.0 : kiali-operator/templates/deployment.yaml : 74-87 (securityContext {} at values.yaml : 25
    // takes the hardened default, privileged false included), 156-158 (one emptyDir).
    "kiali-operator": [
        {
            workload: "kiali-operator",
            source: "templates/deployment.yaml : 77-86",
            spec: { containers: [{ name: "operator", securityContext: { ...HARDENED, privileged: false } }], volumes: volumes("emptyDir", "tmp") },
        },
    ],
    // CrunchyData/postgres-operator-examples @ 2fbf3b30 : helm/install/templates/manager.yaml : 45-51 (5.8.5, the
    // newest public source of the chart; 6.0.3 has none): no volumes.
    "postgres-operator": [
        {
            workload: "pgo",
            source: "templates/manager.yaml : 45-51",
            spec: { containers: [{ name: "operator", securityContext: HARDENED }] },
        },
    ],
};

/** Keys of our values that would change what CHART_PODS models, per namespace's chart. */
export const CHART_POD_VALUE_KEYS = [
    "securityContext",
    "containerSecurityContext",
    "podSecurityContext",
    "hostNetwork",
    "volumes",
    "extraVolumes",
    "initContainers",
    "extraContainers",
];
