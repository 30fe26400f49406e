// The platform on a cluster the user already has: Pulumi.cluster.yaml plus a kubeconfig, no homelab:nodes.
// Everything above the cluster layer deploys through a provider built from that kubeconfig; nothing of
// Proxmox, SSH or K3s is created, and every URL names homelab:publicAddress.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { validateStack } from "../components/config";
import { Job } from "kubernetes-models/batch/v1";
import { ServiceAccount } from "kubernetes-models/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { readerNamespaces } from "../components/secrets/catalog";
import { LAB_VAULT_ENTRIES } from "../stacks/vault";
import type { HomelabOutputs } from "../stacks/homelab";
import { DISTINCT_RANDOMS, GENERATED } from "./helpers/platform";
import { loadConfig } from "../components/config";
import { capacityPlan } from "../stacks/capacity";
import { homelab } from "../stacks/homelab";
import { FAKE_LAB_CA, runUnderMocks, valueOf, type Ledger } from "./helpers/pulumi";
import { CLUSTER_KUBECONFIG as KUBECONFIG, clusterStackConfig } from "./helpers/clusterStack";
import { raw } from "./config/raw";
import { pssLabels } from "./helpers/podSecurity";

/** The pure loader on a cluster stack's keys, the way loadConfig reads them. */
function clusterProblems(overrides: Record<string, string | undefined> = {}): string[] {
    const flat = clusterStackConfig(overrides);
    const homelabKeys = Object.fromEntries(Object.entries(flat).map(([k, v]) => [k.slice("homelab:".length), v]));
    return validateStack({ homelab: homelabKeys, proxmoxve: {} }, capacityPlan).problems;
}

describe("the homelab stack on an existing cluster", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        // Another StorageClass than K3s' local-path, so the test can tell it reached every volume.
        const config = clusterStackConfig({ "homelab:storageClass": "longhorn" });
        ({ ledger, result: outputs } = await runUnderMocks(config, () => homelab(loadConfig(capacityPlan)), DISTINCT_RANDOMS));
    });

    it("creates no Proxmox resource and no SSH command", () => {
        expect(ledger.resources.filter((r) => r.type.includes("proxmoxve"))).toEqual([]);
        expect(ledger.resources.filter((r) => r.type.startsWith("command:"))).toEqual([]);
        expect(ledger.resources.filter((r) => r.type.startsWith("homelab:k3s") || r.type.startsWith("homelab:proxmox"))).toEqual([]);
    });

    it("runs the smoke check as a Job instead, last, outside the mesh, its script (with the API key) in a secret", async () => {
        const job = ledger.byName("smoke-check-job");
        expect(job.type).toBe("kubernetes:batch/v1:Job");
        new Job(job.inputs as never).validate();
        const pod = job.inputs.spec.template.spec;
        expect(pod.containers.map((c: any) => c.image)).toEqual(["docker.io/istio/proxyv2:1.30.3"]);
        expect(pod.containers[0].command).toEqual(["bash", "/smoke/smoke-check.sh"]);
        expect(pod.restartPolicy).toBe("Never");
        expect(job.inputs.spec.backoffLimit).toBe(0);
        // One failed run (the lab was down) must not wedge every later `up` on that same failed Job.
        expect(job.inputs.metadata.annotations).toEqual({ "pulumi.com/replaceUnready": "true" });
        expect(job.inputs.metadata.namespace).toBe("smoke-check");
        expect(ledger.byName("smoke-check-namespace").inputs.metadata.labels).toEqual({ "istio-injection": "disabled", ...pssLabels("restricted") });
        const secret = ledger.byName("smoke-check-script");
        expect(secret.inputs.metadata).toEqual({ name: "smoke-check-script", namespace: "smoke-check" });
        expect(pod.volumes[0].secret.secretName).toBe("smoke-check-script");
        expect(secret.inputs.stringData["smoke-check.sh"]).toContain("SHLINK_URL='https://192.168.2.50'");
        // The script verifies every call against the lab CA it carries (a public certificate, beside the key).
        expect(secret.inputs.stringData["smoke-check.sh"]).toContain(`<<'SMOKE_CA_EOF'\n${FAKE_LAB_CA.certificate}SMOKE_CA_EOF`);
        expect(secret.inputs.stringData["smoke-check.sh"]).toContain(`X-Api-Key: ${GENERATED.shlinkApiKey}`);
        expect(secret.secretInputs).toContain("stringData");
        expect(JSON.stringify(job.inputs)).not.toContain(GENERATED.shlinkApiKey);
        const waits = ledger.waitsFor("smoke-check-job");
        for (const name of ["shlink-deployment", "istio-gateway", "shlink-mesh-virtualservice", "observability-kube-prometheus-stack", "observability-kiali"]) {
            expect(waits, name).toContain(name);
        }
        expect(ledger.resources.filter((r) => ledger.waitsFor(r.name).has("smoke-check-job"))).toEqual([]);
        expect(await valueOf(outputs.smokeCheck)).toMatch(/^passed: Job smoke-check\/\S+ completed/);
    });

    it("gives the smoke Job its own ServiceAccount, allowed exactly to list ExternalSecrets and Nodes and nothing else, and checks them through the API with it", () => {
        const account = ledger.byName("smoke-check-account");
        new ServiceAccount(account.inputs as never).validate();
        expect(account.inputs.metadata).toEqual({ name: "smoke-check", namespace: "smoke-check" });
        const role = ledger.byName("smoke-check-role");
        new ClusterRole(role.inputs as never).validate();
        expect(role.inputs.rules).toEqual([
            { apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: ["list"] },
            { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
        ]);
        expect(role.inputs.aggregationRule).toBeUndefined();
        const binding = ledger.byName("smoke-check-role-binding");
        new ClusterRoleBinding(binding.inputs as never).validate();
        expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.inputs.metadata.name });
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "smoke-check", namespace: "smoke-check" }]);
        // No other binding grants the account (or anyone in its namespace) anything.
        const bindings = ledger.resources.filter((r) => /:rbac\.authorization\.k8s\.io\/v1:(Cluster)?RoleBinding$/.test(r.type));
        const grantsSmoke = bindings.filter(
            (b) => JSON.stringify(b.inputs.subjects ?? []).includes('"namespace":"smoke-check"') || b.inputs.metadata.namespace === "smoke-check",
        );
        expect(grantsSmoke.map((b) => b.name)).toEqual(["smoke-check-role-binding"]);
        const job = ledger.byName("smoke-check-job");
        const pod = job.inputs.spec.template.spec;
        expect(pod.serviceAccountName).toBe("smoke-check");
        expect(pod.automountServiceAccountToken).toBe(true);
        expect(ledger.waitsFor("smoke-check-job")).toContain("smoke-check-role-binding");
        const script = ledger.byName("smoke-check-script").inputs.stringData["smoke-check.sh"] as string;
        expect(script).toContain("KUBE_API_URL='https://kubernetes.default.svc'");
        expect(script).toContain("SA_DIR='/var/run/secrets/kubernetes.io/serviceaccount'");
        expect(script).toContain('status="$(kube_api /apis/external-secrets.io/v1/externalsecrets)"');
        expect(script).toContain(
            `ES_NAMESPACES=(${readerNamespaces(LAB_VAULT_ENTRIES)
                .map((ns) => `'${ns}'`)
                .join(" ")})`,
        );
        expect(script).not.toContain("kubectl");
    });

    it("closes the smoke check's namespace too, and keeps webhooks and the API server reachable wherever another CNI puts them", () => {
        const policies = ledger.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);
        const find = (namespace: string, name: string) => policies.find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
        expect(find("smoke-check", "default-deny-ingress")?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
        // Not K3s' flannel: the webhook's port is open to every source, not to the tunnel addresses.
        expect(find("cert-manager", "allow-cert-manager-webhook")?.spec.ingress).toEqual([{ ports: [{ port: 10250, protocol: "TCP" }] }]);
        // Patroni reaches the API server on whichever of 443 and 6443 it answers, wherever it is.
        expect(find("postgres", "egress-postgres-api-server")?.spec.egress).toEqual([
            {
                ports: [
                    { port: 443, protocol: "TCP" },
                    { port: 6443, protocol: "TCP" },
                ],
            },
        ]);
    });

    it("sends every Kubernetes object through the provider built from homelab:kubeconfig, kept secret", () => {
        const providers = ledger.ofType("pulumi:providers:kubernetes");
        expect(providers.map((p) => p.name)).toEqual(["cluster-k8s"]);
        expect(providers[0].inputs.kubeconfig).toBe(KUBECONFIG);
        expect(providers[0].secretInputs).toContain("kubeconfig");
        const kubernetes = ledger.resources.filter((r) => r.type.startsWith("kubernetes:"));
        expect(kubernetes.length).toBeGreaterThanOrEqual(40);
        for (const r of kubernetes) {
            expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::cluster-k8s::/);
        }
        // The same platform as on the lab's own K3s: every release, Argo CD's included.
        expect(ledger.ofType("kubernetes:helm.sh/v3:Release").length).toBe(15);
        // Istio's CNI agent keeps the chart's CNI paths: the K3s profile is for the lab's own K3s only.
        expect(ledger.byName("istio-cni").inputs.values.global.platform).toBeUndefined();
    });

    it("puts every volume on homelab:storageClass: PostgreSQL, Redis, Prometheus, Alertmanager, Grafana, Jaeger", () => {
        const found: string[] = [];
        const walk = (value: unknown, where: string): void => {
            if (Array.isArray(value)) {
                value.forEach((v, i) => walk(v, `${where}[${i}]`));
            } else if (value !== null && typeof value === "object") {
                for (const [key, v] of Object.entries(value)) {
                    if (key === "storageClassName") {
                        expect(v, `${where}.${key}`).toBe("longhorn");
                        found.push(where);
                    }
                    walk(v, `${where}.${key}`);
                }
            }
        };
        for (const r of ledger.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            walk(r.inputs, r.name);
        }
        expect(found.sort()).toEqual(
            [
                "observability-jaeger-storage.spec",
                "observability-kube-prometheus-stack.values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec",
                "observability-kube-prometheus-stack.values.grafana.persistence",
                "observability-kube-prometheus-stack.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec",
                "shlink-db-cluster.spec.backups.pgbackrest.repos[0].volume.volumeClaimSpec",
                "shlink-db-cluster.spec.instances[0].dataVolumeClaimSpec",
                "shlink-redis-failover.spec.redis.storage.persistentVolumeClaim.spec",
            ].sort(),
        );
    });

    it("names homelab:publicAddress in every URL, over https, and in the serving certificate (alone: no node IPs here)", async () => {
        expect(await valueOf(outputs.shlinkUrl)).toBe("https://192.168.2.50");
        expect(await valueOf(outputs.grafanaUrl)).toBe("https://192.168.2.50:3000");
        expect(await valueOf(outputs.kialiUrl)).toBe("https://192.168.2.50:20001/kiali");
        expect(await valueOf(outputs.jaegerUrl)).toBe("https://192.168.2.50:16686");
        expect(await valueOf(outputs.alertmanagerUrl)).toBe("https://192.168.2.50:9093");
        expect(await valueOf(outputs.argocdUrl!)).toBe("https://192.168.2.50:8443");
        expect(ledger.byName("edge-tls-serving-certificate").inputs.spec.ipAddresses).toEqual(["192.168.2.50"]);
        const env = ledger.byName("shlink-deployment").inputs.spec.template.spec.containers[0].env;
        expect(env).toEqual(expect.arrayContaining([{ name: "DEFAULT_DOMAIN", value: "192.168.2.50" }]));
    });

    it("exports the given kubeconfig as a secret and its API server, and no K3s node or version", async () => {
        expect(await pulumi.isSecret(outputs.kubeconfig)).toBe(true);
        expect(await valueOf(outputs.kubeconfig)).toBe(KUBECONFIG);
        expect(await valueOf(outputs.apiServerUrl)).toBe("https://10.20.30.40:6443");
        expect(await pulumi.isSecret(outputs.apiServerUrl)).toBe(false);
        expect(outputs.nodeAddresses).toBeUndefined();
        expect(outputs.k3sVersion).toBeUndefined();
    });
});

describe("the loader on an existing cluster", () => {
    it("needs no Proxmox, LAN, VM or SSH key: Pulumi.cluster.yaml and a kubeconfig are enough", () => {
        expect(clusterProblems()).toEqual([]);
        const config = validateStack(raw({ "homelab:nodes": undefined, ...clusterStackConfig() }), capacityPlan).config!;
        expect(config.mode).toBe("cluster");
        expect(config.target).toEqual({ storageClass: "local-path", publicAddress: "192.168.2.50", nodeCount: 3 });
    });

    it("refuses both homelab:nodes and homelab:kubeconfig, and neither", () => {
        expect(validateStack(raw({ "homelab:kubeconfig": KUBECONFIG }), capacityPlan).problems).toEqual([
            expect.stringMatching(/^homelab:nodes and homelab:kubeconfig are both set/),
        ]);
        expect(validateStack(raw({ "homelab:nodes": undefined }), capacityPlan).problems).toEqual([
            expect.stringMatching(/^Neither homelab:nodes nor homelab:kubeconfig is set/),
        ]);
    });

    it("requires homelab:publicAddress and homelab:nodeCount, and refuses fewer than 3 nodes", () => {
        expect(clusterProblems({ "homelab:publicAddress": undefined, "homelab:nodeCount": undefined })).toEqual([
            expect.stringMatching(/^homelab:publicAddress is not set/),
            expect.stringMatching(/^homelab:nodeCount is not set/),
        ]);
        expect(clusterProblems({ "homelab:nodeCount": "2" })).toEqual([expect.stringMatching(/^homelab:nodeCount 2 is below 3: /)]);
        expect(clusterProblems({ "homelab:publicAddress": "http://192.168.2.50:80" })).toEqual([
            expect.stringMatching(/^homelab:publicAddress must be an IPv4 address or a DNS name/),
        ]);
        expect(clusterProblems({ "homelab:publicAddress": "lab.example.org" })).toEqual([]);
        expect(clusterProblems({ "homelab:storageClass": "Fast SSD" })).toEqual([expect.stringMatching(/^homelab:storageClass must be/)]);
    });

    it("refuses a kubeconfig without a usable server, without printing it", () => {
        const secretish = "not: [a kubeconfig";
        const problems = clusterProblems({ "homelab:kubeconfig": secretish });
        expect(problems).toEqual([expect.stringMatching(/^homelab:kubeconfig is not YAML \(value not shown\)/)]);
        expect(problems.join("\n")).not.toContain(secretish);
        expect(clusterProblems({ "homelab:kubeconfig": KUBECONFIG.replace("https://10.20.30.40:6443", "") })).toEqual([
            expect.stringMatching(/^homelab:kubeconfig must have a current-context whose cluster has an https:\/\/ server/),
        ]);
    });

    it("notes the budget the other nodes must hold with one drained, since it cannot see their sizes", () => {
        const { notes } = validateStack(
            { homelab: Object.fromEntries(Object.entries(clusterStackConfig()).map(([k, v]) => [k.slice(8), v])), proxmoxve: {} },
            capacityPlan,
        );
        expect(notes).toEqual([expect.stringMatching(/^The platform requests \d+m CPU and \d+ MiB of memory with one of homelab:nodeCount 3 nodes drained/)]);
    });

    it("keeps homelab:publicAddress and homelab:nodeCount out of a Proxmox-mode stack, where the nodes give them", () => {
        expect(validateStack(raw({ "homelab:publicAddress": "192.168.2.50" }), capacityPlan).problems).toEqual([
            expect.stringMatching(/^homelab:publicAddress is for a stack on an existing cluster/),
        ]);
        const lab = validateStack(raw(), capacityPlan).config!;
        // Our K3s: Istio's CNI agent takes K3s' CNI paths.
        expect(lab.target).toEqual({ storageClass: "local-path", publicAddress: "192.168.2.242", nodeCount: 3, cniPlatform: "k3s" });
        expect(validateStack(raw({ "homelab:istioCniPlatform": "k3s" }), capacityPlan).problems).toEqual([
            expect.stringMatching(/^homelab:istioCniPlatform is for a stack on an existing cluster/),
        ]);
    });

    it("takes Istio's CNI platform profile for an existing cluster from homelab:istioCniPlatform, and refuses an unknown one", () => {
        const config = validateStack(raw({ "homelab:nodes": undefined, ...clusterStackConfig(), "homelab:istioCniPlatform": "k3s" }), capacityPlan).config!;
        expect(config.target.cniPlatform).toBe("k3s");
        expect(clusterProblems({ "homelab:istioCniPlatform": "k8s" })).toEqual([
            expect.stringMatching(/^homelab:istioCniPlatform must be one of Istio's platform profiles \(gke, k3d, k3s, microk8s, minikube, openshift\)/),
        ]);
    });
});
