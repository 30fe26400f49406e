// The off-site pgBackRest repository (repo2, any S3-compatible store) and the restore of a fresh lab from it.
import { cronProblem } from "../kubernetes/cron";
import { configRm, configSet, configSetSecret, PULUMI_CLI } from "./fix";
import { Reader } from "./read";
import type { Checked, OffsiteBackupConfig, OffsiteRestore } from "./types";

/** What turns the off-site repository on: all of them, or none. */
export const OFFSITE_REQUIRED = {
    offsiteBackupEndpoint: configSet("homelab:offsiteBackupEndpoint", "s3.eu-central-003.backblazeb2.com"),
    offsiteBackupBucket: configSet("homelab:offsiteBackupBucket", "<bucket>"),
    offsiteBackupRegion: configSet("homelab:offsiteBackupRegion", "eu-central-003"),
    // Credentials are typed at Pulumi's prompt, never on a command line.
    offsiteBackupAccessKey: configSetSecret("homelab:offsiteBackupAccessKey"),
    offsiteBackupSecretKey: configSetSecret("homelab:offsiteBackupSecretKey"),
} as const;

/** Keys that only mean something with the repository on (the defaulted ones cannot be told from unset). */
const OFFSITE_DEPENDENT = ["offsiteBackupCipherKey", "offsiteRestore"] as const;

/** The keys that hold credentials: checked for shape here, read with requireSecret by the loader, never printed. */
export const OFFSITE_SECRET_KEYS = ["offsiteBackupAccessKey", "offsiteBackupSecretKey", "offsiteBackupCipherKey"] as const;

/** An S3 endpoint: a DNS name or IPv4 address, with an optional port (pgBackRest reads `host:port`), no scheme. */
const ENDPOINT = /^(?=.{1,253}(:\d{1,5})?$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/;
/** S3's bucket naming rules (lower case, digits, dots and hyphens, 3-63 characters). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** An absolute path in the bucket; pgBackRest keeps the stanza below it. */
const REPO_PATH = /^\/[A-Za-z0-9._/-]*$/;
/** A point in time with its UTC offset: what PostgreSQL's recovery_target_time reads, without room for shell quoting. */
const RESTORE_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
/** A credential as one ini value: no whitespace, no line break (the value itself is never printed). */
const INI_VALUE = /^[^\s#;]+$/;
/** A cipher key of ours is 64 letters and digits; one of another origin needs at least this much. */
const CIPHER_KEY_MIN_LENGTH = 20;

/** A restore without the old lab's API key: Shlink keeps the restored keys and ignores the generated one. */
export const RESTORE_API_KEY_NOTE =
    "homelab:offsiteRestore without homelab:shlinkApiKey: the restored database keeps the old lab's API keys, and Shlink creates the " +
    "stack's new one only while it has none, so the end-to-end check at the end of up will be refused (401). Set the old key first: " +
    `${configSetSecret("homelab:shlinkApiKey")} (paste the old lab's shlinkApiKey output at its prompt; docs/disaster-recovery.md).`;

/** Shlink API keys: ours are 40 letters and digits, Shlink's own UUIDs. */
const API_KEY = /^[A-Za-z0-9-]{16,128}$/;

export function validateBackup(h: Record<string, unknown>): Checked<OffsiteBackupConfig | undefined> {
    const read = new Reader(h);
    const problems = read.problems;
    const apiKey = h.shlinkApiKey;
    if (apiKey !== undefined && apiKey !== "" && (typeof apiKey !== "string" || !API_KEY.test(apiKey))) {
        problems.push(
            "homelab:shlinkApiKey must be a Shlink API key, 16-128 letters, digits or hyphens (value not shown): " + configSetSecret("homelab:shlinkApiKey"),
        );
    }
    const required = Object.keys(OFFSITE_REQUIRED) as (keyof typeof OFFSITE_REQUIRED)[];
    const set = required.filter((key) => h[key] !== undefined && h[key] !== "");
    const dependent = OFFSITE_DEPENDENT.filter((key) => h[key] !== undefined && h[key] !== "");
    if (set.length === 0 && dependent.length === 0) {
        return { problems };
    }
    if (set.length < required.length) {
        const missing = required.filter((key) => !set.includes(key));
        const given = [...set, ...dependent].map((key) => `homelab:${key}`).join(", ");
        problems.push(
            `The off-site backup is half configured (${given} set; ${missing.map((k) => `homelab:${k}`).join(", ")} missing): ` +
                `set ${missing.map((k) => OFFSITE_REQUIRED[k]).join(" && ")}, ` +
                `or turn it off: ${[...set, ...dependent].map((k) => configRm(`homelab:${k}`)).join(" && ")}.`,
        );
        return { problems };
    }
    const endpoint = read.optional("offsiteBackupEndpoint")!;
    const bucket = read.optional("offsiteBackupBucket")!;
    const region = read.optional("offsiteBackupRegion")!;
    const path = read.str("offsiteBackupPath");
    const uriStyle = read.str("offsiteBackupUriStyle");
    const schedules = { full: read.str("offsiteBackupFullSchedule"), differential: read.str("offsiteBackupDifferentialSchedule") };
    const retentionFull = read.int("offsiteBackupRetentionFull", 1, 100);
    const port = offsiteEndpointPort(endpoint);
    if (!ENDPOINT.test(endpoint) || port < 1 || port > 65_535) {
        problems.push(
            `homelab:offsiteBackupEndpoint must be the store's host name, with a port if not 443, without https:// or a path (got "${endpoint}"): ` +
                OFFSITE_REQUIRED.offsiteBackupEndpoint,
        );
    }
    if (!BUCKET.test(bucket)) {
        problems.push(`homelab:offsiteBackupBucket must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens; got "${bucket}").`);
    }
    if (!REGION.test(region)) {
        problems.push(`homelab:offsiteBackupRegion must be the store's region, e.g. us-east-1 or eu-central-003 (got "${region}").`);
    }
    if (!REPO_PATH.test(path) || path.split("/").includes("..")) {
        problems.push(`homelab:offsiteBackupPath must be an absolute path in the bucket, such as /homelab/shlink-db (got "${path}").`);
    }
    if (uriStyle !== "host" && uriStyle !== "path") {
        problems.push(`homelab:offsiteBackupUriStyle must be "host" (bucket.endpoint: AWS, B2) or "path" (endpoint/bucket: MinIO, Garage; got "${uriStyle}").`);
    }
    for (const [kind, schedule] of Object.entries(schedules)) {
        const why = cronProblem(schedule);
        if (why !== undefined) {
            const key = kind === "full" ? "offsiteBackupFullSchedule" : "offsiteBackupDifferentialSchedule";
            problems.push(`homelab:${key} must be a cron schedule in UTC such as "0 3 * * 0" (${why}; got "${schedule}").`);
        }
    }
    for (const key of OFFSITE_SECRET_KEYS) {
        const value = h[key];
        if (value !== undefined && value !== "" && (typeof value !== "string" || !INI_VALUE.test(value))) {
            problems.push(`homelab:${key} must be one word without spaces, line breaks, # or ; (value not shown): ${configSetSecret(`homelab:${key}`)}`);
        }
    }
    const cipherKey = h.offsiteBackupCipherKey;
    if (typeof cipherKey === "string" && cipherKey !== "" && cipherKey.length < CIPHER_KEY_MIN_LENGTH) {
        problems.push(
            `homelab:offsiteBackupCipherKey is shorter than ${CIPHER_KEY_MIN_LENGTH} characters (value not shown): set the key the old lab exported ` +
                `(${PULUMI_CLI} stack output --show-secrets offsiteBackupCipherKey), or ${configRm("homelab:offsiteBackupCipherKey")} to generate one.`,
        );
    }
    const restore = restoreTarget(read.optional("offsiteRestore"), problems);
    const notes = restore && (h.shlinkApiKey === undefined || h.shlinkApiKey === "") ? [RESTORE_API_KEY_NOTE] : [];
    if (problems.length > 0) {
        return { problems };
    }
    return {
        problems,
        notes,
        value: {
            endpoint,
            bucket,
            region,
            path,
            uriStyle: uriStyle as OffsiteBackupConfig["uriStyle"],
            schedules,
            retentionFull: retentionFull!,
            ...(restore === undefined ? {} : { restore }),
        },
    };
}

/** homelab:offsiteRestore: `latest` (every WAL segment in the bucket replayed) or a point in time with its offset. */
function restoreTarget(value: string | undefined, problems: string[]): OffsiteRestore | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (value === "latest") {
        return { kind: "latest" };
    }
    if (!RESTORE_TIME.test(value) || Number.isNaN(Date.parse(value.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00")))) {
        problems.push(
            `homelab:offsiteRestore must be "latest" or a time with its UTC offset, such as "2026-12-01 18:30:00+00" (got "${value}"): ` +
                `${configSet("homelab:offsiteRestore", "latest")}, or ${configSet("homelab:offsiteRestore", '"2026-12-01 18:30:00+00"')}.`,
        );
        return undefined;
    }
    return { kind: "time", time: value.replace("T", " ").replace(/Z$/, "+00") };
}

/** The port pgBackRest reaches the store on: the endpoint's `:port`, else HTTPS' 443 (pgBackRest's repo-storage-port default). */
export function offsiteEndpointPort(endpoint: string): number {
    const port = /:(\d+)$/.exec(endpoint);
    return port ? Number(port[1]) : 443;
}
