import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeHubOptions {
  repo: string;
  /** Repository files by path; those under `onnx/` are listed as LFS files (with a sha256), the rest as git files. */
  files: Record<string, Uint8Array>;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Bytes served instead of the listed content (to test checksum failures). */
  servedInstead?: Record<string, Uint8Array>;
  /** Answer Range requests with the whole file (200), as some servers do. */
  ignoreRange?: boolean;
}

/**
 * A local stand-in for the Hugging Face hub on 127.0.0.1: its tree API and its resolve URLs (redirecting like the
 * real one), for tests of `radprobe model pull` that must not reach the network.
 */
export class FakeHub {
  readonly rangeRequests: string[] = [];
  bytesServed = 0;
  private server!: Server;
  endpoint = '';

  constructor(private readonly options: FakeHubOptions) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private listing(folder: string): unknown[] {
    const entries: unknown[] = [];
    const prefix = folder ? `${folder}/` : '';
    const folders = new Set<string>();
    for (const [path, content] of Object.entries(this.options.files)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      if (rest.includes('/')) {
        folders.add(prefix + rest.split('/')[0]);
        continue;
      }
      const gitOid = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      const lfs = path.startsWith('onnx/')
        ? { lfs: { oid: createHash('sha256').update(content).digest('hex'), size: content.length, pointerSize: 134 } }
        : {};
      entries.push({ type: 'file', oid: gitOid, size: path.startsWith('onnx/') ? 134 : content.length, path, ...lfs });
    }
    for (const path of folders) entries.push({ type: 'directory', oid: 'f'.repeat(40), size: 0, path });
    return entries;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const { repo, token } = this.options;
    if (token && request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401).end('Invalid credentials');
      return;
    }
    const url = new URL(request.url!, this.endpoint);
    const tree = new RegExp(`^/api/models/${repo}/tree/main(?:/(.*))?$`).exec(url.pathname);
    if (tree) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.listing(tree[1] ?? '')));
      return;
    }
    const resolve = new RegExp(`^/${repo}/resolve/main/(.*)$`).exec(url.pathname);
    if (resolve && this.options.files[resolve[1]]) {
      response.writeHead(302, { location: `/cdn/${resolve[1]}` }).end();
      return;
    }
    const cdn = /^\/cdn\/(.*)$/.exec(url.pathname);
    if (cdn && this.options.files[cdn[1]]) {
      const content = this.options.servedInstead?.[cdn[1]] ?? this.options.files[cdn[1]];
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      if (range) this.rangeRequests.push(`${cdn[1]} ${request.headers.range}`);
      if (range && !this.options.ignoreRange) {
        const start = Number(range[1]);
        this.bytesServed += content.length - start;
        response
          .writeHead(206, { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` })
          .end(Buffer.from(content.subarray(start)));
        return;
      }
      this.bytesServed += content.length;
      response.writeHead(200, { 'content-length': content.length }).end(Buffer.from(content));
      return;
    }
    response.writeHead(404).end('Entry not found');
  }
}
