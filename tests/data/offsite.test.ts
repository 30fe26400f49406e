// The off-site pgBackRest repository (repo2) and the restore of a fresh lab from it, under mocks: what the
// PostgresCluster asks PGO for, how the credentials travel (config → seed → Vault → ExternalSecret → pgBackRest's
// conf.d), that they stay secret, and the config that turns it on, half on, or restoring.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { OFFSITE_REQUIRED } from "../../components/config/backup";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { POSTGRES } from "../../components/data/facts";
import {
    OFFSITE_CONFIGURATION_FILE,
    offsiteConfigurationText,
    offsiteDataSource,
    offsiteRepoOptions,
    postgresClusterSpec,
} from "../../components/data/postgresSpec";
import type { HomelabOutputs } from "../../stacks/homelab";
import { validatePostgresCluster } from "../helpers/crdSchemas";
import { materialise, pushSecrets, seedSecret, vaultAfterPushes } from "../helpers/eso";
import { OFFSITE_CIPHER_KEY, runHomelab, runRefused } from "../helpers/platform";
import { fullConfig, valueOf, type Ledger } from "../helpers/pulumi";
import { problemsOf, raw } from "../config/raw";
import { OFFSITE, OFFSITE_ACCESS_KEY, OFFSITE_SECRET_KEY } from "../helpers/offsite";

const CLUSTER = "shlink-db-cluster";
const CONFIG_SECRET = "shlink-db-pgbackrest-offsite";
const PATH = "postgres/offsite-backup";

const problems = problemsOf;

describe("the off-site repository, off (the default)", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        ({ ledger, result: outputs } = await runHomelab());
    });

    it("asks PGO for repo1 alone: no bucket, no configuration Secret, no restore, no cipher output, nothing pushed for it", () => {
        const spec = ledger.byName(CLUSTER).inputs.spec;
        expect(spec.backups.pgbackrest.repos.map((r: { name: string }) => r.name)).toEqual(["repo1"]);
        expect(spec.backups.pgbackrest.configuration).toBeUndefined();
        expect(Object.keys(spec.backups.pgbackrest.global).filter((k) => k.startsWith("repo2"))).toEqual([]);
        expect(spec.dataSource).toBeUndefined();
        expect(ledger.resources.filter((r) => r.name === "shlink-db-offsite-credentials")).toEqual([]);
        expect(pushSecrets(ledger).filter((p) => p.inputs.spec.data[0].match.remoteRef.remoteKey === PATH)).toEqual([]);
        expect(outputs.offsiteBackupCipherKey).toBeUndefined();
    });

    it("still generates the cipher key, so turning the repository off and on again keeps the bucket readable", () => {
        expect(ledger.byName("shlink-db-offsite-cipher").inputs).toMatchObject({ length: 64, special: false });
    });
});

describe("the off-site repository, on", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        ({ ledger, result: outputs } = await runHomelab(OFFSITE));
    });

    it("adds repo2 on the bucket with its own schedules, retention, path, URI style and cipher, beside repo1", () => {
        const cluster = ledger.byName(CLUSTER).inputs;
        const pgbackrest = cluster.spec.backups.pgbackrest;
        expect(pgbackrest.repos[0].name).toBe("repo1");
        expect(pgbackrest.repos[1]).toEqual({
            name: "repo2",
            s3: { bucket: "homelab-backups", endpoint: "s3.eu-central-003.backblazeb2.com", region: "eu-central-003" },
            schedules: { full: CONFIG_DEFAULTS.offsiteBackupFullSchedule, differential: CONFIG_DEFAULTS.offsiteBackupDifferentialSchedule },
        });
        expect(pgbackrest.global).toEqual({
            "repo1-retention-full": "2",
            "repo1-retention-full-type": "count",
            "repo2-path": "/homelab/shlink-db",
            "repo2-s3-uri-style": "host",
            "repo2-cipher-type": "aes-256-cbc",
            "repo2-retention-full": "4",
            "repo2-retention-full-type": "count",
            "repo2-bundle": "y",
        });
        // Manual backups (the annotation) stay on the local repository.
        expect(pgbackrest.manual).toEqual({ repoName: "repo1", options: ["--type=full"] });
        expect(cluster.spec.dataSource).toBeUndefined();
        validatePostgresCluster(cluster);
    });

    it("projects the Secret ESO writes into pgBackRest's conf.d, and creates the cluster only after it is synced", () => {
        const pgbackrest = ledger.byName(CLUSTER).inputs.spec.backups.pgbackrest;
        expect(pgbackrest.configuration).toEqual([{ secret: { name: CONFIG_SECRET } }]);
        const es = ledger.byName("shlink-db-offsite-credentials");
        expect(es.inputs.metadata).toMatchObject({ name: CONFIG_SECRET, namespace: "postgres" });
        expect(es.inputs.spec.data.map((d: { remoteRef: object }) => d.remoteRef)).toEqual([
            { key: PATH, property: "accessKey" },
            { key: PATH, property: "secretKey" },
            { key: PATH, property: "cipherPass" },
        ]);
        expect(ledger.waitsFor(CLUSTER)).toContain("shlink-db-offsite-credentials");
    });

    it("delivers the keys and the generated cipher passphrase from config through Vault into one pgBackRest ini file", () => {
        expect(vaultAfterPushes(ledger)[PATH]).toEqual({ accessKey: OFFSITE_ACCESS_KEY, secretKey: OFFSITE_SECRET_KEY, cipherPass: OFFSITE_CIPHER_KEY });
        const secret = materialise(ledger, "shlink-db-offsite-credentials");
        expect(Object.keys(secret.data)).toEqual([OFFSITE_CONFIGURATION_FILE]);
        expect(OFFSITE_CONFIGURATION_FILE).toMatch(/\.conf$/);
        expect(secret.data[OFFSITE_CONFIGURATION_FILE]).toBe(
            `[global]\nrepo2-s3-key=${OFFSITE_ACCESS_KEY}\nrepo2-s3-key-secret=${OFFSITE_SECRET_KEY}\nrepo2-cipher-pass=${OFFSITE_CIPHER_KEY}\n`,
        );
        expect(offsiteConfigurationText({ accessKey: "a", secretKey: "s", cipherPass: "c" })).toBe(
            "[global]\nrepo2-s3-key=a\nrepo2-s3-key-secret=s\nrepo2-cipher-pass=c\n",
        );
    });

    it("keeps the keys and the cipher passphrase secret end to end: only in the seed Secret's secret stringData, and a secret output", async () => {
        for (const value of [OFFSITE_ACCESS_KEY, OFFSITE_SECRET_KEY, OFFSITE_CIPHER_KEY]) {
            const holders = ledger.resources.filter((r) => JSON.stringify(r.inputs).includes(value));
            expect(
                holders.map((r) => r.name),
                value,
            ).toEqual(["vault-seed-secret"]);
            expect(holders[0].secretInputs).toContain("stringData");
        }
        expect(seedSecret(ledger).secretInputs).toContain("stringData");
        expect(await pulumi.isSecret(outputs.offsiteBackupCipherKey!)).toBe(true);
        expect(await valueOf(outputs.offsiteBackupCipherKey!)).toBe(OFFSITE_CIPHER_KEY);
    });

    it("gives pgBackRest exactly the repo2 options the real-tool test runs (tests/data/pgbackrest.test.ts)", () => {
        const config = validateConfig(raw(OFFSITE), capacityPlan).config!.offsiteBackup!;
        expect(offsiteRepoOptions(config)).toEqual({
            "repo2-type": "s3",
            "repo2-s3-bucket": "homelab-backups",
            "repo2-s3-endpoint": "s3.eu-central-003.backblazeb2.com",
            "repo2-s3-region": "eu-central-003",
            "repo2-path": "/homelab/shlink-db",
            "repo2-s3-uri-style": "host",
            "repo2-cipher-type": "aes-256-cbc",
            "repo2-retention-full": "4",
            "repo2-retention-full-type": "count",
            "repo2-bundle": "y",
        });
    });
});

describe("a fresh lab restoring from the off-site repository (homelab:offsiteRestore)", () => {
    it("latest: creates the cluster from repo2 with every WAL segment in the bucket, then runs as a lab backing up to it", async () => {
        const { ledger } = await runHomelab({ ...OFFSITE, "homelab:offsiteRestore": "latest", "homelab:shlinkApiKey": "Ok".repeat(20) });
        const cluster = ledger.byName(CLUSTER).inputs;
        expect(cluster.spec.dataSource).toEqual({
            pgbackrest: {
                stanza: "db",
                repo: {
                    name: "repo2",
                    s3: { bucket: "homelab-backups", endpoint: "s3.eu-central-003.backblazeb2.com", region: "eu-central-003" },
                    schedules: { full: "0 3 * * 0", differential: "0 3 * * 1-6" },
                },
                global: { "repo2-path": "/homelab/shlink-db", "repo2-s3-uri-style": "host", "repo2-cipher-type": "aes-256-cbc" },
                configuration: [{ secret: { name: CONFIG_SECRET } }],
                options: [],
            },
        });
        // The same repository stays the lab's repo2: PGO's stanza-create finds the restored database's own stanza.
        expect(cluster.spec.backups.pgbackrest.repos[1].s3).toEqual(cluster.spec.dataSource.pgbackrest.repo.s3);
        expect(cluster.metadata.annotations["pulumi.com/timeoutSeconds"]).toBe("3600");
        validatePostgresCluster(cluster);
    });

    it("a point in time: --type=time and the target PGO passes to pgbackrest restore (it adds --target-action=promote itself)", async () => {
        const { ledger } = await runHomelab({ ...OFFSITE, "homelab:offsiteRestore": "2026-12-01T18:30:00Z", "homelab:shlinkApiKey": "Ok".repeat(20) });
        const cluster = ledger.byName(CLUSTER).inputs;
        expect(cluster.spec.dataSource.pgbackrest.options).toEqual(["--type=time", '--target="2026-12-01 18:30:00+00"']);
        for (const refused of ["--repo", "--stanza", "--pg1-path", "--target-action", "--link-map"]) {
            expect(
                cluster.spec.dataSource.pgbackrest.options.some((o: string) => o.startsWith(refused)),
                refused,
            ).toBe(false);
        }
        validatePostgresCluster(cluster);
    });

    it("builds the data source from the same settings as the repository itself", () => {
        const config = validateConfig(raw({ ...OFFSITE, "homelab:offsiteRestore": "2026-12-01 18:30:00+01:00" }), capacityPlan).config!.offsiteBackup!;
        const source = offsiteDataSource({ config, configurationSecret: "s" });
        const spec = postgresClusterSpec({
            clusterName: "shlink-db",
            sizing: { volumeGiB: 1, backupVolumeGiB: 1, backupRetentionFull: 1 },
            initSql: { configMapName: "c", key: "k" },
            offsite: { config, configurationSecret: "s" },
        });
        expect(source.repo).toEqual(spec.backups!.pgbackrest.repos[1]);
        expect(source.options).toEqual(["--type=time", '--target="2026-12-01 18:30:00+01:00"']);
        for (const [key, value] of Object.entries(source.global!)) {
            expect(spec.backups!.pgbackrest.global![key], key).toBe(value);
        }
    });
});

describe("the old lab's Shlink API key (homelab:shlinkApiKey)", () => {
    const OLD_KEY = "Ok".repeat(20);

    it("replaces the generated key everywhere it goes (Vault, Shlink's initial key, the output), secret", async () => {
        const { ledger, result } = await runHomelab({ ...OFFSITE, "homelab:offsiteRestore": "latest", "homelab:shlinkApiKey": OLD_KEY });
        expect(vaultAfterPushes(ledger)["shlink/api-key"]).toEqual({ apiKey: OLD_KEY });
        expect(await valueOf(result.shlinkApiKey)).toBe(OLD_KEY);
        expect(await pulumi.isSecret(result.shlinkApiKey)).toBe(true);
        expect(ledger.resources.filter((r) => JSON.stringify(r.inputs).includes(OLD_KEY)).every((r) => r.secretInputs.length > 0)).toBe(true);
    });

    it("is noted when a restore goes without it (the end-to-end check would be refused), and refused when malformed", () => {
        const restoring = validateConfig(raw({ ...OFFSITE, "homelab:offsiteRestore": "latest" }), capacityPlan);
        expect(restoring.problems).toEqual([]);
        expect(restoring.notes.join("\n")).toContain("npm run pulumi -- config set --secret homelab:shlinkApiKey (paste");
        expect(
            validateConfig(raw({ ...OFFSITE, "homelab:offsiteRestore": "latest", "homelab:shlinkApiKey": OLD_KEY }), capacityPlan).notes.join("\n"),
        ).not.toContain("shlinkApiKey");
        expect(problems({ "homelab:shlinkApiKey": "not a key!" })).toEqual([
            "homelab:shlinkApiKey must be a Shlink API key, 16-128 letters, digits or hyphens (value not shown): npm run pulumi -- config set --secret homelab:shlinkApiKey",
        ]);
    });
});

describe("the off-site config", () => {
    it("accepts the five keys, with the defaults of Pulumi.yaml for the rest", () => {
        const result = validateConfig(raw(OFFSITE), capacityPlan);
        expect(result.problems).toEqual([]);
        expect(result.config!.offsiteBackup).toEqual({
            endpoint: "s3.eu-central-003.backblazeb2.com",
            bucket: "homelab-backups",
            region: "eu-central-003",
            path: "/homelab/shlink-db",
            uriStyle: "host",
            schedules: { full: "0 3 * * 0", differential: "0 3 * * 1-6" },
            retentionFull: 4,
        });
        expect(validateConfig(raw({}), capacityPlan).config!.offsiteBackup).toBeUndefined();
    });

    it("refuses half a configuration with one message naming what is missing, how to set it, and how to turn it off", () => {
        const half = { "homelab:offsiteBackupBucket": "homelab-backups", "homelab:offsiteBackupAccessKey": OFFSITE_ACCESS_KEY };
        const found = problems(half);
        expect(found).toHaveLength(1);
        expect(found[0]).toContain("half configured");
        for (const key of Object.keys(OFFSITE_REQUIRED)) {
            expect(found[0]).toContain(`homelab:${key}`);
        }
        expect(found[0]).toContain("npm run pulumi -- config set --secret homelab:offsiteBackupSecretKey");
        expect(found[0]).toContain("npm run pulumi -- config rm homelab:offsiteBackupBucket && npm run pulumi -- config rm homelab:offsiteBackupAccessKey");
        expect(found[0]).not.toContain(OFFSITE_ACCESS_KEY);
        // A restore without the repository to restore from is half a configuration too.
        expect(problems({ "homelab:offsiteRestore": "latest" })[0]).toContain("half configured");
        expect(problems({ "homelab:offsiteBackupCipherKey": "k".repeat(64) })[0]).toContain("half configured");
    });

    it("refuses values pgBackRest or PGO could not use, each with the key and what to set", () => {
        const bad = {
            ...OFFSITE,
            "homelab:offsiteBackupEndpoint": "https://s3.example.com/",
            "homelab:offsiteBackupBucket": "Homelab_Backups",
            "homelab:offsiteBackupRegion": "EU Central",
            "homelab:offsiteBackupPath": "homelab",
            "homelab:offsiteBackupUriStyle": "virtual",
            "homelab:offsiteBackupFullSchedule": "0 3 * *",
            "homelab:offsiteBackupDifferentialSchedule": "0 25 * * *",
            "homelab:offsiteBackupRetentionFull": "0",
            "homelab:offsiteBackupSecretKey": "two words",
            "homelab:offsiteRestore": "yesterday",
        };
        const found = problems(bad);
        for (const key of [
            "offsiteBackupEndpoint",
            "offsiteBackupBucket",
            "offsiteBackupRegion",
            "offsiteBackupPath",
            "offsiteBackupUriStyle",
            "offsiteBackupFullSchedule",
            "offsiteBackupDifferentialSchedule",
            "offsiteBackupRetentionFull",
            "offsiteBackupSecretKey",
            "offsiteRestore",
        ]) {
            expect(
                found.filter((p) => p.startsWith(`homelab:${key} `)),
                key,
            ).toHaveLength(1);
        }
        expect(found.join("\n")).not.toContain("two words");
        // A time whose quoting could break out of PGO's restore command, or without an offset (ambiguous), is no time.
        expect(problems({ ...OFFSITE, "homelab:offsiteRestore": '2026-12-01 18:30:00+00" --delta "' })).toHaveLength(1);
        expect(problems({ ...OFFSITE, "homelab:offsiteRestore": "2026-12-01 18:30:00" })).toHaveLength(1);
        expect(problems({ ...OFFSITE, "homelab:offsiteBackupCipherKey": "short" })[0]).toContain("shorter than 20");
    });

    it("accepts a MinIO-style endpoint with a port and path-style addressing, and the old lab's cipher key", async () => {
        const minio = {
            ...OFFSITE,
            "homelab:offsiteBackupEndpoint": "nas.lan:9000",
            "homelab:offsiteBackupUriStyle": "path",
            "homelab:offsiteBackupCipherKey": "Ck".repeat(32),
        };
        expect(problems(minio)).toEqual([]);
        const { ledger, result } = await runHomelab(minio);
        expect(vaultAfterPushes(ledger)[PATH].cipherPass).toBe("Ck".repeat(32));
        expect(await valueOf(result.offsiteBackupCipherKey!)).toBe("Ck".repeat(32));
        expect(await pulumi.isSecret(result.offsiteBackupCipherKey!)).toBe(true);
    });

    it("stops the whole stack before any resource when it is half configured (a RunError, not a stack trace)", async () => {
        const { thrown, ledger } = await runRefused(fullConfig({ "homelab:offsiteBackupEndpoint": "s3.example.com" }));
        expect(thrown).toBeInstanceOf(pulumi.RunError);
        expect(String((thrown as Error).message)).toContain("half configured");
        expect(ledger.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});

describe("the backup alerts of the stack", () => {
    const ruleExprs = (ledger: Ledger) =>
        (ledger.byName("observability-backup-rules").inputs.spec.groups[0].rules as { alert: string; expr: string; labels: { repo: string } }[]).map(
            (r) => `${r.alert} ${r.labels.repo}: ${r.expr}`,
        );

    it("watch repo1 alone by default, allowing a day of schedule plus the grace", async () => {
        const { ledger } = await runHomelab();
        const rules = ruleExprs(ledger);
        expect(rules).toHaveLength(2);
        expect(rules[0]).toBe(
            'HomelabBackupTooOld 1: min by (repo) (ccp_backrest_last_incr_backup_time_since_completion_seconds{pg_cluster="postgres:shlink-db",repo="1"}) > 97200',
        );
        expect(rules[1]).toMatch(/^HomelabBackupMissing 1: absent\(/);
    });

    it("watch repo2 too when it is on, with the age its own schedules allow", async () => {
        const { ledger } = await runHomelab({ ...OFFSITE, "homelab:offsiteBackupDifferentialSchedule": "0 3 * * 3" });
        const rules = ruleExprs(ledger).filter((r) => / 2: /.test(r));
        // Sundays and Wednesdays at 03:00: four days at most between them, plus three hours.
        expect(rules[0]).toMatch(/repo="2"\}\) > 356400$/);
        expect(rules[1]).toMatch(/^HomelabBackupMissing 2: absent\(.*repo="2"/);
    });

    it("read pgMonitor's series, which PGO 6.0.3's exporter has only for PostgreSQL 17 and older (exporter.go:68-72)", () => {
        expect(POSTGRES.postgresVersion).toBeLessThanOrEqual(17);
    });
});

describe("the way out to the bucket (NetworkPolicies: the postgres namespace's egress is restricted)", () => {
    const egress = (ledger: Ledger) =>
        ledger.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.inputs.metadata.name === "egress-postgres-to-offsite-backup");

    it("opens the store's port from the postgres namespace to any address, only with the repository on", async () => {
        expect(egress((await runHomelab()).ledger)).toBeUndefined();
        const b2 = egress((await runHomelab(OFFSITE)).ledger)!;
        expect(b2.inputs.metadata.namespace).toBe("postgres");
        expect(b2.inputs.spec).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ ports: [{ port: 443, protocol: "TCP" }] }],
        });
        const minio = egress(
            (
                await runHomelab({
                    ...OFFSITE,
                    "homelab:offsiteBackupEndpoint": "nas.lan:9000",
                    "homelab:offsiteBackupUriStyle": "path",
                    "homelab:offsiteBackupCipherKey": "Ck".repeat(32),
                })
            ).ledger,
        )!;
        expect(minio.inputs.spec.egress[0].ports).toEqual([{ port: 9000, protocol: "TCP" }]);
        expect(problems({ ...OFFSITE, "homelab:offsiteBackupEndpoint": "nas.lan:70000" })[0]).toMatch(/^homelab:offsiteBackupEndpoint /);
    });
});
