// The lab's doors at the Istio ingress gateway, as each part declares them (PartPlacement.doors), and the URL
// helpers every part names its addresses with, and the gateway's servers and routes for a door (the mesh and the
// edge build them). Pure: tests call them directly. A shared contract: it imports no part.

/**
 * The ports of the lab's doors (homelab:*Port), by the config's key: what parts' doors and probes read. The stack passes
 * the config's `mesh.ports` (so a key renamed there fails to compile here); a door of a new part adds its key here and
 * in components/config/mesh.ts. Named here, not imported, because a shared contract imports no config.
 */
export type DoorPorts = Readonly<
    Record<"shlink" | "shlinkHttps" | "grafana" | "jaeger" | "kiali" | "alertmanager" | "argocd" | "argocdHttps" | "vault", number>
>;

/** One door: HTTPS on `httpsPort` (and, where set, plain HTTP on `httpPort` redirecting to it), sent on to a Service. */
export interface EdgeDoor {
    /** Short name of what is behind it (grafana, shlink ...): names the gateway's ports and servers. */
    name: string;
    httpsPort: number;
    httpPort?: number;
    /** The in-cluster Service the gateway forwards to (plain HTTP, or mTLS when its pods are meshed). */
    destination: { host: string; port: number };
}

/** The Gateway's servers for a door: HTTPS with the serving certificate's Secret, and the redirecting HTTP port. */
export function doorServers(door: EdgeDoor, credentialName: string) {
    return [
        ...(door.httpPort === undefined ? [] : [{ port: { number: door.httpPort, name: `http-${door.name}`, protocol: "HTTP" }, hosts: ["*"] }]),
        {
            port: { number: door.httpsPort, name: `https-${door.name}`, protocol: "HTTPS" },
            hosts: ["*"],
            tls: { mode: "SIMPLE", credentialName },
        },
    ];
}

/**
 * The HTTP port's route: 301 to the same path on the HTTPS port. Not the server's `tls.httpsRedirect`: Envoy keeps
 * the request's port there, which is right only for 80 → 443, and Argo CD's doors are 8080 → 8443.
 */
export function redirectRoutes(door: EdgeDoor) {
    return door.httpPort === undefined ? [] : [{ match: [{ port: door.httpPort }], redirect: { scheme: "https", port: door.httpsPort, redirectCode: 301 } }];
}

/** What the HTTPS port forwards: every request on it, to the door's Service. */
export function forwardRoute(door: EdgeDoor) {
    return {
        match: [{ port: door.httpsPort }],
        route: [{ destination: { host: door.destination.host, port: { number: door.destination.port } } }],
    };
}

/** A UI's VirtualService on the doors' Gateway: the redirect (if any), then the forward. */
export function doorVirtualServiceSpec(door: EdgeDoor, gateway: string) {
    return { hosts: ["*"], gateways: [gateway], http: [...redirectRoutes(door), forwardRoute(door)] };
}

/** The ports of every door, as the gateway's LoadBalancer Service publishes them (pods listen on the same numbers). */
export function doorServicePorts(doors: readonly EdgeDoor[]) {
    return doors.flatMap((door) => [
        ...(door.httpPort === undefined ? [] : [{ name: `http-${door.name}`, port: door.httpPort, protocol: "TCP", targetPort: door.httpPort }]),
        { name: `https-${door.name}`, port: door.httpsPort, protocol: "TCP", targetPort: door.httpsPort },
    ]);
}

/** `host` or `host:port`, leaving out HTTPS' default port (what an https URL names, and Shlink's short URLs). */
export function httpsHost(host: string, port: number): string {
    return port === 443 ? host : `${host}:${port}`;
}

/** `https://host[:port][path]`, leaving out HTTPS' default port. */
export function httpsUrl(host: string, port: number, path = ""): string {
    return `https://${httpsHost(host, port)}${path}`;
}

/** `http://host[:port]`, leaving out HTTP's default port (the door that answers 301). */
export function httpUrl(host: string, port: number): string {
    return `http://${host}${port === 80 ? "" : `:${port}`}`;
}
