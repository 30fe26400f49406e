// k6 load tests run inside the cluster: the k6-operator, the scenarios as a ConfigMap, Shlink's API key.
// Runs themselves are not Pulumi resources: `npm run load` creates and deletes them (they are ephemeral).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ShlinkRateLimits } from "../contracts/rateLimits";
import { K6_OPERATOR_CHART } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";
import { LOAD_NAMESPACE } from "./part";
import { apiKeySecretArgs, labCaConfigMapArgs, loadTarget, operatorValues, scenarioFiles, scriptsConfigMapArgs, type LoadTarget } from "./manifests";

export interface LoadTestingArgs {
    /** Shlink over HTTPS through the ingress gateway's in-cluster Service: the load crosses the gateway the SLOs measure. */
    targetUrl: pulumi.Input<string>;
    /** The lab CA's certificate (PEM): the runners trust the gateway's certificate through it, never skipping verification. */
    caCertificate: pulumi.Input<string>;
    /** Shlink's limits at the gateway, handed to `npm run load` so it refuses a scenario above them. */
    rateLimits: ShlinkRateLimits;
    /** Prometheus' remote-write receiver (k6 pushes its metrics there, tagged with the run's testid). */
    prometheusWriteUrl: pulumi.Input<string>;
    /** Shlink API key (secret): the scenarios create short URLs. */
    apiKey: pulumi.Input<string>;
}

/** The load-testing layer: `npm run load -- <scenario>` starts a TestRun against what this installs. */
export class LoadTesting extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly operator: k8s.helm.v3.Release;
    public readonly scripts: k8s.core.v1.ConfigMap;
    public readonly apiKeySecret: k8s.core.v1.Secret;
    public readonly labCa: k8s.core.v1.ConfigMap;
    /** What `npm run load` reads (export it as the stack output `loadTesting`). */
    public readonly target: pulumi.Output<LoadTarget>;

    constructor(name: string, args: LoadTestingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:load:LoadTesting", name, {}, opts);
        const child = { parent: this };
        // No sidecars: k6 pods reach Shlink through the gateway like any client, and their Jobs can complete.
        this.namespace = namespace(childName(name, "namespace"), LOAD_NAMESPACE, false, child);
        const ns = this.namespace.metadata.name;
        this.operator = helmRelease(childName(name, "operator"), K6_OPERATOR_CHART, ns, operatorValues(), child);
        this.scripts = new k8s.core.v1.ConfigMap(childName(name, "scenarios"), scriptsConfigMapArgs(ns, scenarioFiles()), child);
        this.apiKeySecret = new k8s.core.v1.Secret(childName(name, "api-key"), apiKeySecretArgs(ns, args.apiKey), child);
        this.labCa = new k8s.core.v1.ConfigMap(childName(name, "lab-ca"), labCaConfigMapArgs(ns, args.caCertificate), child);
        this.target = pulumi.all([args.targetUrl, args.prometheusWriteUrl]).apply(([targetUrl, writeUrl]) => loadTarget(targetUrl, writeUrl, args.rateLimits));
        this.registerOutputs({ target: this.target });
    }
}
