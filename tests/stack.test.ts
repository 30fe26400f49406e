import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../components/config";
import { capacityPlan } from "../stacks/capacity";
import { homelab, type HomelabOutputs } from "../stacks/homelab";
import { readerNamespaces } from "../components/secrets/catalog";
import { LAB_VAULT_ENTRIES } from "../stacks/vault";
import { FAKE_LAB_CA, fullConfig, runUnderMocks, TEST_SECRETS, TEST_USER_CONFIG, valueOf, type Ledger } from "./helpers/pulumi";
import { DISTINCT_RANDOMS, GENERATED, runHomelab } from "./helpers/platform";
import * as pulumi from "@pulumi/pulumi";

const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const COMMAND = "command:remote:Command";
const NODES = ["k3s-node-01", "k3s-node-02", "k3s-node-03"];

describe("the homelab stack under mocks", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        ({ ledger, result: outputs } = await runUnderMocks(fullConfig(), () => homelab(loadConfig(capacityPlan)), DISTINCT_RANDOMS));
    });

    it("creates three VMs with the configured sizes and static addresses", () => {
        const vms = ledger.ofType(VM);
        expect(vms.map((v) => v.inputs.name)).toEqual(NODES);
        vms.forEach((vm, i) => {
            expect(vm.inputs.nodeName).toBe("um790");
            expect(vm.inputs.cpu).toMatchObject({ cores: 4, type: "x86-64-v2-AES" });
            expect(vm.inputs.memory.dedicated).toBe(10240);
            expect(vm.inputs.disks).toHaveLength(1);
            expect(vm.inputs.disks[0]).toMatchObject({ size: 100, importFrom: "vms-image-um790-id", interface: "scsi0" });
            expect(vm.inputs.initialization.ipConfigs).toEqual([{ ipv4: { address: `192.168.2.${242 + i}/24`, gateway: "192.168.2.1" } }]);
            expect(vm.inputs.initialization.dns.servers).toEqual(["192.168.2.1"]);
            expect(vm.inputs.initialization.userAccount.username).toBe("ubuntu");
            expect(vm.inputs.initialization.userAccount.keys).toEqual([TEST_USER_CONFIG["homelab:sshPublicKey"]]);
            expect(vm.inputs.agent).toEqual({ enabled: true, trim: true, waitForIp: { disabled: true } });
            expect(vm.inputs.stopOnDestroy).toBe(true);
            expect(vm.inputs.tags).toEqual(expect.arrayContaining(["homelab", "k3s"]));
        });
    });

    it("never replaces a server for a new SSH key or a new image: both only matter when the VM is created", () => {
        for (const vm of ledger.ofType(VM)) {
            expect(vm.ignoreChanges).toEqual(["initialization.userAccount", "disks[0].importFrom"]);
        }
    });

    it("downloads the pinned cloud image once per Proxmox node, as an import with a checksum", () => {
        const images = ledger.ofType("proxmoxve:download/file:File");
        expect(images).toHaveLength(1);
        expect(images[0].inputs).toMatchObject({
            contentType: "import",
            nodeName: "um790",
            datastoreId: "local",
            checksumAlgorithm: "sha256",
        });
        expect(images[0].inputs.fileName).toMatch(/\.qcow2$/);
        expect(images[0].inputs.url).toMatch(/^https:\/\/.*\/release-\d{8}\//);
    });

    it("creates the VMs on the one host one after another (parallel imports hit `can't lock file`)", () => {
        expect(ledger.ofType(VM).map((vm) => [vm.name, vm.dependsOn])).toEqual([
            ["vms-k3s-node-01", []],
            ["vms-k3s-node-02", ["vms-k3s-node-01"]],
            ["vms-k3s-node-03", ["vms-k3s-node-02"]],
        ]);
    });

    it("uses one explicit Proxmox provider built from the provider's config keys", () => {
        const providers = ledger.ofType("pulumi:providers:proxmoxve");
        expect(providers).toHaveLength(1);
        expect(providers[0].inputs.endpoint).toBe("https://192.168.2.10:8006/");
        // Provider inputs reach the engine as strings.
        expect(String(providers[0].inputs.insecure)).toBe("true");
        expect(providers[0].secretInputs).toContain("apiToken");
        for (const r of ledger.resources.filter((r) => r.type.startsWith("proxmoxve:"))) {
            expect(r.provider, r.name).toMatch(/pulumi:providers:proxmoxve::proxmox::/);
        }
    });

    it("runs cluster-init on the first server only and joins the others to it", async () => {
        const installs = NODES.map((n) => ledger.byName(`${n}-install`));
        const scripts = installs.map((i) => i.inputs.stdin as string);
        expect(scripts.filter((s) => /cluster-init: true/.test(s))).toHaveLength(1);
        expect(scripts[0]).toMatch(/cluster-init: true/);
        for (const s of scripts.slice(1)) {
            expect(s).toMatch(/server: "?https:\/\/192\.168\.2\.242:6443"?/);
            expect(s).not.toMatch(/cluster-init/);
        }
        for (const s of scripts) {
            expect(s).toContain("v1.34.9+k3s1");
            expect(s).toMatch(/traefik/);
        }
    });

    it("waits for each VM and for cloud-init before installing K3s on it", () => {
        for (const node of NODES) {
            const boot = ledger.byName(`${node}-boot`);
            expect(boot.dataDeps).toContain(`vms-${node}`);
            // Bounded: the VM's port 22 may take homelab:sshConnectTimeoutSeconds (600 s by default) to answer.
            const probe = ledger.byName(`${node}-ssh-port`);
            expect(probe.dataDeps).toContain(`vms-${node}`);
            expect(probe.inputs.create).toContain("within 600 s.");
            expect(boot.dependsOn).toContain(`${node}-ssh-port`);
            expect(boot.inputs.stdin).toContain("cloud-init status --wait");
            expect(ledger.waitsFor(`${node}-install`)).toContain(`${node}-boot`);
        }
    });

    it("joins servers one at a time: each after the first server's API answers and after the previous join", () => {
        const [first, second, third] = NODES.map((n) => `${n}-install`);
        expect(ledger.byName(second).dependsOn).toEqual(expect.arrayContaining(["k3s-node-02-wait-api", first]));
        expect(ledger.byName(third).dependsOn).toEqual(expect.arrayContaining(["k3s-node-03-wait-api", second]));
        expect(ledger.byName("k3s-node-02-wait-api").dependsOn).toContain(first);
        expect(ledger.byName("k3s-node-03-wait-api").dependsOn).toEqual(expect.arrayContaining([first, second]));
        expect(ledger.byName("k3s-node-03-wait-api").inputs.stdin).toContain("https://192.168.2.242:6443/ping");
        expect(ledger.waitsFor(first)).not.toContain(second);
    });

    it("never retries SSH forever: every command, the smoke check's included, has a finite dial limit", () => {
        const commands = ledger.ofType(COMMAND);
        expect(commands.map((c) => c.name)).toContain("smoke-check-run");
        for (const c of commands) {
            expect(Number.isInteger(c.inputs.connection.dialErrorLimit) && c.inputs.connection.dialErrorLimit >= 1, c.name).toBe(true);
            expect(c.inputs.connection.perDialTimeout, c.name).toBeGreaterThan(0);
        }
    });

    it("shares images between the nodes and pulls Docker Hub images through mirror.gcr.io by default", () => {
        for (const node of NODES) {
            const stdin = ledger.byName(`${node}-install`).inputs.stdin as string;
            expect(stdin).toContain("\nembedded-registry: true\n");
            expect(stdin).toContain('  "docker.io":\n    endpoint:\n      - "https://mirror.gcr.io"\n');
            expect(stdin).not.toContain("configs:");
        }
    });

    it("builds the Kubernetes provider from the kubeconfig read off the first server after every join", async () => {
        const read = ledger.byName("k3s-kubeconfig");
        expect(read.inputs.connection.host).toBe("192.168.2.242");
        expect(read.inputs.logging).toBe("none");
        expect(read.dependsOn).toContain("k3s-node-03-install");
        const provider = ledger.byName("k3s-k8s");
        expect(provider.type).toBe("pulumi:providers:kubernetes");
        expect(provider.dataDeps).toContain("k3s-kubeconfig");
        const kubeconfig = parse(provider.inputs.kubeconfig);
        expect(kubeconfig.clusters[0].cluster.server).toBe("https://192.168.2.242:6443");
        expect(provider.secretInputs).toContain("kubeconfig");
    });

    it("keeps the token, the private key and the kubeconfig secret wherever they appear", async () => {
        const token = ledger.byName("k3s-token");
        expect(token.type).toBe("random:index/randomPassword:RandomPassword");
        for (const r of ledger.ofType(COMMAND)) {
            expect(r.secretInputs, r.name).toContain("connection");
        }
        for (const node of NODES) {
            const install = ledger.byName(`${node}-install`);
            expect(install.secretInputs).toContain("stdin");
            expect(install.inputs.create).toBe("sudo bash -s");
            // The token only travels in stdin, never on a command line or in triggers.
            expect(install.inputs.stdin).toContain("r".repeat(48));
            for (const key of ["create", "update", "delete"]) {
                expect(install.inputs[key]).not.toContain("r".repeat(48));
            }
            expect(install.inputs.triggers).toBeUndefined();
        }
        expect(await pulumi.isSecret(outputs.kubeconfig)).toBe(true);
        const apiToken = TEST_SECRETS["proxmoxve:apiToken"];
        const key = TEST_SECRETS["homelab:sshPrivateKey"];
        for (const r of ledger.resources) {
            const text = JSON.stringify(r.inputs);
            if (text.includes(apiToken)) {
                expect(r.secretInputs, r.name).toContain("apiToken");
            }
            if (text.includes("OPENSSH PRIVATE KEY")) {
                expect(r.secretInputs, r.name).toContain("connection");
                expect(text).toContain(JSON.stringify(key).slice(1, -1));
            }
        }
    });

    it("uninstalls K3s when a server's install step is deleted", () => {
        for (const node of NODES) {
            expect(ledger.byName(`${node}-install`).inputs.delete).toContain("k3s-uninstall.sh");
        }
    });

    it("never gives a command with a delete step triggers: a trigger change replaces it, and the delete would run", () => {
        const destructive = ledger.ofType(COMMAND).filter((r) => r.inputs.delete !== undefined);
        expect(destructive.map((r) => r.name)).toEqual(NODES.map((n) => `${n}-install`));
        for (const r of destructive) {
            expect(r.inputs.triggers, r.name).toBeUndefined();
            // Changes reach the node through stdin and run `update` in place.
            expect(r.inputs.update, r.name).toBe(r.inputs.create);
        }
    });

    it("re-runs every step on a node whose VM is replaced: the VM's id is part of each step's input", () => {
        for (const node of NODES) {
            for (const step of ["boot", "guest-agent", "install"]) {
                expect(ledger.byName(`${node}-${step}`).inputs.stdin).toContain(`# Proxmox VM vms-${node}-id:`);
            }
        }
    });

    it("exports the API server URL, node addresses and K3s version", async () => {
        expect(await valueOf(outputs.apiServerUrl)).toBe("https://192.168.2.242:6443");
        expect(await valueOf(outputs.nodeAddresses)).toEqual({
            "k3s-node-01": "192.168.2.242",
            "k3s-node-02": "192.168.2.243",
            "k3s-node-03": "192.168.2.244",
        });
        expect(await valueOf(outputs.k3sVersion)).toBe("v1.34.9+k3s1");
    });

    it("gives every Kubernetes resource the cluster's provider, never an ambient kubeconfig", () => {
        const kubernetes = ledger.resources.filter((r) => r.type.startsWith("kubernetes:"));
        // Operators, data layer and Shlink: 6 namespaces, 3 releases, 3 Secrets, 1 ConfigMap, 2 custom
        // resources, 2 Services, 1 Deployment, 1 PodDisruptionBudget.
        expect(kubernetes.length).toBeGreaterThanOrEqual(19);
        for (const r of kubernetes) {
            expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::k3s-k8s::/);
        }
    });

    it("keeps every generated password and key secret wherever it appears", async () => {
        for (const [what, value] of Object.entries(GENERATED)) {
            const holders = ledger.resources.filter((r) => JSON.stringify(r.inputs).includes(value));
            expect(holders.length, what).toBeGreaterThan(0);
            for (const r of holders) {
                for (const key of Object.keys(r.inputs).filter((k) => JSON.stringify(r.inputs[k]).includes(value))) {
                    expect(r.secretInputs, `${what} in ${r.name}.${key}`).toContain(key);
                }
            }
        }
        expect(await pulumi.isSecret(outputs.shlinkApiKey)).toBe(true);
        expect(await valueOf(outputs.shlinkApiKey)).toBe(GENERATED.shlinkApiKey);
    });

    it("exports Shlink's in-cluster address", async () => {
        expect(await valueOf(outputs.shlinkServiceAddress)).toBe("http://shlink.shlink.svc.cluster.local:8080");
    });

    it("exports every URL over https, and Grafana's password as a secret", async () => {
        expect(await valueOf(outputs.shlinkUrl)).toBe("https://192.168.2.242");
        // Shlink builds the short URLs it returns on the same address.
        const shlinkEnv = ledger.byName("shlink-deployment").inputs.spec.template.spec.containers[0].env;
        expect(shlinkEnv).toEqual(
            expect.arrayContaining([
                { name: "DEFAULT_DOMAIN", value: "192.168.2.242" },
                { name: "IS_HTTPS_ENABLED", value: "true" },
            ]),
        );
        expect(await valueOf(outputs.grafanaUrl)).toBe("https://192.168.2.242:3000");
        expect(await valueOf(outputs.kialiUrl)).toBe("https://192.168.2.242:20001/kiali");
        expect(await valueOf(outputs.jaegerUrl)).toBe("https://192.168.2.242:16686");
        expect(await pulumi.isSecret(outputs.grafanaAdminPassword)).toBe(true);
        expect(await valueOf(outputs.grafanaAdminPassword)).toBe(GENERATED.grafanaAdminPassword);
        expect(await valueOf(outputs.alertmanagerUrl)).toBe("https://192.168.2.242:9093");
        expect(await valueOf(outputs.argocdUrl!)).toBe("https://192.168.2.242:8443");
        for (const url of [outputs.shlinkUrl, outputs.grafanaUrl, outputs.kialiUrl, outputs.jaegerUrl, outputs.alertmanagerUrl, outputs.argocdUrl!]) {
            expect(await pulumi.isSecret(url)).toBe(false);
        }
    });

    it("without homelab:alertWebhookUrl, sends alerts nowhere but Alertmanager's UI: no webhook Secret", () => {
        expect(ledger.resources.filter((r) => r.name.includes("alert-webhook"))).toEqual([]);
    });

    it("ends with the smoke check, run on the first node after everything it checks", () => {
        const smoke = ledger.byName("smoke-check-run");
        expect(smoke.inputs.connection.host).toBe("192.168.2.242");
        const waits = ledger.waitsFor("smoke-check-run");
        for (const name of [
            "shlink-deployment",
            "istio-gateway",
            "shlink-mesh-virtualservice",
            "shlink-mesh-authorizationpolicy",
            "observability-kube-prometheus-stack",
            "observability-jaeger",
            "observability-kiali",
            "edge-tls-serving-certificate",
            "edge-doors-gateway",
            "edge-doors-grafana-route",
        ]) {
            expect(waits, name).toContain(name);
        }
        // Nothing waits for the smoke check: it is the last step.
        expect(ledger.resources.filter((r) => ledger.waitsFor(r.name).has("smoke-check-run"))).toEqual([]);
        const script = smoke.inputs.stdin as string;
        expect(script).toContain("SHLINK_URL='https://192.168.2.242'");
        expect(script).toContain("SHLINK_HTTP_URL='http://192.168.2.242'");
        expect(script).toContain("GRAFANA_URL='https://192.168.2.242:3000'");
        expect(script).toContain("KIALI_HEALTH_URL='https://192.168.2.242:20001/kiali/healthz'");
        expect(script).toContain("JAEGER_URL='https://192.168.2.242:16686'");
        // The CA it verifies against is the one the stack exports.
        expect(script).toContain(`<<'SMOKE_CA_EOF'\n${FAKE_LAB_CA.certificate}SMOKE_CA_EOF`);
        expect(script).toContain(`X-Api-Key: ${GENERATED.shlinkApiKey}`);
        expect(smoke.secretInputs).toContain("stdin");
        expect(smoke.inputs.create).toBe("bash -s");
        // Every ExternalSecret of the namespaces that read Vault must be Ready: K3s' kubectl through sudo lists them.
        expect(script).toContain(
            `ES_NAMESPACES=(${readerNamespaces(LAB_VAULT_ENTRIES)
                .map((ns) => `'${ns}'`)
                .join(" ")})`,
        );
        expect(script).toContain("    sudo k3s kubectl get externalsecrets.external-secrets.io -A -o jsonpath=");
        expect(script).not.toContain("SA_DIR");
        for (const es of ledger.ofType("kubernetes:external-secrets.io/v1:ExternalSecret")) {
            expect(readerNamespaces(LAB_VAULT_ENTRIES), es.name).toContain(es.inputs.metadata.namespace);
            expect(waits, es.name).toContain(es.name);
        }
        // No Job, no ServiceAccount or ClusterRole of the check's on the lab's own K3s.
        expect(ledger.resources.filter((r) => r.name.startsWith("smoke-check-") && r.name !== "smoke-check-run")).toEqual([]);
    });

    it("makes every custom resource wait for the Helm release that installs its CRD", () => {
        // API group → the release whose chart installs that group's CRDs.
        const crdRelease: Record<string, string> = {
            "postgres-operator.crunchydata.com": "operators-pgo",
            "databases.spotahome.com": "operators-redis-operator",
            "monitoring.coreos.com": "observability-kube-prometheus-stack",
            "kiali.io": "observability-kiali-operator",
            "networking.istio.io": "istio-base",
            "security.istio.io": "istio-base",
            "telemetry.istio.io": "istio-base",
            "argoproj.io": "argocd-release",
            "external-secrets.io": "operators-external-secrets",
            "cert-manager.io": "operators-cert-manager",
        };
        const custom = ledger.resources.filter((r) => r.type.startsWith("kubernetes:") && r.inputs.apiVersion?.includes("."));
        const builtIn = /(^|\.)k8s\.io\/|^(apps|policy|batch|autoscaling)\//;
        const customResources = custom.filter((r) => !builtIn.test(r.inputs.apiVersion) && r.type !== "kubernetes:helm.sh/v3:Release");
        expect(customResources.length).toBeGreaterThanOrEqual(14);
        for (const r of customResources) {
            const group = (r.inputs.apiVersion as string).split("/")[0];
            expect(crdRelease[group], `${r.name}: which release installs ${group}?`).toBeDefined();
            expect(ledger.waitsFor(r.name), r.name).toContain(crdRelease[group]);
        }
    });

    it("starts no meshed pod before Istio's CNI agent is Ready on every node", () => {
        const meshed = new Set(
            ledger
                .ofType("kubernetes:core/v1:Namespace")
                .filter((n) => n.inputs.metadata.labels?.["istio-injection"] === "enabled")
                .map((n) => n.inputs.metadata.name as string),
        );
        expect([...meshed]).not.toEqual([]);
        const podMakers = ["apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:DaemonSet", "batch/v1:Job", "core/v1:Pod", "helm.sh/v3:Release"];
        const workloads = ledger.resources.filter(
            (r) => podMakers.some((k) => r.type === `kubernetes:${k}`) && meshed.has(r.inputs.metadata?.namespace ?? r.inputs.namespace),
        );
        // The gateway's pods are injected too (the chart's "gateway" template), whatever its namespace's label.
        const names = [...workloads.map((r) => r.name), "istio-gateway"];
        expect(names).toContain("shlink-deployment");
        expect(names.filter((n) => !ledger.waitsFor(n).has("istio-cni-ready"))).toEqual([]);
    });

    it("installs every chart through the one release helper: atomic, waiting for Jobs, 900 s", () => {
        const releases = ledger.ofType("kubernetes:helm.sh/v3:Release");
        // 11 before issues 9 and 11, plus OpenBao, External Secrets, Reloader and Istio's CNI node agent.
        expect(releases.length).toBe(15);
        for (const release of releases) {
            expect(release.inputs, release.name).toMatchObject({ atomic: true, waitForJobs: true, timeout: 900, createNamespace: false });
        }
    });

    it("measures Shlink's SLOs at the ingress gateway the stack installs", () => {
        const gateway = ledger.byName("istio-gateway");
        const rules = ledger.resources.find((r) => r.inputs.kind === "PrometheusRule" && r.inputs.metadata.name === "shlink-slo")!;
        const exprs = rules.inputs.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)).join("\n");
        expect(exprs).toContain(`source_workload="${gateway.inputs.name}",source_workload_namespace="${gateway.inputs.namespace}"`);
        expect(exprs).toContain('destination_service_namespace="shlink",destination_service_name="shlink"');
    });

    it("limits Shlink at the gateway with the configured rates, and hands them and an https target to `npm run load`", async () => {
        const filter = ledger.resources.find((r) => r.inputs.kind === "EnvoyFilter")!;
        const buckets = filter.inputs.spec.configPatches
            .filter((p: any) => p.applyTo === "HTTP_ROUTE")
            .map((p: any) => p.patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"].token_bucket.tokens_per_fill);
        expect(buckets.sort((a: number, b: number) => a - b)).toEqual([500, 900]);
        const load = await valueOf(outputs.loadTesting);
        expect(load.rateLimits).toEqual({ createPerMinute: 900, redirectPerSecond: 500 });
        // The name the gateway's serving certificate must carry for the runners (issue 11, TLS).
        expect(load.targetUrl).toBe("https://istio-ingressgateway.istio-ingress.svc.cluster.local");
    });
});

describe("the homelab stack with an alert webhook", () => {
    const WEBHOOK = "https://ntfy.example.org/homelab-alerts-5f2c?tpl=1";

    it("mounts the webhook URL from homelab:alertWebhookUrl into Alertmanager as a secret, and nowhere else", async () => {
        const { ledger } = await runHomelab({ "homelab:alertWebhookUrl": WEBHOOK });
        const holders = ledger.resources.filter((r) => JSON.stringify(r.inputs).includes(WEBHOOK));
        expect(holders.map((r) => r.name)).toEqual(["observability-alert-webhook"]);
        expect(holders[0].secretInputs).toContain("stringData");
        const kps = ledger.byName("observability-kube-prometheus-stack").inputs.values;
        expect(kps.alertmanager.alertmanagerSpec.secrets).toEqual([holders[0].inputs.metadata.name]);
    });
});
