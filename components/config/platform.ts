// Sizes of the data layer and Shlink, and the check that the nodes' disks hold its volumes (whether their CPU and
// memory hold its requests is planned above the loader: stacks/capacity.ts).
import { HA_MIN_NODES, K3S_SERVER_MINIMUMS } from "./defaults";
import { Reader } from "./read";
import type { Checked, NodeSpec, PlatformConfig } from "./types";

export function validatePlatform(h: Record<string, unknown>): Checked<PlatformConfig> {
    const read = new Reader(h);
    const platform = {
        // Shlink's PodDisruptionBudget keeps 2 up (SHLINK.minAvailable, components/apps/facts.ts): 3 replicas at least, one per node.
        shlinkReplicas: read.int("shlinkReplicas", HA_MIN_NODES, 12),
        postgresVolumeGiB: read.int("postgresVolumeGiB", 1, 16_384),
        postgresBackupVolumeGiB: read.int("postgresBackupVolumeGiB", 1, 16_384),
        postgresBackupRetentionFull: read.int("postgresBackupRetentionFull", 1, 30),
        redisVolumeGiB: read.int("redisVolumeGiB", 1, 1024),
        redisPasswordGeneration: read.int("redisPasswordGeneration", 0, 1_000_000),
    };
    return read.problems.length > 0 ? { problems: read.problems } : { problems: [], value: platform as PlatformConfig };
}

/**
 * Refuses volumes that cannot fit a node: local-path volumes live on the node's own disk, and one node may
 * hold a PostgreSQL instance, the pgBackRest repository and a Redis pod at once, beside the system.
 */
export function volumeProblems(nodes: NodeSpec[], platform: PlatformConfig): string[] {
    const needGiB = platform.postgresVolumeGiB + platform.postgresBackupVolumeGiB + platform.redisVolumeGiB + K3S_SERVER_MINIMUMS.diskGiB;
    return nodes
        .filter((node) => node.diskGiB < needGiB)
        .map(
            (node) =>
                `Node ${node.name}: its ${node.diskGiB} GiB disk cannot hold homelab:postgresVolumeGiB (${platform.postgresVolumeGiB}) + ` +
                `homelab:postgresBackupVolumeGiB (${platform.postgresBackupVolumeGiB}) + homelab:redisVolumeGiB (${platform.redisVolumeGiB}) ` +
                `and ${K3S_SERVER_MINIMUMS.diskGiB} GiB for the system (${needGiB} GiB). Raise vmDiskGiB or lower the volumes.`,
        );
}
