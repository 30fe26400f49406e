import { serviceFqdn } from "../kubernetes/serviceNames";
import { pods, tcp, type PodPeer } from "../contracts/flows";
import { ALWAYS, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { SHLINK } from "./facts";
import { SHLINK_SELECTOR } from "./shlinkSpec";

/** Shlink's pods: what the data stores' flows name as their client. */
export const SHLINK_PODS: PodPeer = pods(SHLINK.namespace, { ...SHLINK_SELECTOR });

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

/** Shlink: reached by the gateway alone; its door is served by its own routing (MeshRouting, rate-limited). */
export const appsPlacement: PartPlacement = {
    namespaces: [SHLINK_NAMESPACE],
    flows: ({ peers }) => [{ name: "gateway-to-shlink", from: peers.gateway, to: SHLINK_PODS, ports: tcp(SHLINK.port), why: "Shlink behind the gateway (mTLS)" }],
    // HTTPS on homelab:shlinkHttpsPort, its HTTP port answering 301.
    doors: (config) => [
        {
            door: { name: "shlink", httpPort: config.mesh.ports.shlink, httpsPort: config.mesh.ports.shlinkHttps, destination: { host: serviceFqdn(SHLINK.name, SHLINK.namespace), port: SHLINK.port } },
            routing: "own",
            order: 0,
        },
    ],
};
