// Every network call of `npm run verify`: one small HTTP(S) client whose deadline covers the whole exchange
// (connect, answer, body), so a server that accepts and never answers ends with a message, not a hang.
import * as http from "node:http";
import * as https from "node:https";

export interface HttpResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
}

export interface RequestOptions {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Overrides the client's deadline for this call (ms). */
    timeoutMs?: number;
}

/** TLS material and headers a client sends on every call (the kubeconfig's, or the lab CA for the doors). */
export interface ClientOptions {
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
    /** false only when the kubeconfig says insecure-skip-tls-verify (a cluster not of ours may). */
    rejectUnauthorized?: boolean;
    headers?: Record<string, string>;
    /** Deadline of one call (ms). */
    timeoutMs: number;
    /** What the server is, for messages ("the Kubernetes API at https://…"). */
    what: string;
}

/** A base URL and how to talk to it. `request("/api/v1/nodes")` resolves relative to the base's path. */
export interface HttpApi {
    readonly base: string;
    readonly what: string;
    request(path: string, options?: RequestOptions): Promise<HttpResponse>;
    /** GET that must answer 2xx with JSON; anything else throws, naming the server and the status. */
    json<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
}

/** Thrown when a server gives no (complete) answer in time, or cannot be reached: the check could not run. */
export class Unreachable extends Error {}

/** Thrown by json() on a non-2xx answer. */
export class HttpStatusError extends Error {
    constructor(
        message: string,
        public readonly status: number,
        public readonly body: string,
    ) {
        super(message);
    }
}

/** One request to an absolute URL; the deadline covers connecting, the answer and its body. */
export function fetchUrl(
    url: string,
    options: RequestOptions & Omit<ClientOptions, "what" | "timeoutMs"> & { timeoutMs: number; what?: string },
): Promise<HttpResponse> {
    const target = new URL(url);
    const what = options.what ?? url;
    const lib = target.protocol === "https:" ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
        let settled = false;
        const done = (f: () => void) => {
            if (!settled) {
                settled = true;
                clearTimeout(timer);
                f();
            }
        };
        const req = lib.request(
            target,
            {
                method: options.method ?? "GET",
                headers: { ...options.headers, ...(options.body === undefined ? {} : { "Content-Length": Buffer.byteLength(options.body) }) },
                ...(target.protocol === "https:"
                    ? { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: options.rejectUnauthorized !== false }
                    : {}),
                agent: false,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () =>
                    done(() =>
                        resolve({
                            status: res.statusCode ?? 0,
                            headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")])),
                            body: Buffer.concat(chunks).toString("utf8"),
                        }),
                    ),
                );
                res.on("error", (e) => done(() => reject(new Unreachable(`${what}: ${e.message}`))));
            },
        );
        const timer = setTimeout(() => {
            done(() => reject(new Unreachable(`${what} did not answer within ${Math.round(options.timeoutMs / 1000)} s`)));
            req.destroy();
        }, options.timeoutMs);
        req.on("error", (e) => done(() => reject(new Unreachable(`${what}: ${e.message}`))));
        req.end(options.body);
    });
}

export function httpApi(base: string, client: ClientOptions): HttpApi {
    const root = base.replace(/\/+$/, "");
    const request = (path: string, options: RequestOptions = {}) =>
        fetchUrl(`${root}${path}`, {
            ...options,
            ca: client.ca,
            cert: client.cert,
            key: client.key,
            rejectUnauthorized: client.rejectUnauthorized,
            headers: { ...client.headers, ...options.headers },
            timeoutMs: options.timeoutMs ?? client.timeoutMs,
            what: client.what,
        });
    return {
        base: root,
        what: client.what,
        request,
        async json<T>(path: string, options?: RequestOptions): Promise<T> {
            const res = await request(path, options);
            if (res.status < 200 || res.status > 299) {
                throw new HttpStatusError(
                    `${client.what} answered ${res.status} to ${options?.method ?? "GET"} ${path}: ${res.body.slice(0, 200)}`,
                    res.status,
                    res.body,
                );
            }
            try {
                return JSON.parse(res.body) as T;
            } catch {
                throw new Unreachable(`${client.what} answered ${path} with something that is not JSON: ${res.body.slice(0, 120)}`);
            }
        },
    };
}
