// The import rules of docs/architecture.md, checked by `npm run lint` (dependency-cruiser): one direction, no cycle.
// Shared rooms (defaults.ts, contracts/, kubernetes/, shell/) import no part; the config loader imports only shared
// rooms (capacity planning sits above it, in stacks/); programs use the parts' pure modules, never a component
// class or the stack, and share their own code through programs/shared/. Type-only imports count: a cycle through types is still a cycle.

/** The rooms every part may use: they import no part themselves. */
const SHARED = "^components/(defaults\\.ts$|contracts/|kubernetes/|shell/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
    forbidden: [
        {
            name: "no-circular",
            severity: "error",
            comment: "An import cycle, type-only imports included: move the shared piece down (a contract, a shared room) or the planner up (stacks/).",
            from: {},
            to: { circular: true },
        },
        {
            name: "shared-rooms-import-no-part",
            severity: "error",
            comment: "defaults.ts, contracts/, kubernetes/ and shell/ are used by every part, so they import none.",
            from: { path: SHARED },
            to: { path: "^components/", pathNot: SHARED },
        },
        {
            name: "contracts-import-only-defaults",
            severity: "error",
            comment:
                "The contracts are the floor the parts and the other shared rooms stand on: they import defaults.ts and each other, nothing else (kubernetes/ builds on them, not the reverse).",
            from: { path: "^components/contracts/" },
            to: { path: "^components/", pathNot: "^components/(defaults\\.ts$|contracts/)" },
        },
        {
            name: "config-imports-no-part",
            severity: "error",
            comment:
                "The config loader parses keys, the bottom of the flow: it imports shared rooms only. A check over the parts (capacity) is handed to it from stacks/.",
            from: { path: "^components/config/" },
            to: { path: "^components/", pathNot: `${SHARED}|^components/config/` },
        },
        {
            name: "no-sibling-part",
            severity: "error",
            comment:
                "A part folder imports no other part folder: what crosses is a typed contract (contracts/) handed over by the stack. Shared rooms and config/ are the floor every part stands on.",
            from: { path: "^components/([^/]+)/" },
            to: { path: "^components/", pathNot: `${SHARED}|^components/config/|^components/$1/` },
        },
        {
            name: "components-import-no-stack-program-or-test",
            severity: "error",
            comment: "The parts are below the stack, the programs and the tests: only those import the parts.",
            from: { path: "^components/" },
            to: { path: "^(stacks|programs|scripts|tests)/|^index\\.ts$" },
        },
        {
            name: "programs-import-no-component-class",
            severity: "error",
            comment: "Command-line programs read the stack's outputs and use the parts' pure modules and contracts, never a Pulumi component or the stack.",
            from: { path: "^(programs|scripts)/" },
            to: { path: "^components/.*/[A-Z][A-Za-z0-9]*\\.ts$|^stacks/homelab\\.ts$|^index\\.ts$" },
        },
        {
            name: "program-shared-room-imports-no-program",
            comment: "programs/shared/ (the kube client, the stack's outputs, exit codes, the drill lock) is used by every program, so it imports none.",
            severity: "error",
            from: { path: "^programs/shared/" },
            to: { path: "^programs/", pathNot: "^programs/shared/" },
        },
        {
            name: "programs-share-through-the-shared-room",
            severity: "error",
            comment: "A program uses another program's code only through programs/shared/, so drills never lean on load's internals (verify/lab.ts: below).",
            from: { path: "^programs/([^/]+)/", pathNot: "^programs/(shared/|verify/lab\\.ts$)" },
            to: { path: "^programs/", pathNot: ["^programs/$1/", "^programs/shared/"] },
        },
        {
            name: "verify-reuses-only-the-load-command",
            severity: "error",
            comment:
                "verify's load check runs `npm run load` itself (programs/load/cli.ts, a whole command reused): that, and nothing else of another program.",
            from: { path: "^programs/verify/lab\\.ts$" },
            to: { path: "^programs/", pathNot: ["^programs/(verify|shared)/", "^programs/load/cli\\.ts$"] },
        },
        {
            name: "nothing-imports-tests",
            severity: "error",
            comment: "Tests use the program; the program never uses a test.",
            from: { pathNot: "^tests/" },
            to: { path: "^tests/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "node_modules" },
        // Type-only imports are edges too (import type, export type): cycles through types count.
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
    },
};
