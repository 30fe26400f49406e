// Secrets from Vault to the workloads: the seed and its pushes, the stores and their roles, the ExternalSecrets,
// and that every Secret a workload reads is one ESO writes in that workload's namespace, synced before it starts.
import { beforeAll, describe, expect, it } from "vitest";
import { pguserSecretMetadata } from "../../components/data/postgresSpec";
import { SECRET_DELIVERY } from "../../components/contracts/vault";
import { VAULT } from "../../components/secrets/facts";
import { VAULT_SEED_SECRET, catalogEntries, readerNamespaces } from "../../components/secrets/catalog";
import { VAULT_CLIENT_SERVICE_ACCOUNT, VAULT_ROLES } from "../../components/contracts/vault";
import { pushSecretSpec, seedKey } from "../../components/secrets/eso";
import { externalSecretSpec, reloadOnSecrets, secretStoreSpec } from "../../components/kubernetes/externalSecrets";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";
import type { Ledger, Recorded } from "../helpers/pulumi";
import { GENERATED, runHomelab } from "../helpers/platform";
import { externalSecrets, materialise, pushSecrets, seedSecret, vaultAfterPushes } from "../helpers/eso";
import { OFFSITE } from "../helpers/offsite";

const SECRET = "kubernetes:core/v1:Secret";
const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const RELOAD = SECRET_DELIVERY.reloadAnnotation;

/** A Secret some workload reads: where, which key (when one), and the resource whose pods read it. */
interface Reference {
    namespace: string;
    name: string;
    key?: string;
    reader: string;
}

/** Every Secret the stack's workloads read, from pod specs, chart values and the operators' custom resources. */
function secretReferences(ledger: Ledger): Reference[] {
    const refs: Reference[] = [];
    const podKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job"];
    for (const w of ledger.resources.filter((r) => r.type.startsWith("kubernetes:") && podKinds.includes(r.type.split(":")[2]))) {
        const namespace = w.inputs.metadata.namespace;
        const pod = w.inputs.spec.template.spec;
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
            for (const e of c.env ?? []) {
                const ref = e.valueFrom?.secretKeyRef;
                if (ref) refs.push({ namespace, name: ref.name, key: ref.key, reader: w.name });
            }
            for (const e of c.envFrom ?? []) {
                if (e.secretRef) refs.push({ namespace, name: e.secretRef.name, reader: w.name });
            }
        }
        for (const v of pod.volumes ?? []) {
            if (v.secret) refs.push({ namespace, name: v.secret.secretName, reader: w.name });
        }
    }
    const kps = ledger.byName("observability-kube-prometheus-stack");
    const admin = kps.inputs.values.grafana.admin;
    refs.push({ namespace: kps.inputs.namespace, name: admin.existingSecret, key: admin.passwordKey, reader: kps.name });
    refs.push({ namespace: kps.inputs.namespace, name: admin.existingSecret, key: admin.userKey, reader: kps.name });
    for (const name of kps.inputs.values.alertmanager.alertmanagerSpec.secrets) {
        refs.push({ namespace: kps.inputs.namespace, name, reader: kps.name });
    }
    const kind = (k: string) => ledger.resources.filter((r) => r.inputs.kind === k);
    for (const cluster of kind("PostgresCluster")) {
        for (const user of cluster.inputs.spec.users) {
            const { name } = pguserSecretMetadata(cluster.inputs.metadata.name, user.name);
            for (const key of ["password", "verifier"]) {
                refs.push({ namespace: cluster.inputs.metadata.namespace, name, key, reader: cluster.name });
            }
        }
        // Secrets PGO projects into pgBackRest's conf.d (the off-site repository's credentials).
        for (const projection of cluster.inputs.spec.backups.pgbackrest.configuration ?? []) {
            refs.push({ namespace: cluster.inputs.metadata.namespace, name: projection.secret.name, reader: cluster.name });
        }
    }
    for (const failover of kind("RedisFailover")) {
        // redis-operator v1.2.4 reads key `password` (service/k8s/util.go).
        refs.push({ namespace: failover.inputs.metadata.namespace, name: failover.inputs.spec.auth.secretPath, key: "password", reader: failover.name });
    }
    for (const kiali of kind("Kiali")) {
        const [, name, key] = kiali.inputs.spec.external_services.grafana.auth.password.split(":");
        refs.push({ namespace: kiali.inputs.metadata.namespace, name, key, reader: kiali.name });
    }
    return refs;
}

describe("secrets from Vault to the workloads", () => {
    let ledger: Ledger;
    let targets: Map<string, Recorded>;

    beforeAll(async () => {
        // With the off-site backup on, so its optional Vault entry is seeded, pushed and read like the others.
        ({ ledger } = await runHomelab(OFFSITE));
        targets = new Map(externalSecrets(ledger).map((es) => [`${es.inputs.metadata.namespace}/${es.inputs.spec.target.name}`, es]));
    });

    it("writes no Secret of its own in a namespace that reads from Vault (shlink, postgres, redis, monitoring, istio-system)", () => {
        expect(readerNamespaces(LAB_VAULT_ENTRIES)).toEqual(["istio-system", "monitoring", "postgres", "redis", "shlink"]);
        const written = ledger.ofType(SECRET).filter((s) => !s.read && readerNamespaces(LAB_VAULT_ENTRIES).includes(s.inputs.metadata.namespace));
        expect(written.map((s) => s.name)).toEqual([]);
    });

    it("has every Secret a workload references written by an ExternalSecret in that namespace, with that key", () => {
        const refs = secretReferences(ledger);
        // Shlink's env, Grafana's login, PGO's user, Redis' auth, Kiali's Grafana login.
        expect(new Set(refs.map((r) => r.reader))).toEqual(
            new Set(["shlink-deployment", "observability-kube-prometheus-stack", "shlink-db-cluster", "shlink-redis-failover", "observability-kiali"]),
        );
        for (const ref of refs) {
            const es = targets.get(`${ref.namespace}/${ref.name}`);
            expect(es, `${ref.reader} reads ${ref.namespace}/${ref.name}`).toBeDefined();
            if (ref.key !== undefined) {
                expect(Object.keys(materialise(ledger, es!.name).data), `${ref.reader} reads ${ref.name}.${ref.key}`).toContain(ref.key);
            }
        }
    });

    it("makes every ExternalSecret wait for Ready and every reader wait for its ExternalSecret", () => {
        const refs = secretReferences(ledger);
        for (const es of externalSecrets(ledger)) {
            expect(es.inputs.metadata.annotations, es.name).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
            const readers = refs.filter((r) => `${r.namespace}/${r.name}` === `${es.inputs.metadata.namespace}/${es.inputs.spec.target.name}`);
            expect(readers.length, `${es.name} has a reader`).toBeGreaterThan(0);
            for (const r of readers) {
                expect(ledger.waitsFor(r.reader), `${r.reader} waits for ${es.name}`).toContain(es.name);
            }
        }
    });

    it("makes every ExternalSecret wait for ESO's release, its namespace's store, and every push into Vault", () => {
        const pushes = pushSecrets(ledger).map((p) => p.name);
        expect(pushes).toHaveLength(catalogEntries(LAB_VAULT_ENTRIES).map(([, e]) => e).length);
        for (const es of externalSecrets(ledger)) {
            const store = ledger.ofType(STORE).find((s) => s.inputs.metadata.namespace === es.inputs.metadata.namespace)!;
            expect(es.dependsOn, es.name).toEqual(expect.arrayContaining(["operators-external-secrets", store.name, ...pushes]));
            expect(ledger.waitsFor(store.name), store.name).toContain("operators-external-secrets");
        }
        for (const push of pushSecrets(ledger)) {
            expect(push.inputs.metadata.annotations).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
            expect([...ledger.waitsFor(push.name)], push.name).toEqual(
                expect.arrayContaining(["operators-external-secrets", "vault-seed-store", "vault-seed-secret"]),
            );
        }
    });

    it("seeds every catalog property from the generated value, secret, in the one seed Secret in `vault`", () => {
        const seed = seedSecret(ledger);
        expect(seed.inputs.metadata).toEqual({ name: VAULT_SEED_SECRET.name, namespace: VAULT.namespace });
        expect(seed.secretInputs).toContain("stringData");
        const keys = catalogEntries(LAB_VAULT_ENTRIES)
            .map(([, e]) => e)
            .flatMap((e) => e.properties.map((p) => seedKey(e, p)));
        expect(Object.keys(seed.inputs.stringData).sort()).toEqual(keys.sort());
        expect(vaultAfterPushes(ledger)).toMatchObject({
            "shlink/api-key": { apiKey: GENERATED.shlinkApiKey },
            "postgres/shlink-user": { password: GENERATED.postgresPassword },
            "redis/auth": { password: GENERATED.redisPassword },
            "monitoring/grafana-admin": { user: "admin", password: GENERATED.grafanaAdminPassword },
        });
        // No generated value anywhere but the seed and where Pulumi already held it before (outputs, the smoke check).
        for (const value of Object.values(GENERATED)) {
            for (const r of [...externalSecrets(ledger), ...pushSecrets(ledger), ...ledger.ofType(STORE)]) {
                expect(JSON.stringify(r.inputs), r.name).not.toContain(value);
            }
        }
    });

    it("pushes each catalog entry once, every property to its path, replaced on change and re-pushed within minutes", () => {
        for (const entry of catalogEntries(LAB_VAULT_ENTRIES).map(([, e]) => e)) {
            const push = pushSecrets(ledger).filter((p) => p.inputs.spec.data[0].match.remoteRef.remoteKey === entry.path);
            expect(push, entry.path).toHaveLength(1);
            expect(push[0].inputs.metadata.namespace).toBe(VAULT.namespace);
            expect(push[0].inputs.spec).toEqual(pushSecretSpec(entry, VAULT_SEED_SECRET.name));
            expect(push[0].inputs.spec).toMatchObject({ updatePolicy: "Replace", refreshInterval: "1m" });
        }
    });

    it("gives each reading namespace one store logging in as reader-<namespace> with its own ServiceAccount, and the seed one as seeder", () => {
        const stores = ledger.ofType(STORE);
        const byNamespace: Record<string, Recorded> = Object.fromEntries(stores.map((s) => [s.inputs.metadata.namespace, s]));
        expect(Object.keys(byNamespace).sort()).toEqual([...readerNamespaces(LAB_VAULT_ENTRIES), VAULT.namespace].sort());
        expect(stores).toHaveLength(readerNamespaces(LAB_VAULT_ENTRIES).length + 1);
        for (const [namespace, store] of Object.entries(byNamespace)) {
            const role = namespace === VAULT.namespace ? VAULT_ROLES.seeder : VAULT_ROLES.reader(namespace);
            expect(store.inputs.spec, namespace).toEqual(secretStoreSpec(role));
            expect(store.inputs.spec.provider.vault).toMatchObject({
                server: "http://openbao-active.vault.svc.cluster.local:8200",
                path: "secret",
                version: "v2",
            });
            const accounts = ledger
                .ofType("kubernetes:core/v1:ServiceAccount")
                .filter((a) => a.inputs.metadata.namespace === namespace && a.inputs.metadata.name === VAULT_CLIENT_SERVICE_ACCOUNT);
            expect(accounts, namespace).toHaveLength(1);
            expect(ledger.waitsFor(store.name), namespace).toContain(accounts[0].name);
        }
    });

    it("has each ExternalSecret read only paths the catalog lets its namespace read (what its Vault role's policy grants)", () => {
        const readable = (namespace: string) =>
            catalogEntries(LAB_VAULT_ENTRIES)
                .map(([, e]) => e)
                .filter((e) => (e.readers as readonly string[]).includes(namespace));
        for (const es of externalSecrets(ledger)) {
            const namespace = es.inputs.metadata.namespace;
            for (const read of es.inputs.spec.data) {
                const entry = readable(namespace).find((e) => e.path === read.remoteRef.key);
                expect(entry, `${es.name} reads ${read.remoteRef.key}`).toBeDefined();
                expect(entry!.properties, `${es.name} reads ${read.remoteRef.key}#${read.remoteRef.property}`).toContain(read.remoteRef.property);
            }
            expect(es.inputs.spec.secretStoreRef).toEqual({ name: SECRET_DELIVERY.storeName, kind: "SecretStore" });
            expect(es.inputs.spec.refreshInterval).toBe("1m");
        }
        // And every reader namespace reads something: no role without a use.
        expect([...new Set(externalSecrets(ledger).map((es) => es.inputs.metadata.namespace))].sort()).toEqual(readerNamespaces(LAB_VAULT_ENTRIES));
    });

    it("puts Reloader's annotation exactly on the workloads of ours that read a Secret ESO writes, naming exactly those Secrets", () => {
        const refs = secretReferences(ledger);
        const deployments = ledger.ofType("kubernetes:apps/v1:Deployment");
        for (const d of deployments) {
            const read = [...new Set(refs.filter((r) => r.reader === d.name).map((r) => r.name))];
            const expected = read.length === 0 ? undefined : reloadOnSecrets(...read)[RELOAD];
            expect(d.inputs.metadata.annotations?.[RELOAD], d.name).toBe(expected);
            // Never on the pod template: Reloader reads the workload's own annotations.
            expect(d.inputs.spec.template.metadata?.annotations?.[RELOAD], d.name).toBeUndefined();
        }
        expect(deployments.filter((d) => d.inputs.metadata.annotations?.[RELOAD]).map((d) => d.name)).toEqual(["shlink-deployment"]);
        // Grafana's Deployment comes from the chart: its `annotations` value lands on the Deployment's metadata.
        const grafana = ledger.byName("observability-kube-prometheus-stack").inputs.values.grafana;
        expect(grafana.annotations).toEqual({ [RELOAD]: grafana.admin.existingSecret });
        expect(grafana.podAnnotations?.[RELOAD]).toBeUndefined();
    });

    it("builds the ExternalSecret specs the stack sends from the catalog", () => {
        expect(() => externalSecretSpec("x", [{ secretKey: "k", entry: "redisAuth", property: "nope" as "password" }], LAB_VAULT_ENTRIES)).toThrow(
            /redis\/auth has no property nope/,
        );
        // A read of an entry no part declares (here: the data part's entries left out) has no path to read.
        const { redisAuth, ...withoutRedis } = LAB_VAULT_ENTRIES;
        expect(redisAuth?.path).toBe("redis/auth");
        expect(() => externalSecretSpec("x", [{ secretKey: "k", entry: "redisAuth", property: "password" }], withoutRedis)).toThrow(
            "no part declares the Vault entry redisAuth",
        );
        expect(reloadOnSecrets("b", "a")).toEqual({ [RELOAD]: "a,b" });
    });
});
