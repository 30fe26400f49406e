// In-cluster DNS names of Services: one rule for every layer that points at another layer's Service.
import { CLUSTER_DOMAIN } from "../defaults";

/** `<service>.<namespace>.svc.cluster.local`: how pods in any namespace reach a Service. */
export function serviceFqdn(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** In-cluster HTTP URL of a Service port. */
export function serviceUrl(service: string, namespace: string, port: number): string {
    return `http://${serviceFqdn(service, namespace)}:${port}`;
}
