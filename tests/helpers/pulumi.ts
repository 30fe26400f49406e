// Runs the whole stack under Pulumi mocks and keeps a ledger of every resource: its resolved inputs,
// its provider, its parent, what it waits for (dependsOn and the resources its input Outputs come from),
// and which of its inputs are secret.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ed25519Pair } from "./sshKeys";
import { GOOD_HOST, proxmoxInvokes, type InvokeAnswer } from "./proxmoxHost";

export interface Recorded {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** Provider reference (URN::id) as the engine sees it; undefined means a default provider. */
    provider?: string;
    parent?: string;
    /** Names of resources in opts.dependsOn. */
    dependsOn: string[];
    /** Input paths Pulumi is told to ignore changes to. */
    ignoreChanges: string[];
    /** Names of resources whose Outputs feed this resource's inputs (data dependencies). */
    dataDeps: string[];
    /** Top-level input keys whose value is, or holds, a secret as the engine receives it. */
    secretInputs: string[];
    /** A read of an existing object (`<Resource>.get`): nothing the program creates. */
    read: boolean;
    /** The id a read asked for, as the engine received it (UNKNOWN_ID in a preview when not known yet). */
    readId?: string;
}

/** One resource registration as the engine receives it: URN, parent and the aliases the program gives it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    /** Parent URN ("" at the stack's root). */
    parentUrn: string;
    custom: boolean;
    aliases: AliasSpec[];
}

/** An alias as sent to the engine: a whole URN, or a spec whose unset fields default to the resource's own. */
export interface AliasSpec {
    urn?: string;
    name?: string;
    type?: string;
    parentUrn?: string;
    noParent?: boolean;
}

export interface Ledger {
    resources: Recorded[];
    /** Every registration (components included), in order. */
    registrations: Registration[];
    byName(name: string): Recorded;
    ofType(type: string): Recorded[];
    /** Every resource `name` waits for, directly, through the resources it waits for, or inside a component it waits for. */
    waitsFor(name: string): Set<string>;
}

/** A kubeconfig as K3s writes it (server on loopback), returned by the mocked `cat` of k3s.yaml. */
export const FAKE_K3S_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EK
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- user:
    client-certificate-data: Q0VSVAo=
    client-key-data: S0VZCg==
  name: default
`;

const ROOT = path.resolve(__dirname, "..", "..");

/** The stack config of Pulumi.homelab.yaml, as the engine hands it to the program (strings, JSON for objects). */
export function homelabStackConfig(): Record<string, string> {
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8")) as { config: Record<string, unknown> };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(file.config)) {
        if (key.startsWith("pulumi:")) {
            continue;
        }
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

/** What a read of cert-manager's CA Secret returns under mocks: the CA's certificate and (never to be exported) its key. */
export const FAKE_LAB_CA = {
    certificate: "-----BEGIN CERTIFICATE-----\nTUlJQmZha2VsYWJjYQ==\n-----END CERTIFICATE-----\n",
    key: "-----BEGIN EC PRIVATE KEY-----\nZmFrZS1jYS1rZXk=\n-----END EC PRIVATE KEY-----\n",
} as const;

/** Test values for the keys a user sets by hand (Pulumi.homelab.yaml leaves them out on purpose). */
/** A real key pair, as `ssh-keygen -t ed25519` makes it, so the loader's key checks see what a user's key gives. */
const TEST_KEYS = ed25519Pair("homelab@test");
export const TEST_SECRETS = {
    "proxmoxve:apiToken": "root@pam!homelab=0b7e4a4e-6a7d-4f3c-9a53-2f4c1f0e9d11",
    "homelab:sshPrivateKey": TEST_KEYS.privateKey,
};
export const TEST_USER_CONFIG = {
    "proxmoxve:endpoint": "https://192.168.2.10:8006/",
    "homelab:sshPublicKey": TEST_KEYS.publicKey,
};

/** The full config of a user who followed the README: the stack file plus the three values set by hand. */
export function fullConfig(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const merged: Record<string, string | undefined> = {
        ...homelabStackConfig(),
        ...TEST_USER_CONFIG,
        ...TEST_SECRETS,
        ...overrides,
    };
    return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

function mockOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
    if (args.id !== undefined && args.id !== "" && args.type === "kubernetes:core/v1:Secret") {
        // A read (Secret.get): the CA Secret as cert-manager writes it.
        const b64 = (text: string) => Buffer.from(text).toString("base64");
        return { data: { "ca.crt": b64(FAKE_LAB_CA.certificate), "tls.crt": b64(FAKE_LAB_CA.certificate), "tls.key": b64(FAKE_LAB_CA.key) } };
    }
    switch (args.type) {
        case "command:remote:Command":
            return {
                ...args.inputs,
                stdout: args.name.endsWith("-kubeconfig") ? FAKE_K3S_KUBECONFIG : "",
                stderr: "",
            };
        case "random:index/randomPassword:RandomPassword":
            return { ...args.inputs, result: "r".repeat(args.inputs.length ?? 16) };
        case "random:index/randomBytes:RandomBytes": {
            const bytes = Buffer.alloc(args.inputs.length ?? 16, 7);
            return { ...args.inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
        }
        case "kubernetes:helm.sh/v3:Release":
            // The provider's ReleaseStatus after a first install (revision 1, deployed).
            return {
                ...args.inputs,
                status: {
                    name: args.inputs.name,
                    namespace: args.inputs.namespace,
                    chart: args.inputs.chart,
                    version: args.inputs.version,
                    revision: 1,
                    status: "deployed",
                },
            };
        default:
            return args.inputs;
    }
}

export interface MockOptions {
    /**
     * Outputs per resource name, merged over the defaults: e.g. distinct RandomPassword results, so a test can
     * tell which password reached which resource.
     */
    outputs?: Record<string, Record<string, unknown>>;
    /** Invoke answers by token, over the lab's good Proxmox host (GOOD_HOST); other tokens echo their inputs. */
    invokes?: Record<string, InvokeAnswer>;
    /**
     * The program is expected to fail (an error thrown inside an apply, as the Proxmox preflight does): return
     * that error as `failure` with the ledger of what was registered, instead of throwing it.
     */
    expectFailure?: boolean;
    /**
     * A `pulumi preview` of a new stack: nothing exists yet, so the engine answers every new resource with an unknown
     * id and only its inputs (whatever the provider computes is unknown), and a read with an unknown id reads nothing.
     */
    preview?: boolean;
}

/** The id of a read as the engine receives it when the program does not know it yet (Pulumi's unknown sentinel). */
export const UNKNOWN_ID: string = pulumi.runtime.unknownValue;

/** What the engine answers in a preview of a new stack (MockOptions.preview). */
function previewAnswer(args: pulumi.runtime.MockResourceArgs, inputs: Record<string, any>): { id: undefined; state: Record<string, any> } {
    if (args.id !== undefined && args.id !== "") {
        // A read: with an unknown id nothing is read (every output unknown); a known id is read, and on a new
        // stack the object is not there (the test asks that there is none: answer as an up would, to go on).
        return { id: undefined, state: args.id === UNKNOWN_ID ? {} : mockOutputs({ ...args, inputs }) };
    }
    return { id: undefined, state: inputs };
}

/** Resolves when an Output (or plain value) has settled, known or not (a preview's unknowns never reach apply). */
function settled(input: pulumi.Input<unknown>): Promise<boolean> {
    // Output.isKnown is internal to the SDK; it resolves once the value has, in a preview too.
    return (pulumi.output(input) as unknown as { isKnown: Promise<boolean> }).isKnown;
}

/**
 * Sets mocks and config, runs `program` inside a stack, waits until every resource is registered, and
 * returns the ledger with the program's result.
 */
export async function runUnderMocks<T>(
    config: Record<string, string>,
    program: () => T,
    options: MockOptions = {},
): Promise<{ ledger: Ledger; result: T; failure?: Error }> {
    // `pulumi up` reports an error thrown inside an apply as an unhandled rejection: catch it the same way.
    const failures: Error[] = [];
    let signalFailure = () => {};
    const failed = new Promise<void>((resolve) => (signalFailure = resolve));
    const vitestListeners = process.listeners("unhandledRejection");
    const onRejection = (err: unknown) => {
        failures.push(err instanceof Error ? err : new Error(String(err)));
        signalFailure();
    };
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", onRejection);
    // Pulumi takes a stack trace of every promise and resource it makes (runtime/debuggable.js, resource.js) and
    // never shows them here; vitest's source-mapping formatter would cost a third of every run. V8's own is kept.
    const stackFormatter = Error as { prepareStackTrace?: unknown };
    const prepareStackTrace = stackFormatter.prepareStackTrace;
    stackFormatter.prepareStackTrace = undefined;
    try {
        const run = await runProgram(config, program, options, failed);
        if (failures.length > 0) {
            // Let the failure finish rippling through every resource waiting on it before the listener goes.
            await new Promise((r) => setTimeout(r, 50));
            if (!options.expectFailure) {
                throw failures[0];
            }
            return { ...run, failure: failures[0] };
        }
        if (options.expectFailure) {
            throw new Error("the program was expected to fail but did not");
        }
        return run;
    } finally {
        stackFormatter.prepareStackTrace = prepareStackTrace;
        process.off("unhandledRejection", onRejection);
        vitestListeners.forEach((listener) => process.on("unhandledRejection", listener));
    }
}

async function runProgram<T>(
    config: Record<string, string>,
    program: () => T,
    options: MockOptions,
    failed: Promise<void>,
): Promise<{ ledger: Ledger; result: T }> {
    const invokes = { ...proxmoxInvokes(GOOD_HOST), ...options.invokes };
    const recorded = new Map<string, Recorded>();
    const rawProps: { name: string; props: Record<string, unknown> }[] = [];
    const names = new Map<pulumi.Resource, string>();
    const transformations: { resource: pulumi.Resource; name: string; opts: pulumi.ResourceOptions; props: any }[] = [];

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const secretInputs = Object.keys(args.inputs).filter((k) => hasSecret(args.inputs[k]));
                const inputs = unwrapSecrets(args.inputs) as Record<string, any>;
                recorded.set(args.name, {
                    type: args.type,
                    name: args.name,
                    inputs,
                    provider: args.provider,
                    dependsOn: [],
                    ignoreChanges: [],
                    dataDeps: [],
                    secretInputs,
                    read: args.id !== undefined && args.id !== "",
                    ...(args.id !== undefined && args.id !== "" ? { readId: args.id } : {}),
                });
                if (options.preview) {
                    return previewAnswer(args, inputs);
                }
                return {
                    id: `${args.name}-id`,
                    state: { ...mockOutputs({ ...args, inputs }), ...options.outputs?.[args.name] },
                };
            },
            call(args) {
                const answer = invokes[args.token];
                return answer ? answer(args.inputs) : args.inputs;
            },
        },
        "homelab",
        "homelab",
        options.preview ?? false,
    );
    const registrations = recordRegistrations();
    const secretKeys = Object.keys(config).filter((k) => k in TEST_SECRETS);
    pulumi.runtime.setAllConfig(config, secretKeys);

    let result: T | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((t) => {
            names.set(t.resource, t.name);
            transformations.push({ resource: t.resource, name: t.name, opts: t.opts, props: t.props });
            rawProps.push({ name: t.name, props: t.props });
            return undefined;
        });
        result = program();
        return {};
    });

    // Wait until every input and output Output has resolved and no new resource appears.
    // A failed program leaves Outputs that never resolve: stop waiting when it fails.
    const wait = options.preview ? settled : valueOf;
    let seen = -1;
    let failure = false;
    void failed.then(() => (failure = true));
    while (seen !== transformations.length && !failure) {
        seen = transformations.length;
        await Promise.race([Promise.all(transformations.map((t) => wait(t.props))), failed]);
        await new Promise((r) => setTimeout(r, 10));
    }
    if (result !== undefined && typeof result === "object" && !failure) {
        await Promise.race([wait(result as pulumi.Input<unknown>), failed]);
    }

    // Waiting for a component means waiting for everything under it.
    const children = new Map<string, string[]>();
    for (const t of transformations) {
        const parent = t.opts.parent ? names.get(t.opts.parent) : undefined;
        if (parent !== undefined) {
            children.set(parent, [...(children.get(parent) ?? []), t.name]);
        }
    }

    for (const t of transformations) {
        const entry = recorded.get(t.name);
        if (!entry) {
            continue; // component resources are not sent to mocks
        }
        entry.parent = t.opts.parent ? names.get(t.opts.parent) : undefined;
        // A dependsOn may be a promise (the stack's seed is known only after the layers that wait for it).
        const dependsOn = await t.opts.dependsOn;
        const list = dependsOn === undefined ? [] : Array.isArray(dependsOn) ? await Promise.all(dependsOn) : [dependsOn];
        entry.dependsOn = (list as pulumi.Resource[]).map((r) => names.get(r) ?? "?");
        entry.ignoreChanges = t.opts.ignoreChanges ?? [];
        const deps = new Set<string>();
        for (const output of outputsIn(t.props ?? {})) {
            for (const r of await resourcesOf(output)) {
                deps.add(names.get(r) ?? "?");
            }
        }
        entry.dataDeps = [...deps];
    }

    const resources = [...recorded.values()];
    const ledger: Ledger = {
        resources,
        registrations,
        byName(name) {
            const found = recorded.get(name);
            if (!found) {
                throw new Error(`no resource named ${name}; have: ${[...recorded.keys()].join(", ")}`);
            }
            return found;
        },
        ofType(type) {
            return resources.filter((r) => r.type === type);
        },
        waitsFor(name) {
            const out = new Set<string>();
            const add = (dep: string) => {
                if (!out.has(dep)) {
                    out.add(dep);
                    visit(dep);
                    (children.get(dep) ?? []).forEach(add);
                }
            };
            const visit = (n: string) => {
                const r = recorded.get(n);
                [...(r?.dependsOn ?? []), ...(r?.dataDeps ?? [])].forEach(add);
            };
            visit(name);
            return out;
        },
    };
    return { ledger, result: result as T };
}

interface ProtoAlias {
    getUrn(): string;
    hasSpec(): boolean;
    getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean };
}

/**
 * Wraps the mock monitor's registerResource to keep what the engine would receive: type, name, parent and
 * the aliases (the SDK sends alias specs when the monitor supports them, as the mock monitor does).
 */
function recordRegistrations(): Registration[] {
    const registrations: Registration[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: any, callback: (err: unknown, response: any) => void): Promise<void>;
    };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        original(req, (err, response) => {
            if (!err && response) {
                const aliases = (req.getAliasesList() as ProtoAlias[]).map((alias): AliasSpec => {
                    if (!alias.hasSpec()) {
                        return { urn: alias.getUrn() };
                    }
                    const spec = alias.getSpec();
                    const out: AliasSpec = {};
                    if (spec.getName()) out.name = spec.getName();
                    if (spec.getType()) out.type = spec.getType();
                    if (spec.getParenturn()) out.parentUrn = spec.getParenturn();
                    if (spec.getNoparent()) out.noParent = true;
                    return out;
                });
                registrations.push({
                    urn: response.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parentUrn: req.getParent(),
                    custom: req.getCustom(),
                    aliases,
                });
            }
            callback(err, response);
        });
    return registrations;
}

function outputsIn(value: unknown): pulumi.Output<unknown>[] {
    if (pulumi.Output.isInstance(value)) {
        return [value as pulumi.Output<unknown>];
    }
    if (Array.isArray(value)) {
        return value.flatMap(outputsIn);
    }
    if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        return Object.values(value).flatMap(outputsIn);
    }
    return [];
}

async function resourcesOf(output: pulumi.Output<unknown>): Promise<pulumi.Resource[]> {
    // Output keeps the resources it was derived from; this is how the engine learns data dependencies.
    const internal = output as unknown as { allResources?: () => Promise<Set<pulumi.Resource>> };
    return internal.allResources ? [...(await internal.allResources())] : [];
}

// The engine receives secrets wrapped in an object carrying this signature (Pulumi's secret sig).
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

function isWrappedSecret(value: unknown): value is { value: unknown } {
    return !!value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function hasSecret(value: unknown): boolean {
    if (isWrappedSecret(value)) {
        return true;
    }
    if (value && typeof value === "object") {
        return Object.values(value).some(hasSecret);
    }
    return false;
}

function unwrapSecrets(value: unknown): unknown {
    if (isWrappedSecret(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Resolves an Output (or plain value) in tests. */
export function valueOf<T>(input: pulumi.Input<T>): Promise<T> {
    // Output.promise() is internal to the SDK; apply is the public way to reach the value.
    return new Promise<T>((resolve) => {
        pulumi.output(input).apply((value) => {
            resolve(value as T);
            return value;
        });
    });
}
