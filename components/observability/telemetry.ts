import { NO_TELEMETRY, type PartTelemetry } from "../contracts/telemetry";

// kube-prometheus-stack monitors itself, Kubernetes and the nodes (the chart's defaults); the cluster's own alerts
// are the k3s part's.
export const observabilityTelemetry: PartTelemetry = NO_TELEMETRY;
