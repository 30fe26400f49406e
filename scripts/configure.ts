// Entry of `npm run configure` (run by tsx): the terminal's questions, the pinned CLI, ssh-keygen, the Proxmox API,
// and the check at the end.
import { execFile, spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { runCheck } from "../programs/check/check";
import { proxmoxNodes, readProxmoxFacts } from "../programs/shared/proxmoxApi";
import { decryptedConfig, runPulumi } from "../programs/check/pulumiCli";
import { runConfigure } from "../programs/configure/configure";

const root = path.join(__dirname, "..");

/** One question on the terminal; `hidden` echoes nothing (a token, a passphrase). */
function question(text: string, hidden = false): Promise<string> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
    if (hidden) {
        // readline echoes every key through _writeToOutput: keep the prompt, drop what is typed.
        const writer = rl as unknown as { _writeToOutput: (s: string) => void };
        writer._writeToOutput = (s: string) => (s.startsWith(text) ? process.stdout.write(s) : undefined);
    }
    return new Promise((resolve) =>
        rl.question(text, (answer) => {
            rl.close();
            if (hidden) {
                process.stdout.write("\n");
            }
            resolve(answer);
        }),
    );
}

const run = (file: string, args: string[]) =>
    new Promise<void>((resolve, reject) =>
        execFile(file, args, { timeout: 60_000 }, (e, _out, err) => (e ? reject(new Error(`${file} failed: ${err || e.message}`)) : resolve())),
    );

void runConfigure(process.argv.slice(2), {
    root,
    env: process.env,
    home: os.homedir(),
    out: (line) => console.log(line),
    ask: (text, proposal) => question(`${text}${proposal === undefined ? "" : ` [${proposal}]`} `),
    askSecret: (text) => question(`${text}: `, true),
    // In view: the script says where from and how big, curl shows its progress, a failure explains itself.
    fetchCli: () =>
        new Promise((resolve) =>
            spawn("bash", [path.join(root, "scripts", "pulumi-cli.sh"), "--cli"], { stdio: "inherit" }).on("close", (code) => resolve(code === 0)),
        ),
    pulumi: (args, options) => runPulumi(args, { ...options, env: options.env as NodeJS.ProcessEnv }),
    proxmoxNodes,
    sshKeygen: (file) => run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `homelab@${os.hostname()}`, "-f", file]),
    // configure fetched the CLI before it wrote anything.
    check: (argv) =>
        runCheck(argv, {
            root,
            env: process.env,
            out: (line) => console.log(line),
            fetchCli: () => Promise.resolve(true),
            decryptedConfig,
            proxmoxFacts: readProxmoxFacts,
        }),
}).then((code) => process.exit(code));
