import type { PartPlacement } from "../contracts/placement";
import { pods, type Flow, type FlowPort, type PodPeer } from "../contracts/flows";
import { CLUSTER_DNS, SYSTEM_NAMESPACES } from "./facts";

/** CoreDNS, which K3s runs in kube-system. */
export const CLUSTER_DNS_PODS: PodPeer = pods(CLUSTER_DNS.namespace, CLUSTER_DNS.podLabels);
export const CLUSTER_DNS_PORTS: FlowPort[] = [
    { port: CLUSTER_DNS.port, protocol: "UDP" },
    { port: CLUSTER_DNS.port, protocol: "TCP" },
];

/**
 * K3s' system namespaces are managed (no user app writes there) but not ours to create or police: policies in
 * kube-system would block metrics-server and risk DNS. CoreDNS receives the name lookups of every namespace
 * whose egress is restricted (the others' egress stays open).
 */
export const k3sPlacement: PartPlacement = {
    namespaces: SYSTEM_NAMESPACES.map((name) => ({ kind: "system", name })),
    flows: (context) =>
        context.namespaces.flatMap((ns): Flow[] =>
            ns.kind === "own" && ns.egress === "restricted"
                ? [{ name: `${ns.name}-dns`, from: pods(ns.name), to: context.peers.dns.pods, ports: context.peers.dns.ports, why: "name lookups through CoreDNS" }]
                : [],
        ),
    doors: () => [],
};
