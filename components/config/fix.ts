// The commands the loader's messages tell the user to run: the project's pinned CLI, as the user has it.
// `npm run pulumi --` runs node_modules/.bin/pulumi (package.json "pulumi": "pulumi") from any folder of the
// clone; `npx pulumi` would fetch the latest CLI instead, and a bare `pulumi` may be absent or another version.

/** The pinned Pulumi CLI, copy-pastable in a shell at the clone. */
export const PULUMI_CLI = "npm run pulumi --";

/** The SSH key pair the README has the user make (passphrase-less: nothing can type one during `pulumi up`). */
export const SSH_KEY_FILE = "~/.ssh/homelab";

/** `npm run pulumi -- config set <key> <value>`. */
export function configSet(key: string, value: string): string {
    return `${PULUMI_CLI} config set ${key} ${value}`;
}

/** A secret, never on the command line: from a file on stdin, or typed at Pulumi's prompt when `from` is absent. */
export function configSetSecret(key: string, from?: string): string {
    return `${PULUMI_CLI} config set --secret ${key}${from === undefined ? "" : ` < ${from}`}`;
}

/** `npm run pulumi -- config rm <key>`. */
export function configRm(key: string): string {
    return `${PULUMI_CLI} config rm ${key}`;
}
