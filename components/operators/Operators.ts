import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../defaults";
import { EXTERNAL_SECRETS_CHART, OPERATOR_CHARTS, RELOADER_CHART } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { namespace } from "../kubernetes/namespace";
import { ownNamespace } from "../contracts/placement";
import { OPERATORS_NAMESPACES } from "./part";
import { certManagerValues, externalSecretsValues, postgresOperatorValues, redisOperatorValues, reloaderValues } from "./operatorValues";

/**
 * The cluster's operators, each a Helm release in its own namespace: cert-manager, Crunchy PGO (PostgreSQL),
 * Spotahome's redis-operator (Redis Sentinel), External Secrets (Vault into the namespaces) and Reloader
 * (restarts the workloads whose Secret changed). The releases do not depend on each other, so Pulumi
 * installs them in parallel; a custom resource waits for the release that installs its CRD.
 */
export class Operators extends pulumi.ComponentResource {
    public readonly certManager: k8s.helm.v3.Release;
    /** Installs the PostgresCluster CRD and the operator that reconciles it. */
    public readonly postgresOperator: k8s.helm.v3.Release;
    /** Installs the RedisFailover CRD and the operator that reconciles it. */
    public readonly redisOperator: k8s.helm.v3.Release;
    /** Installs the external-secrets.io CRDs (SecretStore, ExternalSecret, PushSecret) and their controller. */
    public readonly externalSecrets: k8s.helm.v3.Release;
    public readonly reloader: k8s.helm.v3.Release;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        // Named homelab:platform:Operators until the layer got its own folder; the alias keeps every child's URN.
        super(
            "homelab:operators:Operators",
            name,
            {},
            {
                ...opts,
                aliases: [...(opts?.aliases ?? []), { type: "homelab:platform:Operators" }],
            },
        );
        const release = (role: string, pin: ChartPin, values: Record<string, unknown>): k8s.helm.v3.Release => {
            // Operators and their webhooks stay out of the mesh.
            const ns = namespace(`${name}-${role}-ns`, ownNamespace(OPERATORS_NAMESPACES, pin.namespace), false, { parent: this });
            return helmRelease(`${name}-${role}`, pin, ns.metadata.name, values, { parent: this });
        };

        this.certManager = release("cert-manager", OPERATOR_CHARTS.certManager, certManagerValues());
        this.postgresOperator = release("pgo", OPERATOR_CHARTS.postgresOperator, postgresOperatorValues());
        this.redisOperator = release("redis-operator", OPERATOR_CHARTS.redisOperator, redisOperatorValues());
        this.externalSecrets = release("external-secrets", EXTERNAL_SECRETS_CHART, externalSecretsValues());
        this.reloader = release("reloader", RELOADER_CHART, reloaderValues());

        this.registerOutputs({
            certManager: this.certManager.status,
            postgresOperator: this.postgresOperator.status,
            redisOperator: this.redisOperator.status,
            externalSecrets: this.externalSecrets.status,
            reloader: this.reloader.status,
        });
    }
}
