// Runs index.ts the way Pulumi's Node.js language host does (its own ts-node registration with type
// checking and the project's tsconfig), under Pulumi mocks, and prints the stack's export names as JSON.
// Usage: node tests/helpers/entrypoint.cjs <config.json> <secret-keys.json> <kubeconfig.yaml> <invokes.json>
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "..");
process.chdir(root);
const pulumi = require("@pulumi/pulumi");
const tsutils = require("@pulumi/pulumi/tsutils");

const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly: false,
    project: "tsconfig.json",
    skipProject: false,
    // The language host's defaults for TypeScript >= 4.7, overridden by the project's tsconfig.
    compilerOptions: {
        target: "ES2020",
        module: "nodenext",
        moduleResolution: "nodenext",
        sourceMap: "true",
        ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json"),
    },
});

const [configFile, secretsFile, kubeconfigFile, invokesFile] = process.argv.slice(2);
const kubeconfig = fs.readFileSync(kubeconfigFile, "utf8");
// The Proxmox preflight's invoke answers (tests/helpers/proxmoxHost.ts invokeTable), by token or token#node.
const invokes = JSON.parse(fs.readFileSync(invokesFile, "utf8"));
const bytes = Buffer.alloc(16, 7);
pulumi.runtime.setMocks(
    {
        newResource: (args) => ({
            id: `${args.name}-id`,
            state: {
                ...args.inputs,
                stdout: args.name.endsWith("-kubeconfig") ? kubeconfig : "",
                result: "r".repeat(40),
                base64: bytes.toString("base64"),
                hex: bytes.toString("hex"),
                // A read (the CA Secret's Secret.get): the certificate cert-manager writes.
                ...(args.id ? { data: { "ca.crt": Buffer.from("-----BEGIN CERTIFICATE-----\nQ0EK\n-----END CERTIFICATE-----\n").toString("base64") } } : {}),
            },
        }),
        call: (args) => invokes[args.inputs.nodeName ? `${args.token}#${args.inputs.nodeName}` : args.token] ?? args.inputs,
    },
    "homelab",
    "homelab",
    false,
);
pulumi.runtime.setAllConfig(JSON.parse(fs.readFileSync(configFile, "utf8")), JSON.parse(fs.readFileSync(secretsFile, "utf8")));

const stack = require(path.join(root, "index.ts"));
pulumi.all(stack).apply((outputs) => {
    process.stdout.write(`${JSON.stringify({ exports: Object.keys(outputs).sort(), shlinkUrl: outputs.shlinkUrl })}\n`);
});
