// The smoke check Job's facts.
import type { ResourceSpec } from "../defaults";

/**
 * The smoke check as a Kubernetes Job (cluster mode: no node of ours to SSH into), in a namespace of its own
 * outside the mesh (a sidecar would keep the Job from completing). Its image is the stack's choice (SmokeCheckArgs.jobImage:
 * Istio's proxyv2, Ubuntu-based with bash and curl, UNVERIFIED for 1.30 here, pinned with the mesh and on every node).
 */
export const SMOKE_JOB = {
    namespace: "smoke-check",
    /** The image's `istio-proxy` user. */
    uid: 1337,
    /** The Secret holding the script; the Job itself is auto-named, so a changed one is created before the old goes. */
    scriptSecret: "smoke-check-script",
    scriptKey: "smoke-check.sh",
    mountPath: "/smoke",
    /** Room past the script's own deadline for the image pull and the pod's start. */
    graceSeconds: 300,
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    /** The Job's own ServiceAccount, and the ClusterRole and binding that let it list ExternalSecrets. */
    serviceAccount: "smoke-check",
    clusterRole: "homelab-smoke-check",
    /** The API server as every pod reaches it (no cluster domain assumed: another cluster's may not be cluster.local). */
    apiServerUrl: "https://kubernetes.default.svc",
    /** Where Kubernetes mounts the pod's ServiceAccount token and the API server's CA. */
    serviceAccountDir: "/var/run/secrets/kubernetes.io/serviceaccount",
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;
