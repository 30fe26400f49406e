// The stack's outputs as the programs read them (programs/shared/stackOutputs.ts): the load target and kubeconfig
// (load, drill, verify), the API server, Grafana and the node addresses (drill, verify), each missing one named.
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../../components/config/defaults";
import { loadTarget, type LoadTarget } from "../../../components/load/manifests";
import { parseLabOutputs, parseStackOutputs } from "../../../programs/shared/stackOutputs";

const LIMITS = { createPerMinute: CONFIG_DEFAULTS.shlinkCreateRatePerMinute, redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond };
const TARGET: LoadTarget = loadTarget("https://istio-ingressgateway.istio-ingress.svc.cluster.local:443", "http://prom:9090/api/v1/write", LIMITS);
const ADDRESSES = { "k3s-1": "192.168.1.21", "k3s-2": "192.168.1.22", "k3s-3": "192.168.1.23" };

describe("stack outputs", () => {
    it("reads the kubeconfig and the load target, and names what is missing", () => {
        const json = JSON.stringify({ kubeconfig: "apiVersion: v1", loadTesting: TARGET, shlinkApiKey: "s" });
        expect(parseStackOutputs(json)).toEqual({ kubeconfig: "apiVersion: v1", target: TARGET });
        expect(() => parseStackOutputs(JSON.stringify({ loadTesting: TARGET }))).toThrow(/no 'kubeconfig' output/);
        expect(() => parseStackOutputs(JSON.stringify({ kubeconfig: "x", loadTesting: {} }))).toThrow(/no 'loadTesting' output/);
    });

    it("refuses a load target without the gateway's rate limits (a stack not updated since), asking for `npm run up`", () => {
        const older: Partial<LoadTarget> = { ...TARGET };
        delete older.rateLimits;
        expect(() => parseStackOutputs(JSON.stringify({ kubeconfig: "x", loadTesting: older }))).toThrow(
            /'loadTesting' output predates the gateway's rate limits: run `npm run up`/,
        );
        const partial = { ...TARGET, rateLimits: { createPerMinute: 900 } };
        expect(() => parseStackOutputs(JSON.stringify({ kubeconfig: "x", loadTesting: partial }))).toThrow(/predates/);
    });
});

describe("the lab's outputs", () => {
    it("reads nodeAddresses, apiServerUrl and (optionally) Grafana from the stack outputs, refusing a stack without them", () => {
        const json = JSON.stringify({
            nodeAddresses: ADDRESSES,
            apiServerUrl: "https://192.168.1.21:6443",
            grafanaUrl: "http://192.168.1.21:30300",
            grafanaAdminPassword: "pw",
        });
        expect(parseLabOutputs(json)).toEqual({
            nodeAddresses: ADDRESSES,
            apiServerUrl: "https://192.168.1.21:6443",
            grafana: { url: "http://192.168.1.21:30300", password: "pw" },
        });
        expect(parseLabOutputs(JSON.stringify({ nodeAddresses: ADDRESSES, apiServerUrl: "https://x:6443" })).grafana).toBeUndefined();
        // Grafana is served over HTTPS from the lab's CA: the drills verify against the exported CA.
        const ca = "-----BEGIN CERTIFICATE-----\nQ0EK\n-----END CERTIFICATE-----\n";
        const withCa = JSON.stringify({
            apiServerUrl: "https://x:6443",
            grafanaUrl: "https://192.168.1.21:3000",
            grafanaAdminPassword: "pw",
            labCaCertificate: ca,
        });
        expect(parseLabOutputs(withCa).grafana).toEqual({ url: "https://192.168.1.21:3000", password: "pw", ca });
        expect(() => parseLabOutputs("{}")).toThrow("run `npm run up` first");
        // A stack on an existing cluster has no node addresses: every drill but node-loss still runs.
        expect(parseLabOutputs(JSON.stringify({ apiServerUrl: "https://k3d:6443" })).nodeAddresses).toEqual({});
    });
});
