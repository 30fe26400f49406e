import type { PartOperations } from "../contracts/operations";
import type { VaultEntries } from "../contracts/vault";
import { DATA_CLIENT_NAMESPACE } from "../contracts/connections";
import { POSTGRES, REDIS } from "./facts";
import { dataBudget } from "./budget";

/** The data layer's secrets in Vault: PGO adopts the user's verifier, the redis pods and sentinels take requirepass, Shlink (their one client) reads both. */
const DATA_VAULT_ENTRIES: VaultEntries = {
    /** The `shlink` database user's password and the SCRAM verifier PGO adopts. */
    postgresShlinkUser: { path: "postgres/shlink-user", properties: ["password", "verifier"], readers: [POSTGRES.namespace, DATA_CLIENT_NAMESPACE] },
    /** Redis' requirepass (the redis pods, the sentinels and Shlink), the one before it and their generation (rotation). */
    redisAuth: { path: "redis/auth", properties: ["password", "previousPassword", "generation"], readers: [REDIS.namespace, DATA_CLIENT_NAMESPACE] },
    /** The off-site pgBackRest repository's S3 keys and its cipher passphrase (only with homelab:offsiteBackup* set). */
    postgresOffsiteBackup: {
        path: "postgres/offsite-backup",
        properties: ["accessKey", "secretKey", "cipherPass"],
        readers: [POSTGRES.namespace],
        optional: true,
    },
};

export const dataOperations: PartOperations = { vaultEntries: DATA_VAULT_ENTRIES, budget: dataBudget };
