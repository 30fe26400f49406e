import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HELM_TIMEOUT_SECONDS, OPERATOR_CHARTS, type ChartPin } from "../defaults";
import { namespaceArgs } from "./objects";
import { certManagerValues, postgresOperatorValues, redisOperatorValues, releaseArgs } from "./operatorValues";

export interface OperatorsArgs {
    /** How long Helm may take per release, in seconds. */
    timeoutSeconds?: number;
}

/**
 * The cluster's operators, each a Helm release in its own namespace: cert-manager, Crunchy PGO (PostgreSQL)
 * and Spotahome's redis-operator (Redis Sentinel). The releases do not depend on each other, so Pulumi
 * installs them in parallel; a custom resource waits for the release that installs its CRD.
 */
export class Operators extends pulumi.ComponentResource {
    public readonly certManager: k8s.helm.v3.Release;
    /** Installs the PostgresCluster CRD and the operator that reconciles it. */
    public readonly postgresOperator: k8s.helm.v3.Release;
    /** Installs the RedisFailover CRD and the operator that reconciles it. */
    public readonly redisOperator: k8s.helm.v3.Release;

    constructor(name: string, args: OperatorsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:platform:Operators", name, {}, opts);
        const timeout = args.timeoutSeconds ?? HELM_TIMEOUT_SECONDS;

        const release = (role: string, pin: ChartPin, values: Record<string, unknown>): k8s.helm.v3.Release => {
            const namespace = new k8s.core.v1.Namespace(`${name}-${role}-ns`, namespaceArgs(pin.namespace, false), {
                parent: this,
            });
            return new k8s.helm.v3.Release(
                `${name}-${role}`,
                releaseArgs(pin, namespace.metadata.name, values, timeout),
                { parent: this },
            );
        };

        this.certManager = release("cert-manager", OPERATOR_CHARTS.certManager, certManagerValues());
        this.postgresOperator = release("pgo", OPERATOR_CHARTS.postgresOperator, postgresOperatorValues());
        this.redisOperator = release("redis-operator", OPERATOR_CHARTS.redisOperator, redisOperatorValues());

        this.registerOutputs({
            certManager: this.certManager.status,
            postgresOperator: this.postgresOperator.status,
            redisOperator: this.redisOperator.status,
        });
    }
}
