import type { ObservabilityArgs } from "../../components/observability/Observability";
import { PARTS } from "../../stacks/parts";

/** The lab's observability arguments, as stacks/homelab.ts passes them (add `vault: standInVault()` inside the run). */
export const LAB_OBSERVABILITY_ARGS: Omit<ObservabilityArgs, "vault"> = {
    ports: { grafana: 3000, jaeger: 16686, kiali: 20001 },
    publicAddress: "192.168.2.242",
    istioNamespace: "istio-system",
    telemetry: PARTS,
    kialiAuth: "anonymous",
    prometheusRetentionDays: 10,
    alertmanagerPort: 9093,
    // The lab's repo1, and an off-site repo2 backed up weekly only (a schedule of its own).
    backups: [
        { repo: "1", name: "repo1 (local volume)", schedules: ["0 1 * * 0", "0 1 * * 1-6"] },
        { repo: "2", name: "repo2 (off-site bucket)", schedules: ["0 3 * * 0"] },
    ],
};
