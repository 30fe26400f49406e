// Shlink's SLOs and its no-traffic alert, measured at the ingress gateway (components/apps/slo.ts).
import { MESH } from "../contracts/mesh";
import { SHLINK } from "./facts";
import type { PartTelemetry } from "../contracts/telemetry";
import { noTrafficRules, sloRules, type SloTarget } from "./slo";

/** Shlink's Service, as users reach it through the ingress gateway. */
export const SLO_TARGET: SloTarget = { namespace: SHLINK.namespace, service: SHLINK.name, gateway: { workload: MESH.gatewayRelease, namespace: MESH.gatewayNamespace } };

export const appsTelemetry: PartTelemetry = {
    monitors: [],
    rules: () => [
        { role: "slo-rules", name: `${SLO_TARGET.service}-slo`, ...sloRules(SLO_TARGET) },
        { role: "traffic-rules", name: `${SLO_TARGET.service}-traffic`, ...noTrafficRules(SLO_TARGET) },
    ],
    dashboards: [],
};
