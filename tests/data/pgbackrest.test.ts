// The off-site repository for real: Debian's pgBackRest backs a PostgreSQL up into an S3 bucket on loopback (s3rver
// behind a TLS proxy with a CA made by openssl: pgBackRest speaks S3 over HTTPS only) with exactly the repo2 options
// the program gives PGO, then restores it to the backup's point in time and to the latest WAL, and the rows compare.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { promisify } from "node:util";
import S3rver from "s3rver";
import { afterAll, beforeAll, expect, vi } from "vitest";
import { validateConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { OFFSITE_CONFIGURATION_FILE, offsiteConfigurationText, postgresClusterSpec, PGBACKREST_STANZA } from "../../components/data/postgresSpec";
import type { PGBackRestArchive } from "../../components/data/crds";
import { raw } from "../config/raw";
import { nativeTool } from "../helpers/tools";

const pgbackrest = nativeTool("pgbackrest", "pgbackrest", ["version"]);
const openssl = nativeTool("openssl", "openssl", ["version"]);
/** PostgreSQL's server binaries, where Debian's postgresql package puts them (not on PATH). */
const PG_BIN = fs.existsSync("/usr/lib/postgresql")
    ? fs
          .readdirSync("/usr/lib/postgresql")
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
          .find((dir) => fs.existsSync(`${dir}/initdb`) && fs.existsSync(`${dir}/pg_ctl`))
    : undefined;
const postgres = nativeTool(PG_BIN ? `${PG_BIN}/initdb` : "initdb", "postgresql");

// About 15 s on an idle 2-core machine (a backup and two restores through the bucket); room for a busy one.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

/** s3rver's own credentials: it checks every request's signature against them. */
const S3_KEY = "S3RVER";
const BUCKET = "homelab-backups";
const CIPHER_PASS = "Tc".repeat(32);
const PG_PORT = 55_000 + (process.pid % 1000);

/**
 * What PGO v6.0.3 writes into pgbackrest_instance.conf's [global] for the spec's repositories: `repoN-path=/pgbackrest/repoN`,
 * a cloud repo's type, bucket, endpoint and region, then the spec's `global` over them (internal/pgbackrest/config.go:381-406,
 * getExternalRepoConfigs 539-557). A volume repo (repo1) is reached over TLS on the repo host; here a local directory stands in.
 */
function pgoInstanceGlobal(archive: PGBackRestArchive, repo1Dir: string): Record<string, string> {
    const global: Record<string, string> = { "archive-async": "y" };
    for (const repo of archive.repos) {
        global[`${repo.name}-path`] = `/pgbackrest/${repo.name}`;
        if (repo.s3) {
            Object.assign(global, {
                [`${repo.name}-type`]: "s3",
                [`${repo.name}-s3-bucket`]: repo.s3.bucket,
                [`${repo.name}-s3-endpoint`]: repo.s3.endpoint,
                [`${repo.name}-s3-region`]: repo.s3.region,
            });
        }
    }
    Object.assign(global, archive.global);
    global["repo1-path"] = repo1Dir;
    return global;
}

/**
 * Ends what this test started and left behind: pgBackRest's asynchronous archive-get, which a restored instance's
 * restore_command starts in the background (archive-async), outlives the instance. Found by the test's own
 * directory (a fresh mkdtemp) in their command lines, ended by process id.
 */
function endLeftovers(dir: string | undefined): void {
    if (dir === undefined || !fs.existsSync("/proc")) {
        return;
    }
    for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
        try {
            if (Number(pid) !== process.pid && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir)) {
                process.kill(Number(pid), "SIGTERM");
            }
        } catch {
            // Gone already, or not ours to read.
        }
    }
}

const ini = (sections: Record<string, Record<string, string>>) =>
    Object.entries(sections)
        .map(([name, options]) => [`[${name}]`, ...Object.entries(options).map(([k, v]) => `${k}=${v}`)].join("\n"))
        .join("\n\n") + "\n";

/** The three tools this test needs: it runs under the first missing one (skipped locally, failed in CI), else any. */
const gate = [postgres, pgbackrest, openssl].find((tool) => !tool.available) ?? postgres;

gate.describe("pgBackRest to and from the off-site S3 repository, for real", () => {
    let dir: string;
    let s3: S3rver;
    let proxy: tls.Server;
    /** Open connections, closed at the end (pgBackRest keeps its HTTPS connections alive). */
    const sockets = new Set<net.Socket>();
    /** Runs a command as PostgreSQL's user; asynchronous, since the S3 store answers from this very process. */
    let run: (command: string, args: string[]) => Promise<string>;
    let repoOptions: Record<string, string>;
    const pg = (...args: string[]) => run(`${PG_BIN}/psql`, ["-h", dir, "-p", String(PG_PORT), "-U", "postgres", "-d", "postgres", "-Atc", ...args]);
    const backrest = (...args: string[]) =>
        run("pgbackrest", [`--config=${dir}/pgbackrest.conf`, `--config-include-path=${dir}/conf.d`, `--stanza=${PGBACKREST_STANZA}`, ...args]);
    const start = (data: string) => run(`${PG_BIN}/pg_ctl`, ["-D", data, "-l", `${dir}/log/${path.basename(data)}.log`, "-w", "-t", "30", "start"]);
    const stop = (data: string) => run(`${PG_BIN}/pg_ctl`, ["-D", data, "-w", "-t", "30", "-m", "fast", "stop"]);

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbackrest-"));
        for (const sub of ["conf.d", "log", "spool", "repo1", "s3"]) {
            fs.mkdirSync(path.join(dir, sub));
        }
        // PostgreSQL refuses to run as root: as root, run it (and pgBackRest, which must be the same user) as `postgres` or `nobody`.
        const user = process.getuid?.() === 0 ? (spawnSync("id", ["postgres"]).status === 0 ? "postgres" : "nobody") : undefined;
        run = async (command, args) => {
            try {
                const { stdout } = await promisify(execFile)(user ? "runuser" : command, user ? ["-u", user, "--", command, ...args] : args, {
                    encoding: "utf8",
                    timeout: 30_000,
                });
                return stdout;
            } catch (e) {
                const err = e as { stdout?: string; stderr?: string; message: string };
                throw new Error(`${command} ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}\n${err.message}`);
            }
        };

        // The store's TLS certificate, for the address pgBackRest reaches (it matches the endpoint against DNS names only).
        openssl.run([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1",
            "-keyout",
            `${dir}/store.key`,
            "-out",
            `${dir}/store.crt`,
        ]);
        s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: `${dir}/s3`, configureBuckets: [{ name: BUCKET, configs: [] }] });
        const { port: s3Port } = await s3.run();
        proxy = tls.createServer({ key: fs.readFileSync(`${dir}/store.key`), cert: fs.readFileSync(`${dir}/store.crt`) }, (client) => {
            const upstream = net.connect(s3Port, "127.0.0.1");
            sockets.add(client).add(upstream);
            client.pipe(upstream).pipe(client);
            upstream.on("error", () => client.destroy());
            client.on("error", () => upstream.destroy());
        });
        await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
        const storePort = (proxy.address() as net.AddressInfo).port;

        // The program's config for a MinIO-like store on this machine, and the spec it sends PGO.
        const checked = validateConfig(
            raw({
                "homelab:offsiteBackupEndpoint": `127.0.0.1:${storePort}`,
                "homelab:offsiteBackupBucket": BUCKET,
                "homelab:offsiteBackupRegion": "us-east-1",
                "homelab:offsiteBackupUriStyle": "path",
                "homelab:offsiteBackupAccessKey": S3_KEY,
                "homelab:offsiteBackupSecretKey": S3_KEY,
            }),
            capacityPlan,
        );
        expect(checked.problems).toEqual([]);
        const spec = postgresClusterSpec({
            clusterName: "shlink-db",
            sizing: { volumeGiB: 1, backupVolumeGiB: 1, backupRetentionFull: 2 },
            initSql: { configMapName: "c", key: "k" },
            offsite: { config: checked.config!.offsiteBackup!, configurationSecret: "s" },
        });
        const global = pgoInstanceGlobal(spec.backups!.pgbackrest, `${dir}/repo1`);
        repoOptions = Object.fromEntries(Object.entries(global).filter(([k]) => k.startsWith("repo2-")));
        // PGO's file, the configuration Secret's file (as ESO renders it), beside each other in conf.d as PGO projects them.
        fs.writeFileSync(
            `${dir}/conf.d/pgbackrest_instance.conf`,
            ini({ global, [PGBACKREST_STANZA]: { "pg1-path": `${dir}/pg`, "pg1-port": String(PG_PORT), "pg1-socket-path": dir } }),
        );
        fs.writeFileSync(
            `${dir}/conf.d/${OFFSITE_CONFIGURATION_FILE}`,
            offsiteConfigurationText({ accessKey: S3_KEY, secretKey: S3_KEY, cipherPass: CIPHER_PASS }),
        );
        // This machine's own: where to log and lock, and the test CA (a real store has a publicly trusted certificate).
        fs.writeFileSync(
            `${dir}/pgbackrest.conf`,
            ini({ global: { "log-path": `${dir}/log`, "lock-path": `${dir}/log`, "spool-path": `${dir}/spool`, "repo2-storage-ca-file": `${dir}/store.crt` } }),
        );
        if (user) {
            execFileSync("chown", ["-R", user, dir]);
        }

        await run(`${PG_BIN}/initdb`, ["-D", `${dir}/pg`, "-A", "trust", "-U", "postgres", "--no-sync"]);
        fs.appendFileSync(
            `${dir}/pg/postgresql.conf`,
            [
                `port=${PG_PORT}`,
                `unix_socket_directories='${dir}'`,
                "listen_addresses=''",
                "archive_mode=on",
                "fsync=off",
                `archive_command='pgbackrest --config=${dir}/pgbackrest.conf --config-include-path=${dir}/conf.d --stanza=${PGBACKREST_STANZA} archive-push %p'`,
                "",
            ].join("\n"),
        );
        await start(`${dir}/pg`);
    }, 60_000);

    afterAll(async () => {
        for (const data of ["pg", "pg-time", "pg-latest"]) {
            if (dir && fs.existsSync(`${dir}/${data}/postmaster.pid`)) {
                await stop(`${dir}/${data}`);
            }
        }
        endLeftovers(dir);
        for (const socket of sockets) {
            socket.destroy();
        }
        await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
        await s3?.close();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    gate.it("backs up into the bucket encrypted, and restores it to the backup's point in time and to the latest WAL", async () => {
        const started = Date.now();
        expect(repoOptions).toMatchObject({
            "repo2-type": "s3",
            "repo2-s3-endpoint": expect.stringMatching(/^127\.0\.0\.1:\d+$/),
            "repo2-s3-uri-style": "path",
            "repo2-path": "/homelab/shlink-db",
            "repo2-cipher-type": "aes-256-cbc",
        });
        await backrest("stanza-create");
        await pg("CREATE TABLE short_urls (id int); INSERT INTO short_urls SELECT generate_series(1, 42)");
        await backrest("--repo=2", "--type=full", "--start-fast", "backup");
        // pgBackRest keeps a backup's stop time in whole seconds: the target and the insert after it each a second apart.
        const second = () => new Promise((resolve) => setTimeout(resolve, 1100));
        await second();
        const backedUpAt = (await pg("SELECT now()")).trim();
        await second();
        await pg("INSERT INTO short_urls VALUES (43)");
        // Close the segment holding the insert; archive_command pushes it to both repositories.
        const segment = (await pg("SELECT pg_walfile_name(pg_switch_wal())")).trim();
        const deadline = Date.now() + 10_000;
        while ((await pg("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")).trim() < segment && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await stop(`${dir}/pg`);

        const info = JSON.parse(await backrest("--repo=2", "--output=json", "info"));
        expect(info[0].status.message).toBe("ok");
        expect(info[0].cipher).toBe("aes-256-cbc");
        expect(info[0].backup.map((b: { type: string }) => b.type)).toEqual(["full"]);
        // Encrypted in the bucket: none of pgBackRest's plain-text manifests or the table's name is readable there.
        const stored = fs
            .readdirSync(`${dir}/s3/${BUCKET}`, { recursive: true })
            .map(String)
            .filter((f) => fs.statSync(`${dir}/s3/${BUCKET}/${f}`).isFile());
        expect(stored.some((f) => f.startsWith("homelab/shlink-db/backup/db/"))).toBe(true);
        for (const file of stored) {
            const text = fs.readFileSync(`${dir}/s3/${BUCKET}/${file}`, "latin1");
            expect(text.includes("[backup:current]") || text.includes("[db]") || text.includes("short_urls"), file).toBe(false);
        }
        // Without the cipher key, the bucket is unreadable.
        const readable = async () => {
            try {
                return JSON.parse(await backrest("--repo=2", "--output=json", "info"))[0].status.message === "ok";
            } catch {
                return false;
            }
        };
        const conf = `${dir}/conf.d/${OFFSITE_CONFIGURATION_FILE}`;
        fs.writeFileSync(conf, offsiteConfigurationText({ accessKey: S3_KEY, secretKey: S3_KEY, cipherPass: "Wr".repeat(32) }));
        expect(await readable()).toBe(false);
        fs.writeFileSync(conf, offsiteConfigurationText({ accessKey: S3_KEY, secretKey: S3_KEY, cipherPass: CIPHER_PASS }));
        expect(await readable()).toBe(true);

        // What PGO's restore Job runs: the data source's options, and --stanza, --repo, --target-action it adds itself.
        const restore = async (data: string, options: string[]) => {
            fs.mkdirSync(`${dir}/${data}`, { mode: 0o700 });
            if (process.getuid?.() === 0) {
                execFileSync("chown", [fs.statSync(`${dir}/pg`).uid.toString(), `${dir}/${data}`]);
            }
            await backrest(`--pg1-path=${dir}/${data}`, "--repo=2", ...options, "restore");
            await start(`${dir}/${data}`);
            const count = Number((await pg("SELECT count(*) FROM short_urls")).trim());
            await stop(`${dir}/${data}`);
            return count;
        };
        // Latest first: a promoted restore starts a new timeline, which a later `latest` would follow.
        expect(await restore("pg-latest", [])).toBe(43);
        expect(await restore("pg-time", ["--type=time", `--target=${backedUpAt}`, "--target-action=promote"])).toBe(42);
        console.log(`pgBackRest round trip through the bucket: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
});
