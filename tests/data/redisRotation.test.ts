// The Redis rotation script run for real (sh) against a stub `redis-cli` that keeps each pod's passwords, masterauth
// and each sentinel's auth-pass, and logs every call: the order, what each call authenticates with, and no password
// in any argument list.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { POD_PORTS, REDIS, REDIS_ROTATION } from "../../components/data/facts";
import { REDIS_ROTATION_FILES, redisClientWaitScript, redisRotationJobSpec, redisRotationScript } from "../../components/data/redisRotation";
import { restrictedViolations, type PodSpec } from "../security/podSecurity";
import { nativeTool } from "../helpers/tools";
import { Job } from "kubernetes-models/batch/v1/Job";
import type { Ledger } from "../helpers/pulumi";
import { GENERATED, ROTATED_REDIS_PASSWORD, runHomelab } from "../helpers/platform";
import { materialise, vaultAfterPushes } from "../helpers/eso";

const OLD = "Oldpassword0123456789abcdefABCDEF";
const NEW = "Newpassword9876543210fedcbaFEDCBA";
const MASTER = "10.42.0.11";
const REPLICAS = ["10.42.1.12", "10.42.2.13"];
const SENTINELS = ["10.42.0.21", "10.42.1.22", "10.42.2.23"];

/** The stub: state in $STUB/<ip>.pw (one password a line), <ip>.masterauth, <sentinel>.authpass; calls in $STUB/calls. */
const STUB = `#!/usr/bin/env bash
set -u
host="" port="" x=0 args=()
while (($#)); do
    case "$1" in
        -h) host=$2; shift 2 ;;
        -p) port=$2; shift 2 ;;
        -x) x=1; shift ;;
        --no-auth-warning) shift ;;
        *) args+=("$1"); shift ;;
    esac
done
stdin=""
if ((x)); then stdin=$(cat); args+=("$stdin"); fi
auth="\${REDISCLI_AUTH-<none>}"
# The log: argv as redis-cli got it (stdin apart), and which password the call carried.
printf '%s|%s|%s|%s\\n' "$host:$port" "$(printf '%s ' "\${args[@]:0:\${#args[@]}-x}")" "$auth" "$x" >>"$STUB/calls"
if [[ "$port" == "26379" ]]; then
    case "\${args[0]} \${args[1]}" in
        "SENTINEL get-master-addr-by-name") printf '%s\\r\\n6379\\r\\n' "${MASTER}" ;;
        "SENTINEL SET") echo "\${args[4]}" >"$STUB/$host.authpass"; echo OK ;;
        *) echo "ERR unexpected sentinel command"; exit 1 ;;
    esac
    exit 0
fi
if ! grep -qxF -- "$auth" "$STUB/$host.pw" 2>/dev/null; then echo "NOAUTH Authentication required."; exit 0; fi
case "\${args[0]}" in
    PING) echo PONG ;;
    INFO) [[ "$host" == "${MASTER}" ]] && printf 'role:master\\r\\nconnected_slaves:2\\r\\nslave0:ip=${REPLICAS[0]},port=6379,state=online,offset=1,lag=0\\r\\nslave1:ip=${REPLICAS[1]},port=6379,state=online,offset=1,lag=1\\r\\n' ;;
    CLIENT) for s in ${SENTINELS.join(" ")}; do printf 'id=1 addr=%s:40000 laddr=${MASTER}:6379 fd=8 name=sentinel-0a1b2c3d-cmd age=9 db=0\\r\\nid=2 addr=%s:40001 laddr=${MASTER}:6379 fd=9 name=sentinel-0a1b2c3d-pubsub age=9 db=0\\r\\n' "$s" "$s"; done
        printf 'id=9 addr=10.42.5.5:50000 laddr=${MASTER}:6379 fd=10 name= age=3 db=0\\r\\n' ;;
    ACL) [[ "\${args[1]} \${args[2]} \${args[3]}" == "SETUSER default on" && "\${args[4]}" == ">"* ]] || exit 1
        grep -qxF -- "\${args[4]#>}" "$STUB/$host.pw" || echo "\${args[4]#>}" >>"$STUB/$host.pw"; echo OK ;;
    CONFIG) [[ "\${args[1]} \${args[2]}" == "SET masterauth" ]] || exit 1; echo "\${args[3]}" >"$STUB/$host.masterauth"; echo OK ;;
    *) echo "ERR unexpected"; exit 1 ;;
esac
`;

interface Call {
    target: string;
    argv: string;
    auth: string;
    stdin: boolean;
}

describe("redisRotationScript", () => {
    let dir = "";
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs the script with the Secret at `generationAtStart`, turned to "2" at the first sleep (ESO's sync). */
    function rotate(opts: { generationAtStart: string; syncs: boolean; accepted?: Record<string, string[]> }) {
        dir = mkdtempSync(path.join(tmpdir(), "redis-rotation-"));
        const bin = path.join(dir, "bin");
        const auth = path.join(dir, "auth");
        mkdirSync(bin);
        mkdirSync(auth);
        writeFileSync(path.join(bin, "redis-cli"), STUB);
        writeFileSync(
            path.join(bin, "sleep"),
            opts.syncs ? `#!/bin/sh\nprintf 2 >"${auth}/generation"\necho sleep >>"$STUB/sleeps"\n` : `#!/bin/sh\necho sleep >>"$STUB/sleeps"\n`,
        );
        chmodSync(path.join(bin, "redis-cli"), 0o755);
        chmodSync(path.join(bin, "sleep"), 0o755);
        writeFileSync(path.join(auth, REDIS_ROTATION_FILES.generation), opts.generationAtStart);
        writeFileSync(path.join(auth, REDIS_ROTATION_FILES.password), NEW);
        writeFileSync(path.join(auth, REDIS_ROTATION_FILES.previous), OLD);
        for (const ip of [MASTER, ...REPLICAS]) {
            writeFileSync(path.join(dir, `${ip}.pw`), (opts.accepted?.[ip] ?? [OLD]).join("\n") + "\n");
        }
        const script = redisRotationScript().replaceAll(REDIS_ROTATION.authMountPath, auth);
        writeFileSync(path.join(dir, "rotate.sh"), script);
        const result = spawnSync("sh", [path.join(dir, "rotate.sh")], {
            encoding: "utf8",
            env: {
                PATH: `${bin}:${process.env.PATH}`,
                STUB: dir,
                GENERATION: "2",
                SENTINEL_HOST: "rfs-shlink-redis",
                SENTINEL_PORT: "26379",
                REDIS_PORT: "6379",
            },
        });
        const log = path.join(dir, "calls");
        const calls: Call[] = (existsSync(log) ? readFileSync(log, "utf8") : "")
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((line) => {
                const [target, argv, authUsed, stdin] = line.split("|");
                return { target, argv: argv.trim(), auth: authUsed, stdin: stdin === "1" };
            });
        const read = (file: string) => readFileSync(path.join(dir, file), "utf8").trim();
        return { result, calls, read, sleeps: spawnSync("sh", ["-c", `cat "${dir}/sleeps" 2>/dev/null | wc -l`], { encoding: "utf8" }).stdout.trim() };
    }

    it("waits for External Secrets' generation, then adds the new password on every pod, then masterauth, then the sentinels", () => {
        const { result, calls, read, sleeps } = rotate({ generationAtStart: "1", syncs: true });
        expect(result.status, result.stderr).toBe(0);
        expect(sleeps).toBe("1");
        const nodes = [MASTER, ...REPLICAS];
        // Each pod now accepts both passwords; replication and every sentinel use the new one.
        for (const ip of nodes) {
            expect(read(`${ip}.pw`).split("\n")).toEqual([OLD, NEW]);
            expect(read(`${ip}.masterauth`)).toBe(NEW);
        }
        for (const ip of SENTINELS) {
            expect(read(`${ip}.authpass`)).toBe(NEW);
        }
        const writes = calls.filter((c) => c.stdin);
        const phase = (c: Call) => c.argv.split(" ").slice(0, 2).join(" ");
        expect(writes.map((c) => `${phase(c)} ${c.target}`)).toEqual([
            ...nodes.map((ip) => `ACL SETUSER ${ip}:6379`),
            ...nodes.map((ip) => `CONFIG SET ${ip}:6379`),
            ...SENTINELS.map((ip) => `SENTINEL SET ${ip}:26379`),
        ]);
        // The new password was added while authenticated with the old one (the only one the pods knew).
        expect(writes.filter((c) => c.argv.startsWith("ACL")).map((c) => c.auth)).toEqual([OLD, OLD, OLD]);
        // Sentinels have no password of their own: no call to them carries one.
        expect(calls.filter((c) => c.target.endsWith(":26379")).every((c) => c.auth === "<none>")).toBe(true);
    });

    it("never puts a password in redis-cli's arguments", () => {
        const { calls } = rotate({ generationAtStart: "2", syncs: false });
        expect(calls.length).toBeGreaterThan(10);
        for (const c of calls) {
            expect(c.argv).not.toContain(OLD);
            expect(c.argv).not.toContain(NEW);
        }
        expect(redisRotationScript()).not.toMatch(/redis-cli[^\n]*-a /);
    });

    it("on a retry, authenticates with the new password a pod already accepts", () => {
        const { result, calls, read } = rotate({ generationAtStart: "2", syncs: false, accepted: { [MASTER]: [OLD, NEW] } });
        expect(result.status, result.stderr).toBe(0);
        expect(read(`${MASTER}.pw`).split("\n")).toEqual([OLD, NEW]);
        const acl = calls.filter((c) => c.argv.startsWith("ACL"));
        expect(acl.map((c) => c.auth)).toEqual([NEW, OLD, OLD]);
    });

    it("the client-side wait: exits 0 once the Secret shows the generation, 1 when it never does", () => {
        for (const [syncs, status] of [
            [true, 0],
            [false, 1],
        ] as const) {
            const d = mkdtempSync(path.join(tmpdir(), "redis-client-wait-"));
            try {
                const file = path.join(d, REDIS_ROTATION.clientGenerationKey);
                writeFileSync(file, "previous");
                writeFileSync(path.join(d, "sleep"), syncs ? `#!/bin/sh\nprintf 2 >"${file}"\n` : "#!/bin/sh\n");
                chmodSync(path.join(d, "sleep"), 0o755);
                const script = redisClientWaitScript().replaceAll(REDIS_ROTATION.authMountPath, d);
                const result = spawnSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: `${d}:${process.env.PATH}`, GENERATION: "2" } });
                expect(result.status, result.stderr).toBe(status);
            } finally {
                rmSync(d, { recursive: true, force: true });
            }
        }
    });

    it("fails, changing nothing, when the Secret never shows the generation", () => {
        const { result, calls, sleeps } = rotate({ generationAtStart: "1", syncs: false });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("never showed generation 2");
        expect(Number(sleeps)).toBe(Math.ceil(REDIS_ROTATION.waitSeconds / REDIS_ROTATION.pollSeconds));
        expect(calls).toEqual([]);
    });
});

const shellcheck = nativeTool("shellcheck");
describe("redisRotationScript lint", () => {
    shellcheck.it("is shellcheck-clean as POSIX sh (the redis image's busybox)", () => {
        const d = mkdtempSync(path.join(tmpdir(), "redis-rotation-lint-"));
        try {
            writeFileSync(path.join(d, "rotate.sh"), redisRotationScript());
            writeFileSync(path.join(d, "wait.sh"), redisClientWaitScript());
            shellcheck.run(["--shell=sh", path.join(d, "rotate.sh"), path.join(d, "wait.sh")]);
        } finally {
            rmSync(d, { recursive: true, force: true });
        }
    });
});

describe("redisRotationJobSpec", () => {
    const spec = redisRotationJobSpec({ failoverName: REDIS.name, authSecretName: "shlink-redis-auth", generation: 2 }) as any;
    const pod = spec.template.spec;
    const container = pod.containers[0];

    it("runs the script in the failover's redis image, passes Pod Security restricted, requests resources", () => {
        expect(container.image).toBe(REDIS.image);
        expect(container.command).toEqual(["sh", "-c", redisRotationScript()]);
        expect(restrictedViolations(pod as PodSpec)).toEqual([]);
        expect(container.resources.requests).toEqual(REDIS_ROTATION.resources.requests);
    });

    it("reads the passwords only from the mounted auth Secret, at the path the script reads", () => {
        expect(pod.volumes).toEqual([{ name: "auth", secret: { secretName: "shlink-redis-auth", defaultMode: 0o440 } }]);
        expect(container.volumeMounts).toEqual([{ name: "auth", mountPath: REDIS_ROTATION.authMountPath, readOnly: true }]);
        expect(container.env).toEqual([
            { name: "GENERATION", value: "2" },
            { name: "SENTINEL_HOST", value: `rfs-${REDIS.name}` },
            { name: "SENTINEL_PORT", value: String(POD_PORTS.sentinel) },
            { name: "REDIS_PORT", value: String(REDIS.port) },
        ]);
        expect(JSON.stringify(spec)).not.toMatch(/secretKeyRef|REDISCLI_AUTH"/);
    });
});

describe("the rotation in the stack (homelab:redisPasswordGeneration)", () => {
    let first: Ledger;
    let rotated: Ledger;
    const master = "shlink-redis-master.redis.svc.cluster.local:6379";
    beforeAll(async () => {
        // One after the other: the mocks are process-wide.
        ({ ledger: first } = await runHomelab());
        ({ ledger: rotated } = await runHomelab({ "homelab:redisPasswordGeneration": "1" }));
    });

    it("at generation 0 runs no Job and keeps the one original password resource", () => {
        expect(first.resources.filter((r) => r.type === "kubernetes:batch/v1:Job" && r.name.startsWith("shlink-redis"))).toEqual([]);
        expect(
            first.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.startsWith("shlink-redis")).map((r) => r.name),
        ).toEqual(["shlink-redis-password"]);
    });

    it("at generation 1 keeps the first password as the previous one and seeds both with the generation", () => {
        expect(rotated.byName("shlink-redis-password").inputs).toEqual(first.byName("shlink-redis-password").inputs);
        expect(rotated.byName("shlink-redis-password-1").inputs).toMatchObject({ length: 40, special: false });
        // Secret wherever it appears (the seed Secret only).
        const holders = rotated.resources.filter((r) => JSON.stringify(r.inputs).includes(ROTATED_REDIS_PASSWORD));
        expect(holders.map((r) => r.name)).toEqual(["vault-seed-secret"]);
        for (const r of holders) {
            for (const key of Object.keys(r.inputs).filter((k) => JSON.stringify(r.inputs[k]).includes(ROTATED_REDIS_PASSWORD))) {
                expect(r.secretInputs, `${r.name}.${key}`).toContain(key);
            }
        }
        expect(vaultAfterPushes(rotated)["redis/auth"]).toEqual({
            password: ROTATED_REDIS_PASSWORD,
            previousPassword: GENERATED.redisPassword,
            generation: "1",
        });
        expect(materialise(rotated, "shlink-redis-auth").data).toEqual({
            password: ROTATED_REDIS_PASSWORD,
            previousPassword: GENERATED.redisPassword,
            generation: "1",
        });
    });

    it("runs one valid Job per generation in redis, after the auth ExternalSecret and the failover, holding no password", () => {
        const job = rotated.byName("shlink-redis-rotation");
        expect(job.type).toBe("kubernetes:batch/v1:Job");
        expect(job.inputs.metadata).toMatchObject({ name: "shlink-redis-rotation-1", namespace: REDIS.namespace });
        expect(job.dependsOn).toEqual(expect.arrayContaining(["shlink-redis-auth", "shlink-redis-failover"]));
        expect(job.inputs.spec.template.spec.containers[0].env).toContainEqual({ name: "GENERATION", value: "1" });
        expect(() => new Job({ metadata: job.inputs.metadata, spec: job.inputs.spec }).validate()).not.toThrow();
        const json = JSON.stringify(job.inputs);
        expect(json).not.toContain(GENERATED.redisPassword);
        expect(json).not.toContain(ROTATED_REDIS_PASSWORD);
    });

    it("switches Shlink to the new password only through an ExternalSecret updated after the Job", () => {
        expect(rotated.waitsFor("shlink-credentials").has("shlink-redis-rotation")).toBe(true);
        // Once updated: the new password.
        expect(materialise(rotated, "shlink-credentials").data["redis-servers"]).toBe(`tcp://:${ROTATED_REDIS_PASSWORD}@${master}`);
        // While the Job runs, Vault already holds generation 1 but Shlink's ExternalSecret is still generation 0's: the old one.
        expect(materialise(first, "shlink-credentials", vaultAfterPushes(rotated)).data["redis-servers"]).toBe(`tcp://:${GENERATED.redisPassword}@${master}`);
        expect(materialise(first, "shlink-credentials").data["redis-servers"]).toBe(`tcp://:${GENERATED.redisPassword}@${master}`);
        // What the client-side Job reads: the generation the password is, "previous" until switched.
        expect(materialise(rotated, "shlink-credentials").data[REDIS_ROTATION.clientGenerationKey]).toBe("1");
        expect(materialise(first, "shlink-credentials", vaultAfterPushes(rotated)).data[REDIS_ROTATION.clientGenerationKey]).toBe("previous");
    });

    it("proves Shlink's Secret switched (a Job in shlink, out of the mesh, restricted) before Pulumi rolls Shlink", () => {
        const job = rotated.byName("shlink-redis-switch");
        expect(job.inputs.metadata).toMatchObject({ name: "shlink-redis-switch-1", namespace: "shlink" });
        expect(job.dependsOn).toContain("shlink-credentials");
        expect(rotated.byName("shlink-deployment").dependsOn).toContain("shlink-redis-switch");
        const pod = job.inputs.spec.template;
        expect(pod.metadata.labels).toEqual({ "sidecar.istio.io/inject": "false" });
        expect(restrictedViolations(pod.spec as PodSpec)).toEqual([]);
        expect(pod.spec.volumes).toEqual([{ name: "auth", secret: { secretName: "shlink-credentials", defaultMode: 0o440 } }]);
        expect(pod.spec.containers[0].env).toEqual([{ name: "GENERATION", value: "1" }]);
        expect(() => new Job({ metadata: job.inputs.metadata, spec: job.inputs.spec }).validate()).not.toThrow();
        expect(first.resources.filter((r) => r.name === "shlink-redis-switch")).toEqual([]);
    });

    it("then rolls Shlink (Pulumi awaits it), and only then has the operator restart the redis pods, dropping the old password", () => {
        const annotation = { [REDIS_ROTATION.generationAnnotation]: "1" };
        expect(rotated.byName("shlink-deployment").inputs.spec.template.metadata.annotations).toEqual(annotation);
        const restart = rotated.byName("shlink-redis-restart");
        expect(restart.type).toBe("kubernetes:databases.spotahome.com/v1:RedisFailoverPatch");
        expect(restart.inputs.metadata).toMatchObject({ name: REDIS.name, namespace: REDIS.namespace });
        expect(restart.inputs.spec).toEqual({ redis: { podAnnotations: annotation } });
        const waits = rotated.waitsFor("shlink-redis-restart");
        for (const step of ["shlink-deployment", "shlink-redis-switch", "shlink-credentials", "shlink-redis-rotation"]) {
            expect(waits.has(step), step).toBe(true);
        }
        expect(rotated.waitsFor("shlink-deployment").has("shlink-redis-rotation")).toBe(true);
    });

    it("at generation 0 restarts nothing: no annotation on Shlink's pods, no patch of the failover", () => {
        expect(first.byName("shlink-deployment").inputs.spec.template.metadata.annotations).toBeUndefined();
        expect(first.resources.filter((r) => r.name === "shlink-redis-restart")).toEqual([]);
    });
});
