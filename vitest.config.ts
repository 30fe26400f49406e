import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        // Pulumi's runtime keeps module-level state (mocks, config): one file per worker process.
        pool: "forks",
        testTimeout: 30_000,
    },
});
