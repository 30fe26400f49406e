// The documentation (README.md and docs/*.md): short where a newcomer starts, every link resolving, and every claim
// that can drift (counts, messages, versions, outputs, tables) checked against the code that makes it true.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { budgetTotals, platformBudget, podCapacity } from "../stacks/budget";
import { CONFIG_DEFAULTS, K3S_VERSION_PATTERN } from "../components/config/defaults";
import { ARGO_CD_CHART } from "../components/gitops/facts";
import { K6 } from "../components/load/facts";
import { OPERATOR_CHARTS } from "../components/operators/facts";
import { FACT_VALUES } from "./facts";
import { DRILL_CATALOG } from "../programs/drills/catalog";
import { CHECKS } from "../programs/verify/catalog";
import { runDrill } from "../programs/drills/runner";
import { listText } from "../programs/load/cli";
import { rateLimitProblems } from "../programs/load/limits";
import { SCENARIOS } from "../components/load/scenarios/catalog";
import { readerNamespaces } from "../components/secrets/catalog";
import { LAB_VAULT_ENTRIES } from "../stacks/vault";
import { labFlows } from "../stacks/placement";
import { smokeCheckScript } from "../components/smoke/script";
import type { HomelabOutputs } from "../stacks/homelab";
import { fakeLab } from "./programs/drills/fakeLab";
import { labStack } from "./security/labStack";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const DOCS = [
    "README.md",
    ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks (a `# comment` in a bash block is no heading, a link in code no link). */
const outsideCode = (text: string) => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; a repeat gets -1, -2, … */
function anchorsOf(text: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    for (const [, heading] of outsideCode(text).matchAll(/^#{1,6} (.+)$/gm)) {
        const slug = heading
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
            .replace(/ /g, "-");
        const n = seen.get(slug) ?? 0;
        seen.set(slug, n + 1);
        anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    return anchors;
}

/** The section under `heading` (a whole heading line), up to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
    const lines = text.split("\n");
    const start = lines.indexOf(heading);
    expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
    const level = heading.indexOf(" ");
    let fenced = false;
    for (let i = start + 1; i < lines.length; i++) {
        fenced = lines[i].startsWith("```") ? !fenced : fenced;
        const m = /^(#{1,6}) /.exec(lines[i]);
        if (!fenced && m && m[1].length <= level) {
            return lines.slice(start, i).join("\n");
        }
    }
    return lines.slice(start).join("\n");
}

/** The body rows of the first Markdown table in `text`, as trimmed cells. */
function tableRows(text: string): string[][] {
    const lines = text.split("\n");
    const first = lines.findIndex((l) => l.startsWith("| "));
    expect(first, "a table").toBeGreaterThanOrEqual(0);
    const rows: string[][] = [];
    for (const line of lines.slice(first + 2)) {
        if (!line.startsWith("|")) {
            break;
        }
        rows.push(
            line
                .slice(1, -1)
                .split(" | ")
                .map((c) => c.trim()),
        );
    }
    return rows;
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, "");

/** The code blocks of a doc in one language: `bash` blocks whole, `console` blocks' `$ ` lines (the rest is output). */
function commandLines(text: string): string[] {
    const lines: string[] = [];
    for (const [, lang, body] of text.matchAll(/^```(bash|console)\n([\s\S]*?)^```$/gm)) {
        for (const raw of body.replace(/\\\n/g, " ").split("\n")) {
            const line = raw.trim();
            if (lang === "bash" && line !== "" && !line.startsWith("#")) {
                lines.push(line);
            } else if (lang === "console" && line.startsWith("$ ")) {
                lines.push(line.slice(2));
            }
        }
    }
    return lines;
}

/** The programs a command line runs: the first word of each command joined by `&&` or a pipe, past `X=value` settings (a `"$(…)"` counts as a value). */
function programsOf(line: string): string[] {
    return line
        .replace(/"\$\([^)]*\)"/g, "substituted")
        .split(/ && | \| /)
        .map(
            (command) =>
                command
                    .replace(/^(\w+=(?:"[^"]*"|'[^']*'|\S+)(?:\s+|$))+/, "")
                    .trim()
                    .split(/\s/)[0],
        )
        .filter((word) => word !== undefined && word !== "");
}

describe("the README", () => {
    const readme = read("README.md");

    it("is read in five minutes: at most 300 lines", () => {
        expect(readme.split("\n").length).toBeLessThanOrEqual(300);
    });

    it("quotes the acceptance suite's size as npm run verify has it, as docs/verify.md does", () => {
        const counts = [readme, read("docs/verify.md")].flatMap((text) => [...text.matchAll(/(\d+) checks\)/g)].map((m) => Number(m[1])));
        expect(counts.length).toBeGreaterThanOrEqual(2);
        expect(new Set(counts)).toEqual(new Set([CHECKS.length]));
    });

    it("draws a box for every layer of docs/architecture.md's layer table", () => {
        const diagram = /^```mermaid\n([\s\S]*?)^```$/m.exec(readme);
        expect(diagram).not.toBeNull();
        const layers = tableRows(section(read("docs/architecture.md"), "## Layers")).map((r) => r[0]);
        expect(layers).toContain("Load");
        for (const layer of layers) {
            expect(diagram![1], layer).toMatch(new RegExp(`\\["${layer}[ <]`));
        }
    });

    it("links every page of docs/", () => {
        for (const doc of DOCS.filter((d) => d !== "README.md")) {
            expect(readme, doc).toContain(`](${doc})`);
        }
    });

    it("lists every output index.ts exports, and only those, each with whether it is a secret", async () => {
        const exported = [...read("index.ts").matchAll(/^export const (\w+) = /gm)].map((m) => m[1]);
        const rows = tableRows(section(readme, "## Outputs"));
        expect(rows.map((r) => unquote(r[0])).sort()).toEqual([...exported].sort());
        const { result } = await labStack();
        for (const [name, secret, what] of rows) {
            const output = result[unquote(name) as keyof HomelabOutputs];
            // The seed lab's stack: an output the row documents as absent there (a feature it leaves off) is checked by its own layer's tests.
            if (output === undefined && /^absent /.test(what)) {
                continue;
            }
            expect(output, name).toBeDefined();
            // isSecret answers a falsy value (not always `false`) for a plain Output.
            expect(Boolean(await pulumi.isSecret(output as pulumi.Output<unknown>)), name).toBe(secret === "yes");
        }
    });

    it("quotes, for the worked example's 8 GiB VMs, what two nodes leave for pods and what the platform requests with one drained", () => {
        const node = podCapacity({ cores: CONFIG_DEFAULTS.vmCores, memoryMiB: 8192 });
        const drained = budgetTotals(platformBudget({ shlinkReplicas: CONFIG_DEFAULTS.shlinkReplicas, nodeCount: 2, argocd: true }));
        const gib = (mib: number) => (mib / 1024).toFixed(1).replace(/\.0$/, "");
        expect(readme).toContain(`(2 × ${gib(node.memory)} GiB for pods against ${gib(drained.memory)} GiB of requests)`);
        expect(2 * node.memory).toBeGreaterThanOrEqual(drained.memory);
    });

    it("names every host the program fetches a Helm chart from among the prerequisites", () => {
        const prerequisites = section(readme, "## Prerequisites");
        const pins: { chart: string; repo?: string }[] = [];
        const walk = (value: unknown, seen: Set<unknown>) => {
            if (value === null || typeof value !== "object" || seen.has(value)) {
                return;
            }
            seen.add(value);
            const pin = value as { chart?: unknown; version?: unknown; repo?: unknown };
            if (typeof pin.chart === "string" && typeof pin.version === "string") {
                pins.push(pin as { chart: string; repo?: string });
            }
            Object.values(value).forEach((v) => walk(v, seen));
        };
        walk(FACT_VALUES, new Set());
        const hosts = new Set(pins.map((p) => new URL(p.repo ?? p.chart.replace(/^oci:/, "https:")).host));
        expect(hosts.size).toBeGreaterThan(10);
        for (const host of hosts) {
            expect(prerequisites, host).toContain(host);
        }
    });

    // What every machine with Node, npm and bash has; anything else a documented command runs must be a prerequisite.
    const SHELL_BASICS = ["npm", "npx", "node", "bash", "mkdir", "export", "grep", "cat", "base64", "sudo", "ssh-keygen"];

    it("names, among the prerequisites, every program the documented commands run", () => {
        const prerequisites = section(readme, "## Prerequisites");
        const programs = new Set(
            ["README.md", "docs/operating.md", "docs/architecture.md", "docs/configuration.md"].flatMap((doc) => commandLines(read(doc)).flatMap(programsOf)),
        );
        const others = [...programs].filter((p) => !SHELL_BASICS.includes(p));
        expect(others).toContain("kubectl");
        for (const program of others) {
            expect(prerequisites, program).toContain(`\`${program}\``);
        }
    });

    it("names, among the prerequisites, every program the project's own commands run", () => {
        const prerequisites = section(readme, "## Prerequisites");
        const programs = new Set<string>();
        for (const dir of ["components", "programs", "scripts"]) {
            for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"))) {
                for (const [, program] of read(path.join(dir, file)).matchAll(/\b(?:execFileSync|execFile|spawnSync|spawn)\(\s*"([\w-]+)"/g)) {
                    programs.add(program);
                }
            }
        }
        expect([...programs]).toContain("ssh");
        for (const program of programs) {
            expect(prerequisites, program).toContain(`\`${program}\``);
        }
    });

    it("makes a folder under ~ before any command writes a file into it", () => {
        let writes = 0;
        for (const doc of DOCS) {
            const lines = commandLines(read(doc));
            lines.forEach((line, i) => {
                for (const [, folder] of line.matchAll(/>\s*~\/([^/\s]+)\//g)) {
                    writes++;
                    const before = [...lines.slice(0, i), line.slice(0, line.indexOf(">"))].join("\n");
                    expect(before, `${doc}: ${line}`).toContain(`mkdir -p ~/${folder}`);
                }
            });
        }
        expect(writes).toBeGreaterThan(0);
    });
});

describe("links", () => {
    it("every relative link in README.md and docs/*.md names a file that exists, and a heading there", () => {
        let checked = 0;
        for (const doc of DOCS) {
            const text = outsideCode(read(doc)).replace(/`[^`\n]*`/g, "");
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) {
                    continue;
                }
                const [file, anchor] = target.split("#");
                const resolved = file === "" ? doc : path.normalize(path.join(path.dirname(doc), file));
                expect(fs.existsSync(path.join(ROOT, resolved)), `${doc}: ${target}`).toBe(true);
                if (anchor !== undefined) {
                    expect([...anchorsOf(read(resolved))], `${doc}: ${target}`).toContain(anchor);
                }
                checked++;
            }
        }
        expect(checked).toBeGreaterThan(40);
    });
});

describe("docs/architecture.md", () => {
    const architecture = read("docs/architecture.md");

    it("names every component the program defines in its layer table, and no other", () => {
        const tokens = new Set<string>();
        for (const file of fs.readdirSync(path.join(ROOT, "components"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"))) {
            for (const [, token] of read(path.join("components", file)).matchAll(/super\(\s*"(homelab:\w+:\w+)"/g)) {
                tokens.add(token);
            }
        }
        const inTable = tableRows(section(architecture, "## Layers")).flatMap((r) => [...r[1].matchAll(/`(homelab:\w+:\w+)`/g)].map((m) => m[1]));
        expect(inTable.sort()).toEqual([...tokens].sort());
    });

    it("quotes the flow matrix's row count", () => {
        const flows = labFlows({ gatewayPorts: [443], apiServer: { cidr: "192.168.2.0/24", ports: [6443] }, webhookCallers: ["10.42.0.0/32"] });
        expect(architecture).toMatch(/\((\d+) rows in full\)/);
        expect(Number(/\((\d+) rows in full\)/.exec(architecture)![1])).toBe(flows.length);
    });

    it("shows the resource budget the program computes, row by row", () => {
        const budget = section(architecture, "## Resource budget");
        const rows = tableRows(budget);
        const figures = (row: string[]) => ({ cpu: Number(row[1].replace(/\D/g, "")), memory: Number(row[2].replace(/\D/g, "")) });
        const lines = platformBudget({ shlinkReplicas: CONFIG_DEFAULTS.shlinkReplicas, nodeCount: 3, argocd: true });
        // Which table row each namespace's requests belong to (the row's first word).
        const rowOf: Record<string, string> = {
            shlink: "Shlink",
            postgres: "Shlink",
            redis: "Shlink",
            "cert-manager": "Operators",
            "postgres-operator": "Operators",
            "redis-operator": "Operators",
            load: "Operators",
            vault: "Secrets",
            "external-secrets": "Secrets",
            reloader: "Secrets",
            "istio-system": "Mesh",
            "istio-ingress": "Mesh",
            monitoring: "Observability",
            observability: "Observability",
            "kiali-operator": "Observability",
            kiali: "Observability",
            argocd: "Argo",
        };
        const layers = rows.filter((r) => !r[0].startsWith("**") && !r[0].startsWith("Available"));
        for (const row of layers) {
            const word = row[0].split(" ")[0];
            const mine = lines.filter((l) => rowOf[l.what.split("/")[0]] === word);
            expect(mine.length, row[0]).toBeGreaterThan(0);
            expect(figures(row), row[0]).toEqual(budgetTotals(mine));
        }
        for (const line of lines) {
            expect(
                layers.map((r) => r[0].split(" ")[0]),
                `${line.what} belongs to no row of the table`,
            ).toContain(rowOf[line.what.split("/")[0]]);
        }
        const total = rows.find((r) => r[0] === "**Total**")!;
        expect(figures(total)).toEqual(budgetTotals(lines));
        const node = podCapacity({ cores: CONFIG_DEFAULTS.vmCores, memoryMiB: CONFIG_DEFAULTS.vmMemoryMiB });
        expect(figures(rows.find((r) => r[0].startsWith("Available"))!)).toEqual({ cpu: 3 * node.cpu, memory: 3 * node.memory });
        // One node drained: its DaemonSet pods (node exporter, Istio CNI) are gone.
        const drained = budgetTotals(platformBudget({ shlinkReplicas: CONFIG_DEFAULTS.shlinkReplicas, nodeCount: 2, argocd: true }));
        expect(budget).toContain(`gone: ${drained.cpu}m and ${drained.memory} MiB`);
        const runner = K6.runnerResources.requests;
        expect(budget).toContain(`its k6 pod (${runner.cpu}, ${runner.memory.replace("Mi", " MiB")})`);
    });

    it("shows the imports between the folders of components/ as they are", () => {
        const dir = path.join(ROOT, "components");
        const roomOf = (file: string) => path.relative(dir, file).split(path.sep)[0].replace(/\.ts$/, "");
        const imports = new Map<string, Set<string>>();
        for (const file of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"))) {
            const from = roomOf(path.join(dir, file));
            imports.set(from, imports.get(from) ?? new Set());
            for (const [, spec] of read(path.join("components", file)).matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) {
                const to = roomOf(path.resolve(dir, path.dirname(file), spec));
                if (to !== from) {
                    imports.get(from)!.add(to);
                }
            }
        }
        const table = /<!-- imports:start -->\n([\s\S]*?)\n<!-- imports:end -->/.exec(architecture);
        expect(table).not.toBeNull();
        const documented = Object.fromEntries(
            tableRows(table![1]).map(([room, to]) => [unquote(room).replace(/\/$|\.ts$/, ""), to === "—" ? [] : to.split(", ")]),
        );
        expect(documented).toEqual(Object.fromEntries([...imports].map(([room, to]) => [room, [...to].sort()])));
    });
});

describe("pinned versions quoted in the docs", () => {
    // Version numbers the docs quote that are no pin of ours, each allowed only while what makes it true holds.
    const NOT_OURS: Record<string, { why: string; holds: boolean }> = {
        "v3.4.4": { why: "Argo CD's version: the appVersion of the pinned argo-cd chart 10.1.1", holds: ARGO_CD_CHART.version === "10.1.1" },
        "v1.43.0": { why: "redis-operator's own exporter default (chart 3.2.9), which we replace", holds: OPERATOR_CHARTS.redisOperator.version === "3.2.9" },
        "v1.35.0-rc1+k3s1": { why: "an example of a pre-release tag the loader accepts", holds: K3S_VERSION_PATTERN.test("v1.35.0-rc1+k3s1") },
        "v1.35.1+k3s1": { why: "an example of a newer K3s tag in the upgrade walk-through", holds: K3S_VERSION_PATTERN.test("v1.35.1+k3s1") },
    };

    it("quotes only versions the facts modules pin (or one named above while it holds)", () => {
        const pinned: string[] = [];
        const walk = (value: unknown, seen: Set<unknown>) => {
            if (typeof value === "string") {
                pinned.push(value);
            } else if (value !== null && typeof value === "object" && !seen.has(value)) {
                seen.add(value);
                Object.values(value).forEach((v) => walk(v, seen));
            }
        };
        walk(FACT_VALUES, new Set());
        let quoted = 0;
        for (const doc of ["README.md", "docs/architecture.md", "docs/configuration.md", "docs/operating.md", "docs/testing.md"]) {
            for (const [version] of read(doc).matchAll(/(?<![\w.])v?\d+\.\d+\.\d+(?:[-+][\w.+-]*\w)?(?![\w.]*\d)/g)) {
                quoted++;
                if (version in NOT_OURS) {
                    expect(NOT_OURS[version].holds, `${doc}: ${version}, ${NOT_OURS[version].why}`).toBe(true);
                    continue;
                }
                expect(
                    pinned.some((s) => s.includes(version.replace(/^v/, ""))),
                    `${doc} quotes ${version}, which no facts module pins`,
                ).toBe(true);
            }
        }
        expect(quoted).toBeGreaterThan(20);
    });
});

describe("docs/drills.md", () => {
    const drills = read("docs/drills.md");

    it("lists exactly the drills of the catalog", () => {
        const listed = tableRows(drills.slice(drills.indexOf("| Drill |"))).map((r) => unquote(r[0]));
        expect(listed).toEqual(Object.keys(DRILL_CATALOG));
    });

    it("quotes vault-pod's refusal as the runner prints it", async () => {
        const lab = fakeLab({ noVault: true });
        await runDrill(["vault-pod"], lab.deps);
        const refusal = lab.lines.find((l) => l.startsWith("error: "));
        expect(refusal).toBeDefined();
        expect(drills).toContain(`\`${refusal}\``);
    });
});

describe("docs/operating.md", () => {
    const operating = read("docs/operating.md");

    it("shows `npm run load -- --list` as it prints", () => {
        expect(operating).toContain(["$ npm run load -- --list", ...listText()].join("\n"));
    });

    it("quotes the load command's refusal of a scenario over the rate limit as it prints it", () => {
        const limits = { createPerMinute: 300, redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond };
        const problems = rateLimitProblems("viral", SCENARIOS.viral, limits);
        expect(problems.length).toBe(1);
        expect(operating).toContain(["$ npm run load -- viral", ...problems.map((p) => `refused: ${p}`)].join("\n"));
    });

    it("shows the smoke check's report line for line, and counts its checks right", () => {
        const urls = {
            SHLINK_URL: "https://192.168.2.242",
            SHLINK_HTTP_URL: "http://192.168.2.242",
            GRAFANA_URL: "https://192.168.2.242:3000",
            KIALI_HEALTH_URL: "https://192.168.2.242:20001/kiali/healthz",
            JAEGER_URL: "https://192.168.2.242:16686",
            VAULT_URL: "https://192.168.2.242:8200",
        };
        const script = smokeCheckScript({
            shlinkUrl: urls.SHLINK_URL,
            shlinkHttpUrl: urls.SHLINK_HTTP_URL,
            caCertificate: "-----BEGIN CERTIFICATE-----\nTUlJQnVudXNlZA==\n-----END CERTIFICATE-----\n",
            apiKey: "unused",
            grafanaUrl: urls.GRAFANA_URL,
            kialiHealthUrl: urls.KIALI_HEALTH_URL,
            jaegerUrl: urls.JAEGER_URL,
            vaultUrl: urls.VAULT_URL,
            externalSecretsApiVersion: "external-secrets.io/v1",
            externalSecretNamespaces: readerNamespaces(LAB_VAULT_ENTRIES),
            cluster: { via: "k3s-kubectl" },
            timeoutSeconds: 60,
        });
        const list = /^\s*local checks=\(\n([\s\S]*?)\n\s*\)$/m.exec(script);
        expect(list).not.toBeNull();
        const checks = list![1].split("\n").map((line) =>
            line
                .trim()
                .replace(/^["']|["']$/g, "")
                .replace(/\$(\w+)/g, (_, name: string) => urls[name as keyof typeof urls] ?? `$${name}`),
        );
        // Each entry is `function|check id|what it proves`; the script prints `ok: <what it proves> [<check id>]`.
        const printed = checks.map((c) => {
            const [, id, ...proves] = c.split("|");
            return `${proves.join("|")} [${id}]`;
        });
        expect(checks.length).toBeGreaterThan(5);
        const report = [...printed.map((c) => `ok: ${c}`), `smoke check passed: all ${checks.length} checks`].join("\n");
        const smoke = section(operating, "## Smoke check");
        expect(smoke).toContain(report);
        const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
        expect(smoke).toContain(`it checks ${words[checks.length]} things`);
        expect(smoke).toMatch(new RegExp(`^${checks.length}\\. `, "m"));
        expect(smoke).not.toMatch(new RegExp(`^${checks.length + 1}\\. `, "m"));
    });
});
