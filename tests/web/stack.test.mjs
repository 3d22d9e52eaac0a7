// The end-to-end stack (stack.mjs) in each auth mode: the proxy serves the
// site and the seeded manifests of a real docker-registry, the token flow
// works through the proxy's relay, and stop() leaves nothing behind.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { startStack } from "./stack.mjs";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const ACCEPT = `${OCI_INDEX}, ${OCI_MANIFEST}`;
const SERVICE = "polyarch-demo-registry";

const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const basic = (user, password) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

// GET through the proxy: the body's bytes, headers and status.
async function get(stack, path, authorization) {
    const headers = { accept: ACCEPT };
    if (authorization) headers.authorization = authorization;
    const response = await fetch(`${stack.proxyUrl}/r/${stack.registry}${path}`, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
}

// The manifest's digest header names the bytes received.
function assertManifest(answer, mediaType) {
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers.get("content-type"), mediaType);
    assert.equal(answer.headers.get("docker-content-digest"), sha256(answer.body));
    return JSON.parse(answer.body);
}

// A token from the realm the proxy advertised, asked for as the page does.
async function tokenFor(stack, challenge, scope, authorization) {
    const realm = /realm="([^"]+)"/.exec(challenge)[1];
    const url = new URL(realm);
    url.searchParams.set("service", SERVICE);
    url.searchParams.set("scope", scope);
    const headers = authorization ? { authorization } : {};
    const response = await fetch(url, { headers });
    const text = await response.text();
    return { status: response.status, token: response.ok ? JSON.parse(text).token : null, text };
}

function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return error.code === "EPERM";
    }
}

async function assertStopsClean(stack) {
    const { pids, dir, proxyUrl, registry } = stack;
    assert.ok(pids.length > 0 && pids.every(alive), "the stack's processes run");

    await stack.stop();
    await stack.stop();

    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} still runs`);
    assert.equal(existsSync(dir), false, `${dir} is still there`);
    for (const url of [`${proxyUrl}/`, `http://${registry}/v2/`]) {
        await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2_000) }), url);
    }
}

describe("stack without auth", () => {
    let stack;
    before(async () => {
        stack = await startStack({ auth: "none" });
    });
    after(() => stack?.stop());

    test("serves the site and demo/app:amd64 through the proxy", async () => {
        const site = await fetch(`${stack.proxyUrl}/`);
        const html = await site.text();
        const answer = await get(stack, "/v2/demo/app/manifests/amd64");

        const manifest = assertManifest(answer, OCI_MANIFEST);

        assert.equal(site.status, 200);
        assert.match(html, /<html/i);
        assert.equal(stack.user, null);
        assert.equal(manifest.config.mediaType, "application/vnd.oci.image.config.v1+json");
        assert.equal(manifest.layers.length, 1);
    });

    test("demo/app:v1 is an index of amd64 and arm64/v8", async () => {
        const index = assertManifest(await get(stack, "/v2/demo/app/manifests/v1"), OCI_INDEX);

        const platforms = index.manifests.map((m) =>
            [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join("/"),
        );

        assert.deepEqual(platforms, ["linux/amd64", "linux/arm64/v8"]);
    });

    test("demo/base:armv7's config is linux/arm/v7", async () => {
        const manifest = assertManifest(
            await get(stack, "/v2/demo/base/manifests/armv7"),
            OCI_MANIFEST,
        );

        const blob = await get(stack, `/v2/demo/base/blobs/${manifest.config.digest}`);

        assert.equal(blob.status, 200);
        assert.equal(sha256(blob.body), manifest.config.digest);
        const config = JSON.parse(blob.body);
        assert.deepEqual([config.os, config.architecture, config.variant], ["linux", "arm", "v7"]);
    });

    test("only the proxy answers CORS", async () => {
        const origin = stack.proxyUrl;

        const direct = await fetch(`http://${stack.registry}/v2/`, { headers: { origin } });
        const proxied = await fetch(`${stack.proxyUrl}/r/${stack.registry}/v2/`, {
            headers: { origin },
        });

        assert.equal(direct.status, 200);
        assert.equal(direct.headers.get("access-control-allow-origin"), null);
        assert.equal(proxied.status, 200);
        assert.equal(proxied.headers.get("access-control-allow-origin"), origin);
    });

    test("stop() leaves no process behind", async () => {
        await assertStopsClean(stack);
    });
});

describe("stack with basic auth", () => {
    let stack;
    before(async () => {
        stack = await startStack({ auth: "basic" });
    });
    after(() => stack?.stop());

    test("the manifest needs the credentials", async () => {
        const path = "/v2/demo/app/manifests/amd64";

        const anonymous = await get(stack, path);
        const wrong = await get(stack, path, basic(stack.user, `${stack.password}x`));
        const right = await get(stack, path, basic(stack.user, stack.password));

        assert.equal(anonymous.status, 401);
        assert.match(anonymous.headers.get("www-authenticate"), /^Basic realm=/);
        assert.equal(wrong.status, 401);
        assertManifest(right, OCI_MANIFEST);
    });

    test("stop() leaves no process behind", async () => {
        await assertStopsClean(stack);
    });
});

describe("stack with token auth", () => {
    let stack;
    before(async () => {
        stack = await startStack({ auth: "token" });
    });
    after(() => stack?.stop());

    test("401, a token from the rewritten realm, then the manifest", async () => {
        const path = "/v2/demo/app/manifests/amd64";

        const refused = await get(stack, path);
        const challenge = refused.headers.get("www-authenticate");
        const issued = await tokenFor(
            stack,
            challenge,
            "repository:demo/app:pull",
            basic(stack.user, stack.password),
        );
        const answer = await get(stack, path, `Bearer ${issued.token}`);

        assert.equal(refused.status, 401);
        assert.ok(
            challenge.startsWith(`Bearer realm="${stack.proxyUrl}/r/${stack.registry}/token"`),
            challenge,
        );
        assert.match(challenge, /scope="repository:demo\/app:pull"/);
        assert.equal(issued.status, 200, issued.text);
        assertManifest(answer, OCI_MANIFEST);
    });

    test("anonymous tokens pull but do not push; the user's push", async () => {
        const refused = await get(stack, "/v2/demo/base/manifests/armv7");
        const challenge = refused.headers.get("www-authenticate");
        const scope = "repository:demo/base:pull,push";
        const anonymous = await tokenFor(stack, challenge, scope);
        const wrong = await tokenFor(stack, challenge, scope, basic(stack.user, "wrong"));
        const user = await tokenFor(stack, challenge, scope, basic(stack.user, stack.password));
        const upload = (token) =>
            fetch(`${stack.proxyUrl}/r/${stack.registry}/v2/demo/base/blobs/uploads/`, {
                method: "POST",
                headers: { authorization: `Bearer ${token}` },
            });

        const armv7 = "/v2/demo/base/manifests/armv7";
        const pulled = await get(stack, armv7, `Bearer ${anonymous.token}`);
        const anonymousPush = await upload(anonymous.token);
        const userPush = await upload(user.token);

        assert.equal(anonymous.status, 200, anonymous.text);
        assert.equal(wrong.status, 401);
        assert.equal(JSON.parse(wrong.text).errors[0].code, "UNAUTHORIZED");
        assertManifest(pulled, OCI_MANIFEST);
        assert.equal(anonymousPush.status, 401);
        assert.equal(userPush.status, 202);
    });

    test("stop() leaves no process behind", async () => {
        assert.equal(stack.pids.length, 3, "token server, registry, proxy");
        assert.match(stack.tokenRealm, /^http:\/\/127\.0\.0\.1:\d+\/token$/);

        await assertStopsClean(stack);
    });
});
