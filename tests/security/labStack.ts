// The lab's stack under mocks, run once per worker for the security tests: both files read the same ledger
// and neither changes it.
import type { HomelabOutputs } from "../../stacks/homelab";
import { runHomelab } from "../helpers/platform";
import type { Ledger } from "../helpers/pulumi";

let run: Promise<{ ledger: Ledger; result: HomelabOutputs }> | undefined;

export function labStack(): Promise<{ ledger: Ledger; result: HomelabOutputs }> {
    run ??= runHomelab();
    return run;
}
