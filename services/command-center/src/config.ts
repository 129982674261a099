import { z } from 'zod';
import { BaseEnv, loadConfig } from '@lifeline/platform';

export const CommandCenterEnv = BaseEnv.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('127.0.0.1'),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27017'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  LIFELINE_TOKEN_SECRET: z.string().min(16, 'at least 16 characters'),
});
export type CommandCenterConfig = z.infer<typeof CommandCenterEnv>;

export const loadCommandCenterConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(CommandCenterEnv, env);
