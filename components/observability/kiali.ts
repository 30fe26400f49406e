import type { KialiAuthStrategy, KialiSpec } from "./kialiCrd";
import { GRAFANA, KIALI } from "../defaults";

/** Values of the kiali-operator chart 2.29.0; the Kiali CR is ours (`cr.create: false`) so tests can read it. */
export function kialiOperatorValues() {
    return {
        cr: { create: false },
        replicaCount: 1,
        resources: KIALI.resources.operator,
    };
}

export type KialiOperatorValues = ReturnType<typeof kialiOperatorValues>;

export interface KialiSpecInputs {
    auth: KialiAuthStrategy;
    /** LoadBalancer port of the console. */
    port: number;
    prometheusUrl: string;
    grafana: { internalUrl: string; externalUrl: string; username: string; passwordSecret: string };
    tracing: { internalUrl: string; externalUrl: string };
}

/**
 * The Kiali CR's spec: every address comes from the caller (derived from the names the program gives the
 * services), anonymous access is view-only, and the console is a LoadBalancer on `port`.
 */
export function kialiSpec(inputs: KialiSpecInputs): KialiSpec {
    return {
        auth: { strategy: inputs.auth },
        deployment: {
            cluster_wide_access: true,
            // Anyone on the LAN reaches an anonymous Kiali; with tokens, Kubernetes RBAC decides instead.
            view_only_mode: inputs.auth === "anonymous",
            service_type: "LoadBalancer",
            replicas: 1,
            resources: KIALI.resources.server,
        },
        server: {
            port: inputs.port,
            web_root: KIALI.webRoot,
            // Its Service would publish the metrics port on every node through K3s's ServiceLB.
            observability: { metrics: { enabled: false } },
        },
        external_services: {
            prometheus: { url: inputs.prometheusUrl },
            grafana: {
                enabled: true,
                internal_url: inputs.grafana.internalUrl,
                external_url: inputs.grafana.externalUrl,
                datasource_uid: GRAFANA.datasource.uid,
                auth: {
                    type: "basic",
                    username: inputs.grafana.username,
                    password: `secret:${inputs.grafana.passwordSecret}:${KIALI.grafanaPasswordKey}`,
                },
            },
            tracing: {
                enabled: true,
                provider: "jaeger",
                use_grpc: true,
                internal_url: inputs.tracing.internalUrl,
                external_url: inputs.tracing.externalUrl,
            },
        },
    };
}
