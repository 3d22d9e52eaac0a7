// Shared by the web page's tests and benchmark: a static server for dist/
// under a path prefix with a strict Content-Security-Policy, and headless
// Chromium driven by playwright-core.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { join, extname, dirname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
export const dist = join(root, "dist");
export const artifacts = join(root, "tests", "artifacts");

// What the page must live with: no inline script, no inline style, no eval
// other than compiling WebAssembly.
export const CSP = [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
].join("; ");

const TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
};

// Serves dist/ at `prefix` on 127.0.0.1 and a free port. With `gzip`, answers
// that accept it are compressed; `sent` counts the body bytes written.
export async function serve({ prefix = "/some/prefix/", gzip = false } = {}) {
    const stats = { sent: 0, requests: [] };
    const server = createServer(async (req, res) => {
        const url = new URL(req.url, "http://127.0.0.1");
        if (!url.pathname.startsWith(prefix)) {
            res.writeHead(404).end();
            return;
        }
        let rel = url.pathname.slice(prefix.length) || "index.html";
        rel = normalize(rel).replace(/^(\.\.[/\\])+/, "");
        try {
            let body = await readFile(join(dist, rel));
            const headers = {
                "content-type": TYPES[extname(rel)] ?? "application/octet-stream",
                "content-security-policy": CSP,
                "x-content-type-options": "nosniff",
                "cache-control": "no-store",
            };
            if (gzip && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
                body = gzipSync(body, { level: 9 });
                headers["content-encoding"] = "gzip";
            }
            stats.sent += body.length;
            stats.requests.push({ path: rel, bytes: body.length });
            res.writeHead(200, headers).end(body);
        } catch {
            res.writeHead(404, { "content-security-policy": CSP }).end();
        }
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address();
    return {
        url: `http://127.0.0.1:${port}${prefix}`,
        stats,
        close: () => new Promise((resolve) => server.close(resolve)),
    };
}

export async function launch() {
    return chromium.launch({
        executablePath: "/usr/bin/chromium",
        args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    });
}

// A page that records every console error, page error and CSP violation.
export async function open(browser, url, contextOptions = {}) {
    const context = await browser.newContext(contextOptions);
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    await page.goto(url);
    await ready(page);
    return { context, page, problems };
}

export async function ready(page) {
    await page.waitForSelector("#manifest-json");
    await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined);
    await settled(page);
}

// Waits until the page has inspected every change up to now.
export async function settled(page) {
    await page.waitForFunction(() => {
        const main = document.querySelector("main");
        return main && main.getAttribute("aria-busy") === "false";
    });
}

// Puts `text` in the text area as a paste does, and waits for its report.
export async function paste(page, text) {
    const before = await revision(page);
    await page.fill("#manifest-json", text);
    await page.waitForFunction((r) => {
        const main = document.querySelector("main");
        return Number(main.dataset.revision) > r && main.getAttribute("aria-busy") === "false";
    }, before);
}

export async function revision(page) {
    return page.$eval("main", (m) => Number(m.dataset.revision));
}

export async function screenshot(page, name) {
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}
