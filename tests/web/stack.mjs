// The stack the browser end-to-end tests run against: a real CNCF
// distribution registry (docker-registry) seeded with the demo images, and
// polyarch-proxy serving dist/ in front of it, all on free 127.0.0.1 ports.
//
//   const stack = await startStack({ auth: "token" });
//   // stack.registry  "127.0.0.1:NNNN"
//   // stack.proxyUrl  "http://127.0.0.1:MMMM"
//   // stack.user, stack.password  (null when auth is "none")
//   await stack.stop();
//
// auth is one of:
//   "none"   anyone may pull and push;
//   "basic"  htpasswd Basic authentication for one user;
//   "token"  Bearer tokens from `polyarch-demo token-server`, which gives
//            the user every right asked for and anonymous callers pull only.
//
// The registry holds demo/app:amd64 (linux/amd64), demo/app:arm64
// (linux/arm64/v8), demo/app:v1 (an OCI index of those two) and
// demo/base:armv7 (linux/arm/v7), written by `polyarch-demo seed`. The proxy
// runs with --no-default-registries, so nothing but this registry (and, in
// token mode, the token server) can be reached through it.
//
// Binaries come from $CARGO_TARGET_DIR (default ~/.cache/polyarch/target):
// dist/polyarch-proxy (make proxy) and release/polyarch-demo (make demo).
// stop() ends every process started here by its PID (SIGTERM, then SIGKILL
// after 5 s) and removes the temporary directory; it may be called more
// than once. Processes still running when Node exits are killed too.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { dist } from "./harness.mjs";

export const targetDir =
    process.env.CARGO_TARGET_DIR || join(homedir(), ".cache", "polyarch", "target");
export const binaries = {
    proxy: join(targetDir, "dist", "polyarch-proxy"),
    demo: join(targetDir, "release", "polyarch-demo"),
    registry: process.env.DOCKER_REGISTRY || "docker-registry",
};
export const AUTH_MODES = ["none", "basic", "token"];

const USER = "polyarch";
// Another process may take a free port before ours binds it.
const PORT_ATTEMPTS = 5;
const START_MS = 10_000;
const STOP_MS = 5_000;
const OUTPUT_KEPT = 8_192;

// A free port on 127.0.0.1 (bound, then released).
export async function freePort() {
    const server = createServer();
    await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
    });
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A started process with the last few KiB of its output.
function launch(program, args, env = {}) {
    const child = spawn(program, args, {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...env },
    });
    const proc = { program, child, pid: child.pid, output: "", error: null };
    const keep = (chunk) => {
        proc.output = (proc.output + chunk).slice(-OUTPUT_KEPT);
    };
    child.stdout.setEncoding("utf8").on("data", keep);
    child.stderr.setEncoding("utf8").on("data", keep);
    proc.ended = new Promise((resolve) => {
        child.once("exit", (code, signal) => resolve({ code, signal }));
        child.once("error", (error) => {
            proc.error = error;
            resolve({ code: null, signal: null });
        });
    });
    return proc;
}

function running(proc) {
    return (
        proc.pid !== undefined &&
        proc.error === null &&
        proc.child.exitCode === null &&
        proc.child.signalCode === null
    );
}

function report(proc) {
    const why = proc.error
        ? proc.error.message
        : `exit ${proc.child.exitCode ?? proc.child.signalCode ?? "none yet"}`;
    return `${proc.program} (${why}):\n${proc.output.trim()}`;
}

// Ends a process by its PID: SIGTERM, then SIGKILL if it lingers.
async function end(proc) {
    if (!running(proc)) {
        await proc.ended;
        return;
    }
    proc.child.kill("SIGTERM");
    const timer = setTimeout(() => {
        if (running(proc)) proc.child.kill("SIGKILL");
    }, STOP_MS);
    await proc.ended;
    clearTimeout(timer);
}

// Runs a program to its end; rejects with its output when it fails.
async function runToEnd(program, args, env) {
    const proc = launch(program, args, env);
    const { code } = await proc.ended;
    if (code !== 0) {
        throw new Error(`${program} ${args[0]} failed: ${report(proc)}`);
    }
    return proc.output;
}

// Whether `proc` is running and `url` answers as `accept` wants, within
// START_MS.
async function answers(proc, url, accept) {
    const deadline = Date.now() + START_MS;
    while (Date.now() < deadline) {
        if (!running(proc)) return false;
        try {
            const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
            await response.arrayBuffer();
            return accept(response) && running(proc);
        } catch {
            await sleep(50);
        }
    }
    return false;
}

// Waits until `proc` prints a line matching `pattern`; its first group.
async function printed(proc, pattern) {
    const deadline = Date.now() + START_MS;
    while (Date.now() < deadline) {
        const match = proc.output.match(pattern);
        if (match) return match[1];
        if (!running(proc)) break;
        await sleep(25);
    }
    throw new Error(`no line matching ${pattern} from ${report(proc)}`);
}

function checkBinaries() {
    for (const [what, path] of [
        ["polyarch-proxy (make proxy)", binaries.proxy],
        ["polyarch-demo (make demo)", binaries.demo],
        ["the built site (make site)", join(dist, "index.html")],
    ]) {
        if (!existsSync(path)) throw new Error(`${what} is missing: ${path}`);
    }
}

export async function startStack({ auth = "none" } = {}) {
    if (!AUTH_MODES.includes(auth)) {
        throw new Error(`auth must be one of ${AUTH_MODES.join(", ")}, got ${auth}`);
    }
    checkBinaries();

    const dir = await mkdtemp(join(tmpdir(), "polyarch-stack-"));
    const procs = [];
    const user = auth === "none" ? null : USER;
    const password = auth === "none" ? null : randomBytes(12).toString("hex");
    const secretEnv = password ? { POLYARCH_DEMO_PASSWORD: password } : {};
    const killOnExit = () => {
        for (const proc of procs) if (running(proc)) proc.child.kill("SIGKILL");
    };
    process.once("exit", killOnExit);

    let stopped = null;
    const stop = () => {
        stopped ??= (async () => {
            for (const proc of [...procs].reverse()) await end(proc);
            process.removeListener("exit", killOnExit);
            await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
    };

    try {
        let token = null;
        if (auth === "token") {
            const issuer = launch(
                binaries.demo,
                ["token-server", "--listen", "127.0.0.1:0", "--dir", dir, "--user", USER],
                secretEnv,
            );
            procs.push(issuer);
            const realm = await printed(issuer, /listening on (http:\/\/\S+\/token)/);
            token = { realm, address: new URL(realm).host, bundle: join(dir, "token-issuer.pem") };
        }

        const registry = await startRegistry({ dir, auth, token, user, secretEnv, procs });

        const credentials = user ? ["--user", user] : [];
        await runToEnd(binaries.demo, ["seed", "--registry", registry, ...credentials], secretEnv);

        const extra = token ? ["--allow-private", token.address] : [];
        const proxyUrl = await startProxy({ registry, extra, procs });

        return {
            auth,
            registry,
            proxyUrl,
            user,
            password,
            tokenRealm: token?.realm ?? null,
            dir,
            pids: procs.filter(running).map((p) => p.pid),
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

async function startRegistry({ dir, auth, token, user, secretEnv, procs }) {
    const config = join(dir, "config.yml");
    const authArgs =
        auth === "basic"
            ? ["--user", user]
            : auth === "token"
              ? ["--realm", token.realm, "--bundle", token.bundle]
              : [];
    let last = null;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        const address = `127.0.0.1:${await freePort()}`;
        await runToEnd(
            binaries.demo,
            [
                "registry-config",
                "--listen",
                address,
                "--storage",
                join(dir, "storage"),
                "--out",
                config,
                "--auth",
                auth,
                ...authArgs,
            ],
            secretEnv,
        );
        const proc = launch(binaries.registry, ["serve", config]);
        procs.push(proc);
        const ours = (r) => r.headers.has("docker-distribution-api-version");
        if (await answers(proc, `http://${address}/v2/`, ours)) return address;
        last = report(proc);
        await end(proc);
    }
    throw new Error(`docker-registry did not start on ${PORT_ATTEMPTS} ports; last: ${last}`);
}

async function startProxy({ registry, extra, procs }) {
    let last = null;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        const listen = `127.0.0.1:${await freePort()}`;
        const proc = launch(binaries.proxy, [
            "--listen",
            listen,
            "--site",
            dist,
            "--no-default-registries",
            "--allow-private",
            registry,
            "--plain-http",
            registry,
            ...extra,
        ]);
        procs.push(proc);
        const url = `http://${listen}`;
        if (await answers(proc, `${url}/`, (r) => r.status === 200)) return url;
        last = report(proc);
        await end(proc);
    }
    throw new Error(`polyarch-proxy did not start on ${PORT_ATTEMPTS} ports; last: ${last}`);
}
