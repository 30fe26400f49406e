import type { PartOperations } from "../contracts/operations";
import type { VaultEntries } from "../contracts/vault";
import { POSTGRES, REDIS, SHLINK } from "../defaults";
import { dataBudget } from "./budget";

/** The data layer's secrets in Vault: PGO adopts the user's verifier, the redis pods and sentinels take requirepass, Shlink reads both. */
const DATA_VAULT_ENTRIES: VaultEntries = {
    /** The `shlink` database user's password and the SCRAM verifier PGO adopts. */
    postgresShlinkUser: { path: "postgres/shlink-user", properties: ["password", "verifier"], readers: [POSTGRES.namespace, SHLINK.namespace] },
    /** Redis' requirepass (the redis pods, the sentinels and Shlink), the one before it and their generation (rotation). */
    redisAuth: { path: "redis/auth", properties: ["password", "previousPassword", "generation"], readers: [REDIS.namespace, SHLINK.namespace] },
    /** The off-site pgBackRest repository's S3 keys and its cipher passphrase (only with homelab:offsiteBackup* set). */
    postgresOffsiteBackup: {
        path: "postgres/offsite-backup",
        properties: ["accessKey", "secretKey", "cipherPass"],
        readers: [POSTGRES.namespace],
        optional: true,
    },
};

export const dataOperations: PartOperations = { vaultEntries: DATA_VAULT_ENTRIES, budget: dataBudget };
