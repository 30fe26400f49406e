import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config), which every runUnderMocks sets afresh, so the
        // files of a worker share one process: the SDKs load once per worker instead of once per file (~40 s less).
        pool: "forks",
        isolate: false,
        // One worker per core of the 2-core CI machine (vitest's default leaves one core idle); many tests wait
        // on real bash scripts and local servers, so two files in flight keep both cores busy.
        maxWorkers: 2,
        testTimeout: 30_000,
    },
});
