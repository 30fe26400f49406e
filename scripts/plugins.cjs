// The resource plugins the program's SDK packages pin: "<name>\t<version>\t<server>" a line, from each dependency's
// package.json "pulumi" field (what `pulumi up` would otherwise download at its first run).
"use strict";
const path = require("path");
const root = path.join(__dirname, "..");
const { dependencies } = require(path.join(root, "package.json"));
for (const name of Object.keys(dependencies)) {
    const plugin = require(path.join(root, "node_modules", name, "package.json")).pulumi;
    if (plugin && plugin.resource) {
        console.log([plugin.name, plugin.version, plugin.server || ""].join("\t"));
    }
}
