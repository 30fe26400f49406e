import { K6 } from "./facts";
import { PROMETHEUS_DATASOURCE, type PartTelemetry } from "../contracts/telemetry";

/** Where the k6 dashboard is shown. */
export const LOAD_DASHBOARD_PROVIDER = { name: "load", folder: "Load tests" } as const;

/**
 * The official k6 dashboard (grafana.com 19665), next to Istio's: its queries filter on `testid`, which
 * `npm run load` sets to the run's name. It declares the `${DS_PROMETHEUS}` input (facts-next §3).
 */
export const loadTelemetry: PartTelemetry = {
    monitors: [],
    rules: () => [],
    dashboards: [
        {
            kind: "grafana.com",
            provider: LOAD_DASHBOARD_PROVIDER,
            dashboards: { k6: { gnetId: K6.dashboard.gnetId, revision: K6.dashboard.revision, datasource: [{ name: "DS_PROMETHEUS", value: PROMETHEUS_DATASOURCE.uid }] } },
        },
    ],
};
