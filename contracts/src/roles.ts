import { z } from 'zod';

/** Operator roles (auditor is read-only; commander escalates, stands down and accepts plan revisions). */
export const Role = z.enum(['auditor', 'operator', 'commander', 'admin']);
export type Role = z.infer<typeof Role>;

/** Claims of a command-center bearer token (HS256 JWT). */
export const TokenClaims = z.object({ sub: z.string().min(1), role: Role });
export type TokenClaims = z.infer<typeof TokenClaims>;
