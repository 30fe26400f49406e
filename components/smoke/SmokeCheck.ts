import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { smokeCheckScript } from "./script";

export interface SmokeCheckArgs {
    /** SSH connection to a node: the check runs inside the lab's network. */
    connection: command.types.input.remote.ConnectionArgs;
    shlinkUrl: pulumi.Input<string>;
    apiKey: pulumi.Input<string>;
    grafanaUrl: pulumi.Input<string>;
    kialiHealthUrl: pulumi.Input<string>;
    jaegerUrl: pulumi.Input<string>;
    timeoutSeconds: number;
    /** Everything the check exercises: it runs last. */
    waitFor: pulumi.Input<pulumi.Resource>[];
    /** Values whose change re-runs the check (versions, config). */
    triggers: pulumi.Input<unknown>[];
}

/** The last step of `pulumi up`: fails the update, naming what is down, unless every URL works end to end. */
export class SmokeCheck extends pulumi.ComponentResource {
    public readonly report: pulumi.Output<string>;

    constructor(name: string, args: SmokeCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:smoke:SmokeCheck", name, {}, opts);
        const script = pulumi
            .all([args.shlinkUrl, args.apiKey, args.grafanaUrl, args.kialiHealthUrl, args.jaegerUrl])
            .apply(([shlinkUrl, apiKey, grafanaUrl, kialiHealthUrl, jaegerUrl]) =>
                smokeCheckScript({ shlinkUrl, apiKey, grafanaUrl, kialiHealthUrl, jaegerUrl, timeoutSeconds: args.timeoutSeconds }),
            );
        const check = new command.remote.Command(
            `${name}-run`,
            {
                connection: args.connection,
                create: "bash -s",
                update: "bash -s",
                // The script carries the API key: stdin only, and secret in state.
                stdin: pulumi.secret(script),
                triggers: args.triggers,
                addPreviousOutputInEnv: false,
            },
            // Side effects only: the releases and workloads must be up before they can be checked.
            { parent: this, dependsOn: args.waitFor },
        );
        this.report = check.stdout;
        this.registerOutputs({ report: this.report });
    }
}
