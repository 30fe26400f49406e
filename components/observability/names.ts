import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK } from "./facts";
import type { EdgeDoor } from "../contracts/doors";
import { serviceFqdn } from "../kubernetes/serviceNames";
import { JAEGER_UI_SERVICE } from "./jaeger";

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

/** Grafana's Service: the grafana subchart's `fullnameOverride` as kubePrometheusStackValues sets it. */
export function grafanaServiceName(fullnameOverride: string): string {
    return `${fullnameOverride}-grafana`;
}

/** The Alertmanager Service: `{{ fullname }}-alertmanager` (templates/alertmanager/service.yaml at 88.5.3). */
export function alertmanagerServiceName(fullnameOverride: string): string {
    return `${kubePrometheusStackFullname(fullnameOverride)}-alertmanager`;
}

/**
 * The observability UIs' doors at the ingress gateway: HTTPS on each configured port, forwarded to the UI's
 * in-cluster Service (Grafana, Jaeger and Alertmanager keep the configured port there, Kiali its own).
 */
export function observabilityDoors(ports: { grafana: number; jaeger: number; kiali: number; alertmanager: number }, istioNamespace: string): EdgeDoor[] {
    const kps = KUBE_PROMETHEUS_STACK;
    const door = (name: string, httpsPort: number, service: string, namespace: string, port: number): EdgeDoor => ({
        name,
        httpsPort,
        destination: { host: serviceFqdn(service, namespace), port },
    });
    return [
        door("grafana", ports.grafana, grafanaServiceName(kps.fullnameOverride), kps.namespace, ports.grafana),
        door("jaeger", ports.jaeger, JAEGER_UI_SERVICE, JAEGER.namespace, ports.jaeger),
        door("kiali", ports.kiali, KIALI.serviceName, istioNamespace, KIALI.serverPort),
        door("alertmanager", ports.alertmanager, alertmanagerServiceName(kps.fullnameOverride), kps.namespace, ports.alertmanager),
    ];
}
