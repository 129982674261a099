import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Bulk strings (a page's entries, a sheet's claims and outcomes, a gateway call's answers) are deflated before they
 * are stored: ids share long prefixes and a 1,000-resident page shrinks ~3–4×. On our store a document's cost follows
 * its size (50,000-resident bench: ~350 ms of store time per page before, see README), so fewer bytes are the lever.
 */
const MARK = 'z1:';

export function pack(text: string): string {
  return MARK + deflateRawSync(Buffer.from(text, 'utf8'), { level: 1 }).toString('base64');
}

export function unpack(packed: string): string {
  if (!packed.startsWith(MARK)) throw new Error('not a packed value');
  return inflateRawSync(Buffer.from(packed.slice(MARK.length), 'base64')).toString('utf8');
}
