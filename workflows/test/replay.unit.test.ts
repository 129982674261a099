/**
 * Determinism guard: recorded histories of real runs (test/histories, written by the interpreter test with
 * LIFELINE_RECORD_HISTORIES=1) must replay against today's workflow code. Needs no server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';

jest.setTimeout(120_000);

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('histories are committed for the incident, district and community workflows', () => {
  expect(files).toEqual(expect.arrayContaining(['drill-incident.json', 'drill-district-east.json', 'drill-community-mobilize.json', 'stand-down-incident.json']));
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
