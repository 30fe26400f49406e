// Preloaded (node --require) into a program a test runs as a child: any TCP connection or DNS lookup fails the
// program loudly, so a test proves the program reached no network. Unix sockets (tsx's own IPC) stay allowed.
"use strict";
const net = require("net");
const dns = require("dns");

function refuse(what) {
    const message = `noNetwork: the program tried to reach the network (${what})`;
    process.stderr.write(message + "\n");
    throw new Error(message);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
    const first = args[0];
    const options = Array.isArray(first) ? first[0] : first;
    const isUnixSocket = typeof options === "string" ? !/^\d+$/.test(options) : options && typeof options === "object" && typeof options.path === "string";
    if (!isUnixSocket) {
        refuse(`connect ${JSON.stringify(typeof options === "object" ? { host: options.host, port: options.port } : options)}`);
    }
    return connect.apply(this, args);
};
for (const name of ["lookup", "resolve", "resolve4", "resolve6"]) {
    dns[name] = () => refuse(`dns.${name}`);
    dns.promises[name] = async () => refuse(`dns.promises.${name}`);
}
