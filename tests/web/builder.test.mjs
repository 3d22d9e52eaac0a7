// The list builder and the import in headless Chromium, against a real
// docker-registry through the real proxy (./stack.mjs), each result checked
// independently with skopeo: a list assembled from three per-arch tags of two
// repositories, annotated, previewed and pushed; a push that fails half-way
// and is resumed after a reload; a 429 waited out; Stop (the request under
// way called off) and Resume; a list opened, edited and pushed again, and
// one whose artifactType and subject are kept; an import between two
// repositories, and one cut off and resumed; and pushes to registries that
// want a username and password (Basic, and Bearer tokens).
//
// Sources in another registry, whose blobs are copied in chunks rather than
// mounted, are not exercised here: the stack starts one registry. A second
// registry from stack.mjs would let a test cover that path too.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { launch, open, artifacts } from "./harness.mjs";
import { startStack } from "./stack.mjs";

const run = promisify(execFile);

const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

// The page's problems, less the browser's note on each answer of 4xx or 5xx:
// registries answer 404 to a HEAD for what is missing and 401 before
// credentials, and the tests inject 500 and 429 on purpose.
const unexpected = (problems) =>
    problems.filter((p) => !/Failed to load resource: the server responded with a status of \d+/.test(p));

// skopeo's view of a reference: the exact bytes, or the child it picks for a
// platform. `creds` is "user:password" for a registry that wants them.
async function skopeoRaw(reference, creds) {
    const args = ["inspect", "--raw", "--tls-verify=false"];
    if (creds) args.push("--creds", creds);
    const { stdout } = await run("skopeo", [...args, `docker://${reference}`], {
        encoding: "buffer",
        maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
}

// The image skopeo picks from `reference` for linux/`arch`/`variant` (or the
// image `reference` names, when it is one): its architecture and layers.
// skopeo 1.9's `Digest` is the list's, not the image's, so the image is told
// by what it holds.
async function skopeoImage(reference, { arch, variant, creds } = {}) {
    const args = ["inspect", "--tls-verify=false", "--override-os", "linux"];
    if (arch) args.push("--override-arch", arch);
    if (variant) args.push("--override-variant", variant);
    if (creds) args.push("--creds", creds);
    const { stdout } = await run("skopeo", [...args, `docker://${reference}`]);
    const image = JSON.parse(stdout);
    return { architecture: image.Architecture, layers: image.Layers };
}

// Asserts that skopeo resolves `list` for `arch`/`variant` to the child
// `digest`, which is in the list's repository.
async function assertResolves(list, arch, variant, digest, creds) {
    const repository = list.replace(/:[^:/]+$/, "");
    const picked = await skopeoImage(list, { arch, variant, creds });
    const child = await skopeoImage(`${repository}@${digest}`, { creds });
    assert.equal(picked.architecture, arch, `${list} for ${arch}/${variant}`);
    assert.deepEqual(picked.layers, child.layers, `${list} for ${arch}/${variant}`);
}

async function skopeoCopy(source, target) {
    await run("skopeo", [
        "copy",
        "--all",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        `docker://${source}`,
        `docker://${target}`,
    ]);
}

// The builder's rows as the page shows them.
async function rows(page) {
    return page.$$eval("tr[data-row]", (trs) =>
        trs.map((tr) => ({
            state: tr.dataset.state,
            platform: tr.dataset.platform ?? null,
            digest: tr.dataset.digest ?? null,
            source: tr.querySelector(".source-reference").textContent,
        })),
    );
}

async function waitForRows(page, count) {
    await page.waitForFunction((n) => {
        const trs = [...document.querySelectorAll("tr[data-row]")];
        return trs.length === n && trs.every((tr) => tr.dataset.state !== "loading");
    }, count);
}

async function addSources(page, references) {
    const before = (await rows(page)).length;
    for (const reference of references) {
        await page.fill("#builder-source", reference);
        await page.click("#builder-add");
    }
    await waitForRows(page, before + references.length);
}

async function annotate(page, row, fields) {
    await page.click(`tr[data-row="${row}"] [data-action="annotate"]`);
    const editor = `[data-editor-for="${row}"]`;
    for (const [field, value] of Object.entries(fields)) {
        await page.fill(`${editor} [data-field="${field}"]`, value);
    }
}

async function previewOf(page) {
    return {
        text: await page.textContent("#preview-text"),
        digest: (await page.textContent("#preview-digest")).trim(),
        size: Number(await page.getAttribute("#preview-size", "data-bytes")),
        mediaType: await page.getAttribute("#preview-kind", "data-media-type"),
    };
}

// Waits until the transfer with `prefix` (push, import) is done or stopped;
// its state and headline.
async function settle(page, prefix) {
    const status = `#${prefix}-status`;
    await page.waitForSelector(
        `${status}[data-state="done"], ${status}[data-state="failed"], ${status}[data-state="stopped"]`,
        { timeout: 60_000 },
    );
    return {
        state: await page.getAttribute(status, "data-state"),
        text: await page.textContent(`#${prefix}-transfer`),
    };
}

async function push(page) {
    await page.click("#builder-push");
    return settle(page, "push");
}

let browser;

before(async () => {
    browser = await launch();
});

after(async () => {
    await browser?.close();
});

describe("the list builder, without authentication", () => {
    let stack;

    before(async () => {
        stack = await startStack({ auth: "none" });
    });

    after(async () => {
        await stack?.stop();
    });

    const fresh = () => open(browser, `${stack.proxyUrl}/`, { viewport: { width: 1280, height: 900 } });

    test("assembles three per-arch tags of two repositories, annotates one, and pushes the preview's bytes", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;
        const target = `${registry}/demo/app:multi`;

        await page.fill("#builder-target", target);
        await addSources(page, [
            `${registry}/demo/app:amd64`,
            `${registry}/demo/app:arm64`,
            `${registry}/demo/base:armv7`,
        ]);
        await annotate(page, 1, {
            "os.features": "sse4-ready",
            annotations: "org.opencontainers.image.description=built for amd64",
        });
        const listed = await rows(page);
        const preview = await previewOf(page);

        assert.deepEqual(
            listed.map((r) => [r.state, r.platform]),
            [
                ["ready", "linux(+sse4-ready)/amd64"],
                ["ready", "linux/arm64/v8"],
                ["ready", "linux/arm/v7"],
            ],
        );
        assert.equal(preview.mediaType, OCI_INDEX);
        assert.equal(preview.digest, sha256(preview.text));
        assert.equal(preview.size, Buffer.byteLength(preview.text));
        assert.match(preview.text, /"os\.features":\["sse4-ready"\]/);
        assert.match(preview.text, /"org\.opencontainers\.image\.description":"built for amd64"/);
        assert.equal(await page.getAttribute("#preview-verdict", "data-valid"), "true");
        assert.equal(await page.$("#preview-loss"), null);

        // A Docker list cannot carry the annotation: the preview says so.
        await page.check("#builder-format-docker");
        const loss = await page.textContent("#preview-loss");
        assert.match(loss, /org\.opencontainers\.image\.description/);
        assert.doesNotMatch(await page.textContent("#preview-text"), /built for amd64/);
        await page.check("#builder-format-auto");
        assert.equal((await previewOf(page)).digest, preview.digest);

        await mkdir(artifacts, { recursive: true });
        await page.locator("#builder").screenshot({ path: join(artifacts, "builder.png") });

        const pushed = await push(page);
        assert.equal(pushed.state, "done", pushed.text);
        assert.equal((await page.textContent("#push-digest")).trim(), preview.digest);
        assert.equal(await page.getAttribute("#push-digest-verdict", "data-same"), "true");
        await page.locator("#builder").screenshot({ path: join(artifacts, "builder-pushed.png") });

        const raw = await skopeoRaw(target);
        assert.equal(raw.toString("utf8"), preview.text);
        assert.equal(sha256(raw), preview.digest);
        const images = await Promise.all(
            listed.map((r) => skopeoImage(`${registry}/demo/app@${r.digest}`)),
        );
        assert.equal(new Set(images.map((i) => i.layers.join())).size, 3, "the layers tell the images apart");
        await assertResolves(target, "arm64", "v8", listed[1].digest);
        await assertResolves(target, "arm", "v7", listed[2].digest);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("a filled builder fits a phone: only the rows table scrolls sideways", async () => {
        const { context, page, problems } = await open(browser, `${stack.proxyUrl}/`, {
            viewport: { width: 360, height: 740 },
            deviceScaleFactor: 2,
            isMobile: true,
            hasTouch: true,
        });
        const registry = stack.registry;

        await page.fill("#builder-target", `${registry}/demo/app:phone`);
        await addSources(page, [`${registry}/demo/app:amd64`, `${registry}/demo/base:armv7`]);
        await annotate(page, 2, { annotations: "org.example.note=a rather long value, to wrap" });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        await page.locator("#builder").screenshot({ path: join(artifacts, "builder-phone.png") });

        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("an index as a source asks for a platform, and a repeated platform offers to replace", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;

        await addSources(page, [`${registry}/demo/app:amd64`, `${registry}/demo/app:v1`]);
        assert.equal((await rows(page))[1].state, "choose");
        await page.click('[data-detail-for="2"] [data-action="pick"][data-platform="linux/amd64"]');
        assert.equal((await rows(page))[1].state, "awaiting");
        assert.match(await page.textContent('[data-detail-for="2"]'), /as row 1 is already/);
        await page.click('[data-detail-for="2"] [data-action="replace"]');
        const after = await rows(page);

        assert.deepEqual(
            after.map((r) => [r.state, r.platform, r.source]),
            [["ready", "linux/amd64", `${registry}/demo/app:v1`]],
        );
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("a push that fails half-way is shown, survives a reload, and resumes", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;
        const target = `${registry}/demo/resumed:multi`;
        let puts = 0;
        await page.route("**/v2/demo/resumed/manifests/sha256:*", async (route) => {
            if (route.request().method() !== "PUT" || ++puts !== 2) return route.continue();
            await route.fulfill({
                status: 500,
                contentType: "application/json",
                body: JSON.stringify({
                    errors: [{ code: "UNKNOWN", message: "injected failure, once" }],
                }),
            });
        });

        await page.fill("#builder-target", target);
        await addSources(page, [
            `${registry}/demo/app:amd64`,
            `${registry}/demo/app:arm64`,
            `${registry}/demo/base:armv7`,
        ]);
        const preview = await previewOf(page);
        const failed = await push(page);
        const failure = await page.textContent("#push-failure");

        assert.equal(failed.state, "failed", failed.text);
        assert.equal(await page.getAttribute("#push-failure", "data-status"), "500");
        assert.match(failure, /PUT \/v2\/demo\/resumed\/manifests\/sha256:[0-9a-f]{64}/);
        assert.match(failure, /UNKNOWN/);
        assert.match(failure, /injected failure, once/);
        assert.match(await page.textContent('#push-figures [data-figure="manifests"]'), /^1 of 4 written/);

        await page.unroute("**/v2/demo/resumed/manifests/sha256:*");
        await page.reload();
        await page.waitForSelector('#push-status[data-state="saved"]');
        await waitForRows(page, 3);

        assert.equal(await page.inputValue("#builder-target"), target);
        assert.deepEqual(
            (await rows(page)).map((r) => r.state),
            ["ready", "ready", "ready"],
        );
        assert.equal((await previewOf(page)).digest, preview.digest);
        assert.match(await page.textContent("#push-transfer"), /injected failure, once/);

        await page.click("#push-resume");
        const resumed = await settle(page, "push");

        assert.equal(resumed.state, "done", resumed.text);
        assert.match(await page.textContent('#push-figures [data-figure="manifests"]'), /^4 of 4 written/);
        assert.equal(sha256(await skopeoRaw(target)), preview.digest);
        await assertResolves(target, "arm", "v7", (await rows(page))[2].digest);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("a 429 is waited out, with the registry's figures shown", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;
        let limited = false;
        await page.route("**/v2/demo/app/manifests/limited", async (route) => {
            if (route.request().method() !== "PUT" || limited) return route.continue();
            limited = true;
            await route.fulfill({
                status: 429,
                headers: {
                    "content-type": "application/json",
                    "retry-after": "2",
                    "ratelimit-limit": "100;w=21600",
                    "ratelimit-remaining": "0",
                },
                body: JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }),
            });
        });

        await page.fill("#builder-target", `${registry}/demo/app:limited`);
        await addSources(page, [`${registry}/demo/app:arm64`]);
        await page.click("#builder-push");
        await page.waitForSelector('#push-status[data-state="waiting"]');
        const figures = await page.textContent("#push-rate-limit");
        const done = await settle(page, "push");

        assert.match(figures, /Retry-After: 2 s/);
        assert.match(figures, /ratelimit-limit: 100;w=21600/);
        assert.match(figures, /ratelimit-remaining: 0/);
        assert.equal(done.state, "done", done.text);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("Stop calls off the request under way, and Resume finishes the push", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;
        const target = `${registry}/demo/app:stopped`;
        // The first check of a child gets no answer until the test lets it
        // go: the push can only stop by calling that request off.
        let held = false;
        let release;
        let reached;
        const holding = new Promise((resolve) => (release = resolve));
        const heldUp = new Promise((resolve) => (reached = resolve));
        await page.route("**/v2/demo/app/manifests/sha256:*", async (route) => {
            if (route.request().method() === "HEAD" && !held) {
                held = true;
                reached();
                await holding;
                await route.continue().catch(() => {});
                return;
            }
            await route.continue();
        });

        await page.fill("#builder-target", target);
        await addSources(page, [`${registry}/demo/app:amd64`, `${registry}/demo/app:arm64`]);
        const preview = await previewOf(page);
        await page.click("#builder-push");
        await heldUp;
        await page.click("#push-stop");
        const stopped = await settle(page, "push");
        release();

        assert.equal(stopped.state, "stopped", stopped.text);
        await assert.rejects(skopeoRaw(target), undefined, "nothing is tagged yet");

        await page.click("#push-resume");
        const done = await settle(page, "push");

        assert.equal(done.state, "done", done.text);
        assert.equal(sha256(await skopeoRaw(target)), preview.digest);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("a list opened from the registry is edited and pushed again", async () => {
        const registry = stack.registry;
        const target = `${registry}/demo/app:edit`;
        await skopeoCopy(`${registry}/demo/app:v1`, target);
        const original = await skopeoRaw(target);
        const { context, page, problems } = await fresh();

        await page.fill("#builder-target", target);
        await page.click("#builder-open");
        await page.waitForSelector('#builder-open-status[data-state="opened"]');
        await waitForRows(page, 2);
        const opened = await rows(page);
        const unchanged = await previewOf(page);

        assert.deepEqual(
            opened.map((r) => r.platform),
            ["linux/amd64", "linux/arm64/v8"],
        );
        assert.equal(unchanged.text, original.toString("utf8"));

        await page.click('tr[data-row="1"] [data-action="remove"]');
        await addSources(page, [`${registry}/demo/base:armv7`]);
        const edited = await previewOf(page);
        const pushed = await push(page);
        const raw = await skopeoRaw(target);
        const manifests = JSON.parse(raw).manifests;

        assert.equal(pushed.state, "done", pushed.text);
        assert.equal(raw.toString("utf8"), edited.text);
        assert.equal(sha256(raw), edited.digest);
        assert.notEqual(edited.digest, sha256(original));
        assert.deepEqual(
            manifests.map((m) => `${m.platform.architecture}/${m.platform.variant ?? ""}`),
            ["arm64/v8", "arm/v7"],
        );
        await assertResolves(target, "arm", "v7", (await rows(page))[1].digest);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("a list opened with an artifactType and a subject keeps both when pushed elsewhere, until left out", async () => {
        const registry = stack.registry;
        const opened = `${registry}/demo/app:kept`;
        const target = `${registry}/demo/kept-copy:v1`;
        // The subject (the amd64 image) is not one of the list's entries:
        // the push must bring it to the new repository itself.
        const index = JSON.parse((await skopeoRaw(`${registry}/demo/app:v1`)).toString("utf8"));
        const { mediaType, digest, size } = index.manifests.shift();
        index.artifactType = "application/vnd.example.bundle.v1+json";
        index.subject = { mediaType, digest, size };
        const put = await fetch(`http://${registry}/v2/demo/app/manifests/kept`, {
            method: "PUT",
            headers: { "Content-Type": OCI_INDEX },
            body: JSON.stringify(index),
        });
        assert.equal(put.status, 201, await put.text());
        const { context, page, problems } = await fresh();

        await page.fill("#builder-target", opened);
        await page.click("#builder-open");
        await page.waitForSelector('#builder-open-status[data-state="opened"]');
        await waitForRows(page, index.manifests.length);
        const kept = await page.textContent("#builder-kept");
        await page.fill("#builder-target", target);
        const withBoth = await previewOf(page);
        const pushed = await push(page);
        const raw = JSON.parse((await skopeoRaw(target)).toString("utf8"));
        const subject = await skopeoRaw(`${registry}/demo/kept-copy@${digest}`);

        assert.match(kept, /artifactType application\/vnd\.example\.bundle\.v1\+json/);
        assert.ok(kept.includes(digest.slice(0, 19)), kept);
        assert.equal(pushed.state, "done", pushed.text);
        assert.equal(raw.artifactType, index.artifactType);
        assert.deepEqual(raw.subject, index.subject);
        assert.equal(sha256(await skopeoRaw(target)), withBoth.digest);
        assert.equal(sha256(subject), digest);

        await page.click("#builder-drop-kept");
        await page.waitForFunction(() => !document.querySelector("#builder-kept"));
        const without = JSON.parse((await previewOf(page)).text);
        assert.equal(without.artifactType, undefined);
        assert.equal(without.subject, undefined);
        assert.equal(without.manifests.length, index.manifests.length);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("an import copies a whole multi-arch image between repositories, digests unchanged", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;
        const source = `${registry}/demo/app:v1`;

        await page.fill("#import-source", source);
        await page.fill("#import-target", `${registry}/demo/copy`);
        assert.match(await page.textContent("#import-plan"), /demo\/copy:v1/);
        await page.click("#import-copy");
        const copied = await settle(page, "import");

        assert.equal(copied.state, "done", copied.text);
        const [from, to] = await Promise.all([
            skopeoRaw(source),
            skopeoRaw(`${registry}/demo/copy:v1`),
        ]);
        assert.equal(sha256(to), sha256(from));
        assert.equal((await page.textContent("#import-verified")).trim(), sha256(from));
        const child = JSON.parse(to).manifests.find((m) => m.platform.architecture === "arm64");
        await assertResolves(`${registry}/demo/copy:v1`, "arm64", "v8", child.digest);
        assert.deepEqual(unexpected(problems), []);
        await context.close();
    });

    test("an import cut off by a dropped connection resumes where it stopped", async () => {
        const { context, page, problems } = await fresh();
        const registry = stack.registry;
        const source = `${registry}/demo/app:v1`;
        let dropped = false;
        await page.route("**/v2/demo/dropped/manifests/sha256:*", async (route) => {
            if (route.request().method() !== "PUT" || dropped) return route.continue();
            dropped = true;
            await route.abort("connectionreset");
        });

        await page.fill("#import-source", source);
        await page.fill("#import-target", `${registry}/demo/dropped:copied`);
        await page.click("#import-copy");
        const cut = await settle(page, "import");

        assert.equal(cut.state, "failed", cut.text);
        assert.equal(await page.getAttribute("#import-failure", "data-kind"), "interrupted");
        assert.match(await page.textContent("#import-failure"), /no answer from/);

        await page.click("#import-resume");
        const done = await settle(page, "import");

        assert.equal(done.state, "done", done.text);
        assert.equal(sha256(await skopeoRaw(`${registry}/demo/dropped:copied`)), sha256(await skopeoRaw(source)));
        assert.deepEqual(
            unexpected(problems).filter((p) => !/ERR_CONNECTION_RESET/.test(p)),
            [],
        );
        await context.close();
    });
});

for (const auth of ["basic", "token"]) {
    describe(`the list builder, signed in (${auth})`, () => {
        let stack;

        before(async () => {
            stack = await startStack({ auth });
        });

        after(async () => {
            await stack?.stop();
        });

        test("signs in on the page and pushes, keeping no secret in local storage", async () => {
            const { context, page, problems } = await open(browser, `${stack.proxyUrl}/`);
            const registry = stack.registry;
            const target = `${registry}/demo/app:signed`;
            const creds = `${stack.user}:${stack.password}`;

            await page.click("#connection summary");
            await page.fill("#sign-in-registry", registry);
            await page.fill("#sign-in-username", stack.user);
            await page.fill("#sign-in-password", stack.password);
            await page.click("#sign-in-button");
            await page.waitForSelector("#signed-in");

            await page.fill("#builder-target", target);
            await addSources(page, [
                `${registry}/demo/app:amd64`,
                `${registry}/demo/app:arm64`,
                `${registry}/demo/base:armv7`,
            ]);
            const listed = await rows(page);
            const preview = await previewOf(page);
            const pushed = await push(page);
            const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));

            assert.deepEqual(listed.map((r) => r.state), ["ready", "ready", "ready"]);
            assert.equal(pushed.state, "done", pushed.text);
            assert.equal(sha256(await skopeoRaw(target, creds)), preview.digest);
            await assertResolves(target, "arm64", "v8", listed[1].digest, creds);
            await assertResolves(target, "arm", "v7", listed[2].digest, creds);
            assert.ok(!stored.includes(stack.password), "the password is in local storage");
            assert.deepEqual(unexpected(problems), []);
            await context.close();
        });
    });
}
