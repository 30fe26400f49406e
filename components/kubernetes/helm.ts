// The one way the program installs a Helm chart: a pinned chart into a namespace we created, with the same
// release options everywhere.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { HELM_TIMEOUT_SECONDS, type ChartPin } from "../defaults";

/**
 * Arguments of a release of a pinned chart. Atomic: a failed install is rolled back, so the next `pulumi up`
 * installs afresh instead of upgrading a half-installed release. Helm waits for Jobs too (webhook patches,
 * start-up checks), and the timeout fits a first image pull on a home uplink.
 */
export function helmReleaseArgs(pin: ChartPin, namespace: pulumi.Input<string>, values: pulumi.Input<Record<string, unknown>>): k8s.helm.v3.ReleaseArgs {
    return {
        name: pin.release,
        chart: pin.chart,
        version: pin.version,
        ...(pin.repo === undefined ? {} : { repositoryOpts: { repo: pin.repo } }),
        namespace,
        createNamespace: false,
        values,
        atomic: true,
        waitForJobs: true,
        timeout: HELM_TIMEOUT_SECONDS,
    };
}

/** A Helm release of a pinned chart (see helmReleaseArgs). */
export function helmRelease(
    name: string,
    pin: ChartPin,
    namespace: pulumi.Input<string>,
    values: pulumi.Input<Record<string, unknown>>,
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(name, helmReleaseArgs(pin, namespace, values), opts);
}
