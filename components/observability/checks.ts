import type { PartChecks } from "../contracts/checks";
import { KIALI } from "./facts";

/** Grafana, Kiali and Jaeger answering through their HTTPS doors; no drill takes them away. */
export const observabilityChecks: PartChecks = {
    probes: (ports) => [
        { check: "grafana", door: { scheme: "https", port: ports.grafana } },
        { check: "kiali", door: { scheme: "https", port: ports.kiali, path: `${KIALI.webRoot}/healthz` } },
        { check: "jaeger", door: { scheme: "https", port: ports.jaeger } },
    ],
    drills: [],
};
