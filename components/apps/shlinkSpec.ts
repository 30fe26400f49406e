// Shlink's Deployment spec: a pure builder, so tests read exactly what the cluster receives.
import type * as k8s from "@pulumi/kubernetes";
import { SHLINK } from "./facts";
import { resourceRequirements } from "../kubernetes/resources";
import { shlinkEnv, type ShlinkEnvArgs } from "./shlinkEnv";

/** Labels that select Shlink's pods (Deployment, Service, PodDisruptionBudget, mesh policies). */
export const SHLINK_SELECTOR = { "app.kubernetes.io/name": SHLINK.name } as const;

/** How long a first start may take: the startup probe's whole budget (the three pods take turns migrating). */
export const SHLINK_STARTUP_BUDGET_SECONDS = SHLINK.probes.startup.periodSeconds * SHLINK.probes.startup.failureThreshold;

/** Pulumi's rollout wait outlasts the startup probe by five minutes (image pull, scheduling). */
export const SHLINK_ROLLOUT_TIMEOUT_SECONDS = SHLINK_STARTUP_BUDGET_SECONDS + 300;

type Timing = { periodSeconds: number; timeoutSeconds: number; failureThreshold: number };

function probe(timing: Timing): k8s.types.input.core.v1.Probe {
    return { httpGet: { path: SHLINK.healthPath, port: "http" }, ...timing };
}

/**
 * The Deployment's spec: `replicas` pods spread one per node, rolled one at a time without dropping below the
 * replica count, non-root with every capability dropped, probed on /rest/health.
 */
export function shlinkDeploymentSpec(replicas: number, env: ShlinkEnvArgs, podAnnotations?: Record<string, string>): k8s.types.input.apps.v1.DeploymentSpec {
    const version = SHLINK.image.split(":")[1];
    return {
        replicas,
        selector: { matchLabels: { ...SHLINK_SELECTOR } },
        // A new pod is ready before an old one goes: never below the replica count.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
            metadata: { labels: { ...SHLINK_SELECTOR, "app.kubernetes.io/version": version }, ...(podAnnotations ? { annotations: podAnnotations } : {}) },
            spec: {
                // Shlink never talks to the Kubernetes API.
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: SHLINK.uid, seccompProfile: { type: "RuntimeDefault" } },
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "kubernetes.io/hostname",
                        whenUnsatisfiable: "DoNotSchedule",
                        labelSelector: { matchLabels: { ...SHLINK_SELECTOR } },
                        // Count only this rollout's pods, and skip cordoned nodes, so drains and rollouts proceed.
                        matchLabelKeys: ["pod-template-hash"],
                        nodeTaintsPolicy: "Honor",
                    },
                ],
                containers: [
                    {
                        name: SHLINK.name,
                        image: SHLINK.image,
                        ports: [{ name: "http", containerPort: SHLINK.port, protocol: "TCP" }],
                        env: shlinkEnv(env),
                        resources: resourceRequirements(SHLINK.resources),
                        startupProbe: probe(SHLINK.probes.startup),
                        readinessProbe: probe(SHLINK.probes.readiness),
                        livenessProbe: probe(SHLINK.probes.liveness),
                        // The entrypoint writes caches and locks under /etc/shlink/data, so the root filesystem stays writable.
                        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    },
                ],
            },
        },
    };
}
