import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './config';

/** Pinned versions of the Go-built tools (DESIGN.md §5). */
export const TOOL_VERSIONS = { natsServer: 'v2.12.15', temporal: 'v1.5.1', ferretdb: 'v1.24.2', jaeger: 'v1.75.0' } as const;

/** Absolute paths of the infrastructure binaries. */
export interface ToolPaths {
  natsServer: string;
  temporal: string;
  ferretdb: string;
  /** Jaeger's all-in-one (`cmd/jaeger`), the local stack's trace backend. */
  jaeger: string;
}

/** Where the tools live: `<repo>/.tools/bin` (git-ignored). */
export const toolsBinDir = (repoRoot: string = REPO_ROOT) => path.join(repoRoot, '.tools', 'bin');

type Log = (line: string) => void;

interface Tool {
  key: keyof ToolPaths;
  binary: string;
  version: string;
  /** Whether `file` is this tool at its pinned version. */
  installed(file: string): boolean;
  build(ctx: BuildContext): Promise<void>;
}

interface BuildContext {
  repoRoot: string;
  bin: string;
  logFile: string;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(opts.logFile, 'a');
    fs.writeSync(out, `$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', out] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      fs.writeSync(out, chunk);
    });
    child.on('error', (err) => {
      fs.closeSync(out);
      reject(err);
    });
    child.on('close', (code) => {
      fs.closeSync(out);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}; see ${opts.logFile}`));
    });
  });
}

const goInstall = (modulePath: string) => (ctx: BuildContext) =>
  run('go', ['install', modulePath], { env: { GOBIN: ctx.bin }, logFile: ctx.logFile }).then(() => undefined);

/** `one-transaction-per-command` (see FERRETDB_PATCHES): fsql runs a batch's queries on its connection, the registry
 * answers a batch's repeated lookups from what it remembers, update and delete run their statements through it. */
const ONE_TRANSACTION_PER_COMMAND: readonly SourcePatch[] = [
  { file: 'internal/util/fsql/lifeline_batch.go', add: 'lifeline_batch.go' },
  { file: 'internal/util/fsql/tx.go', from: '\tsqlTx *sql.Tx\n', to: '\tsqlTx txConn\n' },
  { file: 'internal/util/fsql/tx.go', from: 'func wrapTx(tx *sql.Tx, l *slog.Logger) *Tx {', to: 'func wrapTx(tx txConn, l *slog.Logger) *Tx {' },
  {
    file: 'internal/util/fsql/db.go',
    from: '\tvar sqlTx *sql.Tx\n\n\tif sqlTx, err = db.sqlDB.BeginTx(ctx, nil); err != nil {',
    to: '\tvar sqlTx txConn\n\n\tif sqlTx, err = db.begin(ctx); err != nil {',
  },
  ...['QueryContext', 'QueryRowContext', 'ExecContext'].map((method) => ({
    file: 'internal/util/fsql/db.go',
    from: ` := db.sqlDB.${method}(ctx, query, args...)`,
    to: ` := db.on(ctx).${method}(ctx, query, args...)`,
  })),
  { file: 'internal/backends/sqlite/metadata/lifeline_batch_registry.go', add: 'lifeline_batch_registry.go' },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    from: '\tr.rw.RLock()\n\tdefer r.rw.RUnlock()\n\n\treturn r.collectionGet(dbName, collectionName)\n',
    to:
      '\tif c, ok := r.batchCollection(ctx, dbName, collectionName); ok {\n\t\treturn c\n\t}\n\n\tr.rw.RLock()\n\tdefer r.rw.RUnlock()\n\n' +
      '\treturn r.rememberInBatch(ctx, dbName, collectionName, r.collectionGet(dbName, collectionName))\n',
  },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    from: 'func (r *Registry) CollectionCreate(ctx context.Context, params *CollectionCreateParams) (bool, error) {\n\tr.rw.Lock()\n',
    to: 'func (r *Registry) CollectionCreate(ctx context.Context, params *CollectionCreateParams) (bool, error) {\n\tif fsql.InBatch(ctx) {\n\t\treturn r.collectionCreateInBatch(ctx, params)\n\t}\n\n\tr.rw.Lock()\n',
  },
  { file: 'internal/handler/lifeline_statements.go', add: 'lifeline_statements.go' },
  {
    file: 'internal/handler/msg_update.go',
    from:
      '\t// TODO https://github.com/FerretDB/FerretDB/issues/2612\n\t_ = params.Ordered\n\n\tmatched, modified, upserted, err := h.updateDocument(connCtx, params)\n' +
      '\tif err != nil {\n\t\treturn nil, handleUpdateError(params.DB, params.Collection, "update", err)\n\t}\n\n' +
      '\tres := must.NotFail(types.NewDocument(\n\t\t"n", matched,\n\t))\n\n\tif upserted.Len() != 0 {\n\t\tres.Set("upserted", upserted)\n\t}\n\n' +
      '\tres.Set("nModified", modified)\n\tres.Set("ok", float64(1))\n',
    to: '\tres, err := h.updateStatements(connCtx, params)\n\tif err != nil {\n\t\treturn nil, handleUpdateError(params.DB, params.Collection, "update", err)\n\t}\n',
  },
  { file: 'internal/handler/common/update_params.go', from: '`ferretdb:"ordered,ignored"`', to: '`ferretdb:"ordered,opt"`' },
  { file: 'internal/handler/common/update_params.go', from: '\tvar params UpdateParams\n', to: '\tparams := UpdateParams{Ordered: true}\n' },
  {
    file: 'internal/handler/msg_delete.go',
    from: '\twriteErrors := types.MakeArray(0)\n\n\tfor i, p := range params.Deletes {\n\t\tvar d int32\n\t\td, err = h.execDelete(connCtx, c, &p)\n',
    to:
      '\twriteErrors := types.MakeArray(0)\n\ts := newStatements(connCtx, deletesOneEach(params.Deletes))\n\n\tfor i, p := range params.Deletes {\n\t\tvar d int32\n' +
      '\t\terr = s.run(func(ctx context.Context) (err error) {\n\t\t\td, err = h.execDelete(ctx, c, &p)\n\t\t\treturn\n\t\t})\n',
  },
  {
    file: 'internal/handler/msg_delete.go',
    from: '\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n\tres := must.NotFail(types.NewDocument(\n',
    to: '\t\t\t_ = s.commit()\n\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\t}\n\n\tif err = s.commit(); err != nil {\n\t\treturn nil, lazyerrors.Error(err)\n\t}\n\n\tres := must.NotFail(types.NewDocument(\n',
  },
].map((p) => ({ id: 'one-transaction-per-command', ...p }));

/**
 * Source patches applied to FerretDB before it is built: edits, each checked to apply exactly once, and whole files
 * added from `deploy/local/ferretdb/` (each says why in its header). MongoDB, the production store, needs none of
 * them; each makes the local stand-in keep a promise MongoDB keeps (docs/SERVICE-SHAPE.md has the measurements).
 *
 * `sqlite-id-index`: FerretDB 1.24's SQLite backend creates the `_id` index on `_ferretdb_sjson->"_id"` but pushes an
 * exact `{_id: …}` filter down as `_ferretdb_sjson->'$._id' = ?`. Both mean the same JSON path, yet SQLite only uses
 * an expression index for the identical expression, so every lookup by `_id` scanned the collection (measured on
 * 20,000 documents: find by `_id` 34 ms, a miss 118 ms, update by `_id` 81 ms; patched 1.5, 1.9 and 2.4 ms).
 *
 * `atomic-updates`: update, findAndModify and delete read and then write without a transaction, so concurrent
 * conditional updates of one document all matched (1,000 guarded decrements of a lot of 500 all "succeeded", leaving
 * 450). Each read-modify-write now holds its collection's lock (update's in `lifeline_statements.go`).
 *
 * `one-transaction-per-command`: stock FerretDB commits every statement of an `update` on its own (a WAL sync each,
 * ~1.3 ms), so a `bulkWrite` of 20 guarded updates was 20 commits. An update or delete command whose statements
 * each touch one document now runs them in one SQLite transaction (BEGIN IMMEDIATE; up to 100 statements a
 * transaction), each statement in a savepoint: a later guard sees what an earlier statement wrote, a failing
 * statement is rolled back alone and reported in `writeErrors` with its index, `ordered` stops there (stock ignored
 * `ordered` and reported any error at index 0), what ran before stays applied, and upserts carry their statement's
 * index. Multi-document statements run as before. Holding SQLite's write lock, a batch never waits for the metadata
 * registry's lock (whose writers wait for SQLite's while they hold it): it answers its repeated lookups of the
 * collection from the first. Each statement's query is closed when the statement ends (a `bulkWrite` of hundreds of
 * updates used to hold one pooled connection per statement and deadlock the pool).
 *
 * `sqlite-id-in`: `{_id: {$in: [...]}}` is answered from the `_id` index instead of a scan.
 *
 * `sqlite-id-with-guard`: the `_id` (or `_id $in`) part of a filter with more keys is pushed down too, so a guarded
 * update (`{_id, v}` on a lot, `{_id, status}` on a reservation) reads one row instead of scanning; FerretDB still
 * applies the whole filter to the rows it reads, so answers are unchanged. Measured: such an update on a lot near the
 * end of 3,000 took 278 ms, by `_id` alone 1.9 ms; without it supplies ran 14 reservations/s in-process.
 */
export const FERRETDB_PATCHES: readonly SourcePatch[] = [
  {
    id: 'sqlite-id-index',
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: 'IDColumn = DefaultColumn + `->"_id"`',
  },
  { id: 'atomic-updates', file: 'internal/handler/lifeline_atomic.go', add: 'lifeline_atomic.go' },
  {
    id: 'atomic-updates',
    file: 'internal/handler/msg_findandmodify.go',
    from: 'func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n',
    to: 'func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n\tdefer lockCollection(params.DB, params.Collection)()\n\n',
  },
  {
    id: 'atomic-updates',
    file: 'internal/handler/msg_delete.go',
    from: '\tvar deleted int32\n',
    to: '\tdefer lockCollection(params.DB, params.Collection)()\n\n\tvar deleted int32\n',
  },
  { id: 'sqlite-id-in', file: 'internal/backends/sqlite/lifeline_id_in.go', add: 'lifeline_id_in.go' },
  {
    id: 'sqlite-id-in',
    file: 'internal/backends/sqlite/collection.go',
    from: '\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n',
    to: '\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\tcase *types.Document:\n\t\t\twhereClause, args = idInClause(v.(*types.Document))\n\t\t}\n',
  },
  {
    id: 'sqlite-id-in',
    file: 'internal/backends/sqlite/collection.go',
    from: '\t\t\tfilterPushdown = true\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n',
    to: '\t\t\tfilterPushdown = true\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\tcase *types.Document:\n\t\t\twhereClause, args = idInClause(v.(*types.Document))\n\t\t\tfilterPushdown = whereClause != ""\n\t\t}\n',
  },
  {
    id: 'sqlite-id-with-guard',
    file: 'internal/backends/sqlite/collection.go',
    from: '\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause =',
    to: '\tif v, _ := params.Filter.Get("_id"); v != nil {\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause =',
  },
  {
    id: 'sqlite-id-with-guard',
    file: 'internal/backends/sqlite/collection.go',
    from: '\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = true\n',
    to: '\tif v, _ := params.Filter.Get("_id"); v != nil {\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\tfilterPushdown = params.Filter.Len() == 1\n',
  },
  {
    id: 'sqlite-id-with-guard',
    file: 'internal/backends/sqlite/collection.go',
    from: '\t\t\tfilterPushdown = whereClause != ""\n',
    to: '\t\t\tfilterPushdown = whereClause != "" && params.Filter.Len() == 1\n',
  },
  { id: 'sqlite-index-eq', file: 'internal/backends/sqlite/lifeline_index_eq.go', add: 'lifeline_index_eq.go' },
  {
    id: 'sqlite-index-eq',
    file: 'internal/backends/sqlite/collection.go',
    from: '\tq += whereClause\n\tq += prepareOrderByClause(params.Sort)\n',
    to: '\tif whereClause == "" {\n\t\twhereClause, args = indexedEqClause(meta, params.Filter)\n\t}\n\n\tq += whereClause\n\tq += prepareOrderByClause(params.Sort)\n',
  },
  {
    id: 'sqlite-index-eq',
    file: 'internal/backends/sqlite/collection.go',
    from: '\torderByClause := prepareOrderByClause(params.Sort)\n',
    to: '\tif whereClause == "" {\n\t\twhereClause, args = indexedEqClause(meta, params.Filter)\n\t}\n\n\torderByClause := prepareOrderByClause(params.Sort)\n',
  },
  ...ONE_TRANSACTION_PER_COMMAND,
];

/** An edit of one FerretDB source file (`from` must occur exactly once), or a file added from `deploy/local/ferretdb/`. */
export type SourcePatch = { id: string; file: string } & ({ from: string; to: string } | { add: string });

/** Where the added Go files live. */
const FERRETDB_PATCH_DIR = path.join(__dirname, '..', 'ferretdb');

/** The marker next to the binary: what it was built from (`ferretDbBuildId`); a binary built from anything else is rebuilt. */
const ferretDbPatchMarker = (file: string) => `${file}.patches`;

/**
 * What a FerretDB binary is built from: the version, every edit, and the content of every file added from
 * `patchDir`, as the patch ids and a SHA-256. Editing a Go file in `deploy/local/ferretdb/` changes it, so a cached
 * binary is rebuilt on the next `ensureTools` (a clean clone has none and builds).
 */
export function ferretDbBuildId(patches: readonly SourcePatch[] = FERRETDB_PATCHES, patchDir = FERRETDB_PATCH_DIR): string {
  const hash = createHash('sha256').update(TOOL_VERSIONS.ferretdb);
  for (const p of patches) hash.update(JSON.stringify(p)).update('add' in p ? fs.readFileSync(path.join(patchDir, p.add)) : '');
  return `${[...new Set(patches.map((p) => p.id))].join(',')} sha256:${hash.digest('hex')}`;
}

/** Applies one patch to a source text; refuses when the text to replace is not there exactly once. */
export function applySourcePatch(text: string, patch: { id: string; from: string; to: string }): string {
  const at = text.indexOf(patch.from);
  if (at < 0 || text.indexOf(patch.from, at + 1) >= 0) throw new Error(`FerretDB patch ${patch.id} does not apply: expected "${patch.from}" once`);
  return text.slice(0, at) + patch.to + text.slice(at + patch.from.length);
}

/**
 * FerretDB cannot be `go install`ed here: the module proxy refuses the version list that `go install` reads for its
 * deprecation check, and the module zip lacks the go:embed'ed build/version/version.txt (the binary panics without
 * it). So: download the pinned module, copy its source into `.tools/src/ferretdb`, write version.txt, `go build`.
 */
async function buildFerretDb(ctx: BuildContext): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-ferretdb-'));
  try {
    const info = JSON.parse(
      await run('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${TOOL_VERSIONS.ferretdb}`], { cwd: tmp, logFile: ctx.logFile }),
    ) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download did not return a source dir: ${info.Error ?? 'unknown error'}`);
    const src = path.join(ctx.repoRoot, '.tools', 'src', 'ferretdb');
    fs.rmSync(src, { recursive: true, force: true });
    fs.cpSync(info.Dir, src, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', src]);
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), TOOL_VERSIONS.ferretdb);
    for (const patch of FERRETDB_PATCHES) {
      const file = path.join(src, patch.file);
      if ('add' in patch) fs.copyFileSync(path.join(FERRETDB_PATCH_DIR, patch.add), file);
      else fs.writeFileSync(file, applySourcePatch(fs.readFileSync(file, 'utf8'), patch));
    }
    // Built beside the old binary and renamed over it, so a FerretDB still running from it is not disturbed.
    const target = path.join(ctx.bin, 'ferretdb');
    await run('go', ['build', '-o', `${target}.new`, './cmd/ferretdb'], { cwd: src, env: { GOFLAGS: '-mod=readonly' }, logFile: ctx.logFile });
    fs.renameSync(`${target}.new`, target);
    fs.writeFileSync(ferretDbPatchMarker(target), ferretDbBuildId());
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The Go module (go.mod, go.sum) that pins Jaeger and every module it is built from. */
const JAEGER_MODULE_DIR = path.join(__dirname, '..', 'jaeger');
const JAEGER_MAIN = 'github.com/jaegertracing/jaeger/cmd/jaeger';

/**
 * Jaeger cannot be `go install`ed either: its go.mod has a replace directive, which `go install module@version`
 * refuses. So it is a `tool` of `deploy/local/jaeger/go.mod` (that module repeats Jaeger's replace, so the build uses
 * the modules Jaeger's own release uses), built from there with the checked-in go.sum.
 */
async function buildJaeger(ctx: BuildContext): Promise<void> {
  const target = path.join(ctx.bin, 'jaeger');
  await run('go', ['build', '-o', `${target}.new`, JAEGER_MAIN], { cwd: JAEGER_MODULE_DIR, env: { GOFLAGS: '-mod=readonly -buildvcs=false' }, logFile: ctx.logFile });
  fs.renameSync(`${target}.new`, target);
}

const TOOLS: Tool[] = [
  {
    key: 'natsServer',
    binary: 'nats-server',
    version: TOOL_VERSIONS.natsServer,
    installed: (file) => builtFromModule(file, 'github.com/nats-io/nats-server/v2', TOOL_VERSIONS.natsServer),
    build: goInstall(`github.com/nats-io/nats-server/v2@${TOOL_VERSIONS.natsServer}`),
  },
  {
    key: 'temporal',
    binary: 'temporal',
    version: TOOL_VERSIONS.temporal,
    // `temporal --version` of a go-installed CLI says 0.0.0-DEV, so ask the binary's build info instead.
    installed: (file) => builtFromModule(file, 'github.com/temporalio/cli', TOOL_VERSIONS.temporal),
    build: goInstall(`github.com/temporalio/cli/cmd/temporal@${TOOL_VERSIONS.temporal}`),
  },
  {
    key: 'ferretdb',
    binary: 'ferretdb',
    version: TOOL_VERSIONS.ferretdb,
    installed: (file) =>
      fs.existsSync(ferretDbPatchMarker(file)) &&
      fs.readFileSync(ferretDbPatchMarker(file), 'utf8') === ferretDbBuildId() &&
      output(file, ['--version']).includes(`version: ${TOOL_VERSIONS.ferretdb}`),
    build: buildFerretDb,
  },
  {
    key: 'jaeger',
    binary: 'jaeger',
    version: TOOL_VERSIONS.jaeger,
    // Built inside our module, yet `go version -m` names the module of the main package (Jaeger's) as `mod`.
    installed: (file) => builtFromModule(file, 'github.com/jaegertracing/jaeger', TOOL_VERSIONS.jaeger),
    build: buildJaeger,
  },
];

function output(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch {
    return '';
  }
}

/** `go version -m` lists the main module and its version. */
function builtFromModule(file: string, modulePath: string, version: string): boolean {
  return fs.existsSync(file) && output('go', ['version', '-m', file]).includes(`\tmod\t${modulePath}\t${version}\t`);
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One builder per binary, across processes: a lock file holding the builder's pid. */
export async function withBuildLock<T>(lockFile: string, fn: () => Promise<T>, log: Log): Promise<T> {
  for (let waited = false; ; waited = true) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (!pidAlive(holder)) fs.rmSync(lockFile, { force: true });
      else {
        if (!waited) log(`waiting for another build (pid ${holder}) holding ${lockFile}`);
        await sleep(2000);
      }
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

async function ensureTool(tool: Tool, repoRoot: string, log: Log): Promise<string> {
  const bin = toolsBinDir(repoRoot);
  const file = path.join(bin, tool.binary);
  if (tool.installed(file)) return file;
  const logFile = path.join(repoRoot, '.tools', 'logs', `build-${tool.binary}.log`);
  return withBuildLock(
    path.join(bin, `.${tool.binary}.lock`),
    async () => {
      if (tool.installed(file)) return file;
      log(`building ${tool.binary} ${tool.version} with go into ${bin} (log: ${logFile})`);
      const started = Date.now();
      try {
        await tool.build({ repoRoot, bin, logFile });
      } catch (err) {
        const fallback = tool.key === 'natsServer' ? onPath('nats-server') : undefined;
        if (!fallback) throw err;
        log(`go build of nats-server failed (${(err as Error).message}); using ${fallback} from PATH`);
        return fallback;
      }
      if (!tool.installed(file)) throw new Error(`${file} was built but is not ${tool.binary} ${tool.version}`);
      log(`built ${tool.binary} in ${((Date.now() - started) / 1000).toFixed(0)}s`);
      return file;
    },
    log,
  );
}

/**
 * Returns the paths of nats-server, temporal, ferretdb and jaeger at their pinned versions, building any missing one
 * with the Go toolchain (in parallel) into `<repo>/.tools/bin`. Falls back to a `nats-server` on PATH only when
 * its Go build fails.
 */
export async function ensureTools(opts: { log?: Log; repoRoot?: string; tracing?: boolean } = {}): Promise<ToolPaths> {
  const log = opts.log ?? ((line: string) => console.log(`[tools] ${line}`));
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  fs.mkdirSync(toolsBinDir(repoRoot), { recursive: true });
  fs.mkdirSync(path.join(repoRoot, '.tools', 'logs'), { recursive: true });
  // `tracing: false` (`LIFELINE_TRACING=0`): Jaeger, the longest build by far, is neither checked nor built.
  const needed = TOOLS.filter((t) => opts.tracing !== false || t.key !== 'jaeger');
  const paths = await Promise.all(needed.map((t) => ensureTool(t, repoRoot, log).then((p) => [t.key, p] as const)));
  return { jaeger: path.join(toolsBinDir(repoRoot), 'jaeger'), ...Object.fromEntries(paths) } as ToolPaths;
}
