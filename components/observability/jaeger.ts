// Jaeger v2 (all-in-one, badger storage): its config and chart values, and the resources that run it.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { JAEGER, OBSERVABILITY_STORAGE } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";
import { JAEGER_NAMESPACE } from "./namespaces";
import { serviceUrl } from "../kubernetes/serviceNames";

const VOLUME = "badger";
/** Jaeger's image sets JAEGER_LISTEN_HOST=0.0.0.0; a custom config must listen there, not on localhost. */
const LISTEN_HOST = "${env:JAEGER_LISTEN_HOST}";
const STORE = "badger_store";
const BADGER_CLAIM = "jaeger-badger";
/** The UI's Service, which the ingress gateway's door forwards to. */
export const JAEGER_UI_SERVICE = "jaeger-ui";

const listen = (port: number) => `${LISTEN_HOST}:${port}`;

/**
 * Jaeger v2's configuration (an OpenTelemetry Collector config): OTLP receivers for the mesh, the query
 * UI and API, and badger storage on the mounted volume. Modelled on cmd/jaeger/config-badger.yaml at v2.19.0.
 */
export function jaegerConfig() {
    const p = JAEGER.ports;
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: {
                traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
            },
            telemetry: {
                resource: { "service.name": "jaeger" },
                metrics: {
                    level: "detailed",
                    readers: [{ pull: { exporter: { prometheus: { host: LISTEN_HOST, port: p.metrics } } } }],
                },
            },
        },
        extensions: {
            // The chart's probes call /status on this port.
            healthcheckv2: { use_v2: true, http: { endpoint: listen(p.health) } },
            jaeger_query: {
                storage: { traces: STORE },
                http: { endpoint: listen(p.queryHttp) },
                grpc: { endpoint: listen(p.queryGrpc) },
            },
            jaeger_storage: {
                backends: {
                    [STORE]: {
                        badger: {
                            directories: { keys: `${JAEGER.dataMountPath}/keys`, values: `${JAEGER.dataMountPath}/values` },
                            // Badger's default is an in-memory temporary store.
                            ephemeral: false,
                            ttl: { spans: JAEGER.spanTtl },
                        },
                    },
                },
            },
        },
        receivers: {
            otlp: { protocols: { grpc: { endpoint: listen(p.otlpGrpc) }, http: { endpoint: listen(p.otlpHttp) } } },
        },
        processors: { batch: {} },
        exporters: { jaeger_storage_exporter: { trace_storage: STORE } },
    };
}

/**
 * Values of the jaeger chart 4.11.1: one all-in-one Jaeger v2 with the config above (`userconfig` replaces
 * the built-in in-memory one) and the badger volume mounted from our own claim. The chart has no volume
 * template of its own; `extraVolumes`/`extraVolumeMounts` are its documented way to add one.
 */
export function jaegerValues(badgerClaimName: pulumi.Input<string>) {
    return {
        nameOverride: JAEGER.name,
        fullnameOverride: JAEGER.name,
        jaeger: {
            // Badger locks its directory: one pod, replaced with the chart's default Recreate strategy.
            replicas: 1,
            image: { tag: JAEGER.imageTag },
            resources: JAEGER.resources,
            extraVolumes: [{ name: VOLUME, persistentVolumeClaim: { claimName: badgerClaimName } }],
            extraVolumeMounts: [{ name: VOLUME, mountPath: JAEGER.dataMountPath }],
        },
        userconfig: jaegerConfig(),
    };
}

export type JaegerValues = ReturnType<typeof jaegerValues>;

/**
 * The labels the chart puts on the all-in-one pod (`jaeger.selectorLabels` plus the component), so our own
 * UI Service can select it.
 */
export function jaegerPodLabels(values: { nameOverride: string }, releaseName: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": values.nameOverride,
        "app.kubernetes.io/instance": releaseName,
        "app.kubernetes.io/component": "all-in-one",
    };
}

/** Jaeger's in-cluster query addresses: HTTP for Grafana's datasource, gRPC for Kiali. */
export interface JaegerEndpoints {
    release: k8s.helm.v3.Release;
    queryHttpUrl: string;
    queryGrpcUrl: string;
}

/**
 * Jaeger in its own namespace: the badger claim, the chart, and a Service for the UI only, which the ingress
 * gateway's door forwards to (the chart's own Service carries OTLP and the query API in-cluster).
 */
export function jaeger(component: string, uiPort: number, parent: pulumi.Resource, options: { storageClass?: string } = {}): JaegerEndpoints {
    const { storageClass } = options;
    const role = "observability-namespace";
    const nsName = childName(component, role);
    const stuttered = `${component}-${role}`;
    const ns = namespace(nsName, JAEGER_NAMESPACE, undefined, {
        parent,
        // Named `observability-observability-namespace` in the lab's stack until the stutter went.
        aliases: nsName === stuttered ? [] : [{ name: stuttered }],
    });
    const badger = new k8s.core.v1.PersistentVolumeClaim(childName(component, "jaeger-storage"), badgerClaimArgs(ns.metadata.name, storageClass), { parent });
    const values = jaegerValues(badger.metadata.name);
    const release = helmRelease(childName(component, "jaeger"), JAEGER, ns.metadata.name, values, { parent });
    new k8s.core.v1.Service(
        childName(component, "jaeger-ui"),
        jaegerUiServiceArgs(ns.metadata.name, jaegerPodLabels(values, JAEGER.release), uiPort),
        // Pulumi waits until a Service has endpoints: create it once the release's pod is ready.
        { parent, dependsOn: [release] },
    );
    return {
        release,
        queryHttpUrl: serviceUrl(values.fullnameOverride, JAEGER.namespace, JAEGER.ports.queryHttp),
        queryGrpcUrl: serviceUrl(values.fullnameOverride, JAEGER.namespace, JAEGER.ports.queryGrpc),
    };
}

/** The claim badger stores traces on. */
export function badgerClaimArgs(namespaceName: pulumi.Input<string>, storageClass?: string): k8s.core.v1.PersistentVolumeClaimArgs {
    return {
        metadata: {
            name: BADGER_CLAIM,
            namespace: namespaceName,
            annotations: { ...OBSERVABILITY_STORAGE.pvcAnnotations },
        },
        spec: {
            storageClassName: storageClass ?? OBSERVABILITY_STORAGE.className,
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: `${JAEGER.storageGi}Gi` } },
        },
    };
}

/** The UI's in-cluster Service: the query HTTP port of the all-in-one pod, on `port`. */
export function jaegerUiServiceArgs(namespaceName: pulumi.Input<string>, selector: Record<string, string>, port: number): k8s.core.v1.ServiceArgs {
    return {
        metadata: { name: JAEGER_UI_SERVICE, namespace: namespaceName },
        spec: {
            type: "ClusterIP",
            selector,
            ports: [{ name: "http-query", port, targetPort: JAEGER.ports.queryHttp, protocol: "TCP" }],
        },
    };
}
