// One full-stack run under mocks with a distinct value for every generated password and key, so a test can
// tell which secret reached which resource.
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { homelab, type HomelabOutputs } from "../../stacks/homelab";
import { fullConfig, runUnderMocks, type Ledger, type MockOptions } from "./pulumi";

/** The generated secrets (40 letters and digits, like the real ones), by what they protect. */
export const GENERATED = {
    postgresPassword: "Pg".repeat(20),
    redisPassword: "Rd".repeat(20),
    shlinkApiKey: "Ak".repeat(20),
    grafanaAdminPassword: "Gf".repeat(20),
    vaultAdminPassword: "Va".repeat(20),
    /** OpenBao's static seal key as 44 characters of standard base64 (32 distinct bytes). */
    vaultSealKey: Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString("base64"),
} as const;

/** The off-site repository's cipher passphrase (64 letters and digits): generated always, used only with repo2 on. */
export const OFFSITE_CIPHER_KEY = "Oc".repeat(32);

/** The Redis password of generation 1 (homelab:redisPasswordGeneration 1; not in the default run). */
export const ROTATED_REDIS_PASSWORD = "Rn".repeat(20);

/** Argo CD's admin password and its bcrypt hash (only the hash reaches the cluster). */
export const ARGOCD_ADMIN = {
    password: "Ac".repeat(20),
    bcryptHash: "$2a$10$" + "h".repeat(53),
} as const;

export const DISTINCT_RANDOMS: MockOptions = {
    outputs: {
        "shlink-db-password": { result: GENERATED.postgresPassword },
        "shlink-redis-password": { result: GENERATED.redisPassword },
        "shlink-redis-password-1": { result: ROTATED_REDIS_PASSWORD },
        "shlink-api-key": { result: GENERATED.shlinkApiKey },
        "observability-grafana-admin-password": { result: GENERATED.grafanaAdminPassword },
        "argocd-admin-password": { result: ARGOCD_ADMIN.password, bcryptHash: ARGOCD_ADMIN.bcryptHash },
        "vault-admin-password": { result: GENERATED.vaultAdminPassword },
        "shlink-db-offsite-cipher": { result: OFFSITE_CIPHER_KEY },
        "vault-seal-key-seal-1": { base64: GENERATED.vaultSealKey, hex: Buffer.from(GENERATED.vaultSealKey, "base64").toString("hex") },
    },
};

type HomelabRun = { ledger: Ledger; result: HomelabOutputs };

/** Runs already made in this worker, by their overrides: the files of a worker share one process (isolate: false). */
const runs = new Map<string, Promise<HomelabRun>>();

/**
 * The lab's config, whole stack (call from beforeAll). A run is a pure function of its config, so a worker makes each
 * distinct one once and the files share it: its ledger is read-only (tests change clones, never the ledger).
 */
export function runHomelab(overrides: Record<string, string | undefined> = {}): Promise<HomelabRun> {
    const key = JSON.stringify(Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b)));
    let run = runs.get(key);
    if (run === undefined) {
        run = runUnderMocks(fullConfig(overrides), () => homelab(loadConfig(capacityPlan)), DISTINCT_RANDOMS).then((r) => deepFreeze(r));
        runs.set(key, run);
    }
    return run;
}

/** Freezes the ledger's records so a test that changed a shared run would fail at once instead of misleading others. */
function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value) && !pulumi.Output.isInstance(value)) {
        Object.freeze(value);
        for (const inner of Object.values(value)) {
            deepFreeze(inner);
        }
    }
    return value;
}

/** The whole stack under a config the loader must refuse: what `homelab()` threw, and what got registered anyway. */
export async function runRefused(config: ReturnType<typeof fullConfig>): Promise<{ thrown: unknown; ledger: Ledger }> {
    let thrown: unknown;
    const { ledger } = await runUnderMocks(config, () => {
        try {
            return homelab(loadConfig(capacityPlan));
        } catch (e) {
            thrown = e;
            return undefined;
        }
    });
    return { thrown, ledger };
}

/** Kubernetes resources the stack creates (reads of existing objects left out). */
export function kubernetesResources(ledger: Ledger) {
    return ledger.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.read);
}
