// Fetching from a real registry through the real proxy, in the page: a tag
// and a digest, the registry's headers checked against the bytes, a child
// and its image config with breadcrumbs back, and signing in to a Basic
// and a token registry with credentials that stay out of the URL and of
// storage unless remembered.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { launch, ready, screenshot } from "./harness.mjs";
import { startStack } from "./stack.mjs";

const run = promisify(execFile);
const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

let browser;

before(async () => {
    browser = await launch();
});

after(async () => {
    await browser?.close();
});

// The raw bytes skopeo reads for `reference`, as an independent client.
async function skopeoRaw(reference, creds) {
    const args = ["inspect", "--raw", "--tls-verify=false"];
    if (creds) args.push("--creds", creds);
    const { stdout } = await run("skopeo", [...args, `docker://${reference}`], {
        encoding: "buffer",
        maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
}

async function openPage(stack) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${stack.proxyUrl}/`);
    await ready(page);
    return { context, page, problems };
}

// Fetches `reference` and waits until the fetch has ended.
async function fetchReference(page, reference) {
    await page.fill("#fetch-reference", reference);
    await page.click("#fetch-button");
    await page.waitForFunction(() => {
        const state = document.querySelector("#fetch-status")?.dataset.state;
        return state === "idle" || state === "failed";
    });
    await page.waitForFunction(
        () => document.querySelector("main").getAttribute("aria-busy") === "false",
    );
    return page.getAttribute("#fetch-status", "data-state");
}

describe("fetching through the proxy", () => {
    let stack;
    before(async () => {
        stack = await startStack({ auth: "none" });
    });
    after(async () => {
        await stack?.stop();
    });

    test("a tag, then a child by digest, its config, and back", async () => {
        const { context, page, problems } = await openPage(stack);
        const raw = await skopeoRaw(`${stack.registry}/demo/app:v1`);

        assert.equal(await fetchReference(page, `${stack.registry}/demo/app:v1`), "idle");

        assert.equal(await page.getAttribute("#kind", "data-kind"), "oci-index");
        assert.equal(await page.textContent("#digest"), sha256(raw));
        assert.match(await page.textContent("#verdict"), /^Valid/);
        assert.match(await page.textContent("#header-checks"), /matches the bytes received/);
        assert.equal(await page.$$eval("#platforms tbody tr.entry", (r) => r.length), 2);

        const index = JSON.parse(raw.toString("utf8"));
        const amd64 = index.manifests.find((m) => m.platform.architecture === "amd64");
        const child = `${stack.registry}/demo/app@${amd64.digest}`;
        assert.equal(await fetchReference(page, child), "idle");
        assert.equal(await page.textContent("#digest"), amd64.digest);
        assert.match(await page.textContent("#verdict"), /^Valid/);
        assert.equal(await page.getAttribute("#kind", "data-kind"), "oci-manifest");

        await page.click("#open-config");
        await page.waitForSelector("#config-view");
        assert.equal(await page.textContent("#config-os"), "linux");
        assert.equal(await page.textContent("#config-architecture"), "amd64");
        assert.ok((await page.$$eval("#config-history tbody tr", (r) => r.length)) >= 1);
        assert.deepEqual(
            await page.$$eval("#breadcrumbs li", (items) => items.map((i) => i.textContent.trim())),
            [`${amd64.digest.slice(0, 19)}…`, "config"],
        );
        await screenshot(page, "registry-config");

        await page.click("#breadcrumbs button");
        await page.waitForSelector("#config-view", { state: "detached" });
        assert.equal(await page.textContent("#digest"), amd64.digest);
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("Open on a row of the Platforms table fetches that child, and the index stays in the breadcrumbs", async () => {
        const { context, page, problems } = await openPage(stack);
        const index = JSON.parse((await skopeoRaw(`${stack.registry}/demo/app:v1`)).toString("utf8"));
        const at = index.manifests.findIndex((m) => m.platform.architecture === "arm64");
        const arm64 = index.manifests[at];

        assert.equal(await fetchReference(page, `${stack.registry}/demo/app:v1`), "idle");
        const buttons = await page.$$eval("#platforms tbody tr.entry button.open", (b) =>
            b.map((x) => x.getAttribute("aria-label")),
        );
        assert.equal(buttons.length, index.manifests.length);

        await page.click(`#row-${at} button.open`);
        await page.waitForFunction((digest) => document.querySelector("#digest")?.textContent === digest, arm64.digest);
        assert.equal(await page.getAttribute("#kind", "data-kind"), "oci-manifest");
        assert.deepEqual(
            await page.$$eval("#breadcrumbs li", (items) => items.map((i) => i.textContent.trim())),
            ["demo/app:v1", `${arm64.digest.slice(0, 19)}…`],
        );
        const child = await skopeoRaw(`${stack.registry}/demo/app@${arm64.digest}`);
        assert.equal(await page.textContent("#digest"), sha256(child));
        // The note under the text names where the bytes came from, and its
        // long reference wraps inside the panel.
        const note = await page.$eval('p.note[data-source="file"]', (p) => ({
            text: p.textContent,
            overflow: p.scrollWidth - p.clientWidth,
        }));
        assert.ok(note.text.startsWith(`Fetched ${stack.registry}/demo/app@${arm64.digest}:`), note.text);
        assert.equal(note.overflow, 0);

        // Back to the index: its rows open again.
        await page.click("#breadcrumbs button");
        await page.waitForSelector("#platforms tbody tr.entry button.open");
        assert.equal(await page.getAttribute("#kind", "data-kind"), "oci-index");

        // A pasted index has no repository: its rows have no Open button.
        await page.fill("#manifest-json", JSON.stringify(index));
        await page.waitForFunction(() => document.querySelector("#platforms tbody tr.entry"));
        await page.waitForFunction(() => !document.querySelector("#platforms button.open"));
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("annotations and error messages from a registry are shown as text: no markup, nothing runs", async () => {
        const { context, page, problems } = await openPage(stack);
        const hostile = `<img src="x" onerror="window.__pwned = 1"><script>window.__pwned = 2</script><b>bold</b>`;
        const index = JSON.parse((await skopeoRaw(`${stack.registry}/demo/app:v1`)).toString("utf8"));
        index.annotations = { "org.opencontainers.image.description": hostile };
        index.manifests[0].annotations = { "org.opencontainers.image.title": hostile };
        const put = await fetch(`http://${stack.registry}/v2/demo/app/manifests/hostile`, {
            method: "PUT",
            headers: { "Content-Type": index.mediaType },
            body: JSON.stringify(index),
        });
        assert.equal(put.status, 201, await put.text());

        // Nothing injected: no element from the text, no script ran, and the
        // page's Content-Security-Policy was not even asked to refuse one.
        const violations = [];
        page.on("console", (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
        const injected = () =>
            page.evaluate(() => ({
                pwned: window.__pwned ?? null,
                elements: document.querySelectorAll("main img, main script, main b").length,
            }));

        assert.equal(await fetchReference(page, `${stack.registry}/demo/app:hostile`), "idle");
        assert.equal(await page.textContent("#index-annotations-heading"), "Annotations of the index");
        assert.ok((await page.textContent(".index-annotations .annotations")).includes(hostile));
        await page.fill("#platform-filter", "onerror");
        await page.waitForFunction(() => /^1 of /.test(document.querySelector("#row-count").textContent));
        assert.deepEqual(await injected(), { pwned: null, elements: 0 });

        // A registry's error message holding markup.
        await page.route(/\/manifests\/evil$/, (route) =>
            route.fulfill({
                status: 404,
                contentType: "application/json",
                body: JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: hostile }] }),
            }),
        );
        assert.equal(await fetchReference(page, `${stack.registry}/demo/app:evil`), "failed");
        assert.ok((await page.textContent("#fetch-status")).includes(hostile));
        await page.waitForTimeout(200);
        assert.deepEqual(await injected(), { pwned: null, elements: 0 });
        assert.deepEqual(violations, []);
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("a header that disagrees with the bytes is shown as an error", async () => {
        const { context, page } = await openPage(stack);
        await page.route(/\/manifests\/amd64$/, async (route) => {
            const answer = await route.fetch();
            await route.fulfill({
                response: answer,
                headers: { ...answer.headers(), "docker-content-digest": `sha256:${"0".repeat(64)}` },
            });
        });

        assert.equal(await fetchReference(page, `${stack.registry}/demo/app:amd64`), "idle");

        const checks = await page.$$eval("#header-checks li", (items) =>
            items.map((i) => ({ error: i.dataset.error, text: i.textContent })),
        );
        assert.ok(
            checks.some((c) => c.error === "true" && /says sha256:0{64}, but the bytes/.test(c.text)),
            JSON.stringify(checks),
        );
        await context.close();
    });

    test("a reference that is not one, and a tag that is not there, say so", async () => {
        const { context, page } = await openPage(stack);

        assert.equal(await fetchReference(page, "Not A Reference"), "failed");
        assert.match(await page.textContent("#fetch-status"), /is not an image reference/);
        assert.equal(await fetchReference(page, `${stack.registry}/demo/app:missing`), "failed");
        assert.match(await page.textContent("#fetch-status"), /answered 404 \(MANIFEST_UNKNOWN/);
        await context.close();
    });
});

for (const auth of ["basic", "token"]) {
    describe(`signing in (${auth})`, () => {
        let stack;
        before(async () => {
            stack = await startStack({ auth });
        });
        after(async () => {
            await stack?.stop();
        });

        async function signIn(page, { remember = false } = {}) {
            await page.click("#connection summary");
            await page.fill("#sign-in-username", stack.user);
            await page.fill("#sign-in-password", stack.password);
            if (remember) await page.check("#sign-in-remember");
            await page.click("#sign-in-button");
            await page.waitForSelector("#signed-in");
        }

        async function stored(page) {
            return page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, location.href]));
        }

        test("credentials work, stay out of storage and the URL, and end with the tab", async () => {
            const { context, page, problems } = await openPage(stack);
            const reference = `${stack.registry}/demo/app:amd64`;

            const anonymous = await fetchReference(page, reference);
            if (auth === "basic") {
                assert.equal(anonymous, "failed");
                assert.match(await page.textContent("#fetch-status"), /username and password/);
            } else {
                assert.equal(anonymous, "idle", "anonymous tokens may pull");
            }

            await signIn(page);
            assert.equal(await fetchReference(page, reference), "idle");
            assert.match(await page.textContent("#verdict"), /^Valid/);
            assert.ok(!(await stored(page)).includes(stack.password), "password not stored");

            await page.reload();
            await ready(page);
            if (auth === "basic") {
                assert.equal(await fetchReference(page, reference), "failed", "forgotten on reload");
            }

            await signIn(page, { remember: true });
            await page.reload();
            await ready(page);
            assert.equal(await fetchReference(page, reference), "idle", "remembered for the tab");
            const kept = await stored(page);
            assert.ok(!JSON.stringify(JSON.parse(kept)[0]).includes(stack.password), "not in localStorage");
            assert.ok(!JSON.parse(kept)[2].includes(stack.password), "not in the URL");

            const other = await context.browser().newContext();
            const fresh = await other.newPage();
            await fresh.goto(`${stack.proxyUrl}/`);
            await ready(fresh);
            if (auth === "basic") {
                assert.equal(await fetchReference(fresh, reference), "failed", "another tab has none");
            }
            await other.close();
            assert.deepEqual(problems, []);
            await context.close();
        });

        test("wrong credentials are refused plainly", async () => {
            const { context, page } = await openPage(stack);
            // The sign-in is for the registry of the reference typed.
            await page.fill("#fetch-reference", `${stack.registry}/demo/app:amd64`);
            await page.click("#connection summary");
            await page.fill("#sign-in-username", stack.user);
            await page.fill("#sign-in-password", "wrong");
            await page.click("#sign-in-button");

            assert.equal(await fetchReference(page, `${stack.registry}/demo/app:amd64`), "failed");
            assert.match(await page.textContent("#fetch-status"), /refused the credentials/);
            await context.close();
        });
    });
}
