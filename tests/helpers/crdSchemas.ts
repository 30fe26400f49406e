// Schema checks of the custom resources no model package covers (PostgresCluster from the PGO v6.0.3 CRD), shared
// by the stack's schema test and the drills' tests.
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { EnvVar, PersistentVolumeClaimSpec, ResourceRequirements, TopologySpreadConstraint, Volume, VolumeMount, VolumeProjection } from "kubernetes-models/v1";
import { POSTGRES_CLUSTER } from "../../components/data/crds";

export type Inputs = Record<string, any>;
/** A kubernetes-models class: constructed from plain data, validated against its JSON schema. */
export interface ModelClass {
    new (data: never): { validate(): void };
}

export function check(condition: boolean, message: string): void {
    if (!condition) {
        throw new Error(message);
    }
}

export const validateWith = (Model: ModelClass, data: unknown) => new Model(data as never).validate();

export function validateCustomResourceHead(inputs: Inputs, expected: { apiVersion: string; kind: string }): void {
    check(inputs.apiVersion === expected.apiVersion && inputs.kind === expected.kind, `not a ${expected.kind}`);
    validateWith(ObjectMeta, inputs.metadata);
    check(typeof inputs.metadata?.name === "string" && typeof inputs.metadata?.namespace === "string", "name and namespace");
}

/** Fields of the PGO v6.0.3 CRD that hold a `resources` (ResourceRequirements) beside others of their own. */
const PGO_RESOURCE_HOLDERS: Record<string, readonly string[]> = {
    // spec.instances[].sidecars.replicaCertCopy, spec.backups.pgbackrest.sidecars.{pgbackrest,pgbackrestConfig}: resources only.
    replicaCertCopy: ["resources"],
    pgbackrest: ["resources"],
    pgbackrestConfig: ["resources"],
    // spec.backups.pgbackrest.repoHost and .jobs.
    repoHost: ["affinity", "log", "priorityClassName", "resources", "sshConfigMap", "sshSecret", "tolerations", "topologySpreadConstraints", "volumes"],
    jobs: ["affinity", "log", "priorityClassName", "resources", "tolerations", "ttlSecondsAfterFinished", "volumes"],
};

/** `parent`'s entries among `fields`, each with only the CRD's fields and its resources by the core model. */
function validateResourcesOf(parent: Inputs | undefined, fields: readonly string[], where: string): void {
    for (const [field, holder] of Object.entries(parent ?? {})) {
        if (holder === undefined) {
            continue;
        }
        check(fields.includes(field), `${where}: no field ${field}`);
        check(
            Object.keys(holder).every((k) => PGO_RESOURCE_HOLDERS[field].includes(k)),
            `${where}.${field}: known fields only`,
        );
        if (holder.resources !== undefined) {
            validateWith(ResourceRequirements, holder.resources);
        }
    }
}

/** PostgresCluster (PGO v6.0.3 CRD): required fields, ranges and patterns, embedded core types by their models. */
export function validatePostgresCluster(inputs: Inputs): void {
    validateCustomResourceHead(inputs, POSTGRES_CLUSTER);
    const spec = inputs.spec;
    check(Number.isInteger(spec.postgresVersion) && spec.postgresVersion >= 11 && spec.postgresVersion <= 18, "postgresVersion 11-18");
    check(Array.isArray(spec.instances) && spec.instances.length >= 1, "instances: at least one set");
    for (const set of spec.instances) {
        check(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/.test(set.name ?? ""), "instance set name pattern");
        check(`${inputs.metadata.name}${set.name ?? ""}`.length <= 46, "cluster and set name within 46 characters");
        check(set.replicas === undefined || (Number.isInteger(set.replicas) && set.replicas >= 1), "replicas >= 1");
        validateWith(PersistentVolumeClaimSpec, set.dataVolumeClaimSpec);
        check(set.dataVolumeClaimSpec.accessModes?.length > 0, "data volume: accessModes");
        check(set.dataVolumeClaimSpec.resources?.requests?.storage !== undefined, "data volume: storage request");
        if (set.resources !== undefined) {
            validateWith(ResourceRequirements, set.resources);
        }
        for (const constraint of set.topologySpreadConstraints ?? []) {
            validateWith(TopologySpreadConstraint, constraint);
        }
        validateResourcesOf(set.sidecars, ["replicaCertCopy"], "instances[].sidecars");
    }
    if (spec.monitoring !== undefined) {
        const exporter = spec.monitoring.pgmonitor.exporter;
        const fields = ["configuration", "customTLSSecret", "image", "resources"];
        check(
            Object.keys(exporter).every((k) => fields.includes(k)),
            "monitoring.pgmonitor.exporter: known fields only",
        );
        if (exporter.resources !== undefined) {
            validateWith(ResourceRequirements, exporter.resources);
        }
    }
    check((spec.users ?? []).length <= 64, "at most 64 users");
    for (const user of spec.users ?? []) {
        check(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(user.name) && user.name.length <= 63, "user name pattern");
        check(user.options === undefined || (!user.options.includes(";") && user.options.length <= 200), "user options");
    }
    if (spec.databaseInitSQL !== undefined) {
        check(typeof spec.databaseInitSQL.name === "string" && typeof spec.databaseInitSQL.key === "string", "databaseInitSQL name and key");
    }
    if (spec.backups !== undefined) {
        const pgbackrest = spec.backups.pgbackrest;
        check(Array.isArray(pgbackrest.repos) && pgbackrest.repos.length >= 1, "pgbackrest: at least one repo");
        for (const repo of pgbackrest.repos) {
            validatePGBackRestRepo(repo);
        }
        check(pgbackrest.manual === undefined || /^repo[1-4]/.test(pgbackrest.manual.repoName), "manual.repoName repo1-repo4");
        validateResourcesOf(pgbackrest.sidecars, ["pgbackrest", "pgbackrestConfig"], "pgbackrest.sidecars");
        validateResourcesOf({ repoHost: pgbackrest.repoHost, jobs: pgbackrest.jobs }, ["repoHost", "jobs"], "pgbackrest");
        validatePGBackRestSettings(pgbackrest);
        // CEL on spec.backups.pgbackrest: no log-path in global.
        check(pgbackrest.global?.["log-path"] === undefined, "pgbackrest global: no log-path");
    }
    if (spec.dataSource !== undefined) {
        const sources = Object.keys(spec.dataSource);
        check(
            sources.length === 1 && ["pgbackrest", "postgresCluster", "volumes"].includes(sources[0]),
            "dataSource: one of pgbackrest, postgresCluster, volumes",
        );
        const cloud = spec.dataSource.pgbackrest;
        if (cloud !== undefined) {
            check(typeof cloud.stanza === "string" && cloud.repo !== undefined, "dataSource.pgbackrest: repo and stanza required");
            validatePGBackRestRepo(cloud.repo);
            // CEL on dataSource.pgbackrest: "Only S3, GCS or Azure repos can be used as a pgBackRest data source."
            check(cloud.repo.volume === undefined, "dataSource.pgbackrest.repo: no volume");
            validatePGBackRestSettings(cloud);
            check(
                Array.isArray(cloud.options ?? []) && (cloud.options ?? []).every((o: unknown) => typeof o === "string"),
                "dataSource.pgbackrest.options: strings",
            );
        }
        const source = spec.dataSource.postgresCluster;
        if (source !== undefined) {
            check(/^repo[1-4]/.test(source.repoName ?? ""), "dataSource.postgresCluster.repoName required, repo1-repo4");
            check(source.clusterName === undefined || typeof source.clusterName === "string", "dataSource.postgresCluster.clusterName is a string");
        }
    }
}

/** TestRun spec fields (grafana/k6-operator v1.6.0 config/crd/bases/k6.io_testruns.yaml, `spec.properties`). */
const TEST_RUN_SPEC_FIELDS = [
    "args",
    "arguments",
    "cleanup",
    "initializer",
    "parallelism",
    "paused",
    "ports",
    "quiet",
    "runner",
    "script",
    "scuttle",
    "separate",
    "starter",
    "testRunId",
    "token",
];
/** The operator's Pod type, shared by `runner`, `starter` and `initializer` (same CRD, `spec.properties.runner.properties`). */
const TEST_RUN_POD_FIELDS = [
    "affinity",
    "automountServiceAccountToken",
    "containerSecurityContext",
    "disabled",
    "env",
    "envFrom",
    "image",
    "imagePullPolicy",
    "imagePullSecrets",
    "initContainers",
    "livenessProbe",
    "metadata",
    "nodeSelector",
    "priorityClassName",
    "readinessProbe",
    "resources",
    "schedulerName",
    "securityContext",
    "serviceAccountName",
    "tolerations",
    "topologySpreadConstraints",
    "volumeMounts",
    "volumes",
];

function validateTestRunPod(pod: Inputs, where: string): void {
    check(
        Object.keys(pod).every((k) => TEST_RUN_POD_FIELDS.includes(k)),
        `${where}: known fields only`,
    );
    check(pod.image === undefined || typeof pod.image === "string", `${where}.image is a string`);
    for (const env of pod.env ?? []) {
        validateWith(EnvVar, env);
    }
    if (pod.resources !== undefined) {
        validateWith(ResourceRequirements, pod.resources);
    }
    for (const volume of pod.volumes ?? []) {
        validateWith(Volume, volume);
    }
    for (const mount of pod.volumeMounts ?? []) {
        validateWith(VolumeMount, mount);
    }
}

/** TestRun (k6-operator v1.6.0 CRD, chart 4.6.0): parallelism and script required, the Pod-typed parts by their core models. */
export function validateTestRun(inputs: Inputs): void {
    validateCustomResourceHead(inputs, { apiVersion: "k6.io/v1alpha1", kind: "TestRun" });
    const spec = inputs.spec;
    check(
        Object.keys(spec).every((k) => TEST_RUN_SPEC_FIELDS.includes(k)),
        "spec: known fields only",
    );
    check(Number.isInteger(spec.parallelism) && spec.parallelism >= 1 && spec.parallelism < 2 ** 31, "parallelism: an int32 of at least 1");
    check(typeof spec.script?.configMap?.name === "string", "script.configMap.name required");
    check(spec.arguments === undefined || typeof spec.arguments === "string", "arguments is a string");
    for (const part of ["runner", "starter", "initializer"]) {
        if (spec[part] !== undefined) {
            validateTestRunPod(spec[part], part);
        }
    }
}

/** One `repos[]` item (or a data source's `repo`): name `^repo[1-4]`, a volume or a bucket, schedules of at least 6 characters. */
function validatePGBackRestRepo(repo: Inputs): void {
    check(/^repo[1-4]/.test(repo.name ?? ""), "repo name repo1-repo4");
    if (repo.volume !== undefined) {
        validateWith(PersistentVolumeClaimSpec, repo.volume.volumeClaimSpec);
        check(repo.volume.volumeClaimSpec.accessModes?.length > 0, "repo volume: accessModes");
        check(repo.volume.volumeClaimSpec.resources?.requests?.storage !== undefined, "repo volume: storage request");
    }
    if (repo.s3 !== undefined) {
        check(
            ["bucket", "endpoint", "region"].every((k) => typeof repo.s3[k] === "string"),
            "repo s3: bucket, endpoint and region required",
        );
        check(
            Object.keys(repo.s3).every((k) => ["bucket", "endpoint", "region"].includes(k)),
            "repo s3: known fields only",
        );
    }
    for (const [kind, schedule] of Object.entries(repo.schedules ?? {})) {
        check(["full", "differential", "incremental"].includes(kind) && typeof schedule === "string" && schedule.length >= 6, `repo schedule ${kind}`);
    }
}

/** `global` (string values) and `configuration` (core VolumeProjections) of the archive or a data source. */
function validatePGBackRestSettings(settings: Inputs): void {
    for (const value of Object.values(settings.global ?? {})) {
        check(typeof value === "string", "pgbackrest global values are strings");
    }
    for (const projection of settings.configuration ?? []) {
        validateWith(VolumeProjection, projection);
    }
}
