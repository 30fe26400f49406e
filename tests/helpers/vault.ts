// A stand-in for what the stack hands every layer that reads Vault, for tests that build one layer alone.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { VaultAccess } from "../../components/contracts/vault";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";

/** ESO's release as a ConfigMap named `eso-stand-in`, and nothing to wait for from the seed. Call inside a mocked program. */
export function standInVault(opts?: pulumi.CustomResourceOptions): VaultAccess {
    return { operator: new k8s.core.v1.ConfigMap("eso-stand-in", { metadata: { name: "eso" } }, opts), seeded: [], entries: LAB_VAULT_ENTRIES };
}
