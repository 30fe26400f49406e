import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { labFlows, networkPolicies, type FlowInputs } from "./flows";

export interface NetworkPoliciesArgs {
    /** Every namespace the stack creates: each gets a default-deny of ingress and its flows' allows. */
    namespaces: string[];
    /** The ports and addresses the flow table depends on. */
    flows: FlowInputs;
    /** The layers that create those namespaces. */
    waitFor: pulumi.Input<pulumi.Resource>[];
}

/**
 * Zero trust between pods: the NetworkPolicies generated from the lab's flow table (flows.ts), which
 * K3s' embedded kube-router enforces. Nothing reaches a pod of ours unless the table says so.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:security:NetworkPolicies", name, {}, opts);
        for (const policy of networkPolicies(labFlows(args.flows), args.namespaces)) {
            new k8s.networking.v1.NetworkPolicy(`${name}-${policy.metadata.namespace}-${policy.metadata.name}`, policy, {
                parent: this,
                // A policy goes into a namespace another layer creates; the namespaces are plain names here.
                dependsOn: args.waitFor,
            });
        }
        this.registerOutputs({});
    }
}
