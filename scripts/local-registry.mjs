// A throwaway npm registry on 127.0.0.1 that serves radprobe's packages, packed as npm would publish them, and every
// third-party package they need at run time, taken from the workspace's own install. A project installing from it
// resolves versions, fetches tarballs and links bins exactly as from registry.npmjs.org, on a machine with an empty
// npm cache and no network: `npm ci` caches tarballs but not the package documents (packuments) an install needs.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The fields of a package.json that an install reads from a packument version. */
const MANIFEST_FIELDS = [
  'name', 'version', 'description', 'license', 'type', 'main', 'exports', 'bin', 'engines', 'os', 'cpu', 'libc', 'scripts',
  'dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bundleDependencies',
];

/** The installed folder of `name` as Node resolves it from `fromDir` (nearest node_modules upwards), or null. */
function installedDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return null;
  }
}

/** Dependencies an install of `manifest` fetches: regular, optional, and peers that are not optional. */
function installEdges(manifest) {
  const optionalPeers = manifest.peerDependenciesMeta ?? {};
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional);
  return [
    ...Object.keys(manifest.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...peers.map((name) => ({ name, optional: false })),
    ...Object.keys(manifest.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
  ];
}

/**
 * The installed third-party packages that `workspacePackageDirs` need at run time, transitively, as
 * `name@version` → folder. Optional dependencies missing here (other platforms' binaries) are left out, as npm does;
 * a missing required one is an error.
 */
function runtimeClosure(workspacePackageDirs, workspaceNames) {
  const found = new Map();
  const queue = workspacePackageDirs.map((dir) => ({ dir, workspace: true }));
  while (queue.length > 0) {
    const { dir, workspace } = queue.shift();
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!workspace) {
      const key = `${manifest.name}@${manifest.version}`;
      if (found.has(key)) continue;
      found.set(key, dir);
    }
    for (const edge of installEdges(manifest)) {
      if (workspaceNames.has(edge.name)) continue;
      const dependencyDir = installedDir(edge.name, dir);
      if (dependencyDir) queue.push({ dir: dependencyDir, workspace: false });
      else if (!edge.optional) throw new Error(`${manifest.name} needs ${edge.name}, which is not installed in the workspace`);
    }
  }
  return found;
}

/** A tarball of an installed package folder, as npm publishes one (every file under `package/`). */
async function packInstalled(dir, out) {
  // Nested node_modules are the install's own business, never part of a published package.
  await run('tar', ['-czf', out, '--exclude=./node_modules', '--transform=s,^\\.,package,', '-C', dir, '.'], { maxBuffer: 1 << 24 });
}

/**
 * Starts the registry. `packageDirs`: workspace package folders to publish (built, as `npm pack` takes them);
 * `storeDir`: where tarballs go. Every request is recorded in `requests`, and `unexpected()` lists what was asked for
 * and could not be served, so a test can tell an install that resolved everything here from one that needed more.
 */
export async function startLocalRegistry({ packageDirs, storeDir }) {
  await mkdir(storeDir, { recursive: true });
  const workspaceNames = new Set(packageDirs.map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name));
  const before = new Set(await readdir(storeDir));
  await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', storeDir, ...packageDirs], { cwd: storeDir, maxBuffer: 1 << 24 });
  const packed = (await readdir(storeDir)).filter((file) => file.endsWith('.tgz') && !before.has(file));

  const versions = new Map();
  const addVersion = async (manifest, tarballFile) => {
    const bytes = await readFile(tarballFile);
    const entry = Object.fromEntries(MANIFEST_FIELDS.filter((field) => manifest[field] !== undefined).map((field) => [field, manifest[field]]));
    entry.dist = {
      tarballFile,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
    };
    if (!versions.has(manifest.name)) versions.set(manifest.name, new Map());
    versions.get(manifest.name).set(manifest.version, entry);
  };
  for (const dir of packageDirs) {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const file = packed.find((name) => name === `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!file) throw new Error(`npm pack wrote no tarball for ${manifest.name}@${manifest.version}`);
    await addVersion(manifest, join(storeDir, file));
  }
  for (const [key, dir] of runtimeClosure(packageDirs, workspaceNames)) {
    const file = join(storeDir, `${key.replace(/^@/, '').replace(/[/@]/g, '-')}.tgz`);
    await packInstalled(dir, file);
    await addVersion(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')), file);
  }

  const requests = [];
  const notFound = [];
  const tarballs = new Map();
  let origin = '';
  const packument = (name) => {
    const entries = [...versions.get(name).entries()];
    return {
      name,
      'dist-tags': { latest: entries[entries.length - 1][0] },
      versions: Object.fromEntries(
        entries.map(([version, { dist, ...manifest }]) => {
          const path = `/-/tarballs/${encodeURIComponent(`${name}@${version}`)}.tgz`;
          tarballs.set(path, dist.tarballFile);
          return [version, { ...manifest, dist: { tarball: origin + path, integrity: dist.integrity, shasum: dist.shasum } }];
        }),
      ),
    };
  };
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    requests.push(`${request.method} ${path}`);
    const name = decodeURIComponent(path.slice(1));
    if (request.method === 'GET' && versions.has(name)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument(name)));
      return;
    }
    if (request.method === 'GET' && tarballs.has(path)) {
      readFile(tarballs.get(path)).then(
        (bytes) => response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes),
        () => response.writeHead(500).end(),
      );
      return;
    }
    notFound.push(`${request.method} ${path}`);
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  // npm looks up optional peers and other platforms' optional binaries even when it installs none of them.
  const optionalNames = new Set(
    [...versions.values()].flatMap((byVersion) =>
      [...byVersion.values()].flatMap((manifest) => [
        ...Object.keys(manifest.optionalDependencies ?? {}),
        ...Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, meta]) => meta?.optional).map(([name]) => name),
      ]),
    ),
  );
  return {
    url: `${origin}/`,
    packages: [...versions.keys()],
    /** Requests this registry could not serve for anything but an optional dependency or optional peer. */
    unexpected: () => notFound.filter((request) => !(request.startsWith('GET /') && optionalNames.has(decodeURIComponent(request.slice(5))))),
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * The environment for an `npm install` from `registryUrl` as a user's shell would have it: none of the enclosing
 * npm run's settings (this repository's `ignore-scripts`), an empty cache and no user config, so nothing comes from
 * this machine's warm cache or reaches another registry.
 */
export function isolatedNpmEnvironment(registryUrl, cacheDir, userConfigFile) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, npm_config_registry: registryUrl, npm_config_cache: cacheDir, npm_config_userconfig: userConfigFile, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}
