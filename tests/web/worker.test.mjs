// Inspection off the main thread: a large document goes to the inspection
// worker and comes back as the same report; a small one stays on the page;
// a worker that cannot load leaves the page inspecting on its own.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { serve, launch, open, paste } from "./harness.mjs";

let server;
let browser;

before(async () => {
    server = await serve();
    browser = await launch();
});

after(async () => {
    await browser?.close();
    await server?.close();
});

const sha256 = (text) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;

// An OCI index of `n` entries, one of them for linux/arm/v7, pretty-printed,
// with one repeated annotation key (an error) so the report has a
// diagnostic with a position, and `padding` characters of annotation to
// make it large without making the table long.
function index(n, padding = 0) {
    const manifests = [];
    for (let i = 0; i < n; i++) {
        const hex = i.toString(16).padStart(64, "0");
        manifests.push({
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: `sha256:${hex}`,
            size: 1000 + i,
            platform: i === 7 ? { os: "linux", architecture: "arm", variant: "v7" } : { os: "linux", architecture: `arch${i}` },
        });
    }
    const text = JSON.stringify(
        { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests },
        null,
        2,
    );
    const annotations = `{"a": "1", "a": "2", "note": "${"x".repeat(padding)}"}`;
    return text.replace('"schemaVersion": 2,', `"schemaVersion": 2,\n  "annotations": ${annotations},`);
}

async function report(page) {
    return {
        where: await page.getAttribute("html", "data-inspector"),
        verdict: await page.textContent("#verdict"),
        digest: await page.textContent("#digest"),
        rows: await page.$$eval("#platforms tbody tr.entry", (rows) => rows.length),
        codes: await page.$$eval("[data-code]", (items) => items.map((i) => i.dataset.code)),
    };
}

describe("the inspection worker", () => {
    test("a large index is inspected in the worker, with the same report", async () => {
        const text = index(12, 80 * 1024);
        assert.ok(Buffer.byteLength(text) > 64 * 1024, "large enough for the worker");
        const { context, page, problems } = await open(browser, server.url);

        await paste(page, text);
        const inWorker = await report(page);

        assert.equal(inWorker.where, "worker");
        // The worker's files carry a content hash, as the page's own do.
        const worker = server.stats.requests.map((r) => r.path).filter((p) => /polyarch-inspector/.test(p));
        assert.ok(worker.length >= 3, `${worker}`);
        for (const path of worker) {
            assert.match(path, /polyarch-inspector-(loader-)?[0-9a-f]{16}(\.js|_bg\.wasm)$/);
        }
        assert.equal(inWorker.digest, sha256(text));
        assert.match(inWorker.verdict, /^Invalid: 1 error/);
        assert.equal(inWorker.rows, 12);
        assert.ok(inWorker.codes.length > 0, "the report lists diagnostics");
        assert.deepEqual(problems, []);

        // The same document on a page whose worker cannot load: the same
        // report, made on the page's thread.
        const blocked = await browser.newContext();
        const other = await blocked.newPage();
        await other.route(/polyarch-inspector/, (route) => route.abort());
        await other.goto(server.url);
        await other.waitForSelector("#manifest-json");
        await paste(other, text);
        const onPage = await report(other);

        assert.equal(onPage.where, "page");
        assert.deepEqual({ ...onPage, where: "" }, { ...inWorker, where: "" });
        await blocked.close();
        await context.close();
    });

    test("a small document stays on the page's thread", async () => {
        const { context, page, problems } = await open(browser, server.url);

        await paste(page, index(3));

        assert.equal(await page.getAttribute("html", "data-inspector"), "page");
        assert.match(await page.textContent("#verdict"), /^Invalid: 1 error/);
        assert.deepEqual(problems, []);
        await context.close();
    });
});
