import { RadprobeError, SourceUnavailableError, errorMessage } from '@radprobe/core';
import { parseMultipart } from './multipart.js';

/** How requests authenticate: the secret is read from the named environment variable, never from the config. */
export type DicomwebAuth = { type: 'none' } | { type: 'basic'; userVariable: string; passwordVariable: string } | { type: 'bearer'; tokenVariable: string };

export interface DicomwebClientOptions {
  /** Service root, e.g. `http://127.0.0.1:8042/dicom-web` (no trailing slash needed). */
  baseUrl: string;
  auth: DicomwebAuth;
  /** Requests in flight at once, at most. */
  concurrency: number;
  /** Tries per request on 429, 5xx, timeouts and refused connections (the first included). */
  attempts: number;
  /** Milliseconds before a request without an answer is abandoned (and retried). */
  timeoutMs: number;
  /** Milliseconds before the first retry; each further one waits twice as long (or what Retry-After says). */
  backoffMs: number;
  /** The environment the auth variables are read from. */
  environment: NodeJS.ProcessEnv;
}

/** Matches asked for per QIDO-RS request; a server answering fewer is paged on from where it stopped. */
const QIDO_PAGE = 1000;
const DICOM_PARTS = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const RETRIED_STATUS = (status: number) => status === 429 || status >= 500;
/** Retry-After beyond this is not waited for: the run fails instead, naming the server's answer. */
const LONGEST_WAIT_MS = 60_000;

/**
 * A DICOMweb (QIDO-RS / WADO-RS) client over Node's fetch: at most `concurrency` requests at once, each retried
 * with exponential backoff on 429, 5xx, timeouts and network errors. A server that cannot be reached after the
 * last try is a `SourceUnavailableError` naming the URL (the run stops: it is not a bad item); a 401/403 names
 * the auth variables.
 */
export class DicomwebClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: DicomwebClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.headers = authHeaders(options.auth, options.environment);
  }

  /** A QIDO-RS search or a `/metadata` resource: DICOM JSON objects. */
  async json(path: string, query: Record<string, string> = {}): Promise<DicomJson[]> {
    const url = this.url(path, query);
    const { bytes } = await this.get(url, 'application/dicom+json');
    if (bytes.length === 0) return [];
    try {
      const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
      if (!Array.isArray(parsed)) throw new Error('not a JSON array');
      return parsed as DicomJson[];
    } catch (error) {
      throw new RadprobeError(`${withheld(url)}: the answer is not DICOM JSON (${errorMessage(error)})`, { file: withheld(url) });
    }
  }

  /**
   * Every match of a QIDO-RS search, page by page (`limit`/`offset`): servers cap how many matches one answer holds
   * (often silently, or with only a Warning header), so a single request could drop part of a cohort. Pages are
   * asked for until one brings nothing new, which also ends the loop on a server that ignores `offset`.
   */
  async search(path: string, query: Record<string, string> = {}): Promise<DicomJson[]> {
    const matches = new Map<string, DicomJson>();
    for (let offset = 0; ; ) {
      const page = await this.json(path, { ...query, limit: String(QIDO_PAGE), offset: String(offset) });
      offset += page.length;
      const before = matches.size;
      for (const object of page) matches.set(JSON.stringify(object), object);
      if (matches.size === before) return [...matches.values()];
    }
  }

  /** One instance in its stored transfer syntax (WADO-RS, multipart/related application/dicom, `transfer-syntax=*`). */
  async instance(study: string, series: string, sop: string): Promise<Uint8Array> {
    const url = this.url(`/studies/${study}/series/${series}/instances/${sop}`);
    const { bytes, contentType } = await this.get(url, DICOM_PARTS);
    const parts = parseMultipart(bytes, contentType, url);
    if (parts.length !== 1) throw new RadprobeError(`${url}: expected one DICOM part, got ${parts.length}`, { file: url });
    return parts[0].body;
  }

  url(path: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams(query).toString();
    return `${this.base}${path}${search ? `?${search}` : ''}`;
  }

  private async get(url: string, accept: string): Promise<{ bytes: Uint8Array; contentType: string }> {
    await this.acquire();
    try {
      return await this.tryGet(url, accept);
    } finally {
      this.release();
    }
  }

  private async tryGet(url: string, accept: string): Promise<{ bytes: Uint8Array; contentType: string }> {
    const { attempts, backoffMs, timeoutMs } = this.options;
    const shown = withheld(url);
    let tries = 0;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      tries = attempt;
      let wait = backoffMs * 2 ** (attempt - 1);
      try {
        const response = await fetch(url, { headers: { ...this.headers, accept }, signal: AbortSignal.timeout(timeoutMs) });
        if (response.ok) return { bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' };
        await response.body?.cancel();
        if (response.status === 401 || response.status === 403) throw new RadprobeError(`${shown}: HTTP ${response.status} ${response.statusText}; ${this.authHint()}`, { file: shown });
        if (!RETRIED_STATUS(response.status)) throw new RadprobeError(`${shown}: HTTP ${response.status} ${response.statusText}`, { file: shown });
        lastProblem = `HTTP ${response.status} ${response.statusText}`;
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) wait = Math.max(wait, retryAfter * 1000);
        if (wait > LONGEST_WAIT_MS) break;
      } catch (error) {
        if (error instanceof RadprobeError) throw error;
        lastProblem = networkProblem(error, timeoutMs);
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    throw new SourceUnavailableError(
      `${shown}: ${lastProblem} after ${tries} ${tries === 1 ? 'try' : 'tries'}; the DICOMweb server cannot be reached (instances retrieved so far are kept: a rerun resumes)`,
      { file: shown },
    );
  }

  private authHint(): string {
    const { auth } = this.options;
    if (auth.type === 'none') return 'the server wants credentials: set "auth" (basic or bearer, read from environment variables)';
    const variables = auth.type === 'basic' ? `${auth.userVariable} and ${auth.passwordVariable}` : auth.tokenVariable;
    return `check the credentials in the environment variable${auth.type === 'basic' ? 's' : ''} ${variables} (auth "${auth.type}")`;
  }

  private async acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Search keys whose values identify a patient: never shown in a message. */
const IDENTIFYING_KEYS = ['AccessionNumber', 'PatientID', 'PatientName', 'PatientBirthDate'];

/** A URL as messages show it: the values of identifying search keys withheld. */
function withheld(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const search = new URLSearchParams(url.slice(at + 1));
  for (const key of IDENTIFYING_KEYS) if (search.has(key)) search.set(key, 'withheld');
  return `${url.slice(0, at)}?${search.toString()}`;
}

/** A DICOM JSON object (PS3.18 F.2): tag `GGGGEEEE` → VR and values. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string; BulkDataURI?: string }>;

/** The first value of a tag as a string (a person name's alphabetic form), or undefined. */
export function jsonString(object: DicomJson, tag: string): string | undefined {
  const value = object[tag]?.Value?.[0];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return (value as { Alphabetic?: string }).Alphabetic;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/** Every value of a numeric tag, or undefined when absent or not all numbers. */
export function jsonNumbers(object: DicomJson, tag: string): number[] | undefined {
  const values = object[tag]?.Value;
  if (!values || values.length === 0) return undefined;
  const numbers = values.map((value) => Number(value));
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

function authHeaders(auth: DicomwebAuth, environment: NodeJS.ProcessEnv): Record<string, string> {
  const read = (variable: string, pointer: string): string => {
    const value = environment[variable];
    if (value === undefined || value === '') {
      throw new RadprobeError(`option "auth": the environment variable ${variable} is not set (auth "${auth.type}" reads its secret from there)`, { pointer });
    }
    return value;
  };
  if (auth.type === 'basic') {
    const user = read(auth.userVariable, '/auth/userVariable');
    const password = read(auth.passwordVariable, '/auth/passwordVariable');
    return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
  }
  if (auth.type === 'bearer') return { authorization: `Bearer ${read(auth.tokenVariable, '/auth/tokenVariable')}` };
  return {};
}

function networkProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  return code ? `${code} (${cause!.message})` : errorMessage(error);
}
