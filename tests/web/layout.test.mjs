// The page's width: at 1280×800 neither the page nor the Platforms table
// scrolls sideways, with the examples or a 1,000-entry index; on a phone and
// at 200% zoom the page still fits and the table scrolls inside its own box.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, open, settled, revision, screenshot } from "./harness.mjs";

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

// An index of `count` entries: six architectures, a variant on every sixth,
// sizes from 400 B to about 880 KiB, one annotation each.
function index(count) {
    const architectures = ["amd64", "arm64", "arm", "ppc64le", "s390x", "riscv64"];
    const manifests = Array.from({ length: count }, (_, i) => ({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: `sha256:${(i * 2654435761).toString(16).padStart(64, "0").slice(-64)}`,
        size: 400 + (i % 900) * 1000,
        platform: {
            architecture: architectures[i % 6],
            os: "linux",
            ...(i % 6 === 2 ? { variant: "v7" } : {}),
        },
        annotations: { "org.opencontainers.image.ref.name": `entry-${i}` },
    }));
    const doc = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests };
    return JSON.stringify(doc, null, 2);
}

async function load(page, what) {
    const before = await revision(page);
    if (what === "1,000 entries") {
        await page.$eval(
            "#manifest-json",
            (area, text) => {
                area.value = text;
                area.dispatchEvent(new Event("input", { bubbles: true }));
            },
            index(1_000),
        );
    } else {
        await page.click(`button[data-example="${what}"]`);
    }
    await page.waitForFunction((r) => Number(document.querySelector("main").dataset.revision) > r, before);
    await settled(page);
    await page.waitForSelector("#platforms tbody tr.entry");
}

// How far the page and the table's box overflow sideways, and the cells
// whose content is wider than the cell.
async function widths(page) {
    return page.evaluate(() => {
        const scroller = document.querySelector("#platforms-scroll");
        const cells = [...document.querySelectorAll("#platforms tr.entry > *")];
        return {
            page: document.documentElement.scrollWidth - window.innerWidth,
            table: scroller.scrollWidth - scroller.clientWidth,
            rows: document.querySelectorAll("#platforms tbody tr.entry").length,
            clipped: cells
                .filter((c) => c.scrollWidth > c.clientWidth + 1)
                .slice(0, 3)
                .map((c) => `${c.parentElement.id}: ${c.textContent}`),
        };
    });
}

describe("layout at 1280×800", () => {
    for (const what of ["docker-list", "oci-attestations", "1,000 entries"]) {
        test(`${what}: no sideways scroll of the page or the table`, async () => {
            const { context, page, problems } = await fresh({ width: 1280, height: 800 });

            await load(page, what);
            const measured = await widths(page);

            assert.ok(measured.rows > 0);
            assert.ok(measured.page <= 0, `the page is ${measured.page}px wider than the window`);
            assert.ok(measured.table <= 0, `the table is ${measured.table}px wider than its box`);
            assert.deepEqual(measured.clipped, []);
            assert.deepEqual(problems, []);
            await context.close();
        });
    }
});

describe("layout on a phone and at 200% zoom", () => {
    const views = [
        { name: "phone", viewport: { width: 390, height: 844 } },
        { name: "zoom-200", viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 },
    ];
    for (const { name, ...options } of views) {
        test(`${name}: the page fits and the table scrolls in its own box`, async () => {
            const { context, page, problems } = await open(browser, server.url, options);

            await load(page, "1,000 entries");
            const measured = await widths(page);
            const scrollable = await page.$eval("#platforms-scroll", (s) => s.tabIndex === 0);

            await screenshot(page, `layout-1000-${name}`);
            assert.ok(measured.page <= 0, `the page is ${measured.page}px wider than the window`);
            assert.ok(measured.table > 0, "the table's box scrolls sideways");
            assert.equal(scrollable, true);
            assert.deepEqual(measured.clipped, []);
            assert.deepEqual(problems, []);
            await context.close();
        });
    }
});

async function fresh(viewport) {
    return open(browser, server.url, { viewport });
}
