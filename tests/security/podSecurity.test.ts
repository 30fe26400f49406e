// Pod Security Standards: the checker on hand cases, every namespace's labels, and every pod the program
// itself builds checked against its namespace's enforce level.
import { beforeAll, describe, expect, it } from "vitest";
import { kubeVipObjects } from "../../components/k3s/kubeVip";
import { namespaceArgs } from "../../components/kubernetes/namespace";
import { ownNamespace } from "../../components/contracts/placement";
import { SMOKE_NAMESPACE } from "../../components/smoke/part";
import { ownedNamespaces } from "../../stacks/placement";
import { testRun } from "../../components/load/testRun";
import { smokeJobSpec } from "../../components/smoke/job";
import { K6 } from "../../components/load/facts";
import { labStack } from "./labStack";
import type { Ledger } from "../helpers/pulumi";
import { pssLabels } from "../helpers/podSecurity";
import { baselineViolations, restrictedViolations, violations, type Level, type PodSpec } from "./podSecurity";
import { CHART_POD_VALUE_KEYS, CHART_PODS } from "./chartPods";

const good: PodSpec = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
    volumes: [
        { name: "config", configMap: { name: "c" } },
        { name: "data", persistentVolumeClaim: { claimName: "d" } },
    ],
};
const withContainer = (securityContext: object, pod: Partial<PodSpec> = {}): PodSpec => ({
    ...good,
    ...pod,
    containers: [{ name: "app", securityContext: { ...good.containers[0].securityContext, ...securityContext } }],
});

describe("the Pod Security Standards checker", () => {
    it("passes a pod that sets what restricted asks", () => {
        expect(restrictedViolations(good)).toEqual([]);
    });

    it("refuses at baseline: host namespaces, privileged, added capabilities, hostPath, host ports, Unconfined seccomp, unsafe sysctls, AppArmor unconfined", () => {
        expect(baselineViolations({ ...good, hostNetwork: true })).toEqual(["Host Namespaces: hostNetwork=true"]);
        expect(baselineViolations({ ...good, hostPID: true, hostIPC: true })).toHaveLength(2);
        expect(baselineViolations(withContainer({ privileged: true }))).toEqual(["Privileged Containers: container app"]);
        expect(baselineViolations(withContainer({ capabilities: { add: ["NET_ADMIN", "NET_RAW", "CHOWN"] } }))).toEqual([
            "Capabilities: container app adds NET_ADMIN,NET_RAW",
        ]);
        expect(baselineViolations({ ...good, volumes: [{ name: "root", hostPath: { path: "/" } }] })).toEqual(["HostPath Volumes: volume root"]);
        expect(baselineViolations({ ...good, containers: [{ name: "app", ports: [{ containerPort: 80, hostPort: 80 }] }] })).toEqual([
            "Host Ports: container app hostPort 80",
        ]);
        expect(baselineViolations(withContainer({ seccompProfile: { type: "Unconfined" } }))).toEqual(["Seccomp: container app Unconfined"]);
        expect(baselineViolations({ ...good, securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] } })).toEqual([]);
        expect(baselineViolations({ ...good, securityContext: { sysctls: [{ name: "net.core.somaxconn", value: "1024" }] } })).toEqual([
            "Sysctls: net.core.somaxconn",
        ]);
        expect(baselineViolations(good, { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" })).toHaveLength(1);
        expect(baselineViolations(withContainer({ seLinuxOptions: { type: "spc_t" } }))).toEqual(["SELinux: container app"]);
        expect(baselineViolations(withContainer({ procMount: "Unmasked" }))).toEqual(["/proc Mount Type: container app Unmasked"]);
        // What restricted adds is no concern of baseline.
        expect(baselineViolations({ containers: [{ name: "bare" }] })).toEqual([]);
    });

    it("refuses at restricted: escalation, root, no seccomp, capabilities not dropped, other volume types, init containers too", () => {
        expect(restrictedViolations(withContainer({ allowPrivilegeEscalation: undefined }))).toEqual([
            "Privilege Escalation: container app must set allowPrivilegeEscalation=false",
        ]);
        expect(restrictedViolations(withContainer({ runAsNonRoot: false }))).toEqual([
            "Running as Non-root: container app must set runAsNonRoot=true (or the pod)",
        ]);
        expect(restrictedViolations(withContainer({ runAsUser: 0 }))).toEqual(["Running as Non-root user: container app runAsUser=0"]);
        expect(restrictedViolations({ ...good, securityContext: { runAsNonRoot: true } })).toEqual([
            "Seccomp: container app must have seccompProfile RuntimeDefault or Localhost (or the pod)",
        ]);
        expect(restrictedViolations(withContainer({ capabilities: { drop: ["NET_RAW"] } }))).toEqual(["Capabilities: container app must drop ALL"]);
        expect(restrictedViolations(withContainer({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }))).toEqual([]);
        expect(restrictedViolations(withContainer({ capabilities: { drop: ["ALL"], add: ["CHOWN"] } }))).toEqual([
            "Capabilities: container app may add only NET_BIND_SERVICE, adds CHOWN",
        ]);
        expect(restrictedViolations({ ...good, volumes: [{ name: "share", nfs: { server: "x", path: "/" } }] })).toEqual(["Volume Types: volume share is nfs"]);
        expect(restrictedViolations({ ...good, initContainers: [{ name: "init" }] })).toEqual([
            "Privilege Escalation: container init must set allowPrivilegeEscalation=false",
            "Capabilities: container init must drop ALL",
        ]);
        expect(violations("privileged", { containers: [{ name: "x", securityContext: { privileged: true } }], hostNetwork: true })).toEqual([]);
    });
});

/** The level each namespace of the stack enforces, written out: why each is what it is is beside its namespace in components/<part>/part.ts. */
const EXPECTED_LEVELS: Record<string, Level> = {
    "cert-manager": "restricted",
    "postgres-operator": "restricted",
    "redis-operator": "baseline",
    postgres: "baseline",
    redis: "baseline",
    shlink: "restricted",
    "istio-system": "privileged",
    "istio-ingress": "baseline",
    monitoring: "privileged",
    observability: "baseline",
    "kiali-operator": "restricted",
    load: "baseline",
    argocd: "restricted",
    vault: "restricted",
    "external-secrets": "restricted",
    reloader: "baseline",
};

/**
 * What Istio 1.30.3's injector adds to a pod with `pilot.cni.enabled` (istio-discovery files/injection-template.yaml:
 * istio-validation's securityContext l.156-181, istio-proxy's l.378-415, volumes l.470-510), for the values the
 * test reads back from istiod's release: no NET_ADMIN/NET_RAW, uid 1337, drop ALL, global.proxy.seccompProfile.
 */
function injected(spec: PodSpec, proxy: { privileged?: boolean; seccompProfile?: { type: string } }): PodSpec {
    const securityContext = {
        allowPrivilegeEscalation: proxy.privileged ?? false,
        privileged: proxy.privileged ?? false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        runAsGroup: 1337,
        runAsUser: 1337,
        runAsNonRoot: true,
        ...(proxy.seccompProfile ? { seccompProfile: proxy.seccompProfile } : {}),
    };
    return {
        ...spec,
        // On Kubernetes ≥ 1.33 istio-proxy is a native sidecar after istio-validation (injection-template.yaml:29, 184-196).
        initContainers: [...(spec.initContainers ?? []), { name: "istio-validation", securityContext }, { name: "istio-proxy", securityContext }],
        volumes: [
            ...(spec.volumes ?? []),
            { name: "workload-socket", emptyDir: {} },
            { name: "credential-socket", emptyDir: {} },
            { name: "workload-certs", emptyDir: {} },
            { name: "istio-envoy", emptyDir: { medium: "Memory" } },
            { name: "istio-data", emptyDir: {} },
            { name: "istio-podinfo", downwardAPI: { items: [] } },
            { name: "istio-token", projected: { sources: [] } },
            { name: "istiod-ca-cert", configMap: { name: "istio-ca-root-cert" } },
        ],
    };
}

describe("the stack's Pod Security levels", () => {
    let ledger: Ledger;
    let namespaces: Map<string, Record<string, string>>;

    beforeAll(async () => {
        ({ ledger } = await labStack());
        namespaces = new Map(ledger.ofType("kubernetes:core/v1:Namespace").map((r) => [r.inputs.metadata.name, r.inputs.metadata.labels ?? {}]));
    });

    it("labels every namespace to enforce its level, warn and audit at restricted, pinned to the K3s minor", () => {
        expect([...namespaces.keys()].sort()).toEqual(Object.keys(EXPECTED_LEVELS).sort());
        for (const [ns, labels] of namespaces) {
            expect(labels, ns).toMatchObject(pssLabels(EXPECTED_LEVELS[ns]));
        }
    });

    it("refuses a namespace with no level: the type requires one, and a name no part places is refused saying where to add it", () => {
        // @ts-expect-error -- a namespace of ours names its Pod Security level
        expect(namespaceArgs({ name: "my-apps" }, false).metadata).toBeDefined();
        expect(() => ownNamespace(ownedNamespaces(), "my-apps")).toThrow(
            /namespace "my-apps" is not in the part's placement: add it to its part.ts namespaces/,
        );
    });

    it("runs every pod template it creates at its namespace's enforce level, sidecars included where injected", () => {
        const podKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];
        const templates = ledger.resources.filter((r) => r.type.startsWith("kubernetes:") && podKinds.includes(r.type.split(":")[2]));
        expect(templates.map((r) => r.name)).toContain("shlink-deployment");
        const proxy = ledger.byName("istio-istiod").inputs.values;
        // The injection model above holds for these values only.
        expect(proxy.cni).toEqual({ enabled: true });
        expect(proxy.global.proxy.privileged).toBeUndefined();
        expect(proxy.global.proxy.seccompProfile).toEqual({ type: "RuntimeDefault" });
        // No istio-init needs the CNI agent on K3s' own CNI paths, and in place before istiod injects anything.
        expect(ledger.byName("istio-cni").inputs.values.global.platform).toBe("k3s");
        expect(ledger.waitsFor("istio-istiod")).toContain("istio-cni");
        for (const r of templates) {
            const ns: string = r.inputs.metadata.namespace;
            const labels = namespaces.get(ns)!;
            const level = labels["pod-security.kubernetes.io/enforce"] as Level;
            const template = r.type.endsWith(":CronJob") ? r.inputs.spec.jobTemplate.spec.template : r.inputs.spec.template;
            const spec: PodSpec = labels["istio-injection"] === "enabled" ? injected(template.spec, proxy.global.proxy) : template.spec;
            expect(violations(level, spec, template.metadata?.annotations), `${r.name} in ${ns} (${level})`).toEqual([]);
            // And restricted, the level every namespace warns at: nothing of ours should warn.
            expect(restrictedViolations(spec), `${r.name} at restricted`).toEqual([]);
        }
    });

    it("runs every pod the argo-cd, kiali-operator and PGO charts render at restricted, and labels their namespaces so", () => {
        /** Every key anywhere in the values, as dotted paths. */
        const keysOf = (value: unknown, prefix = ""): string[] =>
            value !== null && typeof value === "object" && !Array.isArray(value)
                ? Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keysOf(v, `${prefix}${k}.`)])
                : [];
        const releases = ledger.ofType("kubernetes:helm.sh/v3:Release");
        for (const [ns, pods] of Object.entries(CHART_PODS)) {
            // The model holds for these values: they set nothing that changes the pods' security.
            const release = releases.filter((r) => r.inputs.namespace === ns);
            expect(release.length, ns).toBe(1);
            const overriding = keysOf(release[0].inputs.values).filter((k) => CHART_POD_VALUE_KEYS.includes(k.split(".").pop()!));
            expect(overriding, ns).toEqual([]);
            for (const pod of pods) {
                expect(restrictedViolations(pod.spec), `${ns}/${pod.workload}`).toEqual([]);
            }
            // The strictest level every pod there passes is the one the namespace enforces.
            expect(namespaces.get(ns)?.["pod-security.kubernetes.io/enforce"], ns).toBe("restricted");
        }
    });

    it("runs the cluster-mode smoke Job at restricted, its namespace's level", () => {
        const labels = (namespaceArgs(SMOKE_NAMESPACE, false).metadata as { labels: Record<string, string> }).labels;
        expect(labels).toMatchObject(pssLabels("restricted"));
        const spec = (
            smokeJobSpec({ secretName: "s", serviceAccountName: "a", timeoutSeconds: 60, triggers: "t", image: "docker.io/istio/proxyv2:1.30.3" }).template as {
                spec: unknown;
            }
        ).spec as PodSpec;
        expect(restrictedViolations(spec)).toEqual([]);
    });

    it("leaves the k6 runner's pod to the operator's defaults, which baseline admits", () => {
        const target = {
            namespace: K6.namespace,
            targetUrl: "http://x",
            prometheusWriteUrl: "http://y",
            apiKeySecret: "k",
            apiKeySecretKey: "K",
            configMap: "c",
            runnerImage: K6.runnerImage,
            scenarios: [],
            rateLimits: { createPerMinute: 1, redirectPerSecond: 1 },
        };
        const runner: Record<string, unknown> = testRun(target, "baseline", "r").spec.runner;
        // We set no securityContext on the runner: the operator's pods are proven only on a real cluster.
        expect(runner.securityContext).toBeUndefined();
        expect(EXPECTED_LEVELS[K6.namespace]).toBe("baseline");
        expect(baselineViolations({ containers: [{ name: "k6" }] })).toEqual([]);
    });

    it("does not label kube-system: K3s' own kube-vip needs privileged there (hostNetwork, NET_ADMIN, NET_RAW)", () => {
        const daemonSet = kubeVipObjects({ apiServer: "192.168.2.240", services: "192.168.2.241" }).find((o) => o.kind === "DaemonSet") as unknown as {
            spec: { template: { spec: PodSpec } };
        };
        expect(baselineViolations(daemonSet.spec.template.spec)).toEqual([
            "Host Namespaces: hostNetwork=true",
            "Capabilities: container kube-vip adds NET_ADMIN,NET_RAW",
        ]);
        expect(namespaces.has("kube-system")).toBe(false);
    });
});
