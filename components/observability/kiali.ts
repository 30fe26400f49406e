// Kiali: the operator's values, the Kiali CR's spec, and the resources that run the console.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { KIALI_API_VERSION, KIALI_KIND, type KialiAuthStrategy, type KialiSpec } from "./kialiCrd";
import { GRAFANA, KIALI } from "../defaults";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";

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
    grafanaPassword: pulumi.Input<string>;
    /** Namespace of istiod, where the Kiali CR and the Secret it reads go. */
    istioNamespace: string;
    /** What must exist before anything goes into the Istio namespace (the namespace itself, istiod). */
    waitFor: pulumi.Input<pulumi.Resource>[];
}

/**
 * Kiali: the operator from its chart in its own namespace, and in Istio's namespace the Kiali CR with the
 * Secret holding the Grafana password it logs in with. Returns the operator's release.
 */
export function kiali(component: string, inputs: KialiInputs, parent: pulumi.Resource): k8s.helm.v3.Release {
    const ns = namespace(childName(component, "kiali-operator-namespace"), KIALI.namespace, undefined, { parent });
    const operator = helmRelease(childName(component, "kiali-operator"), KIALI, ns.metadata.name, kialiOperatorValues(), {
        parent,
    });
    const credentials = new k8s.core.v1.Secret(
        childName(component, "kiali-grafana-credentials"),
        {
            metadata: { name: KIALI.grafanaCredentialsSecret, namespace: inputs.istioNamespace },
            type: "Opaque",
            stringData: { [KIALI.grafanaPasswordKey]: inputs.grafanaPassword },
        },
        // The Istio namespace belongs to the mesh layer.
        { parent, dependsOn: inputs.waitFor },
    );
    const spec = credentials.metadata.name.apply((passwordSecret) =>
        kialiSpec({ ...inputs.spec, grafana: { ...inputs.spec.grafana, passwordSecret } }),
    );
    new k8s.apiextensions.CustomResource(
        childName(component, "kiali"),
        {
            apiVersion: KIALI_API_VERSION,
            kind: KIALI_KIND,
            metadata: { name: KIALI.crName, namespace: inputs.istioNamespace },
            spec,
        },
        // The Kiali CRD comes with the operator's chart; the Istio namespace belongs to the mesh layer.
        { parent, dependsOn: [operator, ...inputs.waitFor] },
    );
    return operator;
}
