// The Kiali CR (`kiali.io/v1alpha1`, kind Kiali) has no model package: these types follow the CRD the
// kiali-operator 2.29.0 chart installs (crds/crds.yaml, `kialis.kiali.io`), for the fields this program sets.

import type { ContainerResources } from "../defaults";

export const KIALI_API_VERSION = "kiali.io/v1alpha1";
export const KIALI_KIND = "Kiali";

/** `spec.auth.strategy`: `openshift` only works on OpenShift; `openid` and `header` need an identity provider. */
export type KialiAuthStrategy = "anonymous" | "token";

/** `external_services.<x>.auth` (grafana, prometheus, tracing): `type` is `none` by default. */
export interface KialiServiceAuth {
    type: "none" | "basic" | "bearer";
    username?: string;
    /** A plain value or `secret:<secretName>:<secretKey>` (a Secret in Kiali's namespace). */
    password?: string;
}

export interface KialiSpec {
    auth: { strategy: KialiAuthStrategy };
    deployment: {
        /** Must be true when `discovery_selectors.default` is unset. */
        cluster_wide_access: boolean;
        /** Users may view the mesh but not change it. */
        view_only_mode: boolean;
        /** Type of the Service the operator creates; its port is `server.port`. */
        service_type: "ClusterIP" | "NodePort" | "LoadBalancer";
        /** Annotations of that Service (CRD `deployment.service_annotations`, a map of strings). */
        service_annotations?: Record<string, string>;
        replicas: number;
        resources: ContainerResources;
        /** The NetworkPolicy the operator creates for the server (CRD default true: ingress from anywhere on the server port). */
        network_policy: { enabled: boolean };
    };
    server: {
        /** Container and Service port of the console and API (CRD default 20001). */
        port: number;
        /** Context root; the CRD's default is `/kiali` on Kubernetes, `/` on OpenShift. */
        web_root: string;
        /** The metrics listener (its own Service port, 9090 by default). */
        observability: { metrics: { enabled: boolean } };
    };
    external_services: {
        prometheus: { url: string };
        grafana: {
            enabled: boolean;
            /** What Kiali itself calls (it searches Grafana's API for the Istio dashboards). */
            internal_url: string;
            /** What the browser is sent to. */
            external_url: string;
            /** Needed when Grafana has more than one datasource. */
            datasource_uid: string;
            auth: KialiServiceAuth;
        };
        tracing: {
            enabled: boolean;
            provider: "jaeger" | "tempo";
            /** With `use_grpc`, Jaeger's query gRPC port (16685); otherwise its HTTP port (16686). */
            use_grpc: boolean;
            internal_url: string;
            external_url: string;
        };
    };
}
