// Entry of `npm run check` (run by tsx): the clone, the environment, the console, the pinned CLI and the Proxmox API.
import * as path from "node:path";
import { runCheck } from "../programs/check/check";
import { readProxmoxFacts } from "../programs/check/proxmoxApi";
import { decryptedConfig } from "../programs/check/pulumiCli";

void runCheck(process.argv.slice(2), {
    root: path.join(__dirname, ".."),
    env: process.env,
    out: (line) => console.log(line),
    decryptedConfig,
    proxmoxFacts: readProxmoxFacts,
}).then((code) => process.exit(code));
