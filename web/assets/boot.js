// Starts polyarch's WebAssembly. Trunk writes the tag that loads this file
// with the names of the wasm-bindgen module and the .wasm beside it; both are
// resolved against the page, so the site works under any path prefix, and no
// script is inline, so a strict Content-Security-Policy holds.
const tag = document.querySelector("script[data-polyarch-js]");
const base = document.baseURI;

try {
    const { default: init } = await import(new URL(tag.dataset.polyarchJs, base).href);
    await init({ module_or_path: new URL(tag.dataset.polyarchWasm, base) });
    document.documentElement.dataset.ready = performance.now().toFixed(1);
} catch (error) {
    const p = document.createElement("p");
    p.className = "boot-error";
    p.textContent = `polyarch could not start: ${error}`;
    document.body.append(p);
    throw error;
}
