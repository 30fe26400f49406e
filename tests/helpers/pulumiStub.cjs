#!/usr/bin/env node
// A stand-in for the Pulumi CLI's config commands, for tests (the real CLI is downloaded at first use; tests are
// offline). It edits Pulumi.<stack>.yaml in the working folder the way the CLI does for what the project uses:
//   stack select [--create] <name>              recorded; the stack file is written by the first config set
//   config set [--secret] [--path] <key> [value] the value from argv, else stdin (what Pulumi's prompt reads)
//   config rm [--path] <key>
// Plain values are stored as strings (as `pulumi config set` stores them); --path builds nested lists and objects
// (`homelab:nodes[0].ip`). A secret is stored as `secure: v1:<base64 of the value>`: the file's shape, not Pulumi's
// encryption (no passphrase here). Every call is appended to $STUB_CALLS when set.
"use strict";
const fs = require("fs");
const path = require("path");
const { parseDocument } = require("yaml");

const argv = process.argv.slice(2);
if (process.env.STUB_CALLS) {
    fs.appendFileSync(process.env.STUB_CALLS, JSON.stringify(argv) + "\n");
}
const take = (flag) => {
    const i = argv.indexOf(flag);
    if (i < 0) return false;
    argv.splice(i, 1);
    return true;
};
const takeValue = (flag) => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const [, value] = argv.splice(i, 2);
    return value;
};
const stack = takeValue("--stack") || takeValue("-s") || process.env.PULUMI_STACK || "homelab";
const [group, verb] = argv;
if (group === "stack" && verb === "select") {
    process.exit(0);
}
if (group !== "config" || (verb !== "set" && verb !== "rm")) {
    process.stderr.write(`pulumiStub: unsupported command ${argv.join(" ")}\n`);
    process.exit(2);
}
const secret = take("--secret");
const isPath = take("--path");
const [, , key, argValue] = argv;
const file = path.join(process.cwd(), `Pulumi.${stack}.yaml`);
const doc = fs.existsSync(file) ? parseDocument(fs.readFileSync(file, "utf8")) : parseDocument("config: {}\n");
if (!doc.has("config")) doc.set("config", doc.createNode({}));

/** `ns:name[0].field` → ["ns:name", 0, "field"] (the top-level key keeps its namespace). */
function segments(k) {
    if (!isPath) return [k];
    const out = [];
    const re = /^([^.[]+)|\.([^.[]+)|\[(\d+)\]/g;
    let m;
    while ((m = re.exec(k))) out.push(m[1] ?? m[2] ?? Number(m[3]));
    return out;
}
const at = ["config", ...segments(key)];
if (verb === "rm") {
    doc.deleteIn(at);
} else {
    const value = argValue !== undefined ? argValue : fs.readFileSync(0, "utf8");
    // Missing containers along a path become lists (numeric next segment) or maps, as the CLI makes them.
    for (let i = 2; i < at.length; i++) {
        const prefix = at.slice(0, i);
        if (!doc.hasIn(prefix)) doc.setIn(prefix, doc.createNode(typeof at[i] === "number" ? [] : {}));
    }
    doc.setIn(at, secret ? doc.createNode({ secure: `v1:${Buffer.from(value).toString("base64")}` }) : value);
}
fs.writeFileSync(file, doc.toString());
