// Observability's namespaces and their stance (observability/part.ts), apart so the components creating
// them import no door or flow (names.ts, which the doors use, imports the Jaeger component's module).
import { ALWAYS, type OwnNamespace } from "../contracts/placement";
import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK } from "./facts";

const observabilityNamespace = (name: string, podSecurity: OwnNamespace["podSecurity"], ingress: OwnNamespace["ingress"]): OwnNamespace => ({
    kind: "own",
    name,
    podSecurity,
    egress: "open",
    mesh: "none",
    ingress,
    createdWhen: ALWAYS,
});

export const MONITORING_NAMESPACE = observabilityNamespace(KUBE_PROMETHEUS_STACK.namespace, "privileged", "flows"); // node-exporter: hostNetwork, hostPID, hostPath.
export const JAEGER_NAMESPACE = observabilityNamespace(JAEGER.namespace, "baseline", "flows"); // The Jaeger chart sets no securityContext.
// The Kiali operator's chart: non-root, seccomp RuntimeDefault, drop ALL, no privilege escalation, one emptyDir
// (the Kiali server runs in Istio's namespace; tests/security/chartPods.ts checks the operator's pod). Nothing calls it.
export const KIALI_OPERATOR_NAMESPACE = observabilityNamespace(KIALI.namespace, "restricted", "none");
