import { ANYWHERE, pods, tcp, type Flow, type PodPeer } from "../contracts/flows";
import { ALWAYS, ownNamespaces, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { ISTIO, POD_PORTS } from "./facts";

/** The ingress gateway's pods: the lab's front door, the client of every UI. */
export const GATEWAY_PODS: PodPeer = pods(ISTIO.gatewayNamespace, { istio: ISTIO.gatewayLabel });
/** istiod: Envoy's config and certificates, sidecar injection. */
export const ISTIOD_PODS: PodPeer = pods(ISTIO.namespace, { istio: "pilot" });

export const ISTIO_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: ISTIO.namespace,
    // Istio's CNI DaemonSet writes the node's CNI config through hostPath with added capabilities.
    podSecurity: "privileged",
    egress: "open",
    mesh: "none",
    ingress: "flows",
    createdWhen: ALWAYS,
};

export const GATEWAY_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: ISTIO.gatewayNamespace,
    // The gateway pods set the safe sysctl net.ipv4.ip_unprivileged_port_start but no seccomp profile.
    podSecurity: "baseline",
    egress: "open",
    mesh: "envoy",
    ingress: "flows",
    createdWhen: ALWAYS,
};

/** istiod and the ingress gateway: the world reaches the gateway; every Envoy of the lab, istiod. */
export const meshPlacement: PartPlacement = {
    namespaces: [ISTIO_NAMESPACE, GATEWAY_NAMESPACE],
    flows: ({ gatewayPorts, webhookCallers, namespaces, peers }): Flow[] => [
        { name: "gateway-clients", from: ANYWHERE, to: GATEWAY_PODS, ports: tcp(...gatewayPorts, ISTIO.gatewayStatusPort), why: "the lab's front door: every URL the stack exports" },
        ...ownNamespaces(namespaces)
            .filter((ns) => ns.mesh === "envoy")
            .map((ns): Flow => ({ name: `${ns.name}-to-istiod`, from: pods(ns.name), to: ISTIOD_PODS, ports: tcp(POD_PORTS.istiodXds), why: "Envoy's config and certificates from istiod" })),
        { name: "istiod-webhooks", from: webhookCallers, to: ISTIOD_PODS, ports: tcp(POD_PORTS.istiodWebhooks), why: "sidecar injection and config validation" },
        { name: "kiali-to-istiod", from: peers.kiali, to: ISTIOD_PODS, ports: tcp(POD_PORTS.istiodMonitoring), why: "Kiali reads istiod's status" },
        { name: "scrape-istiod", from: peers.prometheus, to: ISTIOD_PODS, ports: tcp(POD_PORTS.istiodMonitoring), why: "istiod's metrics" },
    ],
    doors: () => [],
};
