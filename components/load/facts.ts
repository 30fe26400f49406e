// The load part's pins and settings: the k6-operator and the k6 runner.
import type { ChartPin, ContainerResources, ResourceSpec } from "../defaults";

/** The k6-operator's version: chart 4.6.0's appVersion (grafana/k6-operator charts/k6-operator/Chart.yaml). */
// renovate: datasource=github-releases depName=grafana/k6-operator extractVersion=^v(?<version>.+)$
export const K6_OPERATOR_VERSION = "1.6.0";

/** The k6-operator chart (app K6_OPERATOR_VERSION): it runs a TestRun's k6 pods. Its namespace is the load tests' own. */
export const K6_OPERATOR_CHART = {
    release: "k6-operator",
    chart: "k6-operator",
    // renovate: datasource=helm depName=k6-operator registryUrl=https://grafana.github.io/helm-charts
    version: "4.6.0",
    repo: "https://grafana.github.io/helm-charts",
    namespace: "load",
} as const satisfies ChartPin;

/** Where and how the load tests run (the k6 side of the scenarios lives in components/load/scenarios/catalog.ts). */
export const K6 = {
    namespace: K6_OPERATOR_CHART.namespace,
    /** The operator runs the floating "latest" k6 image unless told: pinned (k6 runs the TypeScript scenarios natively). */
    // renovate: datasource=docker depName=grafana/k6
    runnerImage: "grafana/k6:2.2.0",
    /**
     * The starter (it tells the runners to begin) defaults to the floating `latest-starter` (k6-operator v1.6.0
     * pkg/resources/jobs/starter.go:19): pinned to the image each release publishes, `starter-v<operator version>`
     * (.github/workflows/finalize-release.yaml:109).
     */
    starterImage: `ghcr.io/grafana/k6-operator:starter-v${K6_OPERATOR_VERSION}`,
    /** ConfigMap with every scenario file (mounted as the script directory, so sibling imports resolve). */
    scriptsConfigMap: "k6-scenarios",
    apiKeySecret: "shlink-api-key",
    apiKeySecretKey: "SHLINK_API_KEY",
    /** Path of Prometheus' remote-write receiver (kube-prometheus-stack: prometheusSpec.enableRemoteWriteReceiver). */
    prometheusWritePath: "/api/v1/write",
    /** Trend stats pushed to Prometheus: the k6 dashboard plots p95/p99 next to min/max/avg. */
    prometheusTrendStats: "p(95),p(99),min,max,avg",
    /** Official "k6 Prometheus" dashboard (grafana.com 19665); revision 1 is what Grafana takes when none is given. */
    dashboard: { gnetId: 19665, revision: 1 },
    operatorResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    /** One runner pod: 200+ requests/s of small HTTP calls fit in one core. */
    runnerResources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
    parallelism: 1,
    /** How often `npm run load` polls the TestRun, and prints a progress line. */
    pollSeconds: 2,
    progressSeconds: 10,
    /** Longest a run may take past its scenario's duration (image pull, setup seeding, teardown). */
    graceSeconds: 600,
    /** Longest wait for one Kubernetes API call before `npm run load` gives up on it. */
    apiTimeoutSeconds: 30,
} as const satisfies { operatorResources: ContainerResources; runnerResources: ResourceSpec } & Record<string, unknown>;

/**
 * The lab CA in the load namespace, mounted into every k6 runner: k6 is Go, whose crypto/x509 on Linux reads the
 * roots from SSL_CERT_FILE (besides the system's certificate directories), so the runner verifies the gateway.
 */
export const K6_LAB_CA = { configMap: "lab-ca", key: "ca.crt", volume: "lab-ca", mountPath: "/etc/homelab-ca" } as const;

/** Ports of the load part's pods the NetworkPolicies name: the k6 runner's REST API the operator's starter pod drives a run through. */
export const POD_PORTS = {
    k6RunnerApi: 6565,
} as const;
