import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GRAFANA, KIALI } from "./facts";
import { jaeger } from "./jaeger";
import { kiali } from "./kiali";
import type { KialiAuthStrategy } from "./kialiCrd";
import type { PartTelemetry, TelemetryInputs } from "../contracts/telemetry";
import { grafanaAdminPassword, prometheusStack } from "./kubePrometheusStack";
import { checkedRuleSets, monitoringObjects } from "./monitoring";
import { jaegerOtlpGrpc } from "./names";
import type { VaultAccess } from "../contracts/vault";
import { httpsUrl } from "../contracts/doors";

export interface ObservabilityArgs {
    /** The UIs' HTTPS ports on the ingress gateway (the config loader refuses collisions). */
    ports: { grafana: number; jaeger: number; kiali: number };
    /** Host every URL names: homelab:domain, or the lab's address (the services VIP, the first node, homelab:publicAddress). */
    publicAddress: string;
    /** Namespace istiod runs in ("istio-system"): Kiali needs it. */
    istioNamespace: string;
    /** Every part's monitors, rules and dashboards (components/contracts/telemetry.ts), in the order of the parts. */
    telemetry: readonly PartTelemetry[];
    kialiAuth: KialiAuthStrategy;
    /** Days Prometheus keeps samples (10 in the lab). */
    prometheusRetentionDays: number;
    /**
     * Resources that must exist before what this layer puts in the Istio namespace and before the monitors
     * marked `afterWaitFor` (istiod's: the namespace itself, the istiod release) — optional.
     */
    waitFor?: pulumi.Input<pulumi.Resource>[];
    /** Webhook alerts go to (secret: ntfy or any endpoint taking Alertmanager's JSON); unset, alerts only show in the UIs. */
    alertWebhookUrl?: pulumi.Input<string>;
    /** HTTPS port of Alertmanager's UI on the ingress gateway. */
    alertmanagerPort: number;
    /** StorageClass of every volume of the layer (homelab:storageClass); K3s' local-path when unset. */
    storageClass?: string;
    /** Where Grafana's login comes from: Vault, through External Secrets. */
    vault: VaultAccess;
    /** The data layer's pgBackRest repositories and their schedules, for the backup-age alerts. */
    backups?: TelemetryInputs["backups"];
}

/**
 * Metrics, dashboards, traces and the mesh console: kube-prometheus-stack (Prometheus, Alertmanager,
 * Grafana), every part's monitors, rules and dashboards (their part.ts), alerts routed
 * by severity to an optional webhook (Alertmanager's UI always), Jaeger v2 on badger storage, and Kiali. Every in-cluster address one part gives another
 * is derived from the names this component sets.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly grafanaUrl: pulumi.Output<string>;
    public readonly jaegerUrl: pulumi.Output<string>;
    public readonly kialiUrl: pulumi.Output<string>;
    public readonly alertmanagerUrl: pulumi.Output<string>;
    public readonly grafanaAdminUser: string;
    /** Secret; seeded into Vault as `monitoring/grafana-admin`. */
    public readonly grafanaAdminPassword: pulumi.Output<string>;
    /** In-cluster OTLP gRPC endpoint of the Jaeger collector, for istiod's extensionProviders. */
    public readonly otlpGrpc: { service: string; port: number };
    /** In-cluster URL of Prometheus, derived from fullnameOverride. */
    public readonly prometheusUrl: string;
    /** Every Helm release, so others can dependsOn them (kube-prometheus-stack installs the monitoring CRDs). */
    public readonly releases: {
        kubePrometheusStack: k8s.helm.v3.Release;
        jaeger: k8s.helm.v3.Release;
        kialiOperator: k8s.helm.v3.Release;
    };

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every part's alerts checked first: a part whose alert Alertmanager would not route is refused before anything exists.
        const rules = checkedRuleSets(args.telemetry, { backups: args.backups ?? [] });
        super("homelab:observability:Observability", name, {}, opts);
        const waitFor = args.waitFor ?? [];
        const publicUrl = (port: number, path = "") => httpsUrl(args.publicAddress, port, path);
        this.grafanaUrl = pulumi.output(publicUrl(args.ports.grafana));
        this.jaegerUrl = pulumi.output(publicUrl(args.ports.jaeger));
        this.kialiUrl = pulumi.output(publicUrl(args.ports.kiali, KIALI.webRoot));
        const alertmanagerPort = args.alertmanagerPort;
        this.alertmanagerUrl = pulumi.output(publicUrl(alertmanagerPort));
        this.grafanaAdminUser = GRAFANA.adminUser;
        this.grafanaAdminPassword = grafanaAdminPassword(name, this);
        this.otlpGrpc = jaegerOtlpGrpc();

        const traces = jaeger(name, args.ports.jaeger, this, { storageClass: args.storageClass });
        const metrics = prometheusStack(
            name,
            {
                grafanaPort: args.ports.grafana,
                grafanaExternalUrl: publicUrl(args.ports.grafana),
                prometheusRetentionDays: args.prometheusRetentionDays,
                jaegerQueryUrl: traces.queryHttpUrl,
                alertmanagerPort,
                alertmanagerExternalUrl: publicUrl(alertmanagerPort),
                alertWebhookUrl: args.alertWebhookUrl,
                storageClass: args.storageClass,
                vault: args.vault,
                dashboards: args.telemetry.flatMap((part) => part.dashboards),
            },
            this,
        );
        this.prometheusUrl = metrics.prometheusUrl;
        monitoringObjects(name, { telemetry: args.telemetry, rules, stack: metrics, waitFor }, this);
        const kialiOperator = kiali(
            name,
            {
                spec: {
                    auth: args.kialiAuth,
                    prometheusUrl: metrics.prometheusUrl,
                    grafana: { ...metrics.grafana, externalUrl: publicUrl(args.ports.grafana) },
                    tracing: { internalUrl: traces.queryGrpcUrl, externalUrl: publicUrl(args.ports.jaeger) },
                },
                vault: args.vault,
                istioNamespace: args.istioNamespace,
                waitFor,
            },
            this,
        );

        this.releases = { kubePrometheusStack: metrics.release, jaeger: traces.release, kialiOperator };
        this.registerOutputs({
            grafanaUrl: this.grafanaUrl,
            jaegerUrl: this.jaegerUrl,
            kialiUrl: this.kialiUrl,
            alertmanagerUrl: this.alertmanagerUrl,
            grafanaAdminPassword: this.grafanaAdminPassword,
        });
    }
}
