// Every Kubernetes object the whole stack creates, validated against an upstream schema: core kinds with the
// kubernetes-models classes (Kubernetes' OpenAPI), custom resources with their maintained model package where
// one exists, and PostgresCluster/RedisFailover (no such package) by their embedded core types plus the CRD
// rules the project relies on. A kind with no validator fails the test.
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { PersistentVolumeClaim, ResourceRequirements, TopologySpreadConstraint } from "kubernetes-models/v1";
import { beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_CLUSTER, REDIS_FAILOVER } from "../components/data/crds";
import { check, validateCustomResourceHead, validatePostgresCluster, validateWith, type Inputs, type ModelClass } from "./helpers/crdSchemas";
import { APP_PROJECT_KIND, APPLICATION_KIND, ARGO_API_VERSION } from "../components/gitops/crds";
import { KIALI_API_VERSION, KIALI_KIND } from "../components/observability/kialiCrd";
import type { Ledger, Recorded } from "./helpers/pulumi";
import { kubernetesResources, runHomelab } from "./helpers/platform";
import { OFFSITE } from "./helpers/offsite";

/** Model packages of custom resource groups (installed devDependencies, laid out `<package>/<group>/<version>`). */
const GROUP_PACKAGES: Record<string, string> = {
    "networking.istio.io": "@kubernetes-models/istio",
    "security.istio.io": "@kubernetes-models/istio",
    "telemetry.istio.io": "@kubernetes-models/istio",
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
    "external-secrets.io": "@kubernetes-models/external-secrets",
    "cert-manager.io": "@kubernetes-models/cert-manager",
};

/**
 * `target.creationPolicy` values ESO v2.9.0 serves (apis/externalsecrets/v1/externalsecret_types.go line 40).
 * The model package predates `CreateOrMerge`; an object using it is checked against this list and otherwise
 * goes through the model unchanged (with `Merge`, the policy the model knows that reads the same fields).
 */
const ESO_CREATION_POLICIES = ["Owner", "Orphan", "Merge", "None", "CreateOrMerge"];

/** The inputs the model sees: every field as sent, but a policy newer than the model checked here instead. */
function forModel(type: string, inputs: Inputs): Inputs {
    const policy = inputs.spec?.target?.creationPolicy;
    if (type !== "kubernetes:external-secrets.io/v1:ExternalSecret" || policy !== "CreateOrMerge") {
        return inputs;
    }
    check(ESO_CREATION_POLICIES.includes(policy), `target.creationPolicy ${policy} is served by ESO v2.9.0`);
    return { ...inputs, spec: { ...inputs.spec, target: { ...inputs.spec.target, creationPolicy: "Merge" } } };
}

/** `kubernetes:<group>/<version>:<Kind>` → the module holding that kind's model, or undefined. */
function modelModule(type: string): string | undefined {
    const match = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z]+)$/.exec(type);
    if (!match) {
        return undefined;
    }
    const [, group, version] = match;
    if (group === "core") {
        return `kubernetes-models/${version}`;
    }
    if (!group.includes(".") || group.endsWith(".k8s.io")) {
        return `kubernetes-models/${group}/${version}`;
    }
    const pkg = GROUP_PACKAGES[group];
    return pkg === undefined ? undefined : `${pkg}/${group}/${version}`;
}

async function modelFor(type: string): Promise<ModelClass | undefined> {
    const module = modelModule(type);
    if (module === undefined) {
        return undefined;
    }
    try {
        const exports = (await import(module)) as Record<string, unknown>;
        return exports[type.split(":")[2]] as ModelClass | undefined;
    } catch {
        return undefined;
    }
}

/** RedisFailover (redis-operator chart 3.2.9 CRD): spec required, embedded core types by their models. */
function validateRedisFailover(inputs: Inputs): void {
    validateCustomResourceHead(inputs, REDIS_FAILOVER);
    const spec = inputs.spec;
    check(spec !== undefined && typeof spec === "object", "spec is required");
    for (const part of [spec.redis, spec.sentinel]) {
        check(Number.isInteger(part.replicas), "replicas is an integer");
        if (part.resources !== undefined) {
            validateWith(ResourceRequirements, part.resources);
        }
        for (const constraint of part.topologySpreadConstraints ?? []) {
            validateWith(TopologySpreadConstraint, constraint);
        }
        if (part.exporter !== undefined) {
            check(typeof part.exporter.enabled === "boolean", "exporter.enabled is a boolean");
            check(part.exporter.image === undefined || typeof part.exporter.image === "string", "exporter.image is a string");
            if (part.exporter.resources !== undefined) {
                validateWith(ResourceRequirements, part.exporter.resources);
            }
        }
    }
    const claim = spec.redis.storage?.persistentVolumeClaim;
    if (claim !== undefined) {
        validateWith(PersistentVolumeClaim, claim);
    }
    check(spec.auth === undefined || typeof spec.auth.secretPath === "string", "auth.secretPath is a string");
}

/** Kiali (kiali-operator 2.29.0 CRD): the enums, types and URL fields the program sets. */
function validateKiali(inputs: Inputs): void {
    validateCustomResourceHead(inputs, { apiVersion: KIALI_API_VERSION, kind: KIALI_KIND });
    const spec = inputs.spec;
    check(["", "anonymous", "token", "openshift", "openid", "header"].includes(spec.auth.strategy), "auth.strategy enum");
    check(typeof spec.deployment.view_only_mode === "boolean", "deployment.view_only_mode is a boolean");
    check(typeof spec.deployment.cluster_wide_access === "boolean", "deployment.cluster_wide_access is a boolean");
    check(["ClusterIP", "NodePort", "LoadBalancer"].includes(spec.deployment.service_type), "deployment.service_type");
    check(spec.deployment.accessible_namespaces === undefined, "no deprecated deployment.accessible_namespaces");
    check(
        spec.deployment.network_policy === undefined || typeof spec.deployment.network_policy.enabled === "boolean",
        "deployment.network_policy.enabled is a boolean",
    );
    validateWith(ResourceRequirements, spec.deployment.resources);
    check(Number.isInteger(spec.server.port), "server.port is an integer");
    const services = spec.external_services;
    for (const url of [services.prometheus.url, services.grafana.internal_url, services.grafana.external_url, services.tracing.internal_url]) {
        check(typeof url === "string" && /^https?:\/\/[^/]+/.test(url), `external service URL ${url}`);
    }
    check(["jaeger", "tempo"].includes(services.tracing.provider), "tracing.provider enum");
}

/** `{ server, namespace }` (Argo CD CRD ApplicationDestination; a leading `!` in either denies, Argo CD 2.5+). */
function checkDestination(d: Inputs, where: string): void {
    check(typeof d.server === "string" && d.server !== "" && typeof d.namespace === "string" && d.namespace !== "", `${where}: server and namespace`);
    check(d.name === undefined, `${where}: server or name, not both`);
}

/** `{ group, kind }` (Argo CD CRD GroupKind: both strings, group "" for core). */
function checkGroupKinds(list: unknown, where: string): void {
    check(Array.isArray(list), `${where} is a list`);
    for (const gk of list as Inputs[]) {
        check(typeof gk.group === "string" && typeof gk.kind === "string" && gk.kind !== "", `${where}: group and kind`);
    }
}

/** AppProject (argo-cd chart 10.1.1 CRD appprojects.argoproj.io): the spec fields the program sets, by type. */
function validateAppProject(inputs: Inputs): void {
    validateCustomResourceHead(inputs, { apiVersion: ARGO_API_VERSION, kind: APP_PROJECT_KIND });
    const spec = inputs.spec;
    const known = ["description", "sourceRepos", "destinations", "clusterResourceWhitelist", "namespaceResourceWhitelist"];
    check(
        Object.keys(spec).every((k) => known.includes(k)),
        "spec: known fields only",
    );
    check(Array.isArray(spec.sourceRepos) && spec.sourceRepos.every((r: unknown) => typeof r === "string" && r !== ""), "sourceRepos: strings");
    check(Array.isArray(spec.destinations), "destinations: a list");
    spec.destinations.forEach((d: Inputs, i: number) => checkDestination(d, `destinations[${i}]`));
    checkGroupKinds(spec.clusterResourceWhitelist, "clusterResourceWhitelist");
    if (spec.namespaceResourceWhitelist !== undefined) {
        checkGroupKinds(spec.namespaceResourceWhitelist, "namespaceResourceWhitelist");
    }
}

/** Application (argo-cd chart 10.1.1 CRD applications.argoproj.io): required destination and project, one source. */
function validateApplication(inputs: Inputs): void {
    validateCustomResourceHead(inputs, { apiVersion: ARGO_API_VERSION, kind: APPLICATION_KIND });
    const spec = inputs.spec;
    check(typeof spec.project === "string" && spec.project !== "", "project is required");
    checkDestination(spec.destination, "destination");
    check(spec.sources === undefined, "source or sources, not both");
    check(typeof spec.source.repoURL === "string" && spec.source.repoURL !== "", "source.repoURL is required");
    check(typeof spec.source.path === "string" && typeof spec.source.targetRevision === "string", "source.path and targetRevision");
    check(spec.source.directory === undefined || typeof spec.source.directory.recurse === "boolean", "source.directory.recurse");
    const sync = spec.syncPolicy;
    check(typeof sync.automated.prune === "boolean" && typeof sync.automated.selfHeal === "boolean", "syncPolicy.automated booleans");
    check(Array.isArray(sync.syncOptions) && sync.syncOptions.every((o: unknown) => typeof o === "string" && /^\w+=\w+$/.test(o)), "syncOptions Key=Value");
}

/** A Helm release is no Kubernetes object: check it is pinned, namespaced by us, and its values are data. */
function validateHelmRelease(inputs: Inputs): void {
    check(typeof inputs.chart === "string" && inputs.chart !== "", "chart");
    check(/^v?\d+\.\d+\.\d+$/.test(inputs.version ?? ""), `version pinned exactly (got ${inputs.version})`);
    check(typeof inputs.namespace === "string" && inputs.createNamespace !== true, "namespace of ours");
    check(inputs.chart.startsWith("oci://") === (inputs.repositoryOpts === undefined), "OCI chart xor repository");
    check(JSON.stringify(JSON.parse(JSON.stringify(inputs.values ?? {}))) === JSON.stringify(inputs.values ?? {}), "values are data");
}

/** A server-side-apply patch that sets metadata only (the CNI readiness wait): its metadata by the ObjectMeta model. */
function validateMetadataPatch(inputs: Inputs): void {
    check(
        Object.keys(inputs).every((k) => ["apiVersion", "kind", "metadata"].includes(k)),
        "metadata only",
    );
    validateWith(ObjectMeta, inputs.metadata);
    check(typeof inputs.metadata?.name === "string" && typeof inputs.metadata?.namespace === "string", "name and namespace");
}

const PROJECT_VALIDATORS: Record<string, (inputs: Inputs) => void> = {
    "kubernetes:apps/v1:DaemonSetPatch": validateMetadataPatch,
    [`kubernetes:${POSTGRES_CLUSTER.apiVersion}:${POSTGRES_CLUSTER.kind}`]: validatePostgresCluster,
    [`kubernetes:${REDIS_FAILOVER.apiVersion}:${REDIS_FAILOVER.kind}`]: validateRedisFailover,
    [`kubernetes:${KIALI_API_VERSION}:${KIALI_KIND}`]: validateKiali,
    [`kubernetes:${ARGO_API_VERSION}:${APP_PROJECT_KIND}`]: validateAppProject,
    // A server-side-apply patch of an AppProject: the same fields, the same checks.
    [`kubernetes:${ARGO_API_VERSION}:${APP_PROJECT_KIND}Patch`]: validateAppProject,
    [`kubernetes:${ARGO_API_VERSION}:${APPLICATION_KIND}`]: validateApplication,
    "kubernetes:helm.sh/v3:Release": validateHelmRelease,
};

/** Validates one resource's inputs; throws naming the resource when it fails or has no validator. */
async function validate(resource: Pick<Recorded, "type" | "name" | "inputs">): Promise<string> {
    const project = PROJECT_VALIDATORS[resource.type];
    if (project !== undefined) {
        project(resource.inputs);
        return "project";
    }
    const Model = await modelFor(resource.type);
    if (Model === undefined) {
        throw new Error(`${resource.name}: no schema to validate ${resource.type} against; add its model package or a validator`);
    }
    validateWith(Model, forModel(resource.type, resource.inputs));
    return "model";
}

describe("every Kubernetes object of the stack against its schema", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        // With the user's repo, so Argo CD's projects and root Application are walked too.
        ({ ledger } = await runHomelab({ "homelab:gitopsRepoUrl": "https://github.com/example/homelab-apps.git" }));
    });

    it("validates each one, by an upstream model where one exists", async () => {
        const resources = kubernetesResources(ledger);
        expect(resources.length).toBeGreaterThanOrEqual(19);
        const how: Record<string, string> = {};
        for (const r of resources) {
            how[r.type] = await validate(r).catch((e: Error) => {
                throw new Error(`${r.name} (${r.type}): ${e.message}`);
            });
        }
        // Core kinds must go through the Kubernetes OpenAPI models, never a project check.
        for (const type of [
            "core/v1:Namespace",
            "core/v1:Secret",
            "core/v1:ConfigMap",
            "core/v1:Service",
            "core/v1:ServiceAccount",
            "apps/v1:Deployment",
            "policy/v1:PodDisruptionBudget",
            "external-secrets.io/v1:SecretStore",
            "external-secrets.io/v1:ExternalSecret",
            "external-secrets.io/v1alpha1:PushSecret",
        ]) {
            expect(how[`kubernetes:${type}`], type).toBe("model");
        }
    });

    it("validates the objects of a lab restoring from the off-site repository too (repo2, its ExternalSecret, its NetworkPolicy)", async () => {
        const restoring = await runHomelab({ ...OFFSITE, "homelab:offsiteRestore": "latest", "homelab:shlinkApiKey": "Ok".repeat(20) });
        const resources = kubernetesResources(restoring.ledger);
        expect(resources.map((r) => r.name)).toEqual(expect.arrayContaining(["shlink-db-offsite-credentials", "shlink-db-cluster"]));
        for (const r of resources) {
            await validate(r).catch((e: Error) => {
                throw new Error(`${r.name} (${r.type}): ${e.message}`);
            });
        }
    });

    it("rejects what the schemas forbid, so the walk above can fail", async () => {
        const deployment = ledger.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        const broken = structuredClone(deployment.inputs);
        broken.spec.replicas = "3";
        await expect(validate({ ...deployment, inputs: broken })).rejects.toThrow(/replicas must be integer/);

        const cluster = ledger.byName("shlink-db-cluster");
        const old = structuredClone(cluster.inputs);
        old.spec.postgresVersion = 10;
        await expect(validate({ ...cluster, inputs: old })).rejects.toThrow(/postgresVersion/);
        const badVolume = structuredClone(cluster.inputs);
        badVolume.spec.instances[0].dataVolumeClaimSpec.accessModes = "ReadWriteOnce";
        await expect(validate({ ...cluster, inputs: badVolume })).rejects.toThrow(/accessModes/);
        const badExporter = structuredClone(cluster.inputs);
        badExporter.spec.monitoring.pgmonitor.exporter.port = 9187;
        await expect(validate({ ...cluster, inputs: badExporter })).rejects.toThrow(/known fields only/);

        const failover = ledger.byName("shlink-redis-failover");
        const badClaim = structuredClone(failover.inputs);
        badClaim.spec.redis.storage.persistentVolumeClaim.spec.accessModes = "ReadWriteOnce";
        await expect(validate({ ...failover, inputs: badClaim })).rejects.toThrow(/accessModes must be array/);
        const badSentinelExporter = structuredClone(failover.inputs);
        badSentinelExporter.spec.sentinel.exporter.enabled = "true";
        await expect(validate({ ...failover, inputs: badSentinelExporter })).rejects.toThrow(/exporter.enabled is a boolean/);

        const project = ledger.byName("argocd-user-apps-project");
        const badDestination = structuredClone(project.inputs);
        badDestination.spec.destinations[0].server = "";
        await expect(validate({ ...project, inputs: badDestination })).rejects.toThrow(/destinations\[0\]: server and namespace/);
        const application = ledger.byName("argocd-root-application");
        const noProject = structuredClone(application.inputs);
        delete noProject.spec.project;
        await expect(validate({ ...application, inputs: noProject })).rejects.toThrow(/project is required/);

        await expect(validate({ type: "kubernetes:example.com/v1:Widget", name: "w", inputs: {} })).rejects.toThrow(
            /no schema to validate kubernetes:example\.com\/v1:Widget/,
        );
    });
});
