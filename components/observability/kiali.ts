// Kiali: the operator's values, the Kiali CR's spec, and the resources that run the console.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KIALI_API_VERSION, KIALI_KIND, type KialiAuthStrategy, type KialiSpec } from "./kialiCrd";
import { GRAFANA, KIALI } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";
import { externalSecret, vaultReader } from "../kubernetes/externalSecrets";
import type { VaultAccess } from "../contracts/vault";
import { KIALI_OPERATOR_NAMESPACE } from "./namespaces";

/** Values of the kiali-operator chart 2.29.0; the Kiali CR is ours (`cr.create: false`) so tests can read it. */
export function kialiOperatorValues() {
    return {
        cr: { create: false },
        replicaCount: 1,
        resources: KIALI.resources.operator,
    };
}

export type KialiOperatorValues = ReturnType<typeof kialiOperatorValues>;

export interface KialiSpecInputs {
    auth: KialiAuthStrategy;
    prometheusUrl: string;
    grafana: { internalUrl: string; externalUrl: string; username: string; passwordSecret: string };
    tracing: { internalUrl: string; externalUrl: string };
}

/**
 * The Kiali CR's spec: every address comes from the caller (derived from the names the program gives the
 * services), anonymous access is view-only, and the console is an in-cluster Service the ingress gateway's door
 * forwards to.
 */
export function kialiSpec(inputs: KialiSpecInputs): KialiSpec {
    return {
        auth: { strategy: inputs.auth },
        deployment: {
            cluster_wide_access: true,
            // Anyone on the LAN reaches an anonymous Kiali; with tokens, Kubernetes RBAC decides instead.
            view_only_mode: inputs.auth === "anonymous",
            service_type: "ClusterIP",
            replicas: 1,
            resources: KIALI.resources.server,
            // The operator's own NetworkPolicy (on by default) lets anyone reach the server port; ours let only the gateway.
            network_policy: { enabled: false },
        },
        server: {
            port: KIALI.serverPort,
            web_root: KIALI.webRoot,
            // Its Service would publish the metrics port on every node through K3s's ServiceLB.
            observability: { metrics: { enabled: false } },
        },
        external_services: {
            prometheus: { url: inputs.prometheusUrl },
            grafana: {
                enabled: true,
                internal_url: inputs.grafana.internalUrl,
                external_url: inputs.grafana.externalUrl,
                datasource_uid: GRAFANA.datasource.uid,
                auth: {
                    type: "basic",
                    username: inputs.grafana.username,
                    password: `secret:${inputs.grafana.passwordSecret}:${KIALI.grafanaPasswordKey}`,
                },
            },
            tracing: {
                enabled: true,
                provider: "jaeger",
                use_grpc: true,
                internal_url: inputs.tracing.internalUrl,
                external_url: inputs.tracing.externalUrl,
            },
        },
    };
}

/** What the console is given: the Kiali spec's inputs bar the Secret, which kiali() creates. */
export interface KialiInputs {
    spec: Omit<KialiSpecInputs, "grafana"> & { grafana: Omit<KialiSpecInputs["grafana"], "passwordSecret"> };
    /** Where the Grafana password comes from: Vault, through External Secrets (no copy across namespaces). */
    vault: VaultAccess;
    /** Namespace of istiod, where the Kiali CR and the Secret it reads go. */
    istioNamespace: string;
    /** What must exist before anything goes into the Istio namespace (the namespace itself, istiod). */
    waitFor: pulumi.Input<pulumi.Resource>[];
}

/**
 * Kiali: the operator from its chart in its own namespace, and in Istio's namespace the Kiali CR with the
 * Secret holding the Grafana password it logs in with (written by External Secrets from Vault). Returns the operator's release.
 */
export function kiali(component: string, inputs: KialiInputs, parent: pulumi.Resource): k8s.helm.v3.Release {
    const ns = namespace(childName(component, "kiali-operator-namespace"), KIALI_OPERATOR_NAMESPACE, undefined, { parent });
    const operator = helmRelease(childName(component, "kiali-operator"), KIALI, ns.metadata.name, kialiOperatorValues(), {
        parent,
    });
    // The Istio namespace belongs to the mesh layer: the reader's ServiceAccount waits for it.
    const reader = vaultReader(childName(component, "kiali"), pulumi.output(inputs.istioNamespace), inputs.vault, parent, inputs.waitFor);
    const credentials = externalSecret(
        childName(component, "kiali-grafana-credentials"),
        reader,
        KIALI.grafanaCredentialsSecret,
        [{ secretKey: KIALI.grafanaPasswordKey, entry: "grafanaAdmin", property: "password" }],
        { parent },
    );
    const spec = kialiSpec({ ...inputs.spec, grafana: { ...inputs.spec.grafana, passwordSecret: KIALI.grafanaCredentialsSecret } });
    new k8s.apiextensions.CustomResource(
        childName(component, "kiali"),
        {
            apiVersion: KIALI_API_VERSION,
            kind: KIALI_KIND,
            metadata: { name: KIALI.crName, namespace: inputs.istioNamespace },
            spec,
        },
        // The Kiali CRD comes with the operator's chart; the Istio namespace belongs to the mesh layer; the
        // operator mounts the Grafana credentials, so they are synced first.
        { parent, dependsOn: [operator, credentials, ...inputs.waitFor] },
    );
    return operator;
}
