// A page that uses the package exactly as its README says: an import and
// one `await init()`, no Vite plugin and no configuration. It writes what it
// saw into #result for run.cjs to check.
import init, { digest, inspect, parsePlatform, selectPlatform } from 'polyarch';

const out = document.getElementById('result');

try {
  await init();

  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 700,
        digest: `sha256:${'1'.repeat(64)}`,
        platform: { os: 'linux', architecture: 'arm64' },
      },
    ],
  });
  const report = inspect(index);
  let parseError = null;
  try {
    parsePlatform('linux/*');
  } catch (e) {
    parseError = e instanceof Error ? e.message : String(e);
  }

  out.textContent = JSON.stringify({
    digest: digest('{}'),
    kind: report.kind,
    valid: report.valid,
    platformString: report.entries[0].platformString,
    selected: selectPlatform(index, 'linux/aarch64').entry?.index ?? null,
    parseError,
  });
} catch (e) {
  out.textContent = JSON.stringify({ failed: String(e && e.stack ? e.stack : e) });
}
out.dataset.done = 'true';
