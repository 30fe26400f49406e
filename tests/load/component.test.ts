// LoadTesting under Pulumi mocks: the namespace out of the mesh, the pinned k6-operator through helmRelease,
// every scenario file in the scripts ConfigMap, the API key only in a Secret, and the plain output the CLI reads.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { HELM_TIMEOUT_SECONDS } from "../../components/defaults";
import { K6, K6_LAB_CA, K6_OPERATOR_CHART } from "../../components/load/facts";
import { ISTIO_INJECTION_LABEL } from "../../components/kubernetes/namespace";
import { LoadTesting } from "../../components/load/LoadTesting";
import { remoteWriteUrl, type LoadTarget } from "../../components/load/manifests";
import { SCENARIOS } from "../../components/load/scenarios/catalog";
import { fullConfig, runUnderMocks, type Ledger } from "../helpers/pulumi";
import { pssLabels } from "../helpers/podSecurity";

const API_KEY = "shlink-api-key-for-load-tests";
const TARGET_URL = "https://istio-ingressgateway.istio-ingress.svc.cluster.local:443";
const LAB_CA = "-----BEGIN CERTIFICATE-----\nMIIBlab-ca\n-----END CERTIFICATE-----\n";
const LIMITS = { createPerMinute: 120, redirectPerSecond: 300 };
const WRITE_URL = remoteWriteUrl("http://kps-prometheus.monitoring.svc.cluster.local:9090/");
const SCENARIO_DIR = path.join(__dirname, "..", "..", "components", "load", "scenarios");

let ledger: Ledger;
let target: LoadTarget;

beforeAll(async () => {
    const run = await runUnderMocks(
        fullConfig(),
        () =>
            new LoadTesting("load", {
                targetUrl: TARGET_URL,
                caCertificate: LAB_CA,
                rateLimits: LIMITS,
                prometheusWriteUrl: WRITE_URL,
                apiKey: pulumi.secret(API_KEY),
            }),
    );
    ledger = run.ledger;
    target = await new Promise<LoadTarget>((resolve) => run.result.target.apply(resolve));
});

describe("LoadTesting", () => {
    it("registers as homelab:load:LoadTesting with children named load-<role>", () => {
        expect(ledger.registrations.find((r) => r.name === "load")?.type).toBe("homelab:load:LoadTesting");
        const children = ledger.resources
            .filter((r) => r.type.startsWith("kubernetes:"))
            .map((r) => r.name)
            .sort();
        expect(children).toEqual(["load-api-key", "load-lab-ca", "load-namespace", "load-operator", "load-scenarios"]);
        for (const name of children) {
            expect(ledger.byName(name).parent).toBe("load");
        }
    });

    it("creates the namespace `load` with sidecar injection disabled", () => {
        const ns = ledger.byName("load-namespace");
        // k6-operator's pods and the runner's set no securityContext: baseline, warned at restricted.
        expect(ns.inputs.metadata).toEqual({ name: "load", labels: { [ISTIO_INJECTION_LABEL]: "disabled", ...pssLabels("baseline") } });
    });

    it("installs the pinned k6-operator chart into it through helmRelease, not creating a namespace of its own", () => {
        const release = ledger.byName("load-operator");
        expect(release.type).toBe("kubernetes:helm.sh/v3:Release");
        expect(release.inputs).toMatchObject({
            name: K6_OPERATOR_CHART.release,
            chart: "k6-operator",
            version: "4.6.0",
            repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
            namespace: "load",
            createNamespace: false,
            atomic: true,
            waitForJobs: true,
            timeout: HELM_TIMEOUT_SECONDS,
        });
        expect(release.inputs.values).toEqual({
            installCRDs: true,
            namespace: { create: false },
            manager: { resources: K6.operatorResources },
        });
        expect(release.dataDeps).toContain("load-namespace");
    });

    it("ships every scenario file, byte for byte, in the scripts ConfigMap (sibling imports resolve in the mount)", () => {
        const cm = ledger.byName("load-scenarios");
        expect(cm.inputs.metadata).toEqual({ name: K6.scriptsConfigMap, namespace: "load" });
        const onDisk = fs
            .readdirSync(SCENARIO_DIR)
            .filter((f) => f.endsWith(".ts"))
            .sort();
        expect(Object.keys(cm.inputs.data).sort()).toEqual(onDisk);
        for (const file of onDisk) {
            expect(cm.inputs.data[file]).toBe(fs.readFileSync(path.join(SCENARIO_DIR, file), "utf8"));
        }
        for (const name of Object.keys(SCENARIOS)) {
            expect(onDisk).toContain(`${name}.ts`);
        }
        // Every relative import of a shipped file names another shipped file.
        for (const file of onDisk) {
            for (const [, spec] of cm.inputs.data[file].matchAll(/from "(\.\/[^"]+)"/g)) {
                expect(onDisk).toContain(spec.slice(2));
            }
        }
    });

    it("keeps the API key in a secret Secret input only", () => {
        const secret = ledger.byName("load-api-key");
        expect(secret.inputs.metadata).toEqual({ name: K6.apiKeySecret, namespace: "load" });
        expect(secret.inputs.stringData).toEqual({ [K6.apiKeySecretKey]: API_KEY });
        expect(secret.secretInputs).toContain("stringData");
        for (const r of ledger.resources.filter((x) => x.name !== "load-api-key")) {
            expect(JSON.stringify(r.inputs)).not.toContain(API_KEY);
        }
    });

    it("puts the lab CA's certificate, and nothing secret, in a ConfigMap of the load namespace for the runners", () => {
        const cm = ledger.byName("load-lab-ca");
        expect(cm.type).toBe("kubernetes:core/v1:ConfigMap");
        expect(cm.inputs.metadata).toEqual({ name: K6_LAB_CA.configMap, namespace: "load" });
        expect(cm.inputs.data).toEqual({ [K6_LAB_CA.key]: LAB_CA });
        expect(cm.secretInputs).toEqual([]);
        expect(cm.dataDeps).toContain("load-namespace");
    });

    it("outputs the plain object `npm run load` reads, without the key", () => {
        expect(target).toEqual({
            namespace: "load",
            configMap: K6.scriptsConfigMap,
            apiKeySecret: K6.apiKeySecret,
            apiKeySecretKey: K6.apiKeySecretKey,
            runnerImage: "grafana/k6:2.2.0",
            targetUrl: TARGET_URL,
            prometheusWriteUrl: WRITE_URL,
            scenarios: Object.keys(SCENARIOS),
            rateLimits: LIMITS,
        });
        expect(JSON.stringify(target)).not.toContain(API_KEY);
        expect(target.prometheusWriteUrl).toBe("http://kps-prometheus.monitoring.svc.cluster.local:9090/api/v1/write");
    });
});
