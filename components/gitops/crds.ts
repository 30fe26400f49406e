// Argo CD's custom resources (`argoproj.io/v1alpha1`, the only version of the CRDs chart 10.1.1 installs), for
// the fields this program sets, and the builders of the user's project and root Application.
import { ARGO_CD } from "./facts";

export const ARGO_API_VERSION = "argoproj.io/v1alpha1";
export const APP_PROJECT_KIND = "AppProject";
export const APPLICATION_KIND = "Application";

/** A cluster/namespace pair; a leading `!` denies it (Argo CD 2.5 and later, argoproj/argo-cd#9464). */
export interface ApplicationDestination {
    server: string;
    namespace: string;
}

/** A kind by API group (`""` is the core group). */
export interface GroupKind {
    group: string;
    kind: string;
}

export interface AppProjectSpec {
    description: string;
    sourceRepos: string[];
    destinations: ApplicationDestination[];
    /** Cluster-scoped kinds the project may sync: empty, none. */
    clusterResourceWhitelist: GroupKind[];
    /** Namespaced kinds it may sync; unset, every kind. */
    namespaceResourceWhitelist?: GroupKind[];
}

export interface ApplicationSpec {
    project: string;
    source: { repoURL: string; path: string; targetRevision: string; directory?: { recurse: boolean } };
    destination: ApplicationDestination;
    syncPolicy: {
        automated: { prune: boolean; selfHeal: boolean };
        syncOptions: string[];
    };
}

/** Where the user's repo points and which namespaces it must never touch. */
export interface UserRepo {
    repoUrl: string;
    path: string;
    revision: string;
}

/**
 * The project of the user's apps: any namespace of the in-cluster server except those the stack manages
 * (every `!` entry must not match, and at least one allow entry must), no cluster-scoped kind at all.
 */
export function userAppsProjectSpec(repoUrl: string, managedNamespaces: readonly string[]): AppProjectSpec {
    return {
        description: "The user's apps from homelab:gitopsRepoUrl; never a namespace Pulumi manages.",
        sourceRepos: [repoUrl],
        destinations: [
            ...[...new Set(managedNamespaces)].sort().map((namespace) => ({ server: ARGO_CD.inClusterServer, namespace: `!${namespace}` })),
            { server: ARGO_CD.inClusterServer, namespace: "*" },
        ],
        clusterResourceWhitelist: [],
    };
}

/**
 * The root Application's own project: it may only write Applications of the `user-apps` project into Argo
 * CD's namespace (the app-of-apps children), nothing else.
 */
export function rootProjectSpec(repoUrl: string): AppProjectSpec {
    return {
        description: "The root Application of homelab:gitopsRepoUrl: Applications into Argo CD's namespace, nothing else.",
        sourceRepos: [repoUrl],
        destinations: [{ server: ARGO_CD.inClusterServer, namespace: ARGO_CD.namespace }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: "argoproj.io", kind: APPLICATION_KIND }],
    };
}

/**
 * Argo CD's built-in `default` project, locked: an Application from the user's repo naming it instead of
 * `user-apps` could otherwise deploy anywhere, Pulumi's namespaces and cluster-scoped kinds included.
 */
export function lockedDefaultProjectSpec(): AppProjectSpec {
    return {
        description: "Locked by the homelab stack: Applications belong to user-apps (or user-apps-root).",
        sourceRepos: [],
        destinations: [],
        clusterResourceWhitelist: [],
    };
}

/** The root Application (app of apps): the repo's path, synced and pruned, its Applications created in Argo CD's namespace. */
export function rootApplicationSpec(repo: UserRepo): ApplicationSpec {
    return {
        project: ARGO_CD.rootProject,
        source: { repoURL: repo.repoUrl, path: repo.path, targetRevision: repo.revision, directory: { recurse: true } },
        destination: { server: ARGO_CD.inClusterServer, namespace: ARGO_CD.namespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: [] },
    };
}
