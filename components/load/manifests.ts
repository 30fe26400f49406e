// Pure builders of what LoadTesting creates: the operator's values, the scripts ConfigMap, the API key Secret,
// and the plain object `npm run load` reads from the stack outputs.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ShlinkRateLimits } from "../contracts/rateLimits";
import { K6, K6_LAB_CA } from "./facts";
import { SCENARIOS, type ScenarioName } from "./scenarios/catalog";

/** Directory of the k6 scripts: every `.ts` file in it ships, so the scenarios' sibling imports resolve. */
export const SCENARIO_DIR = path.join(__dirname, "scenarios");

/** Everything `npm run load` needs to start a run (a stack output; holds no secret). */
export interface LoadTarget {
    namespace: string;
    configMap: string;
    apiKeySecret: string;
    apiKeySecretKey: string;
    runnerImage: string;
    /** Shlink over HTTPS through the ingress gateway's in-cluster Service (its certificate from the lab CA). */
    targetUrl: string;
    /** Prometheus' remote-write receiver. */
    prometheusWriteUrl: string;
    scenarios: ScenarioName[];
    /** Shlink's limits at the gateway, per gateway pod: `npm run load` refuses a scenario above them. */
    rateLimits: ShlinkRateLimits;
}

/** The k6 scripts by file name (`<scenario>.ts` and their shared modules), read from SCENARIO_DIR. */
export function scenarioFiles(dir: string = SCENARIO_DIR): Record<string, string> {
    const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .sort();
    return Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

/** k6-operator chart values: the namespace is ours, the controller sized for the budget. */
export function operatorValues(): Record<string, unknown> {
    return {
        installCRDs: true,
        namespace: { create: false },
        manager: { resources: K6.operatorResources },
    };
}

export function scriptsConfigMapArgs(namespace: pulumi.Input<string>, files: Record<string, string>): k8s.core.v1.ConfigMapArgs {
    return { metadata: { name: K6.scriptsConfigMap, namespace }, data: files };
}

export function apiKeySecretArgs(namespace: pulumi.Input<string>, apiKey: pulumi.Input<string>): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: K6.apiKeySecret, namespace },
        type: "Opaque",
        stringData: { [K6.apiKeySecretKey]: pulumi.secret(apiKey) },
    };
}

/** The lab CA's certificate (PEM, no secret) for the k6 runners to trust the gateway's HTTPS. */
export function labCaConfigMapArgs(namespace: pulumi.Input<string>, caCertificate: pulumi.Input<string>): k8s.core.v1.ConfigMapArgs {
    return { metadata: { name: K6_LAB_CA.configMap, namespace }, data: { [K6_LAB_CA.key]: caCertificate } };
}

/** Prometheus' remote-write receiver under its in-cluster base URL (`http://<service>.<ns>.svc...:9090`). */
export function remoteWriteUrl(prometheusUrl: string): string {
    return `${prometheusUrl.replace(/\/+$/, "")}${K6.prometheusWritePath}`;
}

export function loadTarget(targetUrl: string, prometheusWriteUrl: string, rateLimits: ShlinkRateLimits): LoadTarget {
    return {
        namespace: K6.namespace,
        configMap: K6.scriptsConfigMap,
        apiKeySecret: K6.apiKeySecret,
        apiKeySecretKey: K6.apiKeySecretKey,
        runnerImage: K6.runnerImage,
        targetUrl,
        prometheusWriteUrl,
        scenarios: Object.keys(SCENARIOS) as ScenarioName[],
        rateLimits: { ...rateLimits },
    };
}
