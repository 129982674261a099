/**
 * Determinism guard: recorded histories of real runs (test/histories/<generation>/, written by the interpreter
 * test with LIFELINE_RECORD_HISTORIES=1) must replay against today's workflow code — the current generation and
 * every older one, which is what `patched()` guards keep possible (docs/WORKFLOW-CHANGES.md). Needs no server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';

jest.setTimeout(120_000);

const dir = join(__dirname, 'histories');
const generations = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const files = generations.flatMap((g) => readdirSync(join(dir, g)).filter((f) => f.endsWith('.json')).map((f) => join(g, f)));

test('histories are committed for the incident, district and community workflows, in every generation', () => {
  expect(generations.length).toBeGreaterThanOrEqual(1);
  for (const g of generations) {
    expect(files.filter((f) => f.startsWith(`${g}/`)).map((f) => f.slice(g.length + 1))).toEqual(
      expect.arrayContaining(['drill-incident.json', 'drill-district-east.json', 'drill-community-mobilize.json', 'stand-down-incident.json']),
    );
  }
});

test('every recorded history replays without a determinism violation', async () => {
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../src/workflows') }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
