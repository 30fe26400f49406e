import { pods, tcp } from "../contracts/flows";
import { ALWAYS, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { PROMETHEUS_PORT } from "../contracts/telemetry";
import { K6, POD_PORTS } from "./facts";

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

/** k6: its operator drives the runner's REST API; the runner remote-writes its metrics to Prometheus. */
export const loadPlacement: PartPlacement = {
    namespaces: [LOAD_NAMESPACE],
    flows: ({ peers }) => [
        { name: "k6-internal", from: pods(K6.namespace), to: pods(K6.namespace), ports: tcp(POD_PORTS.k6RunnerApi), why: "k6-operator's starter and controller drive the runner's REST API" },
        { name: "k6-to-prometheus", from: pods(K6.namespace), to: peers.prometheus, ports: tcp(PROMETHEUS_PORT), why: "k6's metrics, remote-written" },
    ],
    doors: () => [],
};
