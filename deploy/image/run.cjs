// The image's entry point: `docker run lifeline <entry.ts> [args]` runs that process's compiled bundle (built into
// dist/apps at image build, deploy/local/src/build.ts), so compose and k8s name processes by their source entry and
// none compiles TypeScript at start. An entry the build does not know (a one-shot script such as
// deploy/image/init.ts) runs from its TypeScript through tsx.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: run.cjs <entry file> [args…]\n');
  process.exit(2);
}
const { targets } = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'apps', 'build.json'), 'utf8'));
const target = targets.find((t) => t.entry === path.normalize(entry));
// The process sees its own file as argv[1], as if started directly.
process.argv.splice(1, 2, target ? path.join(ROOT, 'dist', 'apps', `${target.name}.js`) : path.resolve(ROOT, entry));
if (target) {
  process.setSourceMapsEnabled(true);
} else {
  require('tsx/cjs');
}
require(process.argv[1]);
