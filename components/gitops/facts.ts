// Argo CD's pin, sizes and settings.
import { resources, type ChartPin } from "../defaults";

/** The argo-cd chart (appVersion v3.4.4), in a namespace of its own outside the mesh. */
export const ARGO_CD_CHART = {
    release: "argocd",
    chart: "argo-cd",
    // renovate: datasource=helm depName=argo-cd registryUrl=https://argoproj.github.io/argo-helm
    version: "10.1.1",
    repo: "https://argoproj.github.io/argo-helm",
    namespace: "argocd",
} as const satisfies ChartPin;

/** Argo CD's settings: what runs, what it requests, and the project the user's repo syncs through. */
export const ARGO_CD = {
    namespace: ARGO_CD_CHART.namespace,
    /** Fixed `admin.passwordMtime`: the chart's default (`now`) would change argocd-secret on every render. */
    adminPasswordMtime: "2026-01-01T00:00:00Z",
    /** The AppProject every Application from the user's repo belongs to, and the root Application's name. */
    project: "user-apps",
    rootProject: "user-apps-root",
    rootApplication: "user-apps",
    /** The project Argo CD creates itself and lets every Application use unless locked. */
    defaultProject: "default",
    /** The server's in-cluster Service (chart `nameOverride: argocd` → `<release>-server`) and its plain-HTTP port. */
    serverService: `${ARGO_CD_CHART.release}-server`,
    serverPort: 80,
    /** Argo CD's name for the cluster it runs in. */
    inClusterServer: "https://kubernetes.default.svc",
    resources: {
        server: resources("50m", "128Mi", "512Mi"),
        repoServer: resources("50m", "128Mi", "1Gi"),
        controller: resources("100m", "256Mi", "1Gi"),
        redis: resources("20m", "64Mi", "256Mi"),
        applicationSet: resources("20m", "64Mi", "256Mi"),
        /** The pre-install Job that writes Redis' password (Helm waits for it), and repo-server's init container. */
        redisSecretInit: resources("10m", "32Mi", "64Mi"),
        copyutil: resources("10m", "32Mi", "64Mi"),
    },
} as const;

/** Ports of Argo CD's pods the NetworkPolicies name: its server's container port (chart 10.1.1). */
export const POD_PORTS = {
    argocdServer: 8080,
} as const;
