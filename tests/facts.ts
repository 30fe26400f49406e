// Every module that holds the lab's facts: the shared defaults, the config keys' defaults, each part's facts.ts.
// Tests that walk every pin (tests/renovate.test.ts, tests/docs.test.ts) read them all from here; tests/renovate.test.ts proves no components/<part>/facts.ts is left out.
import * as apps from "../components/apps/facts";
import * as config from "../components/config/defaults";
import * as data from "../components/data/facts";
import * as defaults from "../components/defaults";
import * as edge from "../components/edge/facts";
import * as gitops from "../components/gitops/facts";
import * as k3s from "../components/k3s/facts";
import * as load from "../components/load/facts";
import * as meshPart from "../components/mesh/facts";
import * as observability from "../components/observability/facts";
import * as operators from "../components/operators/facts";
import * as proxmox from "../components/proxmox/facts";
import * as secrets from "../components/secrets/facts";
import * as smoke from "../components/smoke/facts";

/** The facts modules by file. */
export const FACT_MODULES: Record<string, Record<string, unknown>> = {
    "components/defaults.ts": defaults,
    "components/config/defaults.ts": config,
    "components/proxmox/facts.ts": proxmox,
    "components/k3s/facts.ts": k3s,
    "components/operators/facts.ts": operators,
    "components/secrets/facts.ts": secrets,
    "components/data/facts.ts": data,
    "components/apps/facts.ts": apps,
    "components/mesh/facts.ts": meshPart,
    "components/edge/facts.ts": edge,
    "components/observability/facts.ts": observability,
    "components/gitops/facts.ts": gitops,
    "components/load/facts.ts": load,
    "components/smoke/facts.ts": smoke,
};

/** Every exported value of every facts module. */
export const FACT_VALUES: unknown[] = Object.values(FACT_MODULES).flatMap((module) => Object.values(module));
