import { jaegerValues } from "../../components/observability/jaeger";
import { kialiOperatorValues, kialiSpec } from "../../components/observability/kiali";
import { kubePrometheusStackValues } from "../../components/observability/kubePrometheusStack";
import type { ObservabilityArgs } from "../../components/observability/Observability";
import { requestsFromValues, type ObservabilityWorkloads, type ResourceRequest } from "../../components/observability/resources";

/** The lab's observability arguments, as stacks/homelab.ts passes them. */
export const LAB_OBSERVABILITY_ARGS: ObservabilityArgs = {
    ports: { grafana: 3000, jaeger: 16686, kiali: 20001 },
    publicAddress: "192.168.2.242",
    istioNamespace: "istio-system",
    ingressGateway: { namespace: "istio-ingress", labels: { istio: "ingressgateway" }, workload: "istio-ingressgateway" },
    sloTarget: { namespace: "shlink", service: "shlink" },
    kialiAuth: "anonymous",
    prometheusRetentionDays: 10,
};

/**
 * The values the layer builds, with placeholder addresses: only their workload sizes are read (the component
 * test checks they give the same requests as what the component hands to Helm and the Kiali CR).
 */
export function referenceWorkloads(): ObservabilityWorkloads {
    const url = "http://placeholder:1";
    return {
        kubePrometheusStack: kubePrometheusStackValues({
            grafanaPort: 1,
            grafanaAdminPassword: "",
            prometheusRetentionDays: 1,
            jaegerQueryUrl: url,
        }),
        jaeger: jaegerValues("placeholder"),
        kialiOperator: kialiOperatorValues(),
        kiali: kialiSpec({
            auth: "anonymous",
            port: 1,
            prometheusUrl: url,
            grafana: { internalUrl: url, externalUrl: url, username: "", passwordSecret: "placeholder" },
            tracing: { internalUrl: url, externalUrl: url },
        }),
    };
}

/** Every request the layer sets, computed from the reference values. */
export function resourceRequests(nodeCount: number): ResourceRequest[] {
    return requestsFromValues(referenceWorkloads(), nodeCount);
}
