// Alertmanager's configuration (alertmanager.yml, as kube-prometheus-stack's `alertmanager.config` takes it):
// routes by severity to the webhook chosen in stack config, or to nobody (alerts still in the UI and Grafana).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ALERTING } from "./facts";
import { childName } from "../kubernetes/names";
import { NODE_NOT_READY_ALERT } from "../contracts/telemetry";

/** Receiver names. `null` receives nothing: the alert is only shown. */
export const RECEIVERS = { none: "null", webhook: "webhook" } as const;

/** Node-level alerts that hold back the alerts of what runs on that node (ours and the chart's). */
export const NODE_DOWN_ALERTS = [NODE_NOT_READY_ALERT, "KubeNodeNotReady", "KubeNodeUnreachable"];

/** Where Alertmanager reads the webhook URL: the Secret mounted through `alertmanagerSpec.secrets`. */
export function webhookUrlFile(): string {
    const { name, key } = ALERTING.webhookSecret;
    return `${ALERTING.secretsMountPath}/${name}/${key}`;
}

interface Route {
    receiver: string;
    matchers?: string[];
    group_by?: string[];
    group_wait?: string;
    group_interval?: string;
    repeat_interval?: string;
    routes?: Route[];
}

interface InhibitRule {
    source_matchers: string[];
    target_matchers: string[];
    equal?: string[];
}

export interface AlertmanagerConfig {
    global: { resolve_timeout: string };
    route: Route;
    receivers: { name: string; webhook_configs?: { url_file: string; send_resolved: boolean }[] }[];
    inhibit_rules: InhibitRule[];
    templates: string[];
}

/**
 * The whole alertmanager.yml. With a webhook: critical alerts page at once and hourly, warnings are batched
 * and repeat twice a day, everything else (info, Watchdog, InfoInhibitor) goes to `null`. Without one every
 * route ends at `null`.
 */
export function alertmanagerConfig(hasWebhook: boolean): AlertmanagerConfig {
    const page = hasWebhook ? RECEIVERS.webhook : RECEIVERS.none;
    const pace = (p: { groupWait: string; groupInterval: string; repeatInterval: string }) => ({
        group_wait: p.groupWait,
        group_interval: p.groupInterval,
        repeat_interval: p.repeatInterval,
    });
    const nodeDown = `alertname=~"${NODE_DOWN_ALERTS.join("|")}"`;
    return {
        // The chart's defaults for these two: Helm would merge them into ours anyway; stated so the checks see them.
        global: { resolve_timeout: "5m" },
        templates: ["/etc/alertmanager/config/*.tmpl"],
        route: {
            receiver: RECEIVERS.none,
            group_by: ["alertname", "namespace"],
            ...pace(ALERTING.warning),
            routes: [
                { receiver: RECEIVERS.none, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
                { receiver: page, matchers: ['severity="critical"'], ...pace(ALERTING.critical) },
                { receiver: page, matchers: ['severity="warning"'], ...pace(ALERTING.warning) },
            ],
        },
        receivers: [
            { name: RECEIVERS.none },
            ...(hasWebhook ? [{ name: RECEIVERS.webhook, webhook_configs: [{ url_file: webhookUrlFile(), send_resolved: true }] }] : []),
        ],
        inhibit_rules: [
            // A node that is down: its pods' alerts carry its `node` label (components/k3s/part.ts joins kube_pod_info) and wait.
            { source_matchers: [nodeDown], target_matchers: [`alertname!~"${NODE_DOWN_ALERTS.join("|")}"`], equal: ["node"] },
            // kube-prometheus-stack 88.5.3's defaults, kept since this config replaces the chart's.
            { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ["namespace", "alertname"] },
            { source_matchers: ['severity="warning"'], target_matchers: ['severity="info"'], equal: ["namespace", "alertname"] },
            { source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ["namespace"] },
        ],
    };
}

/** The Secret holding the webhook URL, in Alertmanager's namespace; its value never enters the config. */
export function webhookSecret(component: string, namespace: pulumi.Input<string>, url: pulumi.Input<string>, parent: pulumi.Resource): k8s.core.v1.Secret {
    const { name, key } = ALERTING.webhookSecret;
    return new k8s.core.v1.Secret(
        childName(component, "alert-webhook"),
        { metadata: { name, namespace }, type: "Opaque", stringData: { [key]: url } },
        // Pulumi keeps stringData secret in state when its input is; the URL's token is the credential.
        { parent, additionalSecretOutputs: ["stringData", "data"] },
    );
}
