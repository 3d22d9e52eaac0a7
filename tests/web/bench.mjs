// The web page's figures for BENCHMARKS.md, measured in headless Chromium
// against dist/ served gzip-compressed from 127.0.0.1:
// - bytes transferred for a first visit (response bodies, gzip);
// - time until the page can inspect (navigation start to the text area
//   being there with the WebAssembly started);
// - time to inspect and render a 1,000-entry index (a dropped file, so no
//   typing pause, until its rows are drawn and painted), with the longest
//   main-thread task;
// - the Platforms table alone: time to draw its 1,000 rows again when a
//   filter that hid them all is cleared (input event to painted), and the
//   part of it spent before the browser's style and layout;
// - a 4 MiB index: inspection time and the longest main-thread task.
// Each time is the median of RUNS fresh visits. The machine's load average
// is printed before and after: on a shared machine it moves every figure.
import { loadavg } from "node:os";
import { serve, launch, ready, settled } from "./harness.mjs";

const RUNS = 5;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function index(count) {
    const manifests = Array.from({ length: count }, (_, i) => ({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: `sha256:${(i * 2654435761).toString(16).padStart(64, "0").slice(-64)}`,
        size: 400 + (i % 900),
        platform: {
            architecture: ["amd64", "arm64", "arm", "ppc64le", "s390x", "riscv64"][i % 6],
            os: "linux",
            ...(i % 6 === 2 ? { variant: "v7" } : {}),
        },
        annotations: { "org.opencontainers.image.ref.name": `entry-${i}` },
    }));
    return JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }, null, 2);
}

// Drops `text` as a file and returns the milliseconds until `rows` rows are
// drawn and a frame has been painted, with the page's own inspection time.
async function dropAndRender(page, text, rows) {
    return page.evaluate(
        async ([text, rows]) => {
            const longest = { ms: 0 };
            const observer = new PerformanceObserver((list) => {
                for (const entry of list.getEntries()) longest.ms = Math.max(longest.ms, entry.duration);
            });
            observer.observe({ type: "longtask" });
            const before = Number(document.querySelector("main").dataset.revision);
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "index.json"));
            const started = performance.now();
            document.querySelector(".drop").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            await new Promise((resolve) => {
                const check = () => {
                    const main = document.querySelector("main");
                    const done = Number(main.dataset.revision) > before &&
                        main.getAttribute("aria-busy") === "false" &&
                        document.querySelectorAll("#platforms tbody tr.entry").length >= rows;
                    if (done) requestAnimationFrame(() => requestAnimationFrame(resolve));
                    else setTimeout(check, 1);
                };
                check();
            });
            const total = performance.now() - started;
            await new Promise((r) => setTimeout(r, 50));
            observer.disconnect();
            return { total, inspect: Number(document.querySelector("#timing").dataset.ms), longest: longest.ms };
        },
        [text, rows],
    );
}

// Hides every row with a filter, then clears it: milliseconds from the
// input event until `rows` rows are in the table (script) and until a frame
// after that has been painted (total).
async function redraw(page, rows) {
    return page.evaluate(async (rows) => {
        const input = document.querySelector("#platform-filter");
        const type = (value) => {
            input.value = value;
            input.dispatchEvent(new InputEvent("input", { bubbles: true }));
        };
        const count = () => document.querySelectorAll("#platforms tbody tr.entry").length;
        const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const until = (done) =>
            new Promise((resolve) => {
                const check = () => (done() ? resolve(performance.now()) : setTimeout(check, 1));
                check();
            });

        type("no row has this text");
        await until(() => count() === 0);
        await painted();
        const started = performance.now();
        type("");
        // Yew draws in a microtask queued by the input event: look after it,
        // before the browser's next frame does style and layout.
        await Promise.resolve();
        const drawn = await until(() => count() === rows);
        await painted();
        return { total: performance.now() - started, script: drawn - started };
    }, rows);
}

const loadBefore = loadavg();
const server = await serve({ gzip: true });
const browser = await launch();
try {
    const bytes = [];
    const startup = [];
    const render1k = [];
    const inspect1k = [];
    const longest1k = [];
    const redraws = [];
    const big = index(14_000);
    const bigRuns = [];
    const thousand = index(1_000);
    for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.addInitScript(() => {
            new MutationObserver((_, observer) => {
                if (document.querySelector("#manifest-json") && document.documentElement.dataset.ready) {
                    window.__canInspect = performance.now();
                    observer.disconnect();
                }
            }).observe(document, { subtree: true, childList: true, attributes: true });
        });
        const sentBefore = server.stats.sent;
        await page.goto(server.url);
        await ready(page);
        bytes.push(server.stats.sent - sentBefore);
        startup.push(await page.evaluate(() => window.__canInspect ?? Number(document.documentElement.dataset.ready)));

        const r = await dropAndRender(page, thousand, 1_000);
        render1k.push(r.total);
        inspect1k.push(r.inspect);
        longest1k.push(r.longest);
        redraws.push(await redraw(page, 1_000));

        bigRuns.push(await dropAndRender(page, big, 1));
        await settled(page);
        await context.close();
    }

    const mib = (Buffer.byteLength(big) / 1048576).toFixed(2);
    const rows = [
        ["First visit, bytes transferred (gzip, response bodies)", `${median(bytes).toLocaleString("en")} B`],
        ["Time until the page can inspect (from navigation start)", `${median(startup).toFixed(0)} ms`],
        ["Inspect and render a 1,000-entry index (drop to painted rows)", `${median(render1k).toFixed(0)} ms`],
        ["  of which inspection in core", `${median(inspect1k).toFixed(0)} ms`],
        ["  longest main-thread task", `${median(longest1k).toFixed(0)} ms`],
        ["Redraw the 1,000 rows (filter cleared to painted)", `${median(redraws.map((r) => r.total)).toFixed(0)} ms`],
        ["  of which until the rows are in the page", `${median(redraws.map((r) => r.script)).toFixed(0)} ms`],
        [`Inspect a ${mib} MiB, 14,000-entry index (core)`, `${median(bigRuns.map((r) => r.inspect)).toFixed(0)} ms`],
        [`  drop to painted table (windowed rows)`, `${median(bigRuns.map((r) => r.total)).toFixed(0)} ms`],
        [`  longest main-thread task`, `${median(bigRuns.map((r) => r.longest)).toFixed(0)} ms`],
    ];
    const load = (l) => l.map((x) => x.toFixed(2)).join(" ");
    console.log(`polyarch web page, headless Chromium ${browser.version()}, median of ${RUNS} fresh visits`);
    console.log(`load average (1, 5, 15 min): ${load(loadBefore)} before, ${load(loadavg())} after\n`);
    console.log("| measure | value |\n|---|---|");
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    console.log("\nfirst-visit requests:", server.stats.requests.slice(0, 6).map((r) => `${r.path} ${r.bytes}`).join(", "));
} finally {
    await browser.close();
    await server.close();
}
