// Schema checks of the custom resources no model package covers (PostgresCluster from the PGO v6.0.3 CRD), shared
// by the stack's schema test and the drills' tests.
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { PersistentVolumeClaimSpec, ResourceRequirements, TopologySpreadConstraint, VolumeProjection } from "kubernetes-models/v1";
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
    }
    if (spec.monitoring !== undefined) {
        const exporter = spec.monitoring.pgmonitor.exporter;
        const fields = ["configuration", "customTLSSecret", "image", "resources"];
        check(Object.keys(exporter).every((k) => fields.includes(k)), "monitoring.pgmonitor.exporter: known fields only");
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
        validatePGBackRestSettings(pgbackrest);
        // CEL on spec.backups.pgbackrest: no log-path in global.
        check(pgbackrest.global?.["log-path"] === undefined, "pgbackrest global: no log-path");
    }
    if (spec.dataSource !== undefined) {
        const sources = Object.keys(spec.dataSource);
        check(sources.length === 1 && ["pgbackrest", "postgresCluster", "volumes"].includes(sources[0]), "dataSource: one of pgbackrest, postgresCluster, volumes");
        const cloud = spec.dataSource.pgbackrest;
        if (cloud !== undefined) {
            check(typeof cloud.stanza === "string" && cloud.repo !== undefined, "dataSource.pgbackrest: repo and stanza required");
            validatePGBackRestRepo(cloud.repo);
            // CEL on dataSource.pgbackrest: "Only S3, GCS or Azure repos can be used as a pgBackRest data source."
            check(cloud.repo.volume === undefined, "dataSource.pgbackrest.repo: no volume");
            validatePGBackRestSettings(cloud);
            check(Array.isArray(cloud.options ?? []) && (cloud.options ?? []).every((o: unknown) => typeof o === "string"), "dataSource.pgbackrest.options: strings");
        }
        const source = spec.dataSource.postgresCluster;
        if (source !== undefined) {
            check(/^repo[1-4]/.test(source.repoName ?? ""), "dataSource.postgresCluster.repoName required, repo1-repo4");
            check(source.clusterName === undefined || typeof source.clusterName === "string", "dataSource.postgresCluster.clusterName is a string");
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
        check(["bucket", "endpoint", "region"].every((k) => typeof repo.s3[k] === "string"), "repo s3: bucket, endpoint and region required");
        check(Object.keys(repo.s3).every((k) => ["bucket", "endpoint", "region"].includes(k)), "repo s3: known fields only");
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
