// Shlink's pin and sizes, and the objectives of its SLO.
import type { ResourceSpec } from "../defaults";

/** Shlink, the URL shortener the lab runs. */
export const SHLINK = {
    namespace: "shlink",
    name: "shlink",
    // 4.6.0 (last 4.x) resolves visitor addresses without TRUSTED_PROXIES; 5.x needs the proxy count right.
    // renovate: datasource=docker depName=shlinkio/shlink
    image: "shlinkio/shlink:4.6.0",
    /** USER of the image's Dockerfile (numeric, so runAsNonRoot can verify it). */
    uid: 1001,
    port: 8080,
    healthPath: "/rest/health",
    /** The PodDisruptionBudget keeps this many pods up. */
    minAvailable: 2,
    /** RoadRunner PHP workers per pod (0 would mean one per node CPU): fixed so memory stays predictable. */
    webWorkers: 4,
    taskWorkers: 2,
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "768Mi" } },
    probes: {
        /** Up to 10 minutes for the first start: the three pods take turns (a Redis lock) creating the schema. */
        startup: { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
        readiness: { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        /** Two minutes: /rest/health fails while PostgreSQL fails over (seconds), and a restart would not help. */
        liveness: { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
    },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** Objectives of the SLO rules (Google SRE workbook's multiwindow, multi-burn-rate alerts). */
export const SLO_DEFAULTS = {
    availability: 0.995,
    latency: 0.99,
    latencyThresholdMs: 500,
} as const;

/**
 * Below this average rate (requests per minute over the alert's long window) a burn-rate page stays silent: at 0.1
 * requests/min a single 503 is a 16% error ratio and paged. The same rate over the past day is "traffic we
 * expect": a service that had it and then gets nothing for an hour raises the no-traffic alert.
 */
export const SLO_MIN_REQUESTS_PER_MINUTE = 1;
