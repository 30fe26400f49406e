// A CA and a server certificate for 127.0.0.1 signed by it, made by the real openssl in a scratch directory.
import * as fs from "node:fs";
import * as path from "node:path";
import type { NativeTool } from "./tools";

export function makeCa(openssl: NativeTool, dir: string, name: string): { ca: string; cert: string; key: string } {
    const run = (args: string[]) => openssl.run(args, dir);
    run([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        `${name}-ca.key`,
        "-out",
        `${name}-ca.crt`,
        "-days",
        "2",
        "-subj",
        `/CN=${name} CA`,
    ]);
    run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=127.0.0.1"]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    run([
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        `${name}-ca.crt`,
        "-CAkey",
        `${name}-ca.key`,
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
    ]);
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    return { ca: read(`${name}-ca.crt`), cert: read(`${name}.crt`), key: read(`${name}.key`) };
}
