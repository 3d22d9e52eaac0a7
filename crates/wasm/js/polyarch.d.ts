// Type declarations for the npm package `polyarch`, written to say exactly
// what the functions take and return. Sizes are JavaScript numbers; a size
// beyond Number.MAX_SAFE_INTEGER (2^53 − 1) is `null`, with a
// `size-unsafe-integer` diagnostic, and is never rounded.

/** What a document is, told from its media type and its shape. */
export type Kind =
  | 'oci-manifest'
  | 'oci-index'
  | 'docker-manifest'
  | 'docker-manifest-list'
  | 'docker-manifest-v1'
  | 'unknown';

/** How much a diagnostic matters; a document is valid when it has no `error`. */
export type Severity = 'error' | 'warning' | 'info';

/** One problem, with its place in the document. */
export interface Diagnostic {
  /** A stable rule code in kebab case, such as `digest-invalid`. */
  code: string;
  severity: Severity;
  /** What is wrong: the expected and the found value. */
  message: string;
  /** JSON Pointer (RFC 6901) of the value at fault; `""` is the document root. */
  pointer: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters. */
  column: number;
  /** 0-based byte offset in the UTF-8 document. */
  offset: number;
  /** The specification or behaviour the rule comes from. */
  source?: string;
}

/** A platform: the operating system and CPU an image is built for. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
  features?: string[];
}

/** A descriptor as the document wrote it. */
export interface Descriptor {
  /** As written; `""` when absent. */
  mediaType: string;
  /** As written; `""` when absent. */
  digest: string;
  /** `null` when absent, not an integer, or beyond 2^53 − 1. */
  size: number | null;
  /** The platform with its values as written. */
  platform: Platform | null;
  /** `platform` formatted from the values as written (`linux/arm/v7`), not normalised. */
  platformString: string | null;
  annotations: Record<string, string>;
}

/** What an index entry points at. */
export type Role = 'image' | 'index' | 'attestation' | 'artifact' | 'other';

/** One row of an index or manifest list. */
export interface Entry extends Descriptor {
  /** Its position in `manifests`, from 0. */
  index: number;
  role: Role;
  /** For an attestation, the digest of the manifest it attests. */
  attests?: string;
}

/** What `inspect` found. */
export interface Report {
  kind: Kind;
  /** The document's own `mediaType`, or `null` when it has none. */
  mediaType: string | null;
  /** The digest of the exact bytes inspected. */
  digest: string;
  /** Their length in bytes. */
  size: number;
  /** True exactly when no diagnostic is an `error`. */
  valid: boolean;
  diagnostics: Diagnostic[];
  /** The rows of an index or manifest list; `[]` for other documents. */
  entries: Entry[];
  config: Descriptor | null;
  layers: Descriptor[];
  subject: Descriptor | null;
  artifactType: string | null;
  annotations: Record<string, string>;
}

export interface InspectOptions {
  /** The HTTP Content-Type the document came with. */
  contentType?: string;
  /** A digest the bytes must have: a Docker-Content-Digest header, or the digest in a reference. */
  expectedDigest?: string;
}

/**
 * Validates a manifest, image index or manifest list. A string is read as
 * its UTF-8 bytes; a string with a lone surrogate gets a `lone-surrogate`
 * error. Never throws for bad documents: every problem is a diagnostic.
 * @throws {TypeError} when `input` is neither a string nor a Uint8Array.
 */
export function inspect(input: string | Uint8Array, options?: InspectOptions): Report;

/**
 * The digest of the exact bytes, `algorithm:hex`; a string is hashed as its
 * UTF-8 bytes.
 * @throws {Error} for another algorithm, or a string with a lone surrogate.
 */
export function digest(input: string | Uint8Array, algorithm?: 'sha256' | 'sha512'): string;

/**
 * Parses `os[/architecture[/variant]]` (or `architecture[/variant]`) and
 * normalises it the way containerd does: `Linux/AARCH64` is linux/arm64.
 * @throws {Error} whose message says what is wrong and where.
 */
export function parsePlatform(text: string): Platform;

/** `os/architecture[/variant]` from the values as given, not normalised. */
export function formatPlatform(platform: Platform): string;

export interface SelectOptions {
  /** The Windows version the client runs, to rank `osVersion`. */
  osVersion?: string;
  /** Exact matches only: no fallback to a compatible variant or architecture. */
  strict?: boolean;
}

export interface Selection {
  /** The chosen row, or `null` for no match. A row with role `'index'` must be fetched and selected from again. */
  entry: Entry | null;
  /** `exact match`, or the fallback step that chose the row. */
  reason: string;
  /** Rows without a platform, which a client would judge by their config. */
  unresolved: number[];
  diagnostics: Diagnostic[];
}

/**
 * Chooses the row of an index or manifest list that a client on `platform`
 * pulls, with containerd's rules. Never throws for bad documents.
 * @throws {Error} when `platform` is a string that `parsePlatform` refuses.
 */
export function selectPlatform(
  input: string | Uint8Array,
  platform: string | Platform,
  options?: SelectOptions,
): Selection;

/** An image reference, normalised the way distribution/reference does. */
export interface Reference {
  /** `docker.io` for Docker Hub. */
  registry: string;
  /** With `library/` for Docker Hub's official images. */
  repository: string;
  /** `latest` when neither tag nor digest is given; `null` for a digest alone. */
  tag: string | null;
  digest: string | null;
  /** The host to send registry API requests to (`registry-1.docker.io` for Docker Hub). */
  apiHost: string;
  /** The fully qualified form. */
  canonical: string;
}

/**
 * Parses an image reference such as `alpine:3.20` or
 * `registry.example.com/team/app@sha256:…`.
 * @throws {Error} whose message says what is wrong and where.
 */
export function parseReference(text: string): Reference;

export interface Challenge {
  /** Lower-cased: `bearer` or `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header value.
 * @throws {Error} whose message says what is wrong and where.
 */
export function parseChallenge(header: string): Challenge;

/** One row of an index to create. */
export interface IndexEntry {
  mediaType: string;
  digest: string;
  /** An integer up to 2^53 − 1. */
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
  /** Where the child may also be fetched; dropped, with a warning, in a Docker list. */
  urls?: string[];
  /** The child's bytes in base64; dropped, with a warning, in a Docker list. */
  data?: string;
}

export interface CreateOptions {
  /**
   * `auto` (the default) writes a Docker manifest list when there is at
   * least one entry, every entry is a Docker manifest or list with a
   * platform, and nothing carries annotations, `artifactType` or `subject`;
   * an OCI image index otherwise.
   */
  format?: 'oci' | 'docker' | 'auto';
  /** Annotations of the index itself. */
  annotations?: Record<string, string>;
  /** Indented by three spaces, as `docker manifest push` writes; compact by default. */
  pretty?: boolean;
  /** The index's `artifactType`. */
  artifactType?: string;
  /** The index's `subject`; its platform, if any, is not written. */
  subject?: IndexEntry;
}

/** A created index: `text` is what to push; `digest` and `size` are of its UTF-8 bytes. */
export interface Created {
  text: string;
  digest: string;
  size: number;
  mediaType: string;
  diagnostics: Diagnostic[];
}

/**
 * Assembles an image index or manifest list, serialised once: `text` is
 * what to push. An entry that cannot be written (a bad digest, a negative
 * size, a platform without os) is left out with an `assembly-entry-invalid`
 * error: do not push a result that has errors.
 * @throws {TypeError} when `entries` is not an array of objects, or a field
 * has the wrong JavaScript type (a `size` that is not an integer).
 */
export function createIndex(entries: IndexEntry[], options?: CreateOptions): Created;

/**
 * Loads the WebAssembly module. In a browser, await it once before the first
 * call; `source` defaults to the `polyarch.wasm` next to the module. In
 * Node.js the module is loaded on import and this does nothing.
 */
export function init(source?: WasmSource): Promise<void>;

/**
 * Where `init` loads the module from: a URL (string or `URL`), a `Request`,
 * a `Response` or a promise of one, the bytes, or a compiled
 * `WebAssembly.Module`. Written without DOM types so that the declarations
 * also check in projects that do not include the DOM library.
 */
export type WasmSource = string | ArrayBuffer | ArrayBufferView | object;
export default init;
