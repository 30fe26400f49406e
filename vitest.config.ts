import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config), which every runUnderMocks sets afresh, so the
        // files of a worker share one process: the SDKs load once per worker instead of once per file (~40 s less).
        pool: "forks",
        isolate: false,
        // Three workers on the 2-core CI machine: many tests wait on real bash scripts, child programs and local
        // servers, so a third file in flight fills the cores they leave idle (measured on a fresh clone, alone:
        // 2 workers 59-63 s, 3 workers 47-51 s).
        maxWorkers: 3,
        testTimeout: 30_000,
    },
});
