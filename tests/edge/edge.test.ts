// TLS from the lab's own CA at the ingress gateway, under mocks: the CA chain, the serving certificate's names
// against every address the stack serves, one HTTPS server per door, HTTP doors answering 301, no LoadBalancer
// but the gateway's, and the CA exported (its key never).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../components/config";
import { LAB_TLS } from "../../components/edge/facts";
import { ISTIO } from "../../components/mesh/facts";
import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK } from "../../components/observability/facts";
import { OPERATOR_CHARTS } from "../../components/operators/facts";
import { subjectAltNames } from "../../components/edge/certificates";
import { doorServers, doorServicePorts, doorVirtualServiceSpec, httpsUrl } from "../../components/contracts/doors";
import { secretsPart } from "../../components/secrets/part";
import type { HomelabOutputs } from "../../stacks/homelab";
import { FAKE_LAB_CA, fullConfig, valueOf, type Ledger, type Recorded } from "../helpers/pulumi";
import { runHomelab, runRefused } from "../helpers/platform";
import type { ModelClass } from "../helpers/crdSchemas";
import { DOOR_PORTS as PORTS } from "../helpers/doorPorts";

const NODE_IPS = ["192.168.2.242", "192.168.2.243", "192.168.2.244"];
const GATEWAY_FQDN = `${ISTIO.gatewayRelease}.${ISTIO.gatewayNamespace}.svc.cluster.local`;

/** A Go duration in whole hours, the only form the lab's certificates use ("87600h"). */
function hours(duration: string): number {
    const match = /^(\d+)h$/.exec(duration);
    if (!match) {
        throw new Error(`not a duration in hours: ${duration}`);
    }
    return Number(match[1]);
}
const byKind = (ledger: Ledger, kind: string) => ledger.resources.filter((r) => r.inputs.kind === kind);
const servingCertificate = (ledger: Ledger) => ledger.byName("edge-tls-serving-certificate");
/** Every URL the stack exports. */
async function exportedUrls(outputs: HomelabOutputs): Promise<string[]> {
    const urls = [outputs.shlinkUrl, outputs.grafanaUrl, outputs.kialiUrl, outputs.jaegerUrl, outputs.alertmanagerUrl, outputs.argocdUrl!, outputs.vaultUrl];
    return Promise.all(urls.map((u) => valueOf(u)));
}
/** What the serving certificate names: its IP and DNS subject alternative names. */
function namesOf(certificate: Recorded): string[] {
    return [...(certificate.inputs.spec.ipAddresses ?? []), ...(certificate.inputs.spec.dnsNames ?? [])];
}
/** Every `type: LoadBalancer` (or Kiali's `service_type`) anywhere in a resource's inputs, by path. */
function loadBalancers(value: unknown, where: string): string[] {
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => loadBalancers(v, `${where}[${i}]`));
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) =>
            (k === "type" || k === "service_type") && v === "LoadBalancer" ? [`${where}.${k}`] : loadBalancers(v, `${where}.${k}`),
        );
    }
    return [];
}

describe("the lab's TLS at the ingress gateway (Proxmox mode, no services VIP)", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        ({ ledger, result: outputs } = await runHomelab());
    });

    it("chains a selfSigned ClusterIssuer → a long-lived ECDSA CA in cert-manager's namespace → a CA ClusterIssuer → the serving certificate", () => {
        const selfSigned = ledger.byName("edge-tls-selfsigned-issuer");
        const ca = ledger.byName("edge-tls-ca-certificate");
        const caIssuer = ledger.byName("edge-tls-ca-issuer");
        const serving = servingCertificate(ledger);
        expect(selfSigned.inputs).toMatchObject({ kind: "ClusterIssuer", metadata: { name: LAB_TLS.selfSignedIssuer }, spec: { selfSigned: {} } });
        expect(ca.inputs.metadata).toMatchObject({ name: LAB_TLS.caCertificate, namespace: OPERATOR_CHARTS.certManager.namespace });
        expect(ca.inputs.spec).toMatchObject({ isCA: true, duration: "87600h", privateKey: { algorithm: "ECDSA", size: 256 } });
        expect(ca.inputs.spec.issuerRef).toMatchObject({ name: selfSigned.inputs.metadata.name, kind: "ClusterIssuer" });
        expect(caIssuer.inputs.spec).toEqual({ ca: { secretName: ca.inputs.spec.secretName } });
        expect(serving.inputs.spec.issuerRef).toMatchObject({ name: caIssuer.inputs.metadata.name, kind: "ClusterIssuer" });
        expect(serving.inputs.spec.isCA).toBeUndefined();
        expect(serving.inputs.spec.privateKey).toMatchObject({ algorithm: "ECDSA" });
        for (const [r, before] of [
            [ca, selfSigned],
            [caIssuer, ca],
            [serving, caIssuer],
        ] as const) {
            expect(ledger.waitsFor(r.name), r.name).toContain(before.name);
        }
    });

    it("renews the CA a year before its end with the same key, so what trusts it keeps trusting the lab (cert-manager v1.19.6 schema and renewal rule)", async () => {
        const ca = ledger.byName("edge-tls-ca-certificate");
        const { Certificate } = (await import("@kubernetes-models/cert-manager/cert-manager.io/v1")) as unknown as { Certificate: ModelClass };
        expect(() => new Certificate(ca.inputs as never).validate()).not.toThrow();
        // The schema knows the field: a policy cert-manager does not have is refused.
        const unknownPolicy = { ...ca.inputs, spec: { ...ca.inputs.spec, privateKey: { ...ca.inputs.spec.privateKey, rotationPolicy: "Sometimes" } } };
        expect(() => new Certificate(unknownPolicy as never).validate()).toThrow();
        // cert-manager's default is Always: a new key at every renewal, and every machine trusting the CA stops trusting the lab.
        expect(ca.inputs.spec.privateKey.rotationPolicy).toBe("Never");
        // pkg/util/pki/renewaltime.go: renewBefore counts only when shorter than the life, else renewal at two thirds.
        const life = hours(ca.inputs.spec.duration);
        const renewBefore = hours(ca.inputs.spec.renewBefore);
        expect(renewBefore).toBeGreaterThan(0);
        expect(renewBefore).toBeLessThan(life);
        expect(life - renewBefore).toBe(9 * 8760);
    });

    it("reports each Certificate created only once cert-manager has issued it (Ready)", () => {
        const certificates = byKind(ledger, "Certificate");
        expect(certificates.map((c) => c.name).sort()).toEqual(["edge-tls-ca-certificate", "edge-tls-serving-certificate"]);
        for (const c of certificates) {
            expect(c.inputs.metadata.annotations, c.name).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
        }
    });

    it("puts the serving certificate in the gateway's namespace, where Istio reads credentialName", () => {
        expect(servingCertificate(ledger).inputs.metadata.namespace).toBe(ISTIO.gatewayNamespace);
        expect(servingCertificate(ledger).inputs.spec.secretName).toBe(LAB_TLS.servingSecret);
    });

    it("names in the serving certificate every host a URL output, the smoke check or the load runner uses, and every node ServiceLB answers on", async () => {
        const names = namesOf(servingCertificate(ledger));
        for (const url of await exportedUrls(outputs)) {
            expect(names, url).toContain(new URL(url).hostname);
        }
        const script = ledger.byName("smoke-check-run").inputs.stdin as string;
        // Every URL the script calls (LONG_URL is the page a short URL points to, not the lab).
        const called = [...script.matchAll(/^(?!LONG_URL)[A-Z_]+_URL='(https:[^']+)'$/gm)].map((m) => m[1]);
        expect(called).toHaveLength(5);
        for (const url of called) {
            expect(names, url).toContain(new URL(url).hostname);
        }
        const target = await valueOf(outputs.loadTesting);
        expect(target.targetUrl).toBe(`https://${GATEWAY_FQDN}`);
        expect(names).toContain(new URL(target.targetUrl).hostname);
        expect(servingCertificate(ledger).inputs.spec.ipAddresses).toEqual(NODE_IPS);
        expect(servingCertificate(ledger).inputs.spec.dnsNames).toEqual([GATEWAY_FQDN, `${ISTIO.gatewayRelease}.${ISTIO.gatewayNamespace}.svc`]);
    });

    it("serves one HTTPS server per door and HTTP only on Shlink's and Argo CD's ports, every HTTPS server with the serving certificate", () => {
        const servers = byKind(ledger, "Gateway").flatMap((g) => g.inputs.spec.servers.map((s: any) => ({ ...s, gateway: g.name })));
        const https = servers.filter((s) => s.port.protocol === "HTTPS");
        const http = servers.filter((s) => s.port.protocol === "HTTP");
        expect(https.map((s) => s.port.number).sort((a, b) => a - b)).toEqual(
            [PORTS.shlinkHttps, PORTS.grafana, PORTS.jaeger, PORTS.kiali, PORTS.alertmanager, PORTS.argocdHttps, PORTS.vault].sort((a, b) => a - b),
        );
        expect(http.map((s) => s.port.number).sort((a, b) => a - b)).toEqual([PORTS.shlink, PORTS.argocd]);
        expect(servers).toHaveLength(https.length + http.length);
        for (const s of https) {
            expect(s.tls, `${s.gateway} ${s.port.number}`).toEqual({ mode: "SIMPLE", credentialName: servingCertificate(ledger).inputs.spec.secretName });
        }
        for (const s of http) {
            expect(s.tls, `${s.gateway} ${s.port.number}`).toBeUndefined();
        }
        // Every Gateway selects the one ingress gateway, whose namespace holds the credential.
        for (const g of byKind(ledger, "Gateway")) {
            expect(g.inputs.spec.selector).toEqual({ istio: ISTIO.gatewayLabel });
            expect(ledger.waitsFor(g.name), g.name).toContain("edge-tls-serving-certificate");
        }
    });

    it("answers each HTTP port with 301 to the same path on its door's HTTPS port, and forwards every HTTPS port", () => {
        const routes = byKind(ledger, "VirtualService").flatMap((vs) => vs.inputs.spec.http);
        const redirects = routes.filter((r: any) => r.redirect !== undefined);
        expect(redirects.map((r: any) => [r.match[0].port, r.redirect])).toEqual(
            expect.arrayContaining([
                [PORTS.shlink, { scheme: "https", port: PORTS.shlinkHttps, redirectCode: 301 }],
                [PORTS.argocd, { scheme: "https", port: PORTS.argocdHttps, redirectCode: 301 }],
            ]),
        );
        expect(redirects).toHaveLength(2);
        // Shlink's HTTPS port has two forward routes (URL creation split out for its rate limit).
        const forwarded = [...new Set(routes.filter((r: any) => r.route !== undefined).map((r: any) => r.match[0].port as number))];
        expect(forwarded.sort((a: number, b: number) => a - b)).toEqual(
            [PORTS.shlinkHttps, PORTS.grafana, PORTS.jaeger, PORTS.kiali, PORTS.alertmanager, PORTS.argocdHttps, PORTS.vault].sort((a, b) => a - b),
        );
    });

    it("forwards each UI's door to its in-cluster Service on the port that Service has", () => {
        const destination = (port: number) =>
            byKind(ledger, "VirtualService")
                .flatMap((vs) => vs.inputs.spec.http)
                .find((r: any) => r.route !== undefined && r.match[0].port === port).route[0].destination;
        const kps = ledger.byName("observability-kube-prometheus-stack").inputs.values;
        const kiali = ledger.byName("observability-kiali").inputs.spec;
        const jaegerUi = ledger.byName("observability-jaeger-ui").inputs;
        const argocd = ledger.byName("argocd-release").inputs.values;
        expect(destination(PORTS.grafana)).toEqual({
            host: `${kps.grafana.fullnameOverride}.${KUBE_PROMETHEUS_STACK.namespace}.svc.cluster.local`,
            port: { number: kps.grafana.service.port },
        });
        expect(destination(PORTS.alertmanager)).toEqual({
            host: `kps-alertmanager.${KUBE_PROMETHEUS_STACK.namespace}.svc.cluster.local`,
            port: { number: kps.alertmanager.service.port },
        });
        expect(destination(PORTS.jaeger)).toEqual({
            host: `${jaegerUi.metadata.name}.${JAEGER.namespace}.svc.cluster.local`,
            port: { number: jaegerUi.spec.ports[0].port },
        });
        expect(destination(PORTS.kiali)).toEqual({ host: `${KIALI.serviceName}.${ISTIO.namespace}.svc.cluster.local`, port: { number: kiali.server.port } });
        expect(destination(PORTS.argocdHttps)).toEqual({
            host: "argocd-server.argocd.svc.cluster.local",
            port: { number: argocd.server.service.servicePortHttp },
        });
        // The gateway speaks plain HTTP to Argo CD, and Kiali's server keeps a port of its own whatever homelab:kialiPort is.
        expect(argocd.configs.params["server.insecure"]).toBe(true);
        expect(kiali.server.port).toBe(KIALI.serverPort);
    });

    it("publishes every door's port on the gateway's LoadBalancer, each to the same port on the pods", () => {
        const ports = ledger.byName("istio-gateway").inputs.values.service.ports as { port: number; targetPort: number }[];
        const serverPorts = byKind(ledger, "Gateway").flatMap((g) => g.inputs.spec.servers.map((s: any) => s.port.number));
        expect(ports.map((p) => p.port).sort((a, b) => a - b)).toEqual([...serverPorts, ISTIO.gatewayStatusPort].sort((a, b) => a - b));
        for (const p of ports) {
            expect(p.targetPort, String(p.port)).toBe(p.port === ISTIO.gatewayStatusPort ? ISTIO.gatewayStatusPort : p.port);
        }
    });

    it("leaves no LoadBalancer Service but the ingress gateway's", () => {
        const found = ledger.resources.flatMap((r) => loadBalancers(r.inputs, r.name));
        expect(found).toEqual(["istio-gateway.values.service.type"]);
    });

    it("points Grafana, Kiali, Alertmanager and Argo CD at their https URLs", async () => {
        const kps = ledger.byName("observability-kube-prometheus-stack").inputs.values;
        expect(kps.grafana["grafana.ini"].server.root_url).toBe(await valueOf(outputs.grafanaUrl));
        expect(kps.alertmanager.alertmanagerSpec.externalUrl).toBe(await valueOf(outputs.alertmanagerUrl));
        const services = ledger.byName("observability-kiali").inputs.spec.external_services;
        expect(services.grafana.external_url).toBe(await valueOf(outputs.grafanaUrl));
        expect(services.tracing.external_url).toBe(await valueOf(outputs.jaegerUrl));
        expect(ledger.byName("argocd-release").inputs.values.configs.cm.url).toBe(await valueOf(outputs.argocdUrl!));
    });

    it("exports the CA's certificate, read back after the CA is issued, as a plain output; its key appears nowhere", async () => {
        expect(await valueOf(outputs.labCaCertificate)).toBe(FAKE_LAB_CA.certificate);
        expect(await pulumi.isSecret(outputs.labCaCertificate)).toBe(false);
        const read = ledger.byName("edge-tls-ca-secret");
        expect(read.read).toBe(true);
        expect(read.provider).toMatch(/pulumi:providers:kubernetes::k3s-k8s::/);
        const keyForms = [FAKE_LAB_CA.key, Buffer.from(FAKE_LAB_CA.key).toString("base64"), "EC PRIVATE KEY", "ZmFrZS1jYS1rZXk="];
        const resolved = await Promise.all(Object.values(outputs).map((o) => valueOf(o as pulumi.Output<unknown>)));
        for (const form of keyForms) {
            expect(JSON.stringify(resolved)).not.toContain(form);
            for (const r of ledger.resources) {
                expect(JSON.stringify(r.inputs), r.name).not.toContain(form);
            }
        }
    });
});

describe("the lab's TLS with homelab:domain", () => {
    it("names the domain in every URL and in the certificate, beside the lab's address the smoke check calls", async () => {
        const { ledger, result } = await runHomelab({ "homelab:domain": "lab.example.org" });
        for (const url of await exportedUrls(result)) {
            expect(new URL(url).hostname, url).toBe("lab.example.org");
        }
        expect(await valueOf(result.shlinkUrl)).toBe("https://lab.example.org");
        const names = namesOf(servingCertificate(ledger));
        expect(names).toEqual(expect.arrayContaining(["lab.example.org", ...NODE_IPS]));
        expect(ledger.byName("smoke-check-run").inputs.stdin).toContain("SHLINK_URL='https://192.168.2.242'");
        const env = ledger.byName("shlink-deployment").inputs.spec.template.spec.containers[0].env;
        expect(env).toEqual(
            expect.arrayContaining([
                { name: "DEFAULT_DOMAIN", value: "lab.example.org" },
                { name: "IS_HTTPS_ENABLED", value: "true" },
            ]),
        );
    });

    it.each(["https://lab.example.org", "lab.example.org:443", "Lab.Example.org", "lab", "lab.example.org.", "-lab.example.org", "192.168.2.50"])(
        "refuses homelab:domain %s as a RunError before any resource",
        async (domain) => {
            const { thrown, ledger } = await runRefused(fullConfig({ "homelab:domain": domain }));
            expect(thrown).toBeInstanceOf(ConfigError);
            expect(pulumi.RunError.isInstance(thrown)).toBe(true);
            expect((thrown as ConfigError).problems).toEqual([expect.stringContaining(`homelab:domain must be a DNS name`)]);
            expect(ledger.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
        },
    );
});

describe("the doors' builders", () => {
    it("gives Vault an HTTPS door to OpenBao's UI Service on its API port, with the serving certificate", () => {
        const [{ door, routing }] = secretsPart.doors({ mode: "proxmox", gitops: { argocd: false }, mesh: { ports: PORTS } });
        expect(routing).toBe("edge");
        expect(doorServers(door, LAB_TLS.servingSecret)).toEqual([
            { port: { number: 8200, name: "https-vault", protocol: "HTTPS" }, hosts: ["*"], tls: { mode: "SIMPLE", credentialName: LAB_TLS.servingSecret } },
        ]);
        expect(doorVirtualServiceSpec(door, "edge-doors-gateway").http).toEqual([
            { match: [{ port: 8200 }], route: [{ destination: { host: "openbao-ui.vault.svc.cluster.local", port: { number: 8200 } } }] },
        ]);
        expect(doorServicePorts([door])).toEqual([{ name: "https-vault", port: 8200, protocol: "TCP", targetPort: 8200 }]);
    });

    it("leaves HTTPS' default port out of a URL and keeps any other", () => {
        expect(httpsUrl("lab.example.org", 443)).toBe("https://lab.example.org");
        expect(httpsUrl("10.0.0.1", 8443, "/x")).toBe("https://10.0.0.1:8443/x");
    });
});

describe("subjectAltNames", () => {
    it("splits IPv4 addresses from DNS names and names each once", () => {
        expect(
            subjectAltNames({
                publicAddress: "192.168.2.50",
                otherAddresses: ["192.168.2.50", "192.168.2.51"],
                domain: "lab.example.org",
                serviceNames: ["gw.ns.svc"],
            }),
        ).toEqual({ ipAddresses: ["192.168.2.50", "192.168.2.51"], dnsNames: ["lab.example.org", "gw.ns.svc"] });
        // Cluster mode's homelab:publicAddress may be a DNS name.
        expect(subjectAltNames({ publicAddress: "k8s.example.org", otherAddresses: [], serviceNames: [] })).toEqual({
            ipAddresses: [],
            dnsNames: ["k8s.example.org"],
        });
    });
});
