// Renovate keeps every pin current: each pin carries a one-line `renovate:` annotation, and the custom managers of
// renovate.json read them. Here the managers' own regexes run over the files their managerFilePatterns select,
// compiled as Renovate compiles them (`regEx(matchString, "g")`, every match of the file; Renovate uses RE2 where it
// can and JavaScript's RegExp otherwise, and these patterns use only the syntax both share), and an independent scan
// of the source finds every pin-shaped value: none may fall outside what a manager extracts.
//
// Not here: validating renovate.json against Renovate's JSON schema. The schema ships only inside the `renovate`
// package (607 packages, 341 MB, 39 s to install alone, Node 24), too heavy for a devDependency, and tests fetch
// nothing (docs/architecture.md, Pins).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as defaults from "../components/defaults";
import { UBUNTU_IMAGE } from "../components/config/defaults";
import { KUBE_VIP } from "../components/k3s/facts";
import { FACT_MODULES, FACT_VALUES } from "./facts";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

interface CustomManager {
    customType: string;
    managerFilePatterns: string[];
    matchStrings: string[];
    matchStringsStrategy?: string;
}
interface RenovateConfig {
    customManagers: CustomManager[];
    customDatasources?: Record<string, unknown>;
}

/** The dependency one match yields: Renovate's named groups (no templates are used here). */
interface Extracted {
    file: string;
    start: number;
    end: number;
    depName?: string;
    datasource?: string;
    currentValue?: string;
    currentDigest?: string;
    registryUrl?: string;
    versioning?: string;
    extractVersion?: string;
}

/** A pin-shaped value in the source: its file, where its literal starts, and the literal. */
interface Pin {
    file: string;
    offset: number;
    line: number;
    value: string;
}

const config: RenovateConfig = JSON.parse(read("renovate.json"));

/** Where pins may live: the program's sources, scripts and the Pulumi project files (not tests: their fixtures). */
const SOURCE_DIRS = ["components", "stacks", "programs", "scripts", ".ci"];
const SOURCE_FILES = ["index.ts", "Pulumi.yaml", "Pulumi.homelab.yaml", "Pulumi.cluster.yaml"];
const SOURCE_EXT = /\.(ts|cjs|mjs|js|sh|ya?ml|json)$|^\.ci\/run$/;

function sourceFiles(): string[] {
    const inDirs = SOURCE_DIRS.filter((dir) => fs.existsSync(path.join(ROOT, dir))).flatMap((dir) =>
        fs
            .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
            .map((file) => `${dir}/${file.split(path.sep).join("/")}`)
            .filter((file) => SOURCE_EXT.test(file) && fs.statSync(path.join(ROOT, file)).isFile()),
    );
    return [...SOURCE_FILES.filter((file) => fs.existsSync(path.join(ROOT, file))), ...inDirs].sort();
}

/** A managerFilePatterns entry: Renovate takes `/…/` as a regex on the repo-relative path (globs are not used here). */
function filePattern(pattern: string): RegExp {
    const regex = /^\/(.*)\/([a-z]*)$/.exec(pattern);
    if (!regex) {
        throw new Error(`managerFilePatterns entry ${pattern} is a glob; this test reads only the /regex/ form`);
    }
    return new RegExp(regex[1], regex[2]);
}

/** Every dependency the custom managers extract, as Renovate's regex manager would (strategy "any"). */
function extract(cfg: RenovateConfig, files: string[], content: (file: string) => string): Extracted[] {
    return cfg.customManagers.flatMap((manager) => {
        expect(manager.customType).toBe("regex");
        expect(manager.matchStringsStrategy ?? "any").toBe("any");
        const patterns = manager.managerFilePatterns.map(filePattern);
        return files
            .filter((file) => patterns.some((pattern) => pattern.test(file)))
            .flatMap((file) => {
                const text = content(file);
                return manager.matchStrings.flatMap((matchString) =>
                    [...text.matchAll(new RegExp(matchString, "g"))].map((match) => ({
                        file,
                        start: match.index,
                        end: match.index + match[0].length,
                        ...Object.fromEntries(Object.entries(match.groups ?? {}).filter(([, value]) => value !== undefined)),
                    })),
                );
            });
    });
}

/** Renovate keeps a custom manager's dependency only with a name, a datasource and a current value or digest. */
const isValid = (dep: Extracted) => Boolean(dep.depName && dep.datasource && (dep.currentValue || dep.currentDigest));

// The shapes of a pin, found without the annotations: a version, an image with a tag, a checksum, a dated release.
const VERSION = /(?<![\w.])v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?(?:\+[0-9A-Za-z.]+)?(?![\w.]*\d)/;
const IMAGE = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._-]+(?:\/[a-z0-9._-]+)*:v?\d[\w.+-]*$/;
const CHECKSUM = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/;
const DATED = /(?:release-|-)20\d{6}(?:\/|\.)/;
/** A pin is one token (a message quoting an example version is prose). */
const isPinShaped = (value: string) => !/\s/.test(value) && [VERSION, IMAGE, CHECKSUM, DATED].some((shape) => shape.test(value));

/** String literals of code, and the values of YAML keys; comments are prose, not pins. */
function literals(file: string, text: string): { offset: number; value: string }[] {
    const found: { offset: number; value: string }[] = [];
    if (/\.ya?ml$/.test(file)) {
        for (const match of text.matchAll(/^[ \t-]*[\w.-]+:[ \t]+(?!#)(["']?)([^\n#]*?)\1[ \t]*(?:#.*)?$/gm)) {
            found.push({ offset: match.index + match[0].indexOf(match[2]), value: match[2] });
        }
        return found;
    }
    const code = text.replace(/\/\*[\s\S]*?\*\/|(?<![:"'`\\])\/\/[^\n]*|^\s*#[^\n]*/gm, (comment) => comment.replace(/[^\n]/g, " "));
    for (const match of code.matchAll(/"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)) {
        const value = match[1] ?? match[2] ?? match[3];
        found.push({ offset: match.index + 1, value });
    }
    return found;
}

function scanPins(files: string[], content: (file: string) => string): Pin[] {
    return files.flatMap((file) => {
        const text = content(file);
        return literals(file, text)
            .filter(({ value }) => isPinShaped(value))
            .map(({ offset, value }) => ({ file, offset, value, line: text.slice(0, offset).split("\n").length }));
    });
}

/** Pins no valid extracted dependency covers: the match spans the literal and its value is the literal's. */
function invisible(pins: Pin[], deps: Extracted[]): Pin[] {
    return pins.filter(
        (pin) =>
            !deps.some(
                (dep) =>
                    isValid(dep) &&
                    dep.file === pin.file &&
                    dep.start <= pin.offset &&
                    pin.offset < dep.end &&
                    pin.value.includes((dep.currentValue ?? dep.currentDigest) as string),
            ),
    );
}

const FILES = sourceFiles();
const DEPS = extract(config, FILES, read);
const PINS = scanPins(FILES, read);
const where = (pins: Pin[]) => pins.map((pin) => `${pin.file}:${pin.line} ${pin.value}`);

describe("renovate.json", () => {
    it("finds every pin: no pin-shaped value in the source is left outside a custom manager's match", () => {
        expect(PINS.length).toBeGreaterThanOrEqual(25);
        expect(where(invisible(PINS, DEPS))).toEqual([]);
    });

    it("fails a new pin without an annotation, and a malformed annotation", () => {
        const [shared, gitops, apps] = ["components/defaults.ts", "components/gitops/facts.ts", "components/apps/facts.ts"];
        const edits: Record<string, [string, string]> = {
            unannotated: [shared, `${read(shared)}\nexport const NEW_CHART = { chart: "x", version: "1.2.3", repo: "https://example.org" };\n`],
            unannotatedImage: [gitops, `${read(gitops)}\nexport const NEW_IMAGE = "ghcr.io/example/tool:v0.4.1";\n`],
            misspelt: [gitops, read(gitops).replace("// renovate: datasource=helm depName=argo-cd", "// renovate: datasource=helm depname=argo-cd")],
            // A comment slipped between the annotation and its pin.
            detached: [apps, read(apps).replace("depName=shlinkio/shlink\n", "depName=shlinkio/shlink\n    // 4.6.0 is the last 4.x.\n")],
        };
        for (const [name, [file, text]] of Object.entries(edits)) {
            expect(text, name).not.toBe(read(file));
            const content = (f: string) => (f === file ? text : read(f));
            expect(invisible(scanPins(FILES, content), extract(config, FILES, content)).length, name).toBeGreaterThan(0);
        }
    });

    it("leaves no annotation unread: each `renovate:` line yields exactly one valid dependency", () => {
        const annotations = FILES.flatMap((file) =>
            [...read(file).matchAll(/^[ \t]*(?:\/\/|#)[ \t]*renovate:/gm)].map((match) => ({ file, offset: match.index })),
        );
        expect(annotations.length).toBe(PINS.length);
        for (const { file, offset } of annotations) {
            const line = read(file).slice(offset).split("\n")[0].trim();
            const deps = DEPS.filter((dep) => dep.file === file && dep.start <= offset + line.length && offset < dep.end);
            expect(deps.length, `${file}: ${line}`).toBe(1);
            expect(isValid(deps[0]), `${file}: ${line}`).toBe(true);
        }
    });

    it("names a datasource Renovate has for every dependency, and each chart of the facts modules with its own registry", () => {
        const custom = Object.keys(config.customDatasources ?? {}).map((name) => `custom.${name}`);
        for (const dep of DEPS) {
            expect(["helm", "docker", "github-releases", "github-tags", ...custom], `${dep.file} ${dep.depName}`).toContain(dep.datasource);
        }
        // Every exported chart pin (chart, version, repo or an oci:// chart) found with the registry it is pulled from.
        const charts = FACT_VALUES.flatMap((value) =>
            value && typeof value === "object"
                ? [value, ...Object.values(value)].filter((v) => typeof v?.chart === "string" && typeof v?.version === "string")
                : [],
        ) as { chart: string; version: string; repo?: string }[];
        expect(charts.length).toBeGreaterThanOrEqual(15);
        for (const { chart, version, repo } of charts) {
            const found = repo
                ? { datasource: "helm", registryUrl: repo, currentValue: version }
                : { datasource: "docker", depName: chart.replace(/^oci:\/\//, ""), currentValue: version };
            expect(DEPS, chart).toContainEqual(expect.objectContaining(found));
        }
    });

    it("names an image's own repository as its depName, so the tag is looked up where it is pulled from", () => {
        const images = DEPS.filter((d) => d.datasource === "docker").flatMap((dep) => {
            const line = read(dep.file).slice(dep.start, dep.end).split("\n")[1];
            const image = /"([^"\s]+):([^"\s:/]+)"/.exec(line);
            return image ? [{ dep, line, repository: image[1], tag: image[2] }] : [];
        });
        expect(images.length).toBeGreaterThanOrEqual(6);
        for (const { dep, line, repository, tag } of images) {
            expect(repository, `${dep.file}: ${line.trim()}`).toBe(dep.depName);
            expect(tag).toBe(dep.currentValue);
        }
    });

    it("reads every part's facts: each components/<part>/facts.ts is a facts module", () => {
        const onDisk = fs
            .readdirSync(path.join(ROOT, "components"))
            .map((part) => `components/${part}/facts.ts`)
            .filter((file) => fs.existsSync(path.join(ROOT, file)));
        expect(onDisk.length).toBeGreaterThanOrEqual(12);
        expect(Object.keys(FACT_MODULES)).toEqual(expect.arrayContaining(onDisk));
    });

    it("keeps every pin-shaped export of the facts modules current, directly or through the pin it is built from", () => {
        const values: string[] = [];
        const walk = (value: unknown): void => {
            if (typeof value === "string") {
                values.push(value);
            } else if (value && typeof value === "object" && !(value instanceof RegExp)) {
                Object.values(value).forEach(walk);
            }
        };
        FACT_VALUES.forEach(walk);
        const pinned = values.filter(isPinShaped);
        expect(pinned).toContain(defaults.K3S_VERSION);
        expect(pinned).toContain(KUBE_VIP.image);
        const tracked = DEPS.filter(isValid);
        const untracked = pinned.filter(
            (value) =>
                !tracked.some((dep) => value.includes((dep.currentValue ?? dep.currentDigest) as string)) ||
                // A literal pin must be covered where it is written, not only by a look-alike elsewhere.
                PINS.some((pin) => pin.value === value && invisible([pin], DEPS).length > 0),
        );
        expect(untracked).toEqual([]);
    });

    it("updates K3s in the code and in Pulumi.yaml as one dependency (their defaults are kept equal)", () => {
        const k3s = DEPS.filter((dep) => dep.depName === "k3s-io/k3s");
        expect(k3s.map((dep) => dep.file).sort()).toEqual(["Pulumi.yaml", "components/defaults.ts"]);
        expect(new Set(k3s.map((dep) => `${dep.datasource} ${dep.currentValue} ${dep.versioning}`)).size).toBe(1);
        expect(k3s[0].currentValue).toBe(defaults.K3S_VERSION);
        // Renovate's regex versioning, with the named groups it reads: the release, then the K3s build.
        const versioning = new RegExp((k3s[0].versioning as string).replace(/^regex:/, ""));
        expect(versioning.exec(defaults.K3S_VERSION)?.groups).toMatchObject({ major: "1", minor: "34", patch: "9", build: "1" });
        expect(versioning.test("v1.35.0-rc1+k3s1")).toBe(true);
    });

    it("finds the cloud image's release and checksum but never updates them: Renovate cannot compute the checksum", () => {
        const image = DEPS.filter((dep) => dep.depName === "ubuntu-24.04-cloud-image");
        expect(image.map((dep) => dep.currentValue ?? dep.currentDigest).sort()).toEqual(
            ["20250516", "20250516", "20250516", "20250516", UBUNTU_IMAGE.sha256, UBUNTU_IMAGE.sha256].sort(),
        );
        const rules = JSON.parse(read("renovate.json")).packageRules as Record<string, unknown>[];
        expect(rules).toContainEqual(expect.objectContaining({ matchDatasources: [image[0].datasource], enabled: false }));
    });
});
