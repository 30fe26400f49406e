// Every object a drill creates or patches, checked against its schema: the Lease by its kubernetes-models
// class, the scratch PostgresCluster by the same checks the stack's PostgresCluster passes, the TestRun as the load's.
import { Lease } from "kubernetes-models/coordination.k8s.io/v1";
import { Affinity } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { DNS_LABEL_PATTERN } from "../../../components/config/defaults";
import { POSTGRES } from "../../../components/data/facts";
import { DRILLS } from "../../../programs/shared/facts";
import { postgresClusterSpec } from "../../../components/data/postgresSpec";
import {
    backupAnnotationPatch,
    countShortUrlsCommand,
    drillLoadSeconds,
    drillPlannedRate,
    lastArchivedWalCommand,
    markRestorePointCommand,
    runnerAvoiding,
    drillRunName,
    drillTestRun,
    manualBackupRepoPatch,
    scratchPostgresCluster,
} from "../../../programs/drills/objects";
import { drillLease, leaseExpiry } from "../../../programs/shared/lease";
import { TIMELINE } from "../../../components/load/scenarios/catalog";
import { testRun } from "../../../components/load/testRun";
import { validateConfig } from "../../../components/config";
import { capacityPlan } from "../../../stacks/capacity";
import { raw } from "../../config/raw";
import { validatePostgresCluster } from "../../helpers/crdSchemas";
import { OFFSITE } from "../../helpers/offsite";
import { T0, TARGET } from "./fakeLab";

describe("the drill lock", () => {
    const lease = drillLease("tester@workstation", T0);

    it("is a coordination.k8s.io/v1 Lease valid against its schema, load/drill-lock, with holder and duration", () => {
        expect(() => new Lease(lease as never).validate()).not.toThrow();
        expect(lease.metadata).toEqual({ name: "drill-lock", namespace: "load" });
        expect(lease.spec.holderIdentity).toBe("tester@workstation");
        expect(lease.spec.acquireTime).toBe("2026-11-22T03:00:00.000000Z");
    });

    it("expires leaseSeconds after its renewTime, so a lock left by a crashed drill is taken over later", () => {
        expect(leaseExpiry(lease)).toBe(T0 + DRILLS.lock.leaseSeconds * 1000);
    });
});

describe("the drill's load", () => {
    const name = drillRunName("node-loss", T0);
    const run = drillTestRun(TARGET, name, drillLoadSeconds(DRILLS.nodeAwaySeconds));

    it("is the baseline TestRun of npm run load, plus the timeline switch and a drill label", () => {
        const plain = testRun(TARGET, "baseline", name, drillLoadSeconds(DRILLS.nodeAwaySeconds));
        expect(run.spec.runner.env).toEqual([...plain.spec.runner.env, { name: TIMELINE.env, value: "1" }]);
        expect({ ...run.spec, runner: { ...run.spec.runner, env: [] } }).toEqual({ ...plain.spec, runner: { ...plain.spec.runner, env: [] } });
        expect(run.metadata.labels).toEqual({ ...plain.metadata.labels, "homelab.drill": "true" });
    });

    it("keeps its runner off the nodes a drill takes away: a core/v1 Affinity (the CRD's runner.affinity), by node name", () => {
        const away = drillTestRun(TARGET, name, 60, ["k3s-3"]);
        expect(away.spec.runner.affinity).toEqual(runnerAvoiding(["k3s-3"]));
        expect(() => new Affinity(runnerAvoiding(["k3s-2", "k3s-3"]) as never).validate()).not.toThrow();
        // The schema bites: a requirement without its operator is refused.
        const broken = {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", values: ["x"] }] }] },
            },
        };
        expect(() => new Affinity(broken as never).validate()).toThrow("operator");
        const term = runnerAvoiding(["k3s-3"]).nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
        // metadata.name is the one field a node selector term may match on (NodeSelectorTerm.matchFields).
        expect(term).toEqual({ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["k3s-3"] }] });
        expect(drillTestRun(TARGET, name, 60, []).spec.runner.affinity).toBeUndefined();
        expect(run.spec.runner.affinity).toBeUndefined();
    });

    it("plans the drill scenario's constant rate: baseline's 20 redirects + 1 creation a second", () => {
        expect(drillPlannedRate()).toBe(21);
    });

    it("is named drill-<drill>-<UTC stamp>, a DNS label, and lasts long enough for steady + hold + recovery + tail", () => {
        expect(name).toBe("drill-node-loss-20261122-030000");
        expect(name).toMatch(DNS_LABEL_PATTERN);
        expect(run.spec.runner.env).toContainEqual({ name: "DURATION_SECONDS", value: String(300 + 120 + 600 + 30) });
    });
});

describe("backup-restore's objects", () => {
    const scratch = scratchPostgresCluster();

    it("the scratch PostgresCluster passes the stack's PostgresCluster schema checks, dataSource included", () => {
        expect(() => validatePostgresCluster(scratch)).not.toThrow();
        expect(() => validatePostgresCluster({ ...scratch, spec: { ...scratch.spec, dataSource: { postgresCluster: { clusterName: "x" } } } })).toThrow(
            "repoName",
        );
    });

    it("restores from the live cluster's repo1, the repo the live spec defines, in the live cluster's namespace", () => {
        const live = postgresClusterSpec({
            clusterName: POSTGRES.clusterName,
            sizing: { volumeGiB: 20, backupVolumeGiB: 20, backupRetentionFull: 2 },
            initSql: { configMapName: "x", key: "y" },
        });
        expect(scratch.spec.dataSource.postgresCluster).toEqual({ clusterName: POSTGRES.clusterName, repoName: "repo1" });
        expect(live.backups!.pgbackrest.repos.map((r) => r.name)).toContain(scratch.spec.dataSource.postgresCluster.repoName);
        expect(scratch.metadata.namespace).toBe(POSTGRES.namespace);
        expect(scratch.spec.postgresVersion).toBe(live.postgresVersion);
        expect(scratch.spec.instances.map((i) => i.replicas)).toEqual([1]);
        // No backups section: the scratch cluster never writes into the live repository.
        expect(Object.keys(scratch.spec)).not.toContain("backups");
    });

    it("asks for the backup the live spec's manual section defines, through PGO's annotation", () => {
        const live = postgresClusterSpec({
            clusterName: POSTGRES.clusterName,
            sizing: { volumeGiB: 20, backupVolumeGiB: 20, backupRetentionFull: 2 },
            initSql: { configMapName: "x", key: "y" },
        });
        expect(live.backups!.pgbackrest.manual).toEqual({ repoName: "repo1", options: ["--type=full"] });
        expect(backupAnnotationPatch("drill-1")).toEqual({ metadata: { annotations: { "postgres-operator.crunchydata.com/pgbackrest-backup": "drill-1" } } });
    });

    it("restores up to a named restore point when given one (PGO adds --target-action=promote itself)", () => {
        const point = scratchPostgresCluster(undefined, { repoName: "repo1", restorePoint: "drill-1" });
        expect(point.spec.dataSource.postgresCluster).toEqual({
            clusterName: POSTGRES.clusterName,
            repoName: "repo1",
            options: ["--type=name", "--target=drill-1"],
        });
        expect(() => validatePostgresCluster(point)).not.toThrow();
        expect(point.spec.dataSource.postgresCluster.options!.some((o) => o.startsWith("--target-action") || o.startsWith("--repo"))).toBe(false);
    });

    it("marks the restore point with writers held back: lock, count, restore point, commit, then a WAL switch", () => {
        expect(markRestorePointCommand("drill-20261122t030000000z")).toEqual([
            "psql",
            "-d",
            "shlink",
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "BEGIN",
            "-c",
            "LOCK TABLE short_urls IN SHARE MODE",
            "-c",
            "SELECT count(*) FROM short_urls",
            "-c",
            "SELECT pg_create_restore_point('drill-20261122t030000000z')",
            "-c",
            "COMMIT",
            "-c",
            "SELECT pg_walfile_name(pg_switch_wal())",
        ]);
        expect(() => markRestorePointCommand("x'); DROP TABLE short_urls; --")).toThrow("lowercase letters, digits and dashes only");
        expect(lastArchivedWalCommand().at(-1)).toBe("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
    });

    it("--repo offsite: restores from the live cluster's repo2, the off-site repository the live spec defines when it is on", () => {
        const offsite = { config: validateConfig(raw(OFFSITE), capacityPlan).config!.offsiteBackup!, configurationSecret: "s" };
        const live = postgresClusterSpec({
            clusterName: POSTGRES.clusterName,
            sizing: { volumeGiB: 20, backupVolumeGiB: 20, backupRetentionFull: 2 },
            initSql: { configMapName: "x", key: "y" },
            offsite,
        });
        const fromBucket = scratchPostgresCluster(undefined, { repoName: "repo2" });
        expect(() => validatePostgresCluster(fromBucket)).not.toThrow();
        expect(fromBucket.spec.dataSource.postgresCluster).toEqual({ clusterName: POSTGRES.clusterName, repoName: "repo2" });
        expect(live.backups!.pgbackrest.repos.find((r) => r.name === "repo2")?.s3).toBeDefined();
        // The patch the drill sends to back up into it, and to set manual backups back.
        expect(manualBackupRepoPatch("repo2")).toEqual({ spec: { backups: { pgbackrest: { manual: { repoName: "repo2" } } } } });
    });

    it("counts Shlink 4.6's short_urls in the Shlink database with psql", () => {
        expect(countShortUrlsCommand()).toEqual(["psql", "-d", "shlink", "-tAc", "SELECT count(*) FROM short_urls"]);
    });
});
