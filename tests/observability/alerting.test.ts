// Alerts that reach a person: the layer with a webhook configured, under mocks (the Secret, its mount, the
// receiver reading it), then the real tools on what the program sends: `amtool check-config` and route tests
// on the Alertmanager config, `promtool check rules` on every rule and dashboard query, `promtool test rules`
// for every alert (fires on a real failure, silent when healthy, silent at zero traffic where intended).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_DOWN_ALERTS, alertmanagerConfig, webhookUrlFile, type AlertmanagerConfig } from "../../components/observability/alertmanager";
import { Observability } from "../../components/observability/Observability";
import { LAB_OBSERVABILITY_ARGS } from "../helpers/observability";
import { standInVault } from "../helpers/vault";
import { nativeTool } from "../helpers/tools";
import { runUnderMocks, valueOf, type Ledger } from "../helpers/pulumi";

const amtool = nativeTool("amtool", "prometheus-alertmanager");

const WEBHOOK_URL = "https://ntfy.example.org/homelab-Xy7tOpicSecret?tpl=1";
const PORT = 19093;

describe("alert delivery with a webhook", () => {
    let ledger: Ledger;
    let alertmanagerUrl: string;
    const values = () => ledger.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack")!;

    beforeAll(async () => {
        const run = await runUnderMocks({}, () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "unused" });
            const component = new Observability(
                "obs",
                { ...LAB_OBSERVABILITY_ARGS, vault: standInVault(), alertWebhookUrl: pulumi.secret(WEBHOOK_URL), alertmanagerPort: PORT },
                { providers: [provider] },
            );
            return { alertmanagerUrl: component.alertmanagerUrl };
        });
        ledger = run.ledger;
        alertmanagerUrl = await valueOf(run.result.alertmanagerUrl);
    });

    it("keeps the URL in a Secret in Alertmanager's namespace, secret in state, and nowhere else", () => {
        const secret = ledger.byName("obs-alert-webhook");
        expect(secret.inputs.metadata).toEqual({ name: "alertmanager-webhook", namespace: "monitoring" });
        expect(secret.inputs.stringData).toEqual({ url: WEBHOOK_URL });
        expect(secret.secretInputs).toContain("stringData");
        const holders = ledger.resources.filter((r) => JSON.stringify(r.inputs).includes("Xy7tOpicSecret")).map((r) => r.name);
        expect(holders).toEqual(["obs-alert-webhook"]);
    });

    it("mounts the Secret into Alertmanager before installing it, and the receiver reads the URL from the mounted file", () => {
        const kps = values();
        expect(kps.dependsOn).toContain("obs-alert-webhook");
        const am = kps.inputs.values.alertmanager;
        expect(am.alertmanagerSpec.secrets).toEqual(["alertmanager-webhook"]);
        expect(webhookUrlFile()).toBe("/etc/alertmanager/secrets/alertmanager-webhook/url");
        expect(am.config.receivers).toEqual([
            { name: "null" },
            { name: "webhook", webhook_configs: [{ url_file: "/etc/alertmanager/secrets/alertmanager-webhook/url", send_resolved: true }] },
        ]);
        expect(am.config).toEqual(alertmanagerConfig(true));
    });

    it("serves Alertmanager's UI on the port given, and says so in its output and its links", () => {
        const am = values().inputs.values.alertmanager;
        expect(am.service).toEqual({ type: "ClusterIP", port: PORT });
        expect(alertmanagerUrl).toBe(`https://192.168.2.242:${PORT}`);
        expect(am.alertmanagerSpec.externalUrl).toBe(alertmanagerUrl);
    });

    it("pages critical at once and hourly, batches warnings twice a day, and sends Watchdog and InfoInhibitor nowhere", () => {
        const route = alertmanagerConfig(true).route;
        expect(route.receiver).toBe("null");
        expect(route.routes).toEqual([
            { receiver: "null", matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
            { receiver: "webhook", matchers: ['severity="critical"'], group_wait: "10s", group_interval: "5m", repeat_interval: "1h" },
            { receiver: "webhook", matchers: ['severity="warning"'], group_wait: "5m", group_interval: "30m", repeat_interval: "12h" },
        ]);
    });

    it("holds back the alerts of a node's pods while that node is down, and only that node's (amtool cannot evaluate inhibition)", () => {
        const [nodeRule] = alertmanagerConfig(true).inhibit_rules;
        expect(NODE_DOWN_ALERTS).toEqual(["HomelabNodeNotReady", "KubeNodeNotReady", "KubeNodeUnreachable"]);
        // Alertmanager's rule: a firing source mutes a target when both match and the `equal` labels agree.
        const matches = (matchers: string[], labels: Record<string, string>) =>
            matchers.every((m) => {
                const [, name, op, value] = /^(\w+)(=~|!~|=|!=)"(.*)"$/.exec(m)!;
                const re = new RegExp(`^(?:${value})$`);
                const have = labels[name] ?? "";
                return op === "=~" ? re.test(have) : op === "!~" ? !re.test(have) : op === "=" ? have === value : have !== value;
            });
        const muted = (source: Record<string, string>, target: Record<string, string>) =>
            matches(nodeRule.source_matchers, source) &&
            matches(nodeRule.target_matchers, target) &&
            (nodeRule.equal ?? []).every((label: string) => source[label] === target[label]);
        const down = { alertname: "HomelabNodeNotReady", node: "k3s-node-02", severity: "critical" };
        expect(muted(down, { alertname: "HomelabPodCrashLooping", node: "k3s-node-02", namespace: "shlink" })).toBe(true);
        expect(muted(down, { alertname: "HomelabPodCrashLooping", node: "k3s-node-01", namespace: "shlink" })).toBe(false);
        expect(muted(down, { alertname: "KubeNodeUnreachable", node: "k3s-node-02" })).toBe(false);
        expect(muted({ alertname: "HomelabRedisNoMaster", node: "k3s-node-02" }, { alertname: "HomelabPodCrashLooping", node: "k3s-node-02" })).toBe(false);
        // Our pod-level alert carries the node it runs on, so `equal: [node]` can match it.
        const platform = ledger.resources.find((r) => r.inputs.kind === "PrometheusRule" && r.inputs.metadata.name === "homelab-platform")!;
        const crash = platform.inputs.spec.groups[0].rules.find((r: { alert?: string }) => r.alert === "HomelabPodCrashLooping");
        expect(crash.expr).toContain("group_left (node)");
    });
});

/**
 * A copy amtool 0.25 (Debian bookworm) can read: `webhook_configs[].url_file` came in Alertmanager 0.26 (the
 * cluster runs 0.34) and amtool 0.25 refuses it as an unknown field, so it becomes `url` with a dummy address.
 * Everything else amtool checks as sent.
 */
function forAmtool025(config: AlertmanagerConfig): unknown {
    return {
        ...config,
        receivers: config.receivers.map((r) => ({
            ...r,
            ...(r.webhook_configs && {
                webhook_configs: r.webhook_configs.map(({ url_file: file, ...rest }) => {
                    // The only field swapped: the mounted file's path, checked by unit tests above instead.
                    expect(file).toBe(webhookUrlFile());
                    return { ...rest, url: "https://ntfy.example.org/t" };
                }),
            }),
        })),
    };
}

amtool.describe("the Alertmanager config, by amtool", () => {
    let dir: string;
    const write = (name: string, config: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(config, null, 2)); // JSON is YAML
        return file;
    };
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "amtool-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts the config with and without a webhook (url_file swapped for url: amtool 0.25 predates it)", () => {
        for (const hasWebhook of [true, false]) {
            const out = amtool.run(["check-config", write(`am-${hasWebhook}.yml`, forAmtool025(alertmanagerConfig(hasWebhook)))]);
            expect(out).toMatch(/SUCCESS/);
            expect(out).toContain(`- ${hasWebhook ? 2 : 1} receivers`);
            expect(out).toContain("- 4 inhibit rules");
        }
    });

    it("rejects a broken config, so the check above can fail", () => {
        const broken = { ...alertmanagerConfig(true), route: { receiver: "nobody" } };
        expect(() => amtool.run(["check-config", write("broken.yml", forAmtool025(broken as AlertmanagerConfig))])).toThrow(/undefined receiver/);
    });

    it("routes critical and warning alerts to the webhook and the rest to null, and everything to null without one", () => {
        const withHook = write("routes-hook.yml", forAmtool025(alertmanagerConfig(true)));
        const without = write("routes-none.yml", forAmtool025(alertmanagerConfig(false)));
        const route = (file: string, ...labels: string[]) => amtool.run(["config", "routes", "test", `--config.file=${file}`, ...labels]).trim();
        expect(route(withHook, "alertname=HomelabPostgresNoPrimary", "severity=critical")).toBe("webhook");
        expect(route(withHook, "alertname=HomelabCertificateExpiring", "severity=warning")).toBe("webhook");
        expect(route(withHook, "alertname=KubeNodeNotReady", "severity=info")).toBe("null");
        expect(route(withHook, "alertname=Watchdog", "severity=none")).toBe("null");
        expect(route(withHook, "alertname=InfoInhibitor", "severity=critical")).toBe("null");
        expect(route(without, "alertname=HomelabPostgresNoPrimary", "severity=critical")).toBe("null");
        expect(route(without, "alertname=HomelabCertificateExpiring", "severity=warning")).toBe("null");
    });
});
