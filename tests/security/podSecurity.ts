// A checker of the Pod Security Standards' baseline and restricted profiles, after
// kubernetes.io/docs/concepts/security/pod-security-standards (policy version v1.34), applied to a pod spec.
// Each violation names the control, the container (or the pod) and the field, as the admission message does.

export type Level = "privileged" | "baseline" | "restricted";

interface SecurityContext {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { add?: string[]; drop?: string[] };
    seccompProfile?: { type: string; localhostProfile?: string };
    appArmorProfile?: { type: string };
    seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
    procMount?: string;
    windowsOptions?: { hostProcess?: boolean };
    sysctls?: { name: string; value: string }[];
    /** No Pod Security control reads it; a pod carries it as rendered. */
    readOnlyRootFilesystem?: boolean;
}

interface Container {
    name: string;
    ports?: { hostPort?: number; containerPort: number }[];
    securityContext?: SecurityContext;
}

export interface PodSpec {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: SecurityContext;
    containers: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    volumes?: Record<string, unknown>[];
}

/** Capabilities baseline lets a container add (the container runtime's default set). */
const BASELINE_CAPABILITIES = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
/** Sysctls baseline allows (the "safe" set as of v1.34). */
const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
/** Volume types restricted allows. */
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

function allContainers(spec: PodSpec): Container[] {
    return [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function volumeType(volume: Record<string, unknown>): string {
    const types = Object.keys(volume).filter((k) => k !== "name");
    return types[0] ?? "emptyDir";
}

/** Every baseline violation of the pod (annotations: the pod's, for the legacy AppArmor form). */
export function baselineViolations(spec: PodSpec, annotations: Record<string, string> = {}): string[] {
    const out: string[] = [];
    const pod = spec.securityContext ?? {};
    if (pod.windowsOptions?.hostProcess) out.push("HostProcess: pod windowsOptions.hostProcess");
    for (const ns of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (spec[ns]) out.push(`Host Namespaces: ${ns}=true`);
    }
    for (const v of spec.volumes ?? []) {
        if ("hostPath" in v) out.push(`HostPath Volumes: volume ${String(v.name)}`);
    }
    const seccompOk = (sc: SecurityContext | undefined) => sc?.seccompProfile === undefined || sc.seccompProfile.type !== "Unconfined";
    const appArmorOk = (sc: SecurityContext | undefined) =>
        sc?.appArmorProfile === undefined || ["RuntimeDefault", "Localhost"].includes(sc.appArmorProfile.type);
    const seLinuxOk = (sc: SecurityContext | undefined) =>
        sc?.seLinuxOptions === undefined ||
        (SELINUX_TYPES.includes(sc.seLinuxOptions.type ?? "") && sc.seLinuxOptions.user === undefined && sc.seLinuxOptions.role === undefined);
    if (!seccompOk(pod)) out.push("Seccomp: pod seccompProfile Unconfined");
    if (!appArmorOk(pod)) out.push("AppArmor: pod appArmorProfile Unconfined");
    if (!seLinuxOk(pod)) out.push("SELinux: pod seLinuxOptions");
    for (const sysctl of pod.sysctls ?? []) {
        if (!SAFE_SYSCTLS.includes(sysctl.name)) out.push(`Sysctls: ${sysctl.name}`);
    }
    for (const [key, value] of Object.entries(annotations)) {
        if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") && !(value === "runtime/default" || value.startsWith("localhost/"))) {
            out.push(`AppArmor: annotation ${key}=${value}`);
        }
    }
    for (const c of allContainers(spec)) {
        const sc = c.securityContext;
        if (sc?.windowsOptions?.hostProcess) out.push(`HostProcess: container ${c.name}`);
        if (sc?.privileged) out.push(`Privileged Containers: container ${c.name}`);
        const added = (sc?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
        if (added.length > 0) out.push(`Capabilities: container ${c.name} adds ${added.join(",")}`);
        for (const p of c.ports ?? []) {
            if (p.hostPort !== undefined && p.hostPort !== 0) out.push(`Host Ports: container ${c.name} hostPort ${p.hostPort}`);
        }
        if (!seccompOk(sc)) out.push(`Seccomp: container ${c.name} Unconfined`);
        if (!appArmorOk(sc)) out.push(`AppArmor: container ${c.name}`);
        if (!seLinuxOk(sc)) out.push(`SELinux: container ${c.name}`);
        if (sc?.procMount !== undefined && sc.procMount !== "Default") out.push(`/proc Mount Type: container ${c.name} ${sc.procMount}`);
    }
    return out;
}

/** Every restricted violation (baseline's included). */
export function restrictedViolations(spec: PodSpec, annotations: Record<string, string> = {}): string[] {
    const out = baselineViolations(spec, annotations);
    const pod = spec.securityContext ?? {};
    for (const v of spec.volumes ?? []) {
        const type = volumeType(v);
        if (!RESTRICTED_VOLUMES.includes(type)) out.push(`Volume Types: volume ${String(v.name)} is ${type}`);
    }
    if (pod.runAsUser === 0) out.push("Running as Non-root user: pod runAsUser=0");
    const podSeccomp = pod.seccompProfile?.type;
    for (const c of allContainers(spec)) {
        const sc = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) out.push(`Privilege Escalation: container ${c.name} must set allowPrivilegeEscalation=false`);
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        if (nonRoot !== true) out.push(`Running as Non-root: container ${c.name} must set runAsNonRoot=true (or the pod)`);
        if (sc.runAsUser === 0) out.push(`Running as Non-root user: container ${c.name} runAsUser=0`);
        const seccomp = sc.seccompProfile?.type ?? podSeccomp;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
            out.push(`Seccomp: container ${c.name} must have seccompProfile RuntimeDefault or Localhost (or the pod)`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`Capabilities: container ${c.name} must drop ALL`);
        const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
        if (added.length > 0) out.push(`Capabilities: container ${c.name} may add only NET_BIND_SERVICE, adds ${added.join(",")}`);
    }
    return out;
}

/** Violations of `level` (privileged allows everything). */
export function violations(level: Level, spec: PodSpec, annotations: Record<string, string> = {}): string[] {
    return level === "privileged" ? [] : level === "baseline" ? baselineViolations(spec, annotations) : restrictedViolations(spec, annotations);
}
