// k6 and its operator (npm run load): the runner driven through its REST API, its metrics remote-written to
// Prometheus and shown on the official k6 dashboard.
import type { Part } from "../contracts/part";
import { pods, tcp } from "../contracts/flows";
import { ALWAYS, type OwnNamespace } from "../contracts/placement";
import { budgetLine } from "../kubernetes/requests";
import { PROMETHEUS_DATASOURCE, PROMETHEUS_PORT } from "../contracts/telemetry";
import { K6, POD_PORTS } from "./facts";
import { operatorValues } from "./manifests";

export const LOAD_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: K6.namespace,
    // k6-operator's controller and the runner, initializer and starter pods it makes set no securityContext.
    podSecurity: "baseline",
    // The runner loads Shlink through the gateway and remote-writes to Prometheus; the operator calls the API server.
    egress: "open",
    mesh: "none",
    ingress: "flows",
    createdWhen: ALWAYS,
};

/** Where the k6 dashboard is shown. */
export const LOAD_DASHBOARD_PROVIDER = { name: "load", folder: "Load tests" } as const;

export const loadPart: Part = {
    name: "load",
    namespaces: [LOAD_NAMESPACE],
    flows: ({ peers }) => [
        {
            name: "k6-internal",
            from: pods(K6.namespace),
            to: pods(K6.namespace),
            ports: tcp(POD_PORTS.k6RunnerApi),
            why: "k6-operator's starter and controller drive the runner's REST API",
        },
        { name: "k6-to-prometheus", from: pods(K6.namespace), to: peers.prometheus, ports: tcp(PROMETHEUS_PORT), why: "k6's metrics, remote-written" },
    ],
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    // Only the operator: a run's k6 pod (K6.runnerResources) exists while `npm run load` runs.
    budget: () => [budgetLine("load/k6-operator", (operatorValues().manager as Record<string, unknown>).resources, 1)],
    monitors: [],
    rules: () => [],
    // The official k6 dashboard (grafana.com 19665), next to Istio's: its queries filter on `testid`, which
    // `npm run load` sets to the run's name. It declares the `${DS_PROMETHEUS}` input (facts-next §3).
    dashboards: [
        {
            kind: "grafana.com",
            provider: LOAD_DASHBOARD_PROVIDER,
            dashboards: {
                k6: { gnetId: K6.dashboard.gnetId, revision: K6.dashboard.revision, datasource: [{ name: "DS_PROMETHEUS", value: PROMETHEUS_DATASOURCE.uid }] },
            },
        },
    ],
    // The load generator: it drives the drills (their verdicts read its results), none takes it away.
    probes: () => [],
    drills: [],
};
