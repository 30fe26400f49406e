// The operations quarter of the parts' contract: every part declares its Vault entries and its budget lines, the
// compiler refuses a part that forgets either (or names a property an entry does not have), and the layers
// generic over the parts (the Vault catalog, the budget) refuse what would slip through them.
import { beforeAll, describe, expect, it } from "vitest";
import { type BudgetPlan } from "../../components/contracts/budget";
import { budgetLine, podLine } from "../../components/kubernetes/requests";
import type { PartOperations } from "../../components/contracts/operations";
import { VAULT_ENTRY_ORDER, type SeedValues, type VaultEntries, type VaultEntryName, type VaultRead } from "../../components/contracts/vault";
import { catalogEntries, readerNamespaces, vaultCatalog } from "../../components/secrets/catalog";
import { seededEntries } from "../../components/secrets/VaultSeed";
import { platformBudget } from "../../stacks/budget";
import { PARTS } from "../../stacks/parts";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";
import { runHomelab } from "../helpers/platform";
import type { Ledger } from "../helpers/pulumi";

const PLAN: BudgetPlan = { shlinkReplicas: 3, nodeCount: 3, argocd: true };

describe("the operations contract", () => {
    it("does not compile a part without its budget or its Vault entries, nor an entry or a read with a property it does not have", () => {
        // @ts-expect-error -- a part that forgets its budget
        const noBudget: PartOperations = { vaultEntries: {}, vaultReads: [] };
        // @ts-expect-error -- a part that forgets its Vault entries
        const noEntries: PartOperations = { vaultReads: [], budget: () => [] };
        // @ts-expect-error -- a part that forgets what it reads of other parts' entries
        const noReads: PartOperations = { vaultEntries: {}, budget: () => [] };
        const wrongProperty: VaultEntries = {
            // @ts-expect-error -- grafanaAdmin has no property `token`
            grafanaAdmin: { path: "monitoring/grafana-admin", properties: ["user", "token"], readers: ["monitoring"] },
        };
        const notOptional: VaultEntries = {
            // @ts-expect-error -- the off-site entry exists only with its feature on: it must say so
            postgresOffsiteBackup: { path: "postgres/offsite-backup", properties: ["accessKey"], readers: ["postgres"] },
        };
        // @ts-expect-error -- redisAuth has no property `apiKey`
        const wrongRead: VaultRead = { secretKey: "k", entry: "redisAuth", property: "apiKey" };
        // @ts-expect-error -- an entry no part can declare
        const unknownRead: VaultRead = { secretKey: "k", entry: "nope", property: "password" };
        expect([noBudget, noEntries, noReads, wrongProperty, notOptional, wrongRead, unknownRead]).toHaveLength(7);
    });

    it("types the seed values by entry and property: a wrong property or a missing required entry does not compile", () => {
        const values = (apiKey: string): SeedValues => ({
            shlinkApiKey: { apiKey },
            postgresShlinkUser: { password: "p", verifier: "v" },
            redisAuth: { password: "p", previousPassword: "q", generation: "0" },
            grafanaAdmin: { user: "admin", password: "p" },
        });
        // @ts-expect-error -- shlinkApiKey's property is `apiKey`
        const wrong: SeedValues = { ...values("k"), shlinkApiKey: { key: "k" } };
        // @ts-expect-error -- grafanaAdmin is required
        const missing: SeedValues = {
            shlinkApiKey: { apiKey: "k" },
            postgresShlinkUser: { password: "p", verifier: "v" },
            redisAuth: { password: "p", previousPassword: "q", generation: "0" },
        };
        expect(seededEntries(LAB_VAULT_ENTRIES, values("k")).map(([name]) => name)).toEqual([
            "shlinkApiKey",
            "postgresShlinkUser",
            "redisAuth",
            "grafanaAdmin",
        ]);
        expect([wrong, missing]).toHaveLength(2);
    });
});

describe("the Vault catalog over the parts", () => {
    it("holds every entry of the vocabulary, each declared by exactly one part, in the policies' order", () => {
        // Every name of VaultEntryProperties, written out: the compiler refuses a missing or extra key here.
        const every: Record<VaultEntryName, true> = {
            shlinkApiKey: true,
            postgresShlinkUser: true,
            redisAuth: true,
            grafanaAdmin: true,
            postgresOffsiteBackup: true,
        };
        expect([...VAULT_ENTRY_ORDER].sort()).toEqual(Object.keys(every).sort());
        expect(catalogEntries(LAB_VAULT_ENTRIES).map(([name]) => name)).toEqual([...VAULT_ENTRY_ORDER]);
        const owners = Object.fromEntries(PARTS.flatMap((part) => Object.keys(part.vaultEntries).map((name) => [name, part.name])));
        expect(owners).toEqual({
            shlinkApiKey: "apps",
            postgresShlinkUser: "data",
            redisAuth: "data",
            postgresOffsiteBackup: "data",
            grafanaAdmin: "observability",
        });
    });

    it("refuses an entry two parts declare", () => {
        const grafana = PARTS.find((p) => p.name === "observability")!;
        expect(() => vaultCatalog([...PARTS, { vaultEntries: grafana.vaultEntries, vaultReads: [] }])).toThrow(
            "two parts declare the Vault entry grafanaAdmin",
        );
    });

    it("adds the namespaces other parts read an entry from to its owner's readers, and refuses a read of an entry no part declares", () => {
        // Shlink reads the data part's entries: the data part does not name its client.
        expect(LAB_VAULT_ENTRIES.postgresShlinkUser?.readers).toEqual(["postgres", "shlink"]);
        expect(LAB_VAULT_ENTRIES.redisAuth?.readers).toEqual(["redis", "shlink"]);
        const data = PARTS.find((p) => p.name === "data")!;
        expect(data.vaultEntries.postgresShlinkUser?.readers).toEqual(["postgres"]);
        const umami = { vaultEntries: {}, vaultReads: [{ entry: "redisAuth" as const, namespace: "umami" }] };
        expect(vaultCatalog([...PARTS, umami]).redisAuth?.readers).toEqual(["redis", "shlink", "umami"]);
        const withoutData = PARTS.filter((p) => p.name !== "data");
        expect(() => vaultCatalog(withoutData)).toThrow("vaultCatalog: shlink reads the Vault entry postgresShlinkUser, which no part declares");
    });

    it("refuses to seed an entry no part declares, and a required entry without values", () => {
        const { grafanaAdmin, ...withoutGrafana } = LAB_VAULT_ENTRIES;
        const values = {
            shlinkApiKey: { apiKey: "k" },
            postgresShlinkUser: { password: "p", verifier: "v" },
            redisAuth: { password: "p", previousPassword: "q", generation: "0" },
            grafanaAdmin: { user: "admin", password: "p" },
        };
        expect(grafanaAdmin?.readers).toEqual(["monitoring", "istio-system"]);
        expect(() => seededEntries(withoutGrafana, values)).toThrow("values for grafanaAdmin, an entry no part declares");
        expect(() => seededEntries(LAB_VAULT_ENTRIES, { ...values, grafanaAdmin: undefined as never })).toThrow(
            "no values for the required entry grafanaAdmin",
        );
    });
});

describe("reading namespaces against the stack", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runHomelab());
    });

    it("names only namespaces the stack creates: a reader of a namespace no part makes would be a role for nobody", () => {
        const created = new Set(ledger.ofType("kubernetes:core/v1:Namespace").map((ns) => ns.inputs.metadata.name as string));
        for (const release of ledger.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.createNamespace)) {
            created.add(release.inputs.namespace);
        }
        expect(readerNamespaces(LAB_VAULT_ENTRIES).length).toBeGreaterThan(2);
        expect(readerNamespaces(LAB_VAULT_ENTRIES).filter((ns) => !created.has(ns))).toEqual([]);
    });
});

describe("the budget over the parts", () => {
    it("sums every part's lines, in the parts' order", () => {
        // A part left out of the sum would leave its pods out of the capacity check.
        const lines = platformBudget(PLAN);
        expect(lines.length).toBeGreaterThan(10);
        expect(new Set(lines.map((l) => l.what.split("/")[0])).size).toBeGreaterThan(5);
        const contributing = PARTS.filter((part) => part.budget(PLAN).length > 0).map((part) => part.name);
        expect(contributing).toEqual(["operators", "secrets", "data", "apps", "mesh", "observability", "gitops", "load"]);
    });

    it("refuses a part whose workload sets no requests: it would escape the capacity check", () => {
        const careless = {
            name: "careless",
            budget: () => [podLine("careless/worker", { containers: [{ name: "worker", resources: { limits: { memory: "64Mi" } } }] }, 1)],
        };
        expect(() => platformBudget(PLAN, [...PARTS, careless])).toThrow("careless/worker/worker: sets no CPU and memory requests");
        expect(() => budgetLine("careless/job", undefined, 1)).toThrow("careless/job/job: sets no CPU and memory requests");
    });
});
