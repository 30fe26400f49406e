import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH } from "../defaults";
import { ARGO_CD, ARGO_CD_CHART } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";
import {
    APP_PROJECT_KIND,
    APPLICATION_KIND,
    ARGO_API_VERSION,
    lockedDefaultProjectSpec,
    rootApplicationSpec,
    rootProjectSpec,
    userAppsProjectSpec,
    type UserRepo,
} from "./crds";
import { argoCdValues } from "./values";
import { httpsUrl } from "../contracts/doors";
import { ARGO_CD_NAMESPACE } from "./part";

export interface ArgoCdArgs {
    /** Argo CD's doors on the ingress gateway: HTTPS, and plain HTTP answering 301 to it (the port plan's two ports). */
    ports: { http: number; https: number };
    /** Host every URL names (homelab:domain or the lab's address). */
    publicAddress: string;
    /** The user's repo for the root Application; unset, Argo CD runs with no Application. */
    repo?: UserRepo;
    /** Every namespace the stack manages: the user's project may deploy into none of them. */
    managedNamespaces: readonly string[];
}

/**
 * Argo CD for the user's own apps (pinned argo-cd chart, outside the mesh), logged into as `admin` with a
 * generated password, and optionally a root Application (app of apps) syncing the user's repo through projects
 * that keep it out of every namespace Pulumi manages.
 */
export class ArgoCd extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;
    /** Secret. */
    public readonly adminPassword: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:gitops:ArgoCd", name, {}, opts);
        // Argo CD's own pods stay out of the mesh.
        const ns = namespace(childName(name, "namespace"), ARGO_CD_NAMESPACE, false, { parent: this });
        const password = new random.RandomPassword(childName(name, "admin-password"), { length: GENERATED_SECRET_LENGTH, special: false }, { parent: this });
        // The hash is secret too: it could be brute-forced offline.
        const adminPasswordHash = pulumi.secret(password.bcryptHash);
        const url = httpsUrl(args.publicAddress, args.ports.https);
        const values = argoCdValues({ url, adminPasswordHash });
        this.release = helmRelease(childName(name, "release"), ARGO_CD_CHART, ns.metadata.name, values, { parent: this });
        if (args.repo !== undefined) {
            userRepo(name, args.repo, args.managedNamespaces, this.release, this);
        }
        this.adminPassword = pulumi.secret(password.result);
        this.url = pulumi.output(url);
        this.registerOutputs({ url: this.url, status: this.release.status });
    }
}

/** The two projects and the root Application; each waits for the release that installs their CRDs. */
function userRepo(name: string, repo: UserRepo, managedNamespaces: readonly string[], release: k8s.helm.v3.Release, parent: pulumi.Resource): void {
    // The CRDs are chart templates: the objects wait for the release that installs them.
    const opts: pulumi.CustomResourceOptions = { parent, dependsOn: [release] };
    const metadata = (objectName: string) => ({ name: objectName, namespace: ARGO_CD.namespace });
    const project = (role: string, objectName: string, spec: object) =>
        new k8s.apiextensions.CustomResource(
            childName(name, role),
            { apiVersion: ARGO_API_VERSION, kind: APP_PROJECT_KIND, metadata: metadata(objectName), spec },
            opts,
        );
    const lockedDefault = new k8s.apiextensions.CustomResourcePatch(
        childName(name, "default-project-lock"),
        {
            apiVersion: ARGO_API_VERSION,
            kind: APP_PROJECT_KIND,
            // argocd-server created it and owns its fields: server-side apply takes them over.
            metadata: { ...metadata(ARGO_CD.defaultProject), annotations: { "pulumi.com/patchForce": "true" } },
            spec: lockedDefaultProjectSpec(),
        },
        opts,
    );
    const projects = [
        project("user-apps-project", ARGO_CD.project, userAppsProjectSpec(repo.repoUrl, managedNamespaces)),
        project("root-project", ARGO_CD.rootProject, rootProjectSpec(repo.repoUrl)),
        lockedDefault,
    ];
    new k8s.apiextensions.CustomResource(
        childName(name, "root-application"),
        { apiVersion: ARGO_API_VERSION, kind: APPLICATION_KIND, metadata: metadata(ARGO_CD.rootApplication), spec: rootApplicationSpec(repo) },
        // An Application naming a project that does not exist yet fails its first sync; none may fall back on `default` unlocked.
        { parent, dependsOn: [release, ...projects] },
    );
}
