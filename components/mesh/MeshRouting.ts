import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ShlinkRateLimits } from "../contracts/rateLimits";
import { SHLINK_RATE_LIMIT } from "./facts";
import { rateLimitFilterSpec } from "./rateLimit";
import { authorizationPolicySpec, destinationRuleSpec, gatewaySpec, peerAuthenticationSpec, virtualServiceSpec, type RoutingTarget } from "./values";

export interface MeshRoutingArgs {
    /** The app, its namespace (an Output of our Namespace, so the objects wait for it) and the gateway. */
    target: RoutingTarget;
    namespace: pulumi.Input<string>;
    /** Istio releases that install the CRDs and the validating webhook these objects need. */
    waitFor: pulumi.Input<pulumi.Resource>[];
    /** Shlink's limits, enforced by an EnvoyFilter in the gateway's namespace (an Output of it, so it waits for it). */
    rateLimit?: { limits: ShlinkRateLimits; gatewayNamespace: pulumi.Input<string> };
}

/**
 * How the mesh serves one app: Gateway and VirtualService (retries, timeout), DestinationRule (mTLS,
 * connection pools, outlier detection), STRICT mTLS for the namespace and the AuthorizationPolicy; with
 * `rateLimit`, the gateway's local rate limit on the app's routes.
 */
export class MeshRouting extends pulumi.ComponentResource {
    constructor(name: string, args: MeshRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:mesh:MeshRouting", name, {}, opts);
        const t = args.target;
        const object = (role: string, apiVersion: string, kind: string, spec: object, objectName = t.service, namespace = args.namespace) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${role}`,
                { apiVersion, kind, metadata: { name: objectName, namespace }, spec },
                // Istio's CRDs and webhook must exist first (side effect, no data link).
                { parent: this, dependsOn: args.waitFor },
            );

        const gatewayName = `${t.service}-gateway`;
        object("gateway", "networking.istio.io/v1", "Gateway", gatewaySpec(t), gatewayName);
        object("virtualservice", "networking.istio.io/v1", "VirtualService", virtualServiceSpec(t, gatewayName, args.rateLimit !== undefined));
        object("destinationrule", "networking.istio.io/v1", "DestinationRule", destinationRuleSpec(t));
        object("peerauthentication", "security.istio.io/v1", "PeerAuthentication", peerAuthenticationSpec(), "default");
        object("authorizationpolicy", "security.istio.io/v1", "AuthorizationPolicy", authorizationPolicySpec(t));
        if (args.rateLimit) {
            const spec = rateLimitFilterSpec(t.gateway.label, args.rateLimit.limits);
            // EnvoyFilter is served as v1alpha3 only (Istio 1.30.3 base chart CRDs).
            object("ratelimit", "networking.istio.io/v1alpha3", "EnvoyFilter", spec, SHLINK_RATE_LIMIT.name, args.rateLimit.gatewayNamespace);
        }

        this.registerOutputs({});
    }
}
