// The built site (dist/) in headless Chromium: the loading text, examples,
// shared bug-report cases, the jump to a diagnostic, file drop and choice,
// reloads, a 10,000 row index, and screenshots for people to look at
// (tests/artifacts/).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { serve, launch, open, paste, settled, screenshot, root, revision } from "./harness.mjs";

const CASES = join(root, "..", "shared", "cases", "cases.json");

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

const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

async function fresh(options) {
    return open(browser, server.url, options);
}

// Where the text area's selection is: line and column of its start, the
// selected text, and whether the text area has focus.
async function textMark(page) {
    return page.evaluate(() => {
        const area = document.querySelector("#manifest-json");
        const before = area.value.slice(0, area.selectionStart).split("\n");
        return {
            focused: document.activeElement === area,
            line: before.length,
            column: before[before.length - 1].length + 1,
            selected: area.value.slice(area.selectionStart, area.selectionEnd),
        };
    });
}

async function example(page, id) {
    const before = await revision(page);
    await page.click(`button[data-example="${id}"]`);
    await page.waitForFunction(
        (r) => Number(document.querySelector("main").dataset.revision) > r,
        before,
    );
    await settled(page);
}

// Every cell of the Platforms table, row by row; the no-break spaces that
// keep a size's number with its unit read as spaces.
async function cells(page) {
    return page.$$eval("#platforms tbody tr.entry", (rows) =>
        rows.map((tr) => [...tr.children].map((c) => c.textContent.replace(/\u00a0/g, " ").trim())),
    );
}

function assertCleanCells(rows) {
    for (const row of rows) {
        for (const cell of row) {
            assert.ok(cell.length > 0, `empty cell in ${JSON.stringify(row)}`);
            assert.ok(!/\bundefined\b|\bnull\b|NaN/.test(cell), `cell reads "${cell}"`);
            assert.ok(!/(^|[\s/])[,/](\s|$)|,\s*,|\/\//.test(cell), `lone separator in "${cell}"`);
        }
    }
}

async function ask(page, platform, osVersion = "", strict = false) {
    await page.fill("#query-platform", platform);
    await page.fill("#query-os-version", osVersion);
    if ((await page.isChecked("#query-strict")) !== strict) {
        await page.click("#query-strict");
    }
    return page.$eval("#answer", (a) => {
        const answer = a.querySelector("[data-answer]");
        return answer
            ? { kind: answer.dataset.answer, row: answer.dataset.row, text: answer.textContent }
            : { kind: "none" };
    });
}

describe("the page", () => {
    test("the served HTML says it is loading until the page replaces it", async () => {
        const served = await (await fetch(server.url)).text();

        const { context, page, problems } = await fresh();
        const left = await page.evaluate(() => ({
            element: document.querySelector("#loading") !== null,
            text: document.body.innerText.includes("Loading polyarch"),
        }));

        assert.match(served, /<p class="loading" id="loading">Loading polyarch…<\/p>/);
        assert.match(served, /<noscript>\s*<p class="no-script">polyarch runs in your browser/);
        assert.doesNotMatch(served, /\sstyle=|<script>/);
        assert.deepEqual(left, { element: false, text: false });
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("without scripts the page says why, and does not say it is loading", async () => {
        const context = await browser.newContext({ javaScriptEnabled: false });
        const page = await context.newPage();

        await page.goto(server.url);
        const shown = await page.evaluate(() => ({
            loading: document.querySelector("#loading").checkVisibility(),
            body: document.body.innerText,
        }));

        assert.equal(shown.loading, false);
        assert.match(shown.body, /needs JavaScript and WebAssembly/);
        await context.close();
    });

    test("starts under a path prefix with a strict CSP and no errors", async () => {
        const { context, page, problems } = await fresh();

        const verdict = await page.textContent("#verdict");
        const labelled = await page.$$eval("input, textarea", (fields) =>
            fields
                .filter((f) => f.type !== "hidden")
                .filter((f) => f.labels.length === 0 && !f.getAttribute("aria-label"))
                .map((f) => f.id),
        );

        assert.match(verdict, /Nothing to inspect yet/);
        assert.deepEqual(labelled, []);
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("the Docker manifest list example: verdict, cells and who pulls what", async () => {
        const { context, page, problems } = await fresh();

        await example(page, "docker-list");
        const rows = await cells(page);
        const caption = await page.textContent("#platforms caption");

        assert.equal(await page.getAttribute("#kind", "data-kind"), "docker-manifest-list");
        assert.match(await page.textContent("#verdict"), /^Valid/);
        assert.equal(caption.trim(), "Platforms");
        assert.equal(rows.length, 3);
        assertCleanCells(rows);
        assert.deepEqual(rows[2].slice(0, 5), ["2", "windows", "amd64", "—", "10.0.17763.1697"]);
        assert.equal(rows[0][8], "524 B");
        assert.match(rows[0][9], /^sha256:83c7f9c92844…/);

        const arm = await ask(page, "linux/arm64/v8");
        assert.equal(arm.kind, "pulled");
        assert.equal(arm.row, "1");
        assert.match(await page.getAttribute("#row-1", "class"), /\bpulled\b/);

        const windows = await ask(page, "windows/amd64", "10.0.17763.1697");
        assert.equal(windows.row, "2");

        const none = await ask(page, "linux/s390x");
        assert.equal(none.kind, "no-match");
        assert.match(none.text, /No match/);

        const strict = await ask(page, "linux/arm/v7", "", true);
        assert.equal(strict.kind, "no-match");

        const bad = await ask(page, "arm64");
        assert.equal(bad.kind, "invalid");
        assert.match(bad.text, /linux\/arm64/);

        await ask(page, "linux/arm64");
        await screenshot(page, "docker-list-light-wide");
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("the OCI index example sets attestations apart and links them", async () => {
        const { context, page, problems } = await fresh();

        await example(page, "oci-attestations");
        const rows = await cells(page);
        const classes = await page.$$eval("#platforms tbody tr.entry", (trs) =>
            trs.map((tr) => tr.className),
        );

        assert.equal(await page.getAttribute("#kind", "data-kind"), "oci-index");
        assert.equal(rows.length, 4);
        assertCleanCells(rows);
        assert.match(classes[2], /\battestation\b/);
        assert.match(classes[3], /\battestation\b/);
        assert.doesNotMatch(classes[0], /\battestation\b/);
        assert.match(rows[2][10], /attestation\s*attests row 0/);
        assert.match(rows[0][10], /attested by row 2/);

        await page.click("#row-3 button.link");
        assert.equal(await page.evaluate(() => document.activeElement.id), "row-1");

        const amd = await ask(page, "linux/amd64");
        assert.equal(amd.row, "0");
        assert.equal((await ask(page, "unknown/unknown")).kind, "no-match");
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("the broken example: diagnostics, and a click marks the place in the text", async () => {
        const { context, page, problems } = await fresh();

        await example(page, "broken");
        const diagnostics = await page.$$eval("li.diagnostic", (items) =>
            items.map((li) => ({ ...li.dataset })),
        );

        assert.match(await page.textContent("#verdict"), /^Invalid/);
        const digest = diagnostics.find((d) => d.pointer === "/manifests/0/digest");
        assert.ok(digest, JSON.stringify(diagnostics));
        assert.equal(digest.severity, "error");
        assert.ok(diagnostics.some((d) => d.pointer === "/manifests/1/size"));
        assert.ok(diagnostics.some((d) => d.code === "duplicate-key"));

        // A click on the message, not on the place, marks the place.
        await page.click(`li.diagnostic[data-pointer="/manifests/0/digest"] .message`);
        const mark = await textMark(page);
        assert.equal(mark.focused, true);
        assert.equal(String(mark.line), digest.line);
        assert.equal(String(mark.column), digest.column);
        assert.match(mark.selected, /^C4CC29[0-9A-F]+$/);

        await screenshot(page, "broken-jump-light-wide");
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("a diagnostic: one tab stop, Enter and Space mark its place, selecting its text does not", async () => {
        const { context, page, problems } = await fresh();
        await example(page, "broken");
        const items = await page.$$eval("li.diagnostic", (lis) =>
            lis.map((li) => ({
                stops: [...li.querySelectorAll("a, button, input, textarea, select, [tabindex]")]
                    .filter((el) => el.tabIndex >= 0).length,
                line: li.dataset.line,
                column: li.dataset.column,
            })),
        );
        const second = items[1];

        assert.ok(items.length >= 3);
        assert.notEqual(second.line, "1");
        assert.deepEqual(new Set(items.map((i) => i.stops)), new Set([1]));
        for (const key of ["Enter", "Space"]) {
            await page.$eval("#manifest-json", (area) => {
                area.setSelectionRange(0, 0);
                area.blur();
            });
            await page.focus("li.diagnostic:nth-child(2) button.jump");
            await page.keyboard.press(key);
            const mark = await textMark(page);
            assert.equal(mark.focused, true, key);
            assert.deepEqual([String(mark.line), String(mark.column)], [second.line, second.column], key);
        }

        await page.$eval("#manifest-json", (area) => area.blur());
        const message = await page.$("li.diagnostic:nth-child(3) .message");
        const box = await message.boundingBox();
        await page.mouse.move(box.x + 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 5 });
        await page.mouse.up();
        const after = await page.evaluate(() => ({
            active: document.activeElement.tagName,
            selected: String(getSelection()),
        }));
        assert.equal(after.active, "BODY");
        assert.ok(after.selected.length > 5, JSON.stringify(after));
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("a manifest shows its config, layers and total size", async () => {
        const { context, page, problems } = await fresh();
        const manifest = JSON.stringify(
            {
                schemaVersion: 2,
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                config: {
                    mediaType: "application/vnd.oci.image.config.v1+json",
                    digest: `sha256:${"a".repeat(64)}`,
                    size: 1000,
                },
                layers: [
                    {
                        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
                        digest: `sha256:${"b".repeat(64)}`,
                        size: 3000,
                    },
                ],
                annotations: { "org.opencontainers.image.title": "<b>not markup</b>" },
            },
            null,
            2,
        );

        await paste(page, manifest);

        assert.equal(await page.getAttribute("#kind", "data-kind"), "oci-manifest");
        assert.match(await page.textContent("#total-size"), /^4,000 B \(3\.9 KiB\)/);
        assert.equal(await page.$$eval("#layers-table tbody tr", (r) => r.length), 1);
        assert.equal(await page.$$eval(".annotations b", (b) => b.length), 0);
        assert.match(await page.textContent(".annotations"), /<b>not markup<\/b>/);
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("a dropped file is hashed over its exact bytes and survives a reload", async () => {
        const { context, page, problems } = await fresh();
        const text = (await readFile(join(root, "web", "src", "examples.rs"), "utf8"))
            .split('const DOCKER_LIST: &str = r#"')[1]
            .split('"#;')[0];
        const bytes = Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

        const before = await revision(page);
        await page.evaluate(
            ([data]) => {
                const transfer = new DataTransfer();
                transfer.items.add(new File([new Uint8Array(data)], "list.json"));
                const drop = document.querySelector(".drop");
                drop.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
                drop.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            },
            [[...bytes]],
        );
        await page.waitForFunction(
            (r) => Number(document.querySelector("main").dataset.revision) > r,
            before,
        );
        await settled(page);

        assert.equal(await page.textContent("#digest"), sha256(bytes));
        assert.equal(await page.getAttribute("#size", "data-bytes"), String(bytes.length));
        assert.match(await page.textContent("[data-source=file]"), /File list\.json/);

        await page.reload();
        await page.waitForSelector("#digest");
        await settled(page);
        assert.equal(await page.textContent("#digest"), sha256(bytes));

        const chosen = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
        const again = await revision(page);
        await page.setInputFiles("#file-input", { name: "empty.json", mimeType: "application/json", buffer: chosen });
        await page.waitForFunction((r) => Number(document.querySelector("main").dataset.revision) > r, again);
        await settled(page);
        assert.equal(await page.textContent("#digest"), sha256(chosen));
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("typed text, the fields and the question survive a reload", async () => {
        const { context, page, problems } = await fresh();

        await page.click("#manifest-json");
        await page.keyboard.type('{"schemaVersion":2,"manifests":[]}', { delay: 5 });
        await settled(page);
        await page.$eval("details.options", (d) => (d.open = true));
        await page.fill("#content-type", "application/vnd.oci.image.index.v1+json");
        await settled(page);
        await page.fill("#query-platform", "linux/arm/v6");
        const digest = await page.textContent("#digest");
        const hash = await page.evaluate(() => location.hash);

        await page.reload();
        await page.waitForSelector("#digest");
        await settled(page);

        assert.equal(await page.inputValue("#manifest-json"), '{"schemaVersion":2,"manifests":[]}');
        assert.equal(await page.textContent("#digest"), digest);
        assert.equal(await page.inputValue("#content-type"), "application/vnd.oci.image.index.v1+json");
        assert.equal(await page.inputValue("#query-platform"), "linux/arm/v6");
        assert.match(hash, /p=linux\/arm\/v6/);
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("a 10,000-row index draws only the rows in view, and filters", async () => {
        const { context, page, problems } = await fresh();
        const manifests = Array.from({ length: 10_000 }, (_, i) => ({
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: `sha256:${i.toString(16).padStart(64, "0")}`,
            size: 500 + i,
            platform: { os: "linux", architecture: i === 9_999 ? "riscv64" : "amd64", "os.features": [] },
        }));
        const text = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests });

        await page.evaluate((t) => {
            const area = document.querySelector("#manifest-json");
            area.value = t;
            area.dispatchEvent(new Event("input", { bubbles: true }));
        }, text);
        await page.waitForSelector("#platforms-scroll.virtual");
        await settled(page);
        const drawn = await page.$$eval("#platforms tbody tr.entry", (r) => r.length);

        assert.match(await page.textContent("#row-count"), /^10,000 rows/);
        assert.ok(drawn > 5 && drawn < 100, `${drawn} rows drawn`);
        const listed = await page.$$eval("li.diagnostic", (items) => items.length);
        assert.ok(listed <= 100, `${listed} diagnostics drawn`);
        assert.match(await page.textContent(".diagnostics .more"), /^Show 100 more \([\d,]+ not shown\)$/);

        await page.$eval("#platforms-scroll", (s) => (s.scrollTop = s.scrollHeight));
        await page.waitForSelector("#row-9999");
        const last = await page.$eval("#row-9999", (r) => r.children[2].textContent);
        assert.equal(last, "riscv64");

        await page.fill("#platform-filter", "riscv64");
        await page.waitForFunction(() => document.querySelector("#row-count").textContent.startsWith("1 of"));
        assert.equal(await page.$$eval("#platforms tbody tr.entry", (r) => r.length), 1);
        assert.equal(await page.$("#platforms-scroll.virtual"), null);
        assert.deepEqual(problems, []);
        await context.close();
    });

    test("keyboard: the controls are reached with Tab in order", async () => {
        const { context, page } = await fresh();

        await example(page, "docker-list");
        const reached = [];
        for (let i = 0; i < 14; i++) {
            await page.keyboard.press("Tab");
            reached.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim().slice(0, 30)));
        }

        for (const id of ["file-input", "manifest-json", "query-platform", "query-strict"]) {
            assert.ok(reached.includes(id), `${id} in ${reached.join(" | ")}`);
        }
        await context.close();
    });
});

describe("screenshots: light and dark, phone to wide, 200% zoom", () => {
    const views = [
        { name: "phone-light", viewport: { width: 390, height: 844 }, colorScheme: "light" },
        { name: "phone-dark", viewport: { width: 390, height: 844 }, colorScheme: "dark" },
        { name: "wide-dark", viewport: { width: 1440, height: 900 }, colorScheme: "dark" },
        // 200% zoom: half the CSS pixels at twice the density.
        { name: "zoom-200-light", viewport: { width: 640, height: 450 }, deviceScaleFactor: 2, colorScheme: "light" },
    ];
    for (const view of views) {
        test(view.name, async () => {
            const { name, ...options } = view;
            const { context, page, problems } = await fresh(options);

            await example(page, "oci-attestations");
            await ask(page, "linux/arm64");
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

            await screenshot(page, name);
            assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
            assert.deepEqual(problems, []);
            await context.close();
        });
    }
});

// The shared bug-report cases that the page answers: validation and platform
// selection.
describe("shared cases", () => {
    const available = existsSync(CASES);
    test("cases.json is present", { skip: available ? false : `no ${CASES}: shared cases skipped` }, () => {});
    if (!available) return;

    let page;
    let context;
    let cases = [];
    before(async () => {
        cases = JSON.parse(await readFile(CASES, "utf8"));
        ({ context, page } = await fresh());
        await page.$eval("details.options", (d) => (d.open = true));
    });
    after(async () => context?.close());

    const pointerMatches = (expected, reported) =>
        expected === ""
            ? reported === ""
            : reported === expected ||
              reported.startsWith(`${expected}/`) ||
              (reported !== "" && expected.startsWith(`${reported}/`));

    test("validate cases", async () => {
        const chosen = cases.filter((c) => c.kind === "validate");
        assert.ok(chosen.length >= 5);
        for (const c of chosen) {
            await page.fill("#content-type", c.options?.contentType ?? "");
            await page.fill("#expected-digest", c.options?.expectedDigest ?? "");
            await page.click("button:has-text('Clear')");
            await settled(page);
            await paste(page, c.input);

            const valid = await page.getAttribute("#verdict", "data-valid");
            const expect = c.expect;
            assert.equal(valid, String(expect.valid), c.id);
            if (expect.kind) assert.equal(await page.getAttribute("#kind", "data-kind"), expect.kind, c.id);
            if (expect.digest) assert.equal(await page.textContent("#digest"), expect.digest, c.id);
            if (expect.size !== undefined) assert.equal(await page.getAttribute("#size", "data-bytes"), String(expect.size), c.id);
            const reported = await page.$$eval("li.diagnostic", (items) => items.map((li) => ({ ...li.dataset })));
            for (const want of expect.diagnostics ?? []) {
                const found = reported.some(
                    (d) =>
                        d.severity === want.severity &&
                        (want.line === undefined || d.line === String(want.line)) &&
                        (want.pointer === undefined || pointerMatches(want.pointer, d.pointer)),
                );
                assert.ok(found, `${c.id}: ${JSON.stringify(want)} in ${JSON.stringify(reported)}`);
            }
            for (const want of expect.entries ?? []) {
                const row = await page.$(`#row-${want.index}`);
                assert.ok(row, `${c.id}: row ${want.index}`);
                if (want.role) assert.match(await row.$eval(".role-name", (r) => r.textContent), new RegExp(want.role), c.id);
            }
        }
        await page.fill("#content-type", "");
        await page.fill("#expected-digest", "");
    });

    test("platform-select cases", async () => {
        const chosen = cases.filter((c) => c.kind === "platform-select");
        assert.ok(chosen.length >= 5);
        for (const c of chosen) {
            await page.click("button:has-text('Clear')");
            await settled(page);
            await paste(page, c.input);
            const answer = await ask(page, c.options.platform, c.options.osVersion ?? "", Boolean(c.options.strict));

            if (c.expect.digest === null) {
                assert.equal(answer.kind, "no-match", c.id);
            } else {
                assert.equal(answer.kind, "pulled", `${c.id}: ${answer.text}`);
                const digest = await page.getAttribute(`#row-${answer.row} .short-digest`, "title");
                assert.equal(digest, c.expect.digest, c.id);
            }
        }
    });
});
