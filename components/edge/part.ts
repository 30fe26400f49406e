// The lab's TLS certificate and the doors the ingress gateway serves (components/edge/EdgeDoors.ts), the plain-HTTP
// ports redirecting to HTTPS; its pods are the mesh's gateway, so it brings no namespace of its own.
import type { Part } from "../contracts/part";

export const edgePart: Part = {
    name: "edge",
    // No namespace, no pod of its own in the cluster; the doors it serves are the other parts'.
    namespaces: [],
    flows: () => [],
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    budget: () => [],
    monitors: [],
    rules: () => [],
    dashboards: [],
    // The plain-HTTP door answering 301 to HTTPS; one of the gateway pods serving the doors killed.
    probes: (ports) => [{ check: "http_redirects", door: { scheme: "http", port: ports.shlink } }],
    drills: ["ingress-gateway"],
};
