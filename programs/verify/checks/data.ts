// Data: PostgreSQL's primary, replicas, lag, backups and Shlink's login; Redis' master, replicas and Sentinels;
// OpenBao's Raft peers, seal and readers.
import { POSTGRES_CLUSTER } from "../../../components/data/crds";
import { SHLINK } from "../../../components/apps/facts";
import { POD_PORTS, POSTGRES, REDIS, REDIS_ROTATION } from "../../../components/data/facts";
import { VAULT } from "../../../components/secrets/facts";
import { primarySelector } from "../../shared/postgres";
import { SMOKE_PROMISES as P } from "../../../components/smoke/promises";
import { catalogEntries, readerNamespaces } from "../../../components/secrets/catalog";
import { VAULT_CLIENT_SERVICE_ACCOUNT, VAULT_ROLES } from "../../../components/contracts/vault";
import { LAB_VAULT_ENTRIES } from "../../../stacks/vault";
import { fail, isReady, items, names, pass, selector, type Check, type KubeObject, type VerifyContext } from "../check";
import { backupMaxAgeSeconds } from "../../../components/data/alerts";

/** Longest replay lag a healthy replica may show. */
export const MAX_REPLICATION_LAG_SECONDS = 30;
/** A repository without schedules in the spec (none of ours): its newest backup may be this old. */
export const MAX_BACKUP_AGE_HOURS = 26;

/** A repository as the live spec defines it: its name and its cron schedules (full, differential, incremental). */
export interface SpecRepo {
    name: string;
    schedules?: Record<string, string>;
}

/** How old a repository's newest backup may be: the same rule as the backup alerts (its longest gap between runs, plus grace). */
export function backupLimitHours(repo: SpecRepo): number {
    const schedules = Object.values(repo.schedules ?? {});
    return schedules.length === 0 ? MAX_BACKUP_AGE_HOURS : backupMaxAgeSeconds({ repo: repo.name, name: repo.name, schedules }) / 3600;
}

/** What the replication check asks the primary: one line per replica, `name|state|replay lag in seconds`. */
export const REPLICATION_QUERY =
    "SELECT application_name, state, COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)::int FROM pg_stat_replication ORDER BY application_name";

/** psql on the primary over its local socket (container `database`, as the drills do). */
export const replicationCommand = (): string[] => ["psql", "-d", POSTGRES.database, "-tA", "-F", "|", "-c", REPLICATION_QUERY];

/**
 * PHP in a Shlink pod with Shlink's own environment: log in as the `shlink` user over TLS, create a table inside a
 * transaction and roll it back (proves the login and the CREATE privilege, leaves nothing).
 */
export const SHLINK_LOGIN_MARK = "homelab-verify: created and rolled back";
export const shlinkLoginCommand = (): string[] => [
    "php",
    "-r",
    `$d = new PDO("pgsql:host=" . getenv("DB_HOST") . ";port=" . getenv("DB_PORT") . ";dbname=" . getenv("DB_NAME") . ";sslmode=require", getenv("DB_USER"), getenv("DB_PASSWORD"), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);` +
        ` $d->beginTransaction(); $d->exec("CREATE TABLE homelab_verify_probe (id int)"); $d->rollBack(); echo "${SHLINK_LOGIN_MARK}\\n";`,
];

/** redis-cli in a sentinel pod: the address of the master it names (no password: the sentinels have none). */
export const sentinelMasterCommand = (): string[] => [
    "redis-cli",
    "-p",
    String(POD_PORTS.sentinel),
    "SENTINEL",
    "get-master-addr-by-name",
    REDIS_ROTATION.sentinelMasterName,
];

interface Pod extends KubeObject {
    spec?: { containers?: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[]; nodeName?: string };
    status?: KubeObject["status"] & {
        podIP?: string;
        phase?: string;
        containerStatuses?: { name: string; ready: boolean }[];
        initContainerStatuses?: { name: string; ready: boolean }[];
    };
}

const pods = (ctx: VerifyContext, ns: string, labels: Record<string, string>) =>
    items<Pod>(ctx, `/api/v1/namespaces/${ns}/pods?labelSelector=${selector(labels)}`).then((all) =>
        all.filter((p) => p.metadata.deletionTimestamp === undefined),
    );

// PGO v6.0.3 internal/naming/labels.go: an instance pod carries data=postgres (the repo host data=pgbackrest).
const PGO_LABELS = {
    cluster: "postgres-operator.crunchydata.com/cluster",
    role: "postgres-operator.crunchydata.com/role",
    data: "postgres-operator.crunchydata.com/data",
};
const REDIS_LABELS = { "app.kubernetes.io/name": REDIS.name, "app.kubernetes.io/component": "redis" };
const SENTINEL_LABELS = { "app.kubernetes.io/name": REDIS.name, "app.kubernetes.io/component": "sentinel" };
const REDIS_ROLE = "redisfailovers-role";

async function postgresPrimary(ctx: VerifyContext): Promise<Pod | undefined> {
    const [cluster, role] = primarySelector(POSTGRES.clusterName)
        .split(",")
        .map((kv) => kv.split("="));
    return (await pods(ctx, POSTGRES.namespace, { [cluster[0]]: cluster[1], [role[0]]: role[1] }))[0];
}

interface PgBackRestStatus {
    repos?: { name: string; stanzaCreated?: boolean; replicaCreateBackupComplete?: boolean }[];
    scheduledBackups?: { repo?: string; type?: string; succeeded?: number; completionTime?: string; cronJobName?: string }[];
}

/**
 * Every repository the PostgresCluster configures has a recent completed backup (PGO 6.0.3's status.pgbackrest:
 * repos[] and scheduledBackups[] with repo, succeeded and completionTime). repo1 of a cluster younger than a night
 * counts its first backup (replicaCreateBackupComplete). repo2 (off-site) may not be configured at all.
 */
export function backupVerdict(
    specRepos: SpecRepo[],
    status: PgBackRestStatus | undefined,
    createdAt: number,
    now: number,
): { ok: boolean; lines: string[]; problems: string[] } {
    const lines: string[] = [];
    const problems: string[] = [];
    for (const repo of ["repo1", "repo2"]) {
        const spec = specRepos.find((r) => r.name === repo);
        if (spec === undefined) {
            lines.push(`${repo}: not configured${repo === "repo2" ? " (no off-site repository: skipped)" : ""}`);
            if (repo === "repo1") problems.push("repo1 is not configured");
            continue;
        }
        const newest = (status?.scheduledBackups ?? [])
            .filter((b) => b.repo === repo && (b.succeeded ?? 0) > 0 && b.completionTime !== undefined)
            .map((b) => ({ at: Date.parse(b.completionTime!), type: b.type ?? "?" }))
            .sort((a, b) => b.at - a.at)[0];
        const repoStatus = status?.repos?.find((r) => r.name === repo);
        const limitHours = backupLimitHours(spec);
        const young = now - createdAt < limitHours * 3_600_000;
        if (newest !== undefined && now - newest.at <= limitHours * 3_600_000) {
            lines.push(`${repo}: ${newest.type} backup ${Math.round((now - newest.at) / 3_600_000)} h ago`);
        } else if (young && repoStatus?.replicaCreateBackupComplete === true) {
            lines.push(`${repo}: first backup complete (the cluster is younger than ${limitHours} h, no scheduled run yet)`);
        } else if (young && repo === "repo2" && repoStatus?.stanzaCreated === true) {
            lines.push(`${repo}: stanza created, first scheduled backup still to come (the cluster is younger than ${limitHours} h)`);
        } else {
            const last = newest === undefined ? "none completed" : `the newest is ${Math.round((now - newest.at) / 3_600_000)} h old`;
            lines.push(`${repo}: ${last}`);
            problems.push(`${repo} has no backup within ${limitHours} h, what its schedules allow (${last})`);
        }
    }
    return { ok: problems.length === 0, lines, problems };
}

/** The TokenRequest for a reader's ServiceAccount: nothing is stored, the token lapses in ten minutes. */
export function readerTokenRequest() {
    return { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: [] as string[], expirationSeconds: 600 } };
}

/** The reader roles and, for each, one path it must read and one of another namespace it must not. */
export function readerExpectations(): { namespace: string; role: string; own: string; foreign: string | undefined }[] {
    const entries = catalogEntries(LAB_VAULT_ENTRIES).map(([, e]) => e);
    const kvPath = (path: string) => `${VAULT.kvMount}/data/${path}`;
    return readerNamespaces(LAB_VAULT_ENTRIES).map((ns) => {
        const own = entries.find((e) => (e.readers as readonly string[]).includes(ns))!;
        const foreign = entries.find((e) => !(e.readers as readonly string[]).includes(ns));
        return { namespace: ns, role: VAULT_ROLES.reader(ns), own: kvPath(own.path), foreign: foreign === undefined ? undefined : kvPath(foreign.path) };
    });
}

export const DATA_CHECKS: Check[] = [
    {
        id: "data.postgres-topology",
        group: "data",
        proves: `PostgreSQL runs one primary and ${POSTGRES.instances - 1} replicas, all ready`,
        timeoutSeconds: 15,
        async run(ctx) {
            const all = (await pods(ctx, POSTGRES.namespace, { [PGO_LABELS.cluster]: POSTGRES.clusterName })).filter(
                (p) => p.metadata.labels?.[PGO_LABELS.data] === "postgres",
            );
            const role = (r: string) => all.filter((p) => p.metadata.labels?.[PGO_LABELS.role] === r);
            const [primaries, replicas] = [role("master"), role("replica")];
            const notReady = all.filter((p) => !isReady(p)).map((p) => p.metadata.name);
            const evidence = `${primaries.length} primary (${names(primaries.map((p) => p.metadata.name))}), ${replicas.length} replicas, ${notReady.length} not ready`;
            if (primaries.length !== 1 || replicas.length !== POSTGRES.instances - 1 || notReady.length > 0) {
                return fail(
                    evidence,
                    primaries.length !== 1
                        ? `${primaries.length} pods labelled primary: Patroni has ${primaries.length === 0 ? "no leader" : "a split brain"}`
                        : `want ${POSTGRES.instances - 1} ready replicas`,
                    `kubectl -n ${POSTGRES.namespace} get pods -L ${PGO_LABELS.role}; kubectl -n ${POSTGRES.namespace} exec <primary> -c database -- patronictl list`,
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "data.postgres-replication",
        group: "data",
        proves: `both replicas stream from the primary with replay lag under ${MAX_REPLICATION_LAG_SECONDS} s`,
        timeoutSeconds: 20,
        async run(ctx) {
            const primary = await postgresPrimary(ctx);
            if (primary === undefined) {
                return fail("no primary pod", "Patroni has no leader", `kubectl -n ${POSTGRES.namespace} get pods -L ${PGO_LABELS.role}`);
            }
            const out = await ctx.exec(POSTGRES.namespace, primary.metadata.name, "database", replicationCommand(), 15_000);
            const rows = out
                .split("\n")
                .filter((l) => l.includes("|"))
                .map((l) => l.trim().split("|"));
            const streaming = rows.filter(([, state]) => state === "streaming");
            const lagging = streaming.filter(([, , lag]) => Number(lag) > MAX_REPLICATION_LAG_SECONDS);
            const evidence = `${streaming.length} streaming from ${primary.metadata.name}: ${names(rows.map(([n, s, l]) => `${n} ${s} lag ${l} s`))}`;
            if (streaming.length < POSTGRES.instances - 1 || lagging.length > 0) {
                return fail(
                    evidence,
                    streaming.length < POSTGRES.instances - 1
                        ? `want ${POSTGRES.instances - 1} streaming replicas`
                        : `lag over ${MAX_REPLICATION_LAG_SECONDS} s: ${names(lagging.map(([n]) => n))}`,
                    `kubectl -n ${POSTGRES.namespace} logs <replica> -c database; Grafana's data-layer dashboard`,
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "data.backups-recent",
        group: "data",
        proves: "both pgBackRest repositories hold a backup as recent as their schedules allow (repo2 skipped when not configured)",
        timeoutSeconds: 15,
        async run(ctx) {
            const cluster = await ctx.kube.json<
                KubeObject & { spec?: { backups?: { pgbackrest?: { repos?: SpecRepo[] } } }; status?: { pgbackrest?: PgBackRestStatus } }
            >(`/apis/${POSTGRES_CLUSTER.apiVersion}/namespaces/${POSTGRES.namespace}/postgresclusters/${POSTGRES.clusterName}`);
            const specRepos = cluster.spec?.backups?.pgbackrest?.repos ?? [];
            const verdict = backupVerdict(
                specRepos,
                cluster.status?.pgbackrest,
                Date.parse(cluster.metadata.creationTimestamp ?? "1970-01-01T00:00:00Z"),
                ctx.now(),
            );
            return verdict.ok
                ? pass(verdict.lines.join("; "))
                : fail(
                      verdict.lines.join("; "),
                      verdict.problems.join("; "),
                      `kubectl -n ${POSTGRES.namespace} get cronjobs,jobs; kubectl -n ${POSTGRES.namespace} logs job/<backup job>; the PostgresCluster's status.pgbackrest`,
                  );
        },
    },
    {
        id: "data.shlink-login",
        group: "data",
        proves: `the ${POSTGRES.user} user logs in with the password Vault holds (PGO adopted it) and may create a table`,
        timeoutSeconds: 20,
        async run(ctx) {
            const [pod] = (await pods(ctx, SHLINK.namespace, { "app.kubernetes.io/name": SHLINK.name })).filter(isReady);
            if (pod === undefined) {
                return fail("no ready Shlink pod to log in from", "Shlink is down", `kubectl -n ${SHLINK.namespace} get pods`);
            }
            try {
                const out = await ctx.exec(SHLINK.namespace, pod.metadata.name, SHLINK.name, shlinkLoginCommand(), 15_000);
                if (!out.includes(SHLINK_LOGIN_MARK)) {
                    return fail(
                        `from ${pod.metadata.name}: ${out.trim().slice(0, 160)}`,
                        "the login did not report its transaction",
                        "kubectl -n shlink logs <pod> -c shlink",
                    );
                }
                return pass(`from ${pod.metadata.name}: logged in as ${POSTGRES.user} over TLS, CREATE TABLE in a rolled-back transaction`);
            } catch (e) {
                const message = e instanceof Error ? e.message : String(e);
                return fail(
                    `from ${pod.metadata.name}: ${message.slice(0, 200)}`,
                    /password authentication failed/.test(message)
                        ? "PGO did not adopt the user Secret's verifier (the password Vault holds is refused)"
                        : "the login or the CREATE failed",
                    `kubectl -n ${POSTGRES.namespace} get secret ${POSTGRES.clusterName}-pguser-${POSTGRES.user}; kubectl -n ${SHLINK.namespace} describe externalsecret`,
                );
            }
        },
    },
    {
        id: "data.redis-topology",
        group: "data",
        proves: `Redis runs one master and ${REDIS.redisReplicas - 1} replicas, all ready`,
        timeoutSeconds: 15,
        async run(ctx) {
            const all = await pods(ctx, REDIS.namespace, REDIS_LABELS);
            const masters = all.filter((p) => p.metadata.labels?.[REDIS_ROLE] === "master");
            const replicas = all.filter((p) => p.metadata.labels?.[REDIS_ROLE] === "slave");
            const notReady = all.filter((p) => !isReady(p)).map((p) => p.metadata.name);
            const evidence = `${masters.length} master (${names(masters.map((p) => p.metadata.name))}), ${replicas.length} replicas, ${notReady.length} not ready`;
            if (masters.length !== 1 || replicas.length !== REDIS.redisReplicas - 1 || notReady.length > 0) {
                return fail(
                    evidence,
                    masters.length !== 1 ? `${masters.length} pods labelled master by redis-operator` : `want ${REDIS.redisReplicas - 1} ready replicas`,
                    `kubectl -n ${REDIS.namespace} get pods -L ${REDIS_ROLE}; kubectl -n redis-operator logs deploy/redis-operator`,
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "data.sentinels-agree",
        group: "data",
        proves: "every Sentinel names the same master, and it is the pod labelled master",
        timeoutSeconds: 20,
        async run(ctx) {
            const [sentinels, masters] = await Promise.all([
                pods(ctx, REDIS.namespace, SENTINEL_LABELS),
                pods(ctx, REDIS.namespace, { ...REDIS_LABELS, [REDIS_ROLE]: "master" }),
            ]);
            const masterIp = masters[0]?.status?.podIP;
            const answers = await Promise.all(
                sentinels.map(async (s) => {
                    const out = await ctx
                        .exec(REDIS.namespace, s.metadata.name, "sentinel", sentinelMasterCommand(), 10_000)
                        .catch((e: unknown) => `error: ${e instanceof Error ? e.message : String(e)}`);
                    return { name: s.metadata.name, ip: out.trim().split(/\s+/)[0] ?? "" };
                }),
            );
            const distinct = [...new Set(answers.map((a) => a.ip))];
            const evidence = `${answers.length} sentinels: ${names(
                answers.map((a) => `${a.name} → ${a.ip || "(none)"}`),
                3,
            )}; labelled master ${masterIp ?? "none"}`;
            if (answers.length < REDIS.sentinelReplicas || distinct.length !== 1 || distinct[0] !== masterIp) {
                return fail(
                    evidence,
                    answers.length < REDIS.sentinelReplicas
                        ? `want ${REDIS.sentinelReplicas} sentinels`
                        : distinct.length !== 1
                          ? "the sentinels disagree on the master"
                          : "the sentinels' master is not the pod labelled master",
                    `kubectl -n ${REDIS.namespace} exec <sentinel> -- redis-cli -p ${POD_PORTS.sentinel} SENTINEL masters; redis-operator's log`,
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "data.redis-master-service",
        group: "data",
        proves: `our Service ${REDIS.name}-master has exactly one endpoint: the master`,
        timeoutSeconds: 15,
        async run(ctx) {
            const [endpoints, masters] = await Promise.all([
                ctx.kube.json<{ subsets?: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[] }[] }>(
                    `/api/v1/namespaces/${REDIS.namespace}/endpoints/${REDIS.name}-master`,
                ),
                pods(ctx, REDIS.namespace, { ...REDIS_LABELS, [REDIS_ROLE]: "master" }),
            ]);
            const ips = (endpoints.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
            const masterIp = masters[0]?.status?.podIP;
            const evidence = `endpoints ${names(ips)}; master ${masters[0]?.metadata.name ?? "none"} at ${masterIp ?? "?"}`;
            return ips.length === 1 && ips[0] === masterIp
                ? pass(evidence)
                : fail(
                      evidence,
                      ips.length === 0 ? "no endpoint: Shlink cannot reach Redis" : "the Service reaches a pod that is not the master (writes fail READONLY)",
                      `kubectl -n ${REDIS.namespace} get endpoints ${REDIS.name}-master; kubectl -n ${REDIS.namespace} get pods -L ${REDIS_ROLE}`,
                  );
        },
    },
    {
        id: "data.openbao-pods",
        group: "data",
        proves: `OpenBao runs ${VAULT.replicas} pods, all initialised and unsealed, exactly one active`,
        timeoutSeconds: 15,
        async run(ctx) {
            const all = await pods(ctx, VAULT.namespace, VAULT.podLabels);
            const label = (p: Pod, k: string) => p.metadata.labels?.[k];
            const sealed = all.filter((p) => label(p, "openbao-sealed") !== "false").map((p) => p.metadata.name);
            const uninitialised = all.filter((p) => label(p, "openbao-initialized") !== "true").map((p) => p.metadata.name);
            const active = all.filter((p) => label(p, "openbao-active") === "true").map((p) => p.metadata.name);
            const evidence = `${all.length} pods; active ${names(active)}; sealed ${names(sealed)}; uninitialised ${names(uninitialised)}`;
            if (all.length !== VAULT.replicas || sealed.length > 0 || uninitialised.length > 0 || active.length !== 1) {
                return fail(
                    evidence,
                    sealed.length > 0
                        ? "a pod is sealed (the static seal key did not open it)"
                        : active.length !== 1
                          ? `${active.length} active pods`
                          : "a pod is missing or uninitialised",
                    `kubectl -n ${VAULT.namespace} get pods -L openbao-active,openbao-sealed; kubectl -n ${VAULT.namespace} logs openbao-0`,
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "data.openbao-raft-peers",
        group: "data",
        proves: `OpenBao's Raft has ${VAULT.replicas} voting peers and one leader`,
        timeoutSeconds: 20,
        async run(ctx) {
            const admin = await ctx.vaultAdminToken();
            try {
                const config = await ctx.vault.json<{ data?: { config?: { servers?: { node_id: string; leader: boolean; voter: boolean }[] } } }>(
                    "/v1/sys/storage/raft/configuration",
                    {
                        headers: { "X-Vault-Token": admin.token },
                    },
                );
                const servers = config.data?.config?.servers ?? [];
                const voters = servers.filter((s) => s.voter);
                const leaders = servers.filter((s) => s.leader);
                const evidence = `${voters.length} voters of ${servers.length} peers (${names(servers.map((s) => `${s.node_id}${s.leader ? " leader" : ""}`))})`;
                return voters.length === VAULT.replicas && leaders.length === 1
                    ? pass(evidence)
                    : fail(
                          evidence,
                          voters.length !== VAULT.replicas ? `want ${VAULT.replicas} voters: a pod did not join (retry_join)` : `${leaders.length} leaders`,
                          `kubectl -n ${VAULT.namespace} logs openbao-1; bao operator raft list-peers`,
                      );
            } finally {
                await admin.revoke();
            }
        },
    },
    {
        ...P.vault,
        group: "data",
        timeoutSeconds: 15,
        fast: true,
        async run(ctx) {
            const res = await ctx.web(`${ctx.lab.urls.vault}/v1/sys/health`);
            const body = (res.status === 200 ? JSON.parse(res.body) : {}) as { initialized?: boolean; sealed?: boolean; standby?: boolean };
            const evidence = `${ctx.lab.urls.vault}/v1/sys/health: ${res.status}${res.status === 200 ? ` (initialized ${body.initialized}, sealed ${body.sealed})` : ""}`;
            return res.status === 200 && body.initialized === true && body.sealed === false
                ? pass(evidence)
                : fail(
                      evidence,
                      res.status === 503
                          ? "sealed"
                          : res.status === 501
                            ? "not initialised"
                            : res.status === 429
                              ? "the gateway reached a standby"
                              : "OpenBao does not answer healthy",
                      `kubectl -n ${VAULT.namespace} get pods -L openbao-active,openbao-sealed`,
                  );
        },
    },
    {
        id: "data.reader-roles",
        group: "data",
        proves: "every reader role may read exactly its own paths (another namespace's path is refused)",
        timeoutSeconds: 30,
        async run(ctx) {
            const problems: string[] = [];
            const seen: string[] = [];
            for (const reader of readerExpectations()) {
                // A TokenRequest (nothing stored) for the ServiceAccount the namespace's SecretStore logs in as.
                const request = await ctx.kube.request(`/api/v1/namespaces/${reader.namespace}/serviceaccounts/${VAULT_CLIENT_SERVICE_ACCOUNT}/token`, {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify(readerTokenRequest()),
                });
                if (request.status !== 201 && request.status !== 200) {
                    problems.push(`${reader.namespace}: no token for ${VAULT_CLIENT_SERVICE_ACCOUNT} (${request.status})`);
                    continue;
                }
                const jwt = (JSON.parse(request.body) as { status: { token: string } }).status.token;
                const login = await ctx.vault.request(`/v1/auth/${VAULT.kubernetesAuthPath}/login`, {
                    method: "POST",
                    body: JSON.stringify({ role: reader.role, jwt }),
                });
                if (login.status !== 200) {
                    problems.push(`${reader.role}: login refused (${login.status})`);
                    continue;
                }
                const token = (JSON.parse(login.body) as { auth: { client_token: string } }).auth.client_token;
                try {
                    const paths = [reader.own, ...(reader.foreign === undefined ? [] : [reader.foreign])];
                    const caps = await ctx.vault.json<Record<string, string[]>>("/v1/sys/capabilities-self", {
                        method: "POST",
                        headers: { "X-Vault-Token": token },
                        body: JSON.stringify({ paths }),
                    });
                    if (!(caps[reader.own] ?? []).includes("read")) problems.push(`${reader.role} may not read its own ${reader.own}`);
                    if (reader.foreign !== undefined && (caps[reader.foreign] ?? []).some((c) => c !== "deny"))
                        problems.push(`${reader.role} may read ${reader.foreign} (${caps[reader.foreign].join(",")})`);
                    seen.push(`${reader.role} reads ${reader.own}${reader.foreign === undefined ? "" : `, not ${reader.foreign}`}`);
                } finally {
                    await ctx.vault.request("/v1/auth/token/revoke-self", { method: "POST", headers: { "X-Vault-Token": token } }).catch(() => undefined);
                }
            }
            return problems.length === 0
                ? pass(names(seen, 6))
                : fail(
                      names(seen, 6),
                      names(problems, 5),
                      "each part's vaultEntries in components/<part>/part.ts (who reads what); bao policy read reader-<ns>; the role's bound namespace and ServiceAccount",
                  );
        },
    },
];
