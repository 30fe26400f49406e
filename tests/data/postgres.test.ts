import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_CLUSTER } from "../../components/data/crds";
import {
    databaseInitSql,
    instanceSetLabels,
    pguserSecretMetadata,
    postgresClusterSpec,
    primaryServiceHost,
    scramSha256Verifier,
} from "../../components/data/postgresSpec";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { POSTGRES } from "../../components/data/facts";
import type { Ledger } from "../helpers/pulumi";
import { GENERATED, runHomelab } from "../helpers/platform";
import { materialise, seedSecret } from "../helpers/eso";
import { pssLabels } from "../helpers/podSecurity";

const sizing = { volumeGiB: 33, backupVolumeGiB: 44, backupRetentionFull: 5 };
const spec = postgresClusterSpec({
    clusterName: "shlink-db",
    sizing,
    initSql: { configMapName: "init-cm", key: "init.sql" },
});

describe("postgresClusterSpec", () => {
    it("asks for PostgreSQL 17 with one primary and two replicas", () => {
        expect(spec.postgresVersion).toBe(17);
        expect(spec.instances).toHaveLength(1);
        expect(spec.instances[0].replicas).toBe(3);
        expect(spec.instances[0].minAvailable).toBe(2);
    });

    it("spreads the instances one per node, selecting the labels PGO puts on them", () => {
        expect(spec.instances[0].topologySpreadConstraints).toEqual([
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: {
                    matchLabels: {
                        "postgres-operator.crunchydata.com/cluster": "shlink-db",
                        "postgres-operator.crunchydata.com/instance-set": POSTGRES.instanceSet,
                    },
                },
            },
        ]);
        expect(instanceSetLabels("a", "b")).toEqual({
            "postgres-operator.crunchydata.com/cluster": "a",
            "postgres-operator.crunchydata.com/instance-set": "b",
        });
    });

    it("sizes the data volumes and the backup repository from config, on local-path", () => {
        expect(spec.instances[0].dataVolumeClaimSpec).toEqual({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "local-path",
            resources: { requests: { storage: "33Gi" } },
        });
        const repo = spec.backups!.pgbackrest.repos[0];
        expect(repo.name).toBe("repo1");
        expect(repo.volume!.volumeClaimSpec).toEqual({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "local-path",
            resources: { requests: { storage: "44Gi" } },
        });
        expect(repo.schedules).toEqual({ full: "0 1 * * 0", differential: "0 1 * * 1-6" });
    });

    it("sets the backup retention for the repository it defines", () => {
        expect(spec.backups!.pgbackrest.global).toEqual({
            "repo1-retention-full": "5",
            "repo1-retention-full-type": "count",
        });
    });

    it("lets an annotation start a full backup of that repository on demand", () => {
        expect(spec.backups!.pgbackrest.manual).toEqual({ repoName: "repo1", options: ["--type=full"] });
        expect(spec.backups!.pgbackrest.repos.map((r) => r.name)).toContain(spec.backups!.pgbackrest.manual!.repoName);
    });

    it("declares user and database shlink, and points databaseInitSQL at the ConfigMap", () => {
        expect(spec.users).toEqual([{ name: "shlink", databases: ["shlink"] }]);
        expect(spec.databaseInitSQL).toEqual({ name: "init-cm", key: "init.sql" });
    });

    it("runs PGO's exporter in every instance pod with explicit requests, its image left to the operator's pin", () => {
        // The only fields the CRD's exporter has are configuration, customTLSSecret, image and resources.
        expect(spec.monitoring).toEqual({
            pgmonitor: { exporter: { resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } } } },
        });
    });

    it("stays within the CRD's rules (PGO v6.0.3 postgresclusters schema)", () => {
        expect(spec.postgresVersion).toBeGreaterThanOrEqual(11);
        expect(spec.postgresVersion).toBeLessThanOrEqual(18);
        for (const set of spec.instances) {
            expect(set.name).toMatch(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/);
            expect(`shlink-db${set.name}`.length).toBeLessThanOrEqual(46);
            expect(set.replicas).toBeGreaterThanOrEqual(1);
            expect(set.dataVolumeClaimSpec.accessModes).not.toHaveLength(0);
        }
        for (const user of spec.users!) {
            expect(user.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
            expect(user.name.length).toBeLessThanOrEqual(63);
        }
        for (const repo of spec.backups!.pgbackrest.repos) {
            expect(repo.name).toMatch(/^repo[1-4]/);
        }
        for (const value of Object.values(spec.backups!.pgbackrest.global!)) {
            expect(typeof value).toBe("string");
        }
    });
});

describe("the schema fix", () => {
    it("makes the user own its database (PG15+ gives the owner schema public), failing loudly", () => {
        const sql = databaseInitSql("shlink", "shlink");
        expect(sql.split("\n")[0]).toBe("\\set ON_ERROR_STOP on");
        expect(sql).toContain('ALTER DATABASE "shlink" OWNER TO "shlink";');
        expect(databaseInitSql('we"ird', "u")).toContain('ALTER DATABASE "we""ird" OWNER TO "u";');
    });
});

describe("scramSha256Verifier", () => {
    it("builds keys that reproduce RFC 7677's SCRAM-SHA-256 exchange", () => {
        const verifier = scramSha256Verifier("pencil", "W22ZaJ0SNY7soEsUEjb6gQ==");
        const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
        expect(match).not.toBeNull();
        const [, salt, storedKeyB64, serverKeyB64] = match!;
        expect(salt).toBe("W22ZaJ0SNY7soEsUEjb6gQ==");
        // RFC 7677 section 3: the server checks the client proof against StoredKey and signs with ServerKey.
        const authMessage =
            "n=user,r=rOprNGfwEbeRWgbNEkqO," +
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," +
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        const storedKey = Buffer.from(storedKeyB64, "base64");
        const clientProof = Buffer.from("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "base64");
        const clientSignature = crypto.createHmac("sha256", storedKey).update(authMessage).digest();
        const clientKey = Buffer.from(clientProof.map((b, i) => b ^ clientSignature[i]));
        expect(crypto.createHash("sha256").update(clientKey).digest().equals(storedKey)).toBe(true);
        const serverSignature = crypto.createHmac("sha256", Buffer.from(serverKeyB64, "base64")).update(authMessage).digest("base64");
        expect(serverSignature).toBe("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    });

    it("refuses passwords SASLprep could change", () => {
        expect(() => scramSha256Verifier("pässword", "AAAA")).toThrow(/ASCII letters and digits/);
    });
});

describe("PGO's names", () => {
    it("names the user Secret and the primary Service as PGO does", () => {
        expect(pguserSecretMetadata("shlink-db", "shlink")).toEqual({
            name: "shlink-db-pguser-shlink",
            labels: {
                "postgres-operator.crunchydata.com/cluster": "shlink-db",
                "postgres-operator.crunchydata.com/pguser": "shlink",
                "postgres-operator.crunchydata.com/role": "pguser",
            },
        });
        expect(primaryServiceHost("shlink-db", "postgres")).toBe("shlink-db-primary.postgres.svc.cluster.local");
    });
});

describe("the PostgreSQL cluster in the stack", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runHomelab());
    });

    it("creates the PostgresCluster shlink-db in namespace postgres, out of the mesh", () => {
        const cluster = ledger.byName("shlink-db-cluster");
        expect(cluster.inputs).toMatchObject({ ...POSTGRES_CLUSTER, metadata: { name: "shlink-db", namespace: "postgres" } });
        expect(cluster.dataDeps).toContain("shlink-db-ns");
        expect(ledger.byName("shlink-db-ns").inputs.metadata).toEqual({
            name: "postgres",
            labels: { "istio-injection": "disabled", ...pssLabels("baseline") },
        });
    });

    it("sizes volumes and retention from the config defaults", () => {
        const spec = ledger.byName("shlink-db-cluster").inputs.spec;
        expect(spec.instances[0].dataVolumeClaimSpec.resources.requests.storage).toBe(`${CONFIG_DEFAULTS.postgresVolumeGiB}Gi`);
        expect(spec.backups.pgbackrest.repos[0].volume.volumeClaimSpec.resources.requests.storage).toBe(`${CONFIG_DEFAULTS.postgresBackupVolumeGiB}Gi`);
        expect(spec.backups.pgbackrest.global["repo1-retention-full"]).toBe(String(CONFIG_DEFAULTS.postgresBackupRetentionFull));
        expect(spec.instances[0].resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    });

    it("runs the schema fix from a ConfigMap of ours, declaratively", () => {
        const configMap = ledger.byName("shlink-db-init-sql");
        const cluster = ledger.byName("shlink-db-cluster");
        expect(cluster.inputs.spec.databaseInitSQL).toEqual({ name: configMap.inputs.metadata.name, key: "init.sql" });
        expect(configMap.inputs.metadata.namespace).toBe("postgres");
        expect(configMap.inputs.data["init.sql"]).toBe(databaseInitSql("shlink", "shlink"));
        expect(cluster.dataDeps).toContain("shlink-db-init-sql");
    });

    it("has ESO write the user Secret PGO adopts before the cluster, with our password and its verifier", () => {
        const es = ledger.byName("shlink-db-pguser");
        const secret = materialise(ledger, "shlink-db-pguser");
        const cluster = ledger.byName("shlink-db-cluster");
        const pguser = pguserSecretMetadata("shlink-db", "shlink");
        expect({ name: secret.name, namespace: secret.namespace, labels: secret.labels }).toEqual({ ...pguser, namespace: "postgres" });
        expect(es.inputs.metadata).toMatchObject({ name: pguser.name, namespace: "postgres" });
        // PGO makes itself the Secret's controller: ESO must neither claim it (Owner) nor clear PGO's keys (Orphan).
        expect(es.inputs.spec.target.creationPolicy).toBe("CreateOrMerge");
        expect(es.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
        expect(secret.data.password).toBe(GENERATED.postgresPassword);
        const salt = ledger.byName("shlink-db-verifier-salt");
        expect(salt.type).toBe("random:index/randomBytes:RandomBytes");
        const saltBase64 = Buffer.alloc(salt.inputs.length, 7).toString("base64");
        expect(secret.data.verifier).toBe(scramSha256Verifier(GENERATED.postgresPassword, saltBase64));
        expect(Object.keys(secret.data).sort()).toEqual(["password", "verifier"]);
        // The values travel only through the seed Secret, as secrets.
        const seed = seedSecret(ledger);
        expect(seed.secretInputs).toContain("stringData");
        expect(JSON.stringify(es.inputs)).not.toContain(GENERATED.postgresPassword);
        expect(cluster.dependsOn).toContain("shlink-db-pguser");
        const password = ledger.byName("shlink-db-password");
        expect(password.inputs).toMatchObject({ length: 40, special: false });
    });

    it("is done only when every instance is ready and the schema fix ran", () => {
        const annotations = ledger.byName("shlink-db-cluster").inputs.metadata.annotations;
        expect(JSON.parse(annotations["pulumi.com/waitFor"])).toEqual([
            "jsonpath={.status.instances[0].readyReplicas}=3",
            "jsonpath={.status.databaseInitSQL}=shlink-db-init-sql",
        ]);
        expect(Number(annotations["pulumi.com/timeoutSeconds"])).toBeGreaterThanOrEqual(600);
    });
});
