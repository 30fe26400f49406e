import { pods, tcp } from "../contracts/flows";
import { ALWAYS, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { K6, POD_PORTS } from "../defaults";

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

/** k6: its operator drives the runner's REST API. */
export const loadPlacement: PartPlacement = {
    namespaces: [LOAD_NAMESPACE],
    flows: () => [{ name: "k6-internal", from: pods(K6.namespace), to: pods(K6.namespace), ports: tcp(POD_PORTS.k6RunnerApi), why: "k6-operator's starter and controller drive the runner's REST API" }],
    doors: () => [],
};
