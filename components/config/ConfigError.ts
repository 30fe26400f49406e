import * as pulumi from "@pulumi/pulumi";

/** Every config mistake at once; a RunError, so Pulumi prints the message alone, without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: string[]) {
        super(`The homelab stack config has ${problems.length} problem(s); nothing was created:\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}
