import jwt from 'jsonwebtoken';
import type { Role } from '@lifeline/contracts';

/** Sign a development token for the command-center (HS256). */
export function signToken(secret: string, subject: string, role: Role, ttlSeconds: number): string {
  return jwt.sign({ role }, secret, { algorithm: 'HS256', subject, expiresIn: ttlSeconds, issuer: 'lifeline' });
}
