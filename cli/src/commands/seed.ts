import type { Command } from 'commander';
import { z } from 'zod';
import { connectNats, type NatsSettings } from '@lifeline/platform';
import { adminNatsSettings } from '@lifeline/local-stack';
import { buildCity, cityExists, sendCity, type CityShape } from '@lifeline/testkit/city';
import { fail, parseFlags } from '../context';

/** The demo city `lifeline up` seeds into an empty stack. */
export const DEMO_CITY: Omit<CityShape, 'today'> = { communities: 4, residents: 2000, seed: 42 };

const today = () => new Date().toISOString().slice(0, 10);

/** Seed the demo city unless a city is already there; returns whether it seeded. */
export async function seedDemoIfEmpty(settings: NatsSettings): Promise<boolean> {
  const nc = await connectNats(settings, 'lifeline-seed');
  try {
    if (await cityExists(nc)) return false;
    await sendCity(nc, buildCity({ ...DEMO_CITY, today: today() }));
    return true;
  } finally {
    await nc.close();
  }
}

const SeedFlags = z.object({
  communities: z.coerce.number().int().min(1).max(5000),
  residents: z.coerce.number().int().min(0).max(2_000_000),
  seed: z.coerce.number().int().min(0).max(2 ** 31),
});

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Load a deterministic synthetic city (districts, communities, grids, residents, responders, depots, stock)')
    .option('--communities <n>', 'number of communities', String(DEMO_CITY.communities))
    .option('--residents <n>', 'number of residents across the city', String(DEMO_CITY.residents))
    .option('--seed <s>', 'random seed: the same seed builds the same city', String(DEMO_CITY.seed))
    .action(async (opts: unknown) => {
      const flags = parseFlags(SeedFlags, opts);
      if (flags.residents < flags.communities) fail('invalid_request', '--residents must be at least --communities');
      const started = Date.now();
      const city = buildCity({ ...flags, today: today() });
      const nc = await connectNats(adminNatsSettings(), 'lifeline-seed');
      try {
        const counts = await sendCity(nc, city, (what, done, total) => process.stderr.write(`\r${what}: ${done}/${total}   `));
        process.stderr.write('\n');
        console.log(JSON.stringify({ ...counts, seconds: (Date.now() - started) / 1000 }));
      } finally {
        await nc.close();
      }
    });
}
