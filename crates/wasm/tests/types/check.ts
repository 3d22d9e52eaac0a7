// Compiled with `tsc --noEmit --strict` against the installed package: the
// declarations must accept what the API takes, give what it returns, and
// refuse what it does not take (each @ts-expect-error must be an error).
import init, {
  createIndex,
  digest,
  formatPlatform,
  inspect,
  parseChallenge,
  parsePlatform,
  parseReference,
  selectPlatform,
  type Created,
  type Descriptor,
  type Diagnostic,
  type Entry,
  type Kind,
  type Platform,
  type Report,
  type Selection,
} from 'polyarch';

export async function uses(bytes: Uint8Array): Promise<void> {
  await init();

  const report: Report = inspect('{}', { contentType: 'application/json', expectedDigest: 'sha256:x' });
  const kind: Kind = report.kind;
  const mediaType: string | null = report.mediaType;
  const size: number = report.size;
  const valid: boolean = report.valid;
  const first: Diagnostic | undefined = report.diagnostics[0];
  const severity: 'error' | 'warning' | 'info' | undefined = first?.severity;
  const source: string | undefined = first?.source;
  const entry: Entry | undefined = report.entries[0];
  const entrySize: number | null | undefined = entry?.size;
  const role: 'image' | 'index' | 'attestation' | 'artifact' | 'other' | undefined = entry?.role;
  const attests: string | undefined = entry?.attests;
  const config: Descriptor | null = report.config;
  const annotations: Record<string, string> = report.annotations;
  inspect(bytes);

  const d256: string = digest(bytes);
  const d512: string = digest('x', 'sha512');

  const platform: Platform = parsePlatform('linux/arm64');
  const variant: string | undefined = platform.variant;
  const osFeatures: string[] | undefined = platform.osFeatures;
  const text: string = formatPlatform({ os: 'linux', architecture: 'amd64' });

  const selection: Selection = selectPlatform(bytes, platform, { osVersion: '10.0.17763', strict: true });
  selectPlatform('{}', 'linux/amd64');
  const chosen: Entry | null = selection.entry;
  const unresolved: number[] = selection.unresolved;
  const reason: string = selection.reason;

  const reference = parseReference('alpine');
  const tag: string | null = reference.tag;
  const apiHost: string = reference.apiHost;
  const canonical: string = reference.canonical;

  const challenge = parseChallenge('Bearer realm="x"');
  const realm: string | undefined = challenge.params.realm;

  const created: Created = createIndex(
    [{ mediaType: 'm', digest: 'd', size: 1, platform, annotations: { a: 'b' } }],
    { format: 'docker', annotations: {}, pretty: true },
  );
  const createdText: string = created.text;
  const createdSize: number = created.size;

  void [kind, mediaType, size, valid, severity, source, entrySize, role, attests, config,
    annotations, d256, d512, variant, osFeatures, text, chosen, unresolved, reason, tag,
    apiHost, canonical, realm, createdText, createdSize];
}

export function refuses(): void {
  // @ts-expect-error: a number is not a document
  inspect(42);
  // @ts-expect-error: only sha256 and sha512
  digest('x', 'md5');
  // @ts-expect-error: an unknown option
  inspect('{}', { contentTypes: 'x' });
  // @ts-expect-error: a platform needs an architecture
  formatPlatform({ os: 'linux' });
  // @ts-expect-error: the format is one of three
  createIndex([], { format: 'zip' });
  // @ts-expect-error: size is a number
  createIndex([{ mediaType: 'm', digest: 'd', size: '1' }]);
  // @ts-expect-error: an entry's size may be null
  const size: number = inspect('{}').entries[0].size;
  // @ts-expect-error: kinds are a closed set
  const kind: 'oci' = inspect('{}').kind;
  void [size, kind];
}
