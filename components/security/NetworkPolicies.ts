import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Flow } from "../contracts/flows";
import type { OwnNamespace } from "../contracts/placement";
import { networkPolicies } from "./flows";

export interface NetworkPoliciesArgs {
    /** Every namespace the stack creates, with its egress stance: each gets a default-deny of ingress and its flows' allows. */
    namespaces: readonly Pick<OwnNamespace, "name" | "egress">[];
    /** Every part's flows (security/flows.ts partFlows). */
    flows: readonly Flow[];
    /** The layers that create those namespaces. */
    waitFor: pulumi.Input<pulumi.Resource>[];
}

/**
 * Zero trust between pods: the NetworkPolicies generated from the parts' flows (flows.ts), which K3s' embedded
 * kube-router enforces. Nothing reaches a pod of ours unless a flow says so.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:security:NetworkPolicies", name, {}, opts);
        for (const policy of networkPolicies(args.flows, args.namespaces)) {
            new k8s.networking.v1.NetworkPolicy(`${name}-${policy.metadata.namespace}-${policy.metadata.name}`, policy, {
                parent: this,
                // A policy goes into a namespace another layer creates; the namespaces are plain names here.
                dependsOn: args.waitFor,
            });
        }
        this.registerOutputs({});
    }
}
