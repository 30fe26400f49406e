// One clock for a drill: the cluster's. The requests' times come from the k6 runner (a node's clock, NTP-synced
// with the API server's node); the drill's own times (injection, promotion, health) are this machine's. The skew
// between this machine and the API server is measured once, from the `Date` header, and applied to every time.

/** This machine's clock moved onto the cluster's: `skewMs` added, known within ± `uncertaintyMs`. */
export interface ClusterClock {
    skewMs: number;
    uncertaintyMs: number;
    now(): number;
}

/** Samples of the Date header are taken this often, at most this many times, to catch its second ticking over. */
export const SKEW_PROBE = { intervalMs: 100, samples: 15 } as const;

/**
 * Measures the skew: the `Date` header has whole seconds, so the probe is asked until its second ticks over; the tick
 * happened between the request before it was sent and the answer after it came back, and its moment is the
 * midpoint of that span (± half of it). Without a tick (a frozen server clock), the midpoint of one answer ± 0.5 s.
 */
export async function measureClock(serverTime: () => Promise<number>, now: () => number, sleep: (ms: number) => Promise<void>): Promise<ClusterClock> {
    const ask = async () => {
        const before = now();
        const server = await serverTime();
        return { before, server, after: now() };
    };
    let previous = await ask();
    const first = previous;
    for (let i = 1; i < SKEW_PROBE.samples; i++) {
        await sleep(SKEW_PROBE.intervalMs);
        const sample = await ask();
        if (sample.server > previous.server) {
            const tickAt = (previous.before + sample.after) / 2;
            return clock(sample.server - tickAt, (sample.after - previous.before) / 2, now);
        }
        previous = sample;
    }
    const mid = (first.before + first.after) / 2;
    return clock(first.server + 500 - mid, 500 + (first.after - first.before) / 2, now);
}

function clock(skewMs: number, uncertaintyMs: number, now: () => number): ClusterClock {
    const skew = Math.round(skewMs);
    return { skewMs: skew, uncertaintyMs: Math.round(uncertaintyMs), now: () => now() + skew };
}

/** The line a drill prints about it. */
export function clockLine(c: ClusterClock): string {
    const seconds = (ms: number) => (Math.abs(ms) / 1000).toFixed(2);
    const direction = c.skewMs === 0 ? "in step with" : c.skewMs > 0 ? `${seconds(c.skewMs)} s ahead of` : `${seconds(c.skewMs)} s behind`;
    return `clock: the cluster (its API server's Date header) is ${direction} this machine (± ${seconds(c.uncertaintyMs)} s); every time below is the cluster's`;
}
