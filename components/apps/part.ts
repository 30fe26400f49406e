// Shlink, the lab's app: meshed behind the ingress gateway, its own door (rate-limited MeshRouting), its API key in
// Vault, its SLOs and no-traffic alert measured at the gateway (components/apps/slo.ts).
import type { Part } from "../contracts/part";
import { serviceFqdn } from "../kubernetes/serviceNames";
import { pods, tcp, type PodPeer } from "../contracts/flows";
import { ALWAYS, type OwnNamespace } from "../contracts/placement";
import { MESH } from "../contracts/mesh";
import { type BudgetLine, type BudgetPlan } from "../contracts/budget";
import { meshedPod, podLine } from "../kubernetes/requests";
import { SHLINK } from "./facts";
import { SHLINK_SELECTOR, shlinkDeploymentSpec } from "./shlinkSpec";
import { noTrafficRules, sloRules, type SloTarget } from "./slo";

/** Shlink's pods. */
const SHLINK_PODS: PodPeer = pods(SHLINK.namespace, { ...SHLINK_SELECTOR });

export const SHLINK_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: SHLINK.namespace,
    // Meshed through Istio's CNI: istio-validation and istio-proxy run as 1337 with drop ALL and no added capabilities
    // (istio-discovery 1.30.3 files/injection-template.yaml with pilot.cni.enabled), seccomp from the pod and global.proxy.
    podSecurity: "restricted",
    // The app opens only its data stores' connections.
    egress: "restricted",
    mesh: "envoy",
    ingress: "flows",
    createdWhen: ALWAYS,
};

/** Shlink's Service, as users reach it through the ingress gateway. */
const SLO_TARGET: SloTarget = {
    namespace: SHLINK.namespace,
    service: SHLINK.name,
    gateway: { workload: MESH.gatewayRelease, namespace: MESH.gatewayNamespace },
};

/** Shlink's pods: its namespace is meshed, so every pod carries the sidecar Istio injects (sized by MESH.sidecarResources). */
function appsBudget(plan: BudgetPlan): BudgetLine[] {
    const placeholder = "placeholder";
    const shlink = shlinkDeploymentSpec(plan.shlinkReplicas, {
        database: { host: placeholder, port: 1, name: placeholder, user: placeholder },
        secretName: placeholder,
    }) as unknown as { template: { spec: { containers: { name: string; resources: unknown }[] } } };
    return [podLine("shlink/shlink", meshedPod(shlink.template.spec.containers, MESH.sidecarResources), plan.shlinkReplicas)];
}

export const appsPart: Part = {
    name: "apps",
    namespaces: [SHLINK_NAMESPACE],
    // Reached by the gateway alone.
    // What reaches Shlink, and what Shlink opens (its namespace's egress is restricted): its two data stores.
    flows: ({ peers }) => [
        { name: "gateway-to-shlink", from: peers.gateway, to: SHLINK_PODS, ports: tcp(SHLINK.port), why: "Shlink behind the gateway (mTLS)" },
        { name: "shlink-to-postgres", from: SHLINK_PODS, to: peers.postgres.pods, ports: tcp(peers.postgres.port), why: "Shlink's database" },
        {
            name: "shlink-to-redis",
            from: SHLINK_PODS,
            to: peers.redis.pods,
            ports: tcp(peers.redis.port),
            why: "Shlink's cache and locks (the master, through our Service)",
        },
    ],
    // HTTPS on homelab:shlinkHttpsPort, its HTTP port answering 301; served by its own routing (MeshRouting, rate-limited).
    doors: (config) => [
        {
            door: {
                name: "shlink",
                httpPort: config.mesh.ports.shlink,
                httpsPort: config.mesh.ports.shlinkHttps,
                destination: { host: serviceFqdn(SHLINK.name, SHLINK.namespace), port: SHLINK.port },
            },
            routing: "own",
            order: 0,
        },
    ],
    // Shlink's first API key; the database user's and Redis' entries are the data part's (Shlink reads them too).
    vaultEntries: { shlinkApiKey: { path: "shlink/api-key", properties: ["apiKey"], readers: [SHLINK.namespace] } },
    // Its database user's password and Redis' (the data part's entries), read into Shlink's namespace.
    vaultReads: [
        { entry: "postgresShlinkUser", namespace: SHLINK.namespace },
        { entry: "redisAuth", namespace: SHLINK.namespace },
    ],
    budget: appsBudget,
    monitors: [],
    rules: () => [
        { role: "slo-rules", name: `${SLO_TARGET.service}-slo`, ...sloRules(SLO_TARGET) },
        { role: "traffic-rules", name: `${SLO_TARGET.service}-traffic`, ...noTrafficRules(SLO_TARGET) },
    ],
    dashboards: [],
    // Shlink healthy through its HTTPS door, a short URL created with the API key redirecting; its pods killed in turn.
    probes: (ports) => [{ check: "shlink_health", door: { scheme: "https", port: ports.shlinkHttps } }, { check: "short_url_redirects" }],
    drills: ["shlink-pod"],
};
