// Observability's namespaces and their stance (observability/part.ts), apart so the components creating
// them import no door or flow (names.ts, which the doors use, imports the Jaeger component's module).
import { openNamespace } from "../contracts/placement";
import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK } from "./facts";

export const MONITORING_NAMESPACE = openNamespace(KUBE_PROMETHEUS_STACK.namespace, "privileged", "flows"); // node-exporter: hostNetwork, hostPID, hostPath.
export const JAEGER_NAMESPACE = openNamespace(JAEGER.namespace, "baseline", "flows"); // The Jaeger chart sets no securityContext.
// The Kiali operator's chart: non-root, seccomp RuntimeDefault, drop ALL, no privilege escalation, one emptyDir
// (the Kiali server runs in Istio's namespace; tests/security/chartPods.ts checks the operator's pod). Nothing calls it.
export const KIALI_OPERATOR_NAMESPACE = openNamespace(KIALI.namespace, "restricted", "none");
