// Values of the argo-cd chart (10.1.1): what runs, what each container requests, and how the UI is reached.
import type * as pulumi from "@pulumi/pulumi";
import { ARGO_CD } from "./facts";

/** What the values depend on. */
export interface ArgoCdValuesArgs {
    /** Argo CD's public https URL, through the ingress gateway (links, redirects, SSO callbacks). */
    url: string;
    /** bcrypt hash of the admin password (secret). */
    adminPasswordHash?: pulumi.Input<string>;
}

/**
 * Dex (SSO) and notifications are off: a homelab logs in as admin and has nowhere to notify. Every container
 * the chart still runs gets requests, so the part's budget (part.ts) can count them.
 */
export function argoCdValues(args: ArgoCdValuesArgs) {
    const r = ARGO_CD.resources;
    return {
        crds: { install: true, keep: true },
        // The chart's own NetworkPolicies (on by default) open argocd-server to every source and the metrics ports to
        // every namespace; NetworkPolicies add up, so ours (components/security/flows.ts) are the only ones.
        global: { networkPolicy: { create: false } },
        dex: { enabled: false },
        notifications: { enabled: false },
        configs: {
            // TLS ends at the ingress gateway, which speaks plain HTTP to the server.
            params: { "server.insecure": true },
            cm: { url: args.url },
            secret: {
                ...(args.adminPasswordHash === undefined ? {} : { argocdServerAdminPassword: args.adminPasswordHash }),
                argocdServerAdminPasswordMtime: ARGO_CD.adminPasswordMtime,
            },
        },
        server: {
            replicas: 1,
            resources: r.server,
            service: {
                // In-cluster only: the ingress gateway's door forwards to it.
                type: "ClusterIP",
                servicePortHttp: ARGO_CD.serverPort,
            },
        },
        repoServer: { replicas: 1, resources: r.repoServer, copyutil: { resources: r.copyutil } },
        controller: { replicas: 1, resources: r.controller },
        applicationSet: { replicas: 1, resources: r.applicationSet },
        redis: { enabled: true, resources: r.redis },
        redisSecretInit: { enabled: true, resources: r.redisSecretInit },
    };
}
