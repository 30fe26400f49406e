import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../kubernetes/names";
import { doorServers, doorVirtualServiceSpec, type EdgeDoor } from "../contracts/doors";

export interface EdgeDoorsArgs {
    /** The UIs' doors (Shlink's are its MeshRouting's). */
    doors: readonly EdgeDoor[];
    /** The gateway's namespace (an Output of our Namespace) and its pods' `istio` label. */
    namespace: pulumi.Input<string>;
    gatewayLabel: string;
    /** The serving certificate's Secret in that namespace. */
    credentialName: string;
    /** Istio's releases (CRDs, validating webhook) and the serving certificate, issued before any HTTPS server names it. */
    waitFor: pulumi.Input<pulumi.Resource>[];
}

/** The UIs' doors at the ingress gateway: one Gateway with an HTTPS server per UI port, a VirtualService per UI. */
export class EdgeDoors extends pulumi.ComponentResource {
    constructor(name: string, args: EdgeDoorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:edge:EdgeDoors", name, {}, opts);
        // Istio's CRDs and webhook, and the certificate the servers present (side effects, no data link).
        const after = { parent: this, dependsOn: args.waitFor };
        const object = (role: string, kind: string, objectName: string, spec: object) =>
            new k8s.apiextensions.CustomResource(
                childName(name, role),
                { apiVersion: "networking.istio.io/v1", kind, metadata: { name: objectName, namespace: args.namespace }, spec },
                after,
            );
        const gateway = `${name}-gateway`;
        object("gateway", "Gateway", gateway, {
            selector: { istio: args.gatewayLabel },
            servers: args.doors.flatMap((door) => doorServers(door, args.credentialName)),
        });
        for (const door of args.doors) {
            object(`${door.name}-route`, "VirtualService", door.name, doorVirtualServiceSpec(door, gateway));
        }
        this.registerOutputs({});
    }
}
