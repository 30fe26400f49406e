// The URLs' ports and host name, the mesh and the observability settings, and the port plan ServiceLB can serve.
import { DOMAIN_PATTERN, RESERVED_NODE_PORTS, SHLINK_RATE_LIMIT_MAX } from "./defaults";
import { Reader, UNREAD_SECRET } from "./read";
import type { Checked, MeshConfig } from "./types";
import { configSet, configSetSecret } from "./fix";

const PORT_RANGE = [1, 65_535] as const;

export function validateMesh(h: Record<string, unknown>): Checked<MeshConfig> {
    const read = new Reader(h);
    const problems = read.problems;
    const ports = {
        shlink: read.int("shlinkPort", ...PORT_RANGE),
        shlinkHttps: read.int("shlinkHttpsPort", ...PORT_RANGE),
        grafana: read.int("grafanaPort", ...PORT_RANGE),
        jaeger: read.int("jaegerPort", ...PORT_RANGE),
        kiali: read.int("kialiPort", ...PORT_RANGE),
        alertmanager: read.int("alertmanagerPort", ...PORT_RANGE),
        // Argo CD's two ports on the gateway (HTTP redirecting to HTTPS): bound whether or not homelab:argocd is on.
        argocd: read.int("argocdPort", ...PORT_RANGE),
        argocdHttps: read.int("argocdHttpsPort", ...PORT_RANGE),
        // OpenBao's UI and API, served through the ingress gateway on a port of its own.
        vault: read.int("vaultPort", ...PORT_RANGE),
    };
    const portsValid = Object.values(ports).every((p) => p !== undefined);
    if (portsValid) {
        problems.push(...portPlanProblems(ports as MeshConfig["ports"]));
    }
    const kialiAuth = read.str("kialiAuth");
    if (kialiAuth !== "anonymous" && kialiAuth !== "token") {
        problems.push(`homelab:kialiAuth must be "anonymous" (view-only) or "token" (got "${kialiAuth}").`);
    }
    const webhook = h.alertWebhookUrl;
    if (webhook !== undefined && webhook !== UNREAD_SECRET && (typeof webhook !== "string" || !/^https?:\/\/[^\s/]+/.test(webhook))) {
        problems.push(
            "homelab:alertWebhookUrl must be an http(s) URL (value not shown): " +
                `paste it (e.g. https://ntfy.sh/<topic>) when Pulumi asks: ${configSetSecret("homelab:alertWebhookUrl")}`,
        );
    }
    const domain = read.optional("domain");
    if (domain !== undefined && !DOMAIN_PATTERN.test(domain)) {
        problems.push(
            `homelab:domain must be a DNS name the lab's address resolves to, lower case, without scheme, port or trailing dot (got "${domain}"): ` +
                configSet("homelab:domain", "lab.example.com"),
        );
    }
    const mesh = {
        ports,
        ...(domain === undefined ? {} : { domain }),
        tracingSamplingPercent: read.int("tracingSamplingPercent", 0, 100),
        kialiAuth,
        prometheusRetentionDays: read.int("prometheusRetentionDays", 1, 365),
        smokeCheckTimeoutSeconds: read.int("smokeCheckTimeoutSeconds", 60, 7200),
        rateLimits: {
            // Envoy's token bucket needs at least one token; above these, the limit no longer protects Shlink.
            createPerMinute: read.int("shlinkCreateRatePerMinute", 1, SHLINK_RATE_LIMIT_MAX.createPerMinute),
            redirectPerSecond: read.int("shlinkRedirectRatePerSecond", 1, SHLINK_RATE_LIMIT_MAX.redirectPerSecond),
        },
    };
    // Every value was checked above: with no problem, each is defined and of its type.
    return problems.length > 0 ? { problems } : { problems, value: mesh as MeshConfig };
}

/**
 * Refuses a port plan where two of the ingress gateway's ports coincide, or one takes a port the nodes already
 * use: K3s' ServiceLB binds every LoadBalancer port on every node, so a collision leaves the gateway pending.
 * Any port may be below 1024: the gateway binds them all, the UIs behind it keep their own ports.
 */
export function portPlanProblems(ports: MeshConfig["ports"]): string[] {
    const problems: string[] = [];
    const seen = new Map<number, string>();
    for (const [service, port] of Object.entries(ports)) {
        const key = `homelab:${service}Port`;
        if (seen.has(port)) {
            problems.push(`${key} ${port} is already homelab:${seen.get(port)}Port: each URL needs a port of its own.`);
        } else {
            seen.set(port, service);
        }
        if (port in RESERVED_NODE_PORTS) {
            problems.push(`${key} ${port} is taken on every node by ${RESERVED_NODE_PORTS[port]}: choose another port.`);
        }
    }
    return problems;
}
