// What every LoadBalancer Service of the stack carries: the address kube-vip gives it, when the lab has one.

/**
 * `{ annotations }` to spread into a LoadBalancer Service's metadata (or a chart's `service`), or nothing: with
 * no services VIP the inputs stay exactly as they were (K3s' ServiceLB needs no annotation).
 */
export function loadBalancerAnnotations(annotations: Record<string, string> | undefined): { annotations?: Record<string, string> } {
    return annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {};
}
