import { CLUSTER_DOMAIN } from "../defaults";

/** `<service>.<namespace>.svc.cluster.local`: how pods in any namespace reach a Service. */
export function serviceFqdn(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** In-cluster HTTP URL of a Service port. */
export function serviceUrl(service: string, namespace: string, port: number): string {
    return `http://${serviceFqdn(service, namespace)}:${port}`;
}

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
