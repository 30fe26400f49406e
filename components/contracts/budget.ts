// What a part adds to the platform's resource budget (PartOperations.budget): one line per kind of pod, computed
// from the part's own builders (components/kubernetes/requests.ts turns a pod's containers into what the scheduler
// reserves). stacks/budget.ts sums the parts' lines; tests/budget.test.ts proves them equal to what the program sends.
// A shared contract: it imports no part.

/** One kind of pod, what the scheduler reserves for one, and how many of it run. */
export interface BudgetLine {
    what: string;
    cpu: number;
    memory: number;
    count: number;
}

/** What the budget depends on. */
export interface BudgetPlan {
    shlinkReplicas: number;
    /** Nodes running the DaemonSets (node exporter). */
    nodeCount: number;
    /** Argo CD installed (homelab:argocd). */
    argocd: boolean;
    /** The off-site repository on (homelab:offsiteBackup*): its backup Jobs beside repo1's. */
    offsiteBackup?: boolean;
}

/** A pod's containers' resources, and its init containers' in order (a native sidecar marked). */
export interface PodResources {
    containers: readonly { name: string; resources: unknown }[];
    initContainers?: readonly { name: string; resources: unknown; sidecar?: boolean }[];
}
