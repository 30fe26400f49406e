import type { PartChecks } from "../contracts/checks";

/** Shlink's checks go through PostgreSQL and Redis; the drills kill their primaries and restore a backup. */
export const dataChecks: PartChecks = {
    probes: () => [],
    drills: ["postgres-primary", "redis-master", "backup-restore"],
};
