// Values of the argo-cd chart (10.1.1): what runs, what each container requests, and how the UI is reached.
import type * as pulumi from "@pulumi/pulumi";
import { ARGO_CD } from "../defaults";
import { loadBalancerAnnotations } from "../kubernetes/service";

/** What the values depend on. */
export interface ArgoCdValuesArgs {
    /** Annotations of the server's LoadBalancer Service (kube-vip's address, with a services VIP). */
    serviceAnnotations?: Record<string, string>;
    /** LoadBalancer port of the UI and API (plain HTTP). */
    httpPort: number;
    /** The chart's second Service port; ServiceLB binds it too, so it is in the port plan. */
    httpsPort: number;
    /** bcrypt hash of the admin password (secret). */
    adminPasswordHash?: pulumi.Input<string>;
}

/**
 * Dex (SSO) and notifications are off: a homelab logs in as admin and has nowhere to notify. Every container
 * the chart still runs gets requests, so components/budget.ts can count them.
 */
export function argoCdValues(args: ArgoCdValuesArgs) {
    const r = ARGO_CD.resources;
    return {
        crds: { install: true, keep: true },
        dex: { enabled: false },
        notifications: { enabled: false },
        configs: {
            // TLS, if any, ends in front of Argo CD.
            params: { "server.insecure": true },
            secret: {
                ...(args.adminPasswordHash === undefined ? {} : { argocdServerAdminPassword: args.adminPasswordHash }),
                argocdServerAdminPasswordMtime: ARGO_CD.adminPasswordMtime,
            },
        },
        server: {
            replicas: 1,
            resources: r.server,
            service: {
                type: "LoadBalancer",
                servicePortHttp: args.httpPort,
                servicePortHttps: args.httpsPort,
                ...loadBalancerAnnotations(args.serviceAnnotations),
            },
        },
        repoServer: { replicas: 1, resources: r.repoServer, copyutil: { resources: r.copyutil } },
        controller: { replicas: 1, resources: r.controller },
        applicationSet: { replicas: 1, resources: r.applicationSet },
        redis: { enabled: true, resources: r.redis },
        redisSecretInit: { enabled: true, resources: r.redisSecretInit },
    };
}
