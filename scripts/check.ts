// Entry of `npm run check` (run by tsx): the clone, the environment, the console, the pinned CLI and the Proxmox API.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { runCheck } from "../programs/check/check";
import { readProxmoxFacts } from "../programs/shared/proxmoxApi";
import { decryptedConfig } from "../programs/check/pulumiCli";

const root = path.join(__dirname, "..");

void runCheck(process.argv.slice(2), {
    root,
    env: process.env,
    out: (line) => console.log(line),
    // Its progress goes to stderr; the script bounds its own downloads.
    fetchCli: () =>
        new Promise((resolve) =>
            spawn("bash", [path.join(root, "scripts", "pulumi-cli.sh"), "--cli"], { stdio: ["ignore", "inherit", "inherit"] }).on("close", (code) =>
                resolve(code === 0),
            ),
        ),
    decryptedConfig,
    proxmoxFacts: readProxmoxFacts,
}).then((code) => process.exit(code));
