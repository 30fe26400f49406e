import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Shlink } from "../../components/apps/Shlink";
import { redisServersUri, SHLINK_SECRET_KEYS, shlinkEnv } from "../../components/apps/shlinkEnv";
import { redisClientRotation } from "../../components/data/redisRotation";
import { SHLINK } from "../../components/apps/facts";
import { REDIS_ROTATION } from "../../components/data/facts";
import type { HomelabOutputs } from "../../stacks/homelab";
import { runUnderMocks, valueOf, type Ledger, type Recorded } from "../helpers/pulumi";
import { GENERATED, runHomelab } from "../helpers/platform";
import { materialise } from "../helpers/eso";
import { standInVault } from "../helpers/vault";
import type { VaultAccess } from "../../components/contracts/vault";
import { pssLabels } from "../helpers/podSecurity";

/**
 * Every variable Shlink 4.6.0 reads: the cases of its EnvVars enum (module/Core/src/Config/EnvVars.php at
 * v4.6.0), plus the ones RoadRunner's config reads (config/roadrunner/.rr.yml).
 */
const SHLINK_READS = new Set([
    "APP_ENV",
    "DELETE_SHORT_URL_THRESHOLD",
    "DB_DRIVER",
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "DB_HOST",
    "DB_UNIX_SOCKET",
    "DB_PORT",
    "DB_USE_ENCRYPTION",
    "GEOLITE_LICENSE_KEY",
    "CACHE_NAMESPACE",
    "REDIS_SERVERS",
    "REDIS_SENTINEL_SERVICE",
    "REDIS_SERVERS_USER",
    "REDIS_SERVERS_PASSWORD",
    "REDIS_PUB_SUB_ENABLED",
    "MERCURE_ENABLED",
    "MERCURE_PUBLIC_HUB_URL",
    "MERCURE_INTERNAL_HUB_URL",
    "MERCURE_JWT_SECRET",
    "RABBITMQ_ENABLED",
    "RABBITMQ_HOST",
    "RABBITMQ_PORT",
    "RABBITMQ_USER",
    "RABBITMQ_PASSWORD",
    "RABBITMQ_VHOST",
    "RABBITMQ_USE_SSL",
    "MATOMO_ENABLED",
    "MATOMO_BASE_URL",
    "MATOMO_SITE_ID",
    "MATOMO_API_TOKEN",
    "DEFAULT_INVALID_SHORT_URL_REDIRECT",
    "DEFAULT_REGULAR_404_REDIRECT",
    "DEFAULT_BASE_URL_REDIRECT",
    "REDIRECT_STATUS_CODE",
    "REDIRECT_CACHE_LIFETIME",
    "REDIRECT_CACHE_VISIBILITY",
    "BASE_PATH",
    "SHORT_URL_TRAILING_SLASH",
    "SHORT_URL_MODE",
    "ANONYMIZE_REMOTE_ADDR",
    "TRACK_ORPHAN_VISITS",
    "DISABLE_TRACK_PARAM",
    "DISABLE_TRACKING",
    "DISABLE_IP_TRACKING",
    "DISABLE_REFERRER_TRACKING",
    "DISABLE_UA_TRACKING",
    "DISABLE_TRACKING_FROM",
    "DEFAULT_SHORT_CODES_LENGTH",
    "IS_HTTPS_ENABLED",
    "DEFAULT_DOMAIN",
    "AUTO_RESOLVE_TITLES",
    "REDIRECT_EXTRA_PATH_MODE",
    "MULTI_SEGMENT_SLUGS_ENABLED",
    "ROBOTS_ALLOW_ALL_SHORT_URLS",
    "ROBOTS_USER_AGENTS",
    "TIMEZONE",
    "MEMORY_LIMIT",
    "INITIAL_API_KEY",
    "SKIP_INITIAL_GEOLITE_DOWNLOAD",
    "REAL_TIME_UPDATES_TOPICS",
    "CORS_ALLOW_ORIGIN",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_MAX_AGE",
    "TRUSTED_PROXIES",
    "LOGS_FORMAT",
    "REDIRECT_APPEND_EXTRA_PATH",
    "DEFAULT_QR_CODE_SIZE",
    "DEFAULT_QR_CODE_MARGIN",
    "DEFAULT_QR_CODE_FORMAT",
    "DEFAULT_QR_CODE_ERROR_CORRECTION",
    "DEFAULT_QR_CODE_ROUND_BLOCK_SIZE",
    "QR_CODE_FOR_DISABLED_SHORT_URLS",
    "DEFAULT_QR_CODE_COLOR",
    "DEFAULT_QR_CODE_BG_COLOR",
    "DEFAULT_QR_CODE_LOGO_URL",
    // RoadRunner
    "ADDRESS",
    "PORT",
    "WEB_WORKER_NUM",
    "TASK_WORKER_NUM",
]);
/** Read by 4.6.0 but gone in 5.0 (UPGRADE.md): none may be set, so an upgrade changes only the image. */
const REMOVED_IN_5 = ["REDIRECT_APPEND_EXTRA_PATH", ...[...SHLINK_READS].filter((v) => v.includes("QR_CODE"))];

const env = (deployment: Recorded): { name: string; value?: string; valueFrom?: any }[] => deployment.inputs.spec.template.spec.containers[0].env;

describe("shlinkEnv", () => {
    const vars = shlinkEnv({
        database: { host: "db.example", port: 5432, name: "shlink", user: "shlink" },
        secretName: "creds",
        publicDomain: { host: "192.168.2.242", https: false },
    });

    it("sets only variables Shlink reads, none of them removed in 5.x, each once", () => {
        const names = vars.map((v) => v.name as string);
        expect(names.filter((n) => !SHLINK_READS.has(n))).toEqual([]);
        expect(names.filter((n) => REMOVED_IN_5.includes(n))).toEqual([]);
        expect(new Set(names).size).toBe(names.length);
    });

    it("builds short URLs on the address users reach Shlink on", () => {
        const plain = Object.fromEntries(vars.filter((v) => v.value !== undefined).map((v) => [v.name, v.value]));
        expect(plain).toMatchObject({ DEFAULT_DOMAIN: "192.168.2.242", IS_HTTPS_ENABLED: "false" });
    });

    it("points the database settings at PostgreSQL over TLS", () => {
        const plain = Object.fromEntries(vars.filter((v) => v.value !== undefined).map((v) => [v.name, v.value]));
        expect(plain).toMatchObject({
            DB_DRIVER: "postgres",
            DB_HOST: "db.example",
            DB_PORT: "5432",
            DB_NAME: "shlink",
            DB_USER: "shlink",
            DB_USE_ENCRYPTION: "true",
        });
    });

    it("takes every credential from the Secret, never as a plain value", () => {
        const fromSecret = Object.fromEntries(vars.filter((v) => v.valueFrom !== undefined).map((v) => [v.name, v.valueFrom]));
        expect(fromSecret).toEqual({
            DB_PASSWORD: { secretKeyRef: { name: "creds", key: SHLINK_SECRET_KEYS.dbPassword } },
            REDIS_SERVERS: { secretKeyRef: { name: "creds", key: SHLINK_SECRET_KEYS.redisServers } },
            INITIAL_API_KEY: { secretKeyRef: { name: "creds", key: SHLINK_SECRET_KEYS.initialApiKey } },
        });
        for (const v of vars) {
            expect(v.value === undefined || v.valueFrom === undefined, String(v.name)).toBe(true);
        }
    });

    it("fixes the RoadRunner worker pools", () => {
        expect(vars.find((v) => v.name === "WEB_WORKER_NUM")?.value).toBe("4");
        expect(vars.find((v) => v.name === "TASK_WORKER_NUM")?.value).toBe("2");
    });
});

describe("Shlink in the stack", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;
    let deployment: Recorded;

    beforeAll(async () => {
        ({ ledger, result: outputs } = await runHomelab());
        deployment = ledger.byName("shlink-deployment");
    });

    it("runs the pinned image with the configured replicas", () => {
        const container = deployment.inputs.spec.template.spec.containers[0];
        expect(container.image).toBe("shlinkio/shlink:4.6.0");
        expect(deployment.inputs.spec.replicas).toBe(3);
        expect(deployment.inputs.metadata).toMatchObject({ name: "shlink", namespace: "shlink" });
        expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    });

    it("reaches the database at PGO's primary Service and Redis at our master Service", async () => {
        const plain = Object.fromEntries(
            env(deployment)
                .filter((v) => v.value !== undefined)
                .map((v) => [v.name, v.value]),
        );
        expect(plain.DB_HOST).toBe("shlink-db-primary.postgres.svc.cluster.local");
        // The Secret ESO writes from Vault, which the seed filled with the generated values.
        const credentials = materialise(ledger, "shlink-credentials");
        expect(credentials.namespace).toBe("shlink");
        expect(credentials.data).toEqual({
            [SHLINK_SECRET_KEYS.dbPassword]: GENERATED.postgresPassword,
            [SHLINK_SECRET_KEYS.redisServers]: `tcp://:${GENERATED.redisPassword}@shlink-redis-master.redis.svc.cluster.local:6379`,
            [SHLINK_SECRET_KEYS.initialApiKey]: GENERATED.shlinkApiKey,
            // Which Redis password generation REDIS_SERVERS holds (the rotation's client-side Job reads it).
            [REDIS_ROTATION.clientGenerationKey]: "0",
        });
        for (const v of env(deployment).filter((e) => e.valueFrom)) {
            expect(v.valueFrom.secretKeyRef.name, v.name).toBe(credentials.name);
            expect(Object.keys(credentials.data), v.name).toContain(v.valueFrom.secretKeyRef.key);
        }
        const generated = new RegExp(Object.values(GENERATED).join("|"));
        expect(JSON.stringify(deployment.inputs)).not.toMatch(generated);
        expect(JSON.stringify(ledger.byName("shlink-credentials").inputs)).not.toMatch(generated);
    });

    it("starts only after the database is ready and Redis, its Secret (synced by ESO) and the master Service exist", () => {
        const waits = ledger.waitsFor("shlink-deployment");
        for (const backend of ["shlink-db-cluster", "shlink-redis-failover", "shlink-redis-master", "shlink-credentials"]) {
            expect(waits.has(backend), backend).toBe(true);
        }
    });

    it("spreads the pods across nodes and keeps two up through disruptions", () => {
        const pod = deployment.inputs.spec.template;
        const selector = deployment.inputs.spec.selector.matchLabels;
        expect(pod.metadata.labels).toMatchObject(selector);
        expect(pod.spec.topologySpreadConstraints).toEqual([
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: selector },
                matchLabelKeys: ["pod-template-hash"],
                nodeTaintsPolicy: "Honor",
            },
        ]);
        const pdb = ledger.byName("shlink-pdb");
        expect(pdb.inputs.spec).toEqual({ minAvailable: 2, selector: { matchLabels: selector } });
        expect(pdb.inputs.metadata.namespace).toBe("shlink");
        expect(deployment.inputs.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    });

    it("probes /rest/health, giving the first start's migrations minutes", () => {
        const container = deployment.inputs.spec.template.spec.containers[0];
        for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
            expect(container[kind].httpGet, kind).toEqual({ path: "/rest/health", port: "http" });
        }
        const startup = container.startupProbe;
        expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(300);
        const liveness = container.livenessProbe;
        expect(liveness.periodSeconds * liveness.failureThreshold).toBeGreaterThanOrEqual(60);
        const timeout = Number(deployment.inputs.metadata.annotations["pulumi.com/timeoutSeconds"]);
        expect(timeout).toBeGreaterThan(startup.periodSeconds * startup.failureThreshold);
        // Derived from the probe, and still the 900 s an existing stack was created with.
        expect(timeout).toBe(900);
    });

    it("sets requests and limits and runs as the image's non-root user", () => {
        const pod = deployment.inputs.spec.template.spec;
        const container = pod.containers[0];
        expect(container.resources).toEqual({
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { cpu: "1", memory: "768Mi" },
        });
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } });
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(pod.automountServiceAccountToken).toBe(false);
    });

    it("exposes the pods on a ClusterIP Service and exports its address", async () => {
        const service = ledger.byName("shlink-service");
        expect(service.inputs.spec).toEqual({
            type: "ClusterIP",
            selector: deployment.inputs.spec.selector.matchLabels,
            ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }],
        });
        expect(await valueOf(outputs.shlinkServiceAddress)).toBe("http://shlink.shlink.svc.cluster.local:8080");
    });

    it("exports the first API key as a secret", async () => {
        expect(await pulumi.isSecret(outputs.shlinkApiKey)).toBe(true);
        expect(await valueOf(outputs.shlinkApiKey)).toBe(GENERATED.shlinkApiKey);
        expect(ledger.byName("shlink-api-key").inputs).toMatchObject({ length: 40, special: false });
    });

    it("is meshed: its namespace has sidecar injection on and its pods wait for istiod", () => {
        expect(ledger.byName("shlink-ns").inputs.metadata).toEqual({
            name: "shlink",
            // Meshed through Istio's CNI (no istio-init): the injected containers pass restricted.
            labels: { "istio-injection": "enabled", ...pssLabels("restricted") },
        });
        expect(ledger.byName("shlink-deployment").dependsOn).toContain("istio-istiod");
        expect(ledger.waitsFor("shlink-deployment")).toContain("istio-cni");
    });
});

describe("the Shlink component on its own", () => {
    const args = {
        replicas: 4,
        database: { host: pulumi.output("db"), port: 5432, database: "shlink", user: "shlink" },
        redis: { host: pulumi.output("redis"), port: 6379, readyGeneration: 0, rotated: [], rotation: redisClientRotation(0) },
    };

    it("takes its replicas from the caller, makes the pods wait for waitFor, and labels the namespace for injection", async () => {
        const { ledger } = await runUnderMocks({}, () => {
            const istiod = new k8s.core.v1.ConfigMap("istiod-stand-in", { metadata: { name: "istiod" } });
            return new Shlink("shlink", { ...args, vault: standInVault(), meshInjection: true, waitFor: [istiod] });
        });
        expect(ledger.byName("shlink-deployment").dependsOn).toEqual(["shlink-credentials", "istiod-stand-in"]);
        expect(ledger.byName("shlink-deployment").inputs.spec.replicas).toBe(4);
        expect(ledger.byName("shlink-ns").inputs.metadata.labels).toEqual({ "istio-injection": "enabled", ...pssLabels("restricted") });
    });

    it("refuses fewer replicas than the disruption budget needs", () => {
        // Refused before anything is created, so the Vault access is never looked at.
        const vault = {} as VaultAccess;
        expect(() => new Shlink("too-few", { ...args, vault, replicas: SHLINK.minAvailable })).toThrow(/homelab:shlinkReplicas/);
    });
});

describe("redisServersUri", () => {
    it("is one tcp:// address carrying the password, so Predis uses a single connection", () => {
        const uri = redisServersUri("shlink-redis-master.redis.svc.cluster.local", 6379, "abc123");
        expect(uri).toBe("tcp://:abc123@shlink-redis-master.redis.svc.cluster.local:6379");
        expect(uri).not.toContain(",");
        const parsed = new URL(uri);
        expect([parsed.username, parsed.password, parsed.port]).toEqual(["", "abc123", "6379"]);
    });

    it("refuses a password that would need URL-encoding", () => {
        expect(() => redisServersUri("h", 6379, "a@b")).toThrow(/URL-encoding/);
        expect(() => redisServersUri("h", 6379, "{{ .a }}@b")).toThrow(/URL-encoding/);
    });

    it("leaves an ESO template reference in place, to be rendered in the cluster", () => {
        expect(redisServersUri("h", 6379, "{{ .redisPassword }}")).toBe("tcp://:{{ .redisPassword }}@h:6379");
    });
});
