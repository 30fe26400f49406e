// Argo CD: installed by default with a generated admin password (only its bcrypt hash reaches the cluster),
// reachable on its port of the port plan, and the user's repo synced through projects that keep it out of
// every namespace the stack manages.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { HomelabOutputs } from "../../stacks/homelab";
import { ARGOCD_ADMIN, runHomelab } from "../helpers/platform";
import { valueOf, type Ledger } from "../helpers/pulumi";
import { problemsOf } from "../config/raw";
import { pssLabels } from "../helpers/podSecurity";

const REPO = "https://github.com/example/homelab-apps.git";

describe("Argo CD with the user's repo", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        ({ ledger, result: outputs } = await runHomelab({ "homelab:gitopsRepoUrl": REPO, "homelab:gitopsPath": "apps" }));
    });

    it("installs the pinned argo-cd chart into its own namespace, outside the mesh", () => {
        const release = ledger.byName("argocd-release");
        expect(release.inputs).toMatchObject({
            chart: "argo-cd",
            version: "10.1.1",
            namespace: "argocd",
            repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
        });
        expect(ledger.byName("argocd-namespace").inputs.metadata).toEqual({
            name: "argocd",
            labels: { "istio-injection": "disabled", ...pssLabels("restricted") },
        });
    });

    it("sets the admin password as a bcrypt hash with a fixed mtime, secret in the release, and exports the password as a secret", async () => {
        const release = ledger.byName("argocd-release");
        expect(release.inputs.values.configs.secret).toEqual({
            argocdServerAdminPassword: ARGOCD_ADMIN.bcryptHash,
            argocdServerAdminPasswordMtime: "2026-01-01T00:00:00Z",
        });
        expect(release.secretInputs).toContain("values");
        expect(JSON.stringify(ledger.resources.map((r) => r.inputs))).not.toContain(ARGOCD_ADMIN.password);
        expect(await pulumi.isSecret(outputs.argocdAdminPassword!)).toBe(true);
        expect(await valueOf(outputs.argocdAdminPassword!)).toBe(ARGOCD_ADMIN.password);
    });

    it("serves plain HTTP in-cluster to the gateway's door, and exports its https URL on homelab:argocdHttpsPort of the public address", async () => {
        const values = ledger.byName("argocd-release").inputs.values;
        expect(values.configs.params).toEqual({ "server.insecure": true });
        expect(values.configs.cm).toEqual({ url: "https://192.168.2.242:8443" });
        expect(values.server.service).toEqual({ type: "ClusterIP", servicePortHttp: 80 });
        expect(values.dex).toEqual({ enabled: false });
        expect(values.notifications).toEqual({ enabled: false });
        expect(await valueOf(outputs.argocdUrl!)).toBe("https://192.168.2.242:8443");
        expect(await pulumi.isSecret(outputs.argocdUrl!)).toBe(false);
    });

    it("syncs the user's repo through a root Application that waits for the release and its project", () => {
        const app = ledger.byName("argocd-root-application");
        expect(app.inputs).toMatchObject({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "user-apps", namespace: "argocd" } });
        expect(app.inputs.spec).toEqual({
            project: "user-apps-root",
            source: { repoURL: REPO, path: "apps", targetRevision: "HEAD", directory: { recurse: true } },
            destination: { server: "https://kubernetes.default.svc", namespace: "argocd" },
            syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: [] },
        });
        const waits = ledger.waitsFor("argocd-root-application");
        for (const name of ["argocd-release", "argocd-root-project", "argocd-user-apps-project"]) {
            expect(waits, name).toContain(name);
        }
        for (const project of ["argocd-root-project", "argocd-user-apps-project"]) {
            expect(ledger.waitsFor(project), project).toContain("argocd-release");
        }
    });

    it("locks Argo CD's built-in default project before the root Application syncs, so no child Application can escape user-apps", () => {
        const lock = ledger.byName("argocd-default-project-lock");
        expect(lock.type).toBe("kubernetes:argoproj.io/v1alpha1:AppProjectPatch");
        expect(lock.inputs.metadata).toEqual({ name: "default", namespace: "argocd", annotations: { "pulumi.com/patchForce": "true" } });
        expect(lock.inputs.spec).toMatchObject({ sourceRepos: [], destinations: [], clusterResourceWhitelist: [] });
        expect(ledger.waitsFor("argocd-default-project-lock")).toContain("argocd-release");
        expect(ledger.waitsFor("argocd-root-application")).toContain("argocd-default-project-lock");
    });

    it("lets the root Application write nothing but Applications into Argo CD's namespace", () => {
        const spec = ledger.byName("argocd-root-project").inputs.spec;
        expect(spec).toMatchObject({
            sourceRepos: [REPO],
            destinations: [{ server: "https://kubernetes.default.svc", namespace: "argocd" }],
            clusterResourceWhitelist: [],
            namespaceResourceWhitelist: [{ group: "argoproj.io", kind: "Application" }],
        });
    });

    it("denies the user's apps every namespace the stack creates or puts anything in, and every cluster-scoped kind", () => {
        const project = ledger.byName("argocd-user-apps-project").inputs;
        expect(project.metadata).toEqual({ name: "user-apps", namespace: "argocd" });
        const spec = project.spec;
        expect(spec.sourceRepos).toEqual([REPO]);
        expect(spec.clusterResourceWhitelist).toEqual([]);
        expect(spec.namespaceResourceWhitelist).toBeUndefined();
        const denied = new Set(spec.destinations.filter((d: any) => d.namespace.startsWith("!")).map((d: any) => d.namespace.slice(1)));
        const allowed = spec.destinations.filter((d: any) => !d.namespace.startsWith("!"));
        expect(allowed).toEqual([{ server: "https://kubernetes.default.svc", namespace: "*" }]);
        for (const d of spec.destinations) {
            expect(d.server).toBe("https://kubernetes.default.svc");
        }
        const used = new Set<string>(["kube-system", "kube-public", "kube-node-lease"]);
        for (const r of ledger.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            if (r.type === "kubernetes:core/v1:Namespace") {
                used.add(r.inputs.metadata.name);
            }
            for (const ns of [r.inputs.metadata?.namespace, r.type === "kubernetes:helm.sh/v3:Release" ? r.inputs.namespace : undefined]) {
                if (typeof ns === "string") {
                    used.add(ns);
                }
            }
        }
        // The smoke check's Job namespace exists only on a cluster not of ours (tests/cluster-mode.test.ts).
        expect([...denied].sort()).toEqual([...used, "smoke-check"].sort());
    });
});

describe("Argo CD turned off", () => {
    it("creates nothing of Argo CD and exports no Argo CD output", async () => {
        const { ledger, result } = await runHomelab({ "homelab:argocd": "false" });
        const ofArgoCd = ledger.resources.filter(
            (r) =>
                r.name.startsWith("argocd") ||
                r.type.startsWith("homelab:gitops") ||
                [r.inputs.namespace, r.inputs.metadata?.namespace, r.inputs.metadata?.name].includes("argocd") ||
                r.inputs.chart === "argo-cd" ||
                String(r.inputs.apiVersion).startsWith("argoproj.io/"),
        );
        expect(ofArgoCd).toEqual([]);
        expect(result.argocdUrl).toBeUndefined();
        expect(result.argocdAdminPassword).toBeUndefined();
    });
});

describe("Argo CD's config", () => {
    it("is on by default with no repo, and refuses a repo without Argo CD, a URL Argo CD cannot clone, a path outside the repo", () => {
        expect(problemsOf({})).toEqual([]);
        expect(problemsOf({ "homelab:argocd": "false", "homelab:gitopsRepoUrl": REPO })).toEqual([
            "homelab:gitopsRepoUrl needs Argo CD: npm run pulumi -- config set homelab:argocd true, or npm run pulumi -- config rm homelab:gitopsRepoUrl",
        ]);
        expect(problemsOf({ "homelab:gitopsRepoUrl": "github.com/example/apps" })).toEqual([
            'homelab:gitopsRepoUrl must be a Git URL Argo CD can clone (https://, ssh:// or git@host:path; got "github.com/example/apps").',
        ]);
        expect(problemsOf({ "homelab:gitopsRepoUrl": "git@github.com:example/apps.git" })).toEqual([]);
        expect(problemsOf({ "homelab:gitopsRepoUrl": REPO, "homelab:gitopsPath": "../other" })).toEqual([
            'homelab:gitopsPath must be a path inside the repo, such as apps or "." (got "../other").',
        ]);
        expect(problemsOf({ "homelab:argocd": "yes" })).toEqual(['homelab:argocd must be true or false (got "yes").']);
    });

    it("puts both of Argo CD's gateway ports in the port plan", () => {
        expect(problemsOf({ "homelab:argocdPort": "3000" })).toEqual([
            "homelab:argocdPort 3000 is already homelab:grafanaPort: each URL needs a port of its own.",
        ]);
        expect(problemsOf({ "homelab:argocdHttpsPort": "6443" })).toEqual([
            "homelab:argocdHttpsPort 6443 is taken on every node by the K3s API server: choose another port.",
        ]);
    });
});
