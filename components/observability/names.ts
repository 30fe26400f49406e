import { JAEGER } from "../defaults";
import { serviceFqdn } from "../kubernetes/serviceNames";

/**
 * kube-prometheus-stack's `kube-prometheus-stack.fullname` with `fullnameOverride` set: the override cut to
 * 26 characters, one trailing "-" removed (templates/_helpers.tpl at 88.5.3).
 */
export function kubePrometheusStackFullname(fullnameOverride: string): string {
    const cut = fullnameOverride.slice(0, 26);
    return cut.endsWith("-") ? cut.slice(0, -1) : cut;
}

/** The Prometheus Service: `{{ fullname }}-prometheus` (templates/prometheus/service.yaml at 88.5.3). */
export function prometheusServiceName(fullnameOverride: string): string {
    return `${kubePrometheusStackFullname(fullnameOverride)}-prometheus`;
}

/**
 * Jaeger's in-cluster OTLP gRPC endpoint, from the name the chart values give its Service. Pure, so the mesh
 * (created before this layer, which waits for istiod) can be pointed at it.
 */
export function jaegerOtlpGrpc(): { service: string; port: number } {
    return { service: serviceFqdn(JAEGER.name, JAEGER.namespace), port: JAEGER.ports.otlpGrpc };
}
