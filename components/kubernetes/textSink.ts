// The text an exec over the Kubernetes API writes to stdout or stderr, handed to `append` chunk by chunk.
import { Writable } from "node:stream";

export function textSink(append: (text: string) => void): Writable {
    return new Writable({
        write(chunk: Buffer, _encoding, done) {
            append(chunk.toString());
            done();
        },
    });
}
