import type { Model } from 'mongoose';
import { LifelineError } from '@lifeline/contracts';
import type { AuditEntry, AuditQuery, AuditVerifyAnswer } from '@lifeline/contracts/http/command-center';
import { isDuplicateKey, isSealed, type PiiVault } from '@lifeline/platform';
import { auditId, ChainWalk, chainNext, checkRecordedHead, EMPTY_CHAIN, headOf, type ChainedEntry, type ChainHead } from './domain/audit-chain';
import type { AuditDoc } from './model/audit';

/** What a route writes to the audit log (the shape it had before the chain). */
export interface AuditInput {
  at: Date;
  subject?: string | undefined;
  role?: string | undefined;
  action: string;
  target: string;
  detail?: unknown;
}

/** Appends lost to other writers before one gives up (each loss costs one read by `_id`). */
const MAX_APPEND_ATTEMPTS = 50;
/** Entries a writer follows one by one after losing a race before it looks the newest up instead. */
const CATCH_UP_STEPS = 100;

const chainedOf = (d: AuditDoc): ChainedEntry => ({
  seq: d.seq ?? 0,
  id: d._id,
  at: d.at instanceof Date ? d.at : new Date(String(d.at)),
  subject: d.subject ?? null,
  role: d.role ?? null,
  action: d.action,
  target: d.target,
  detail: (d.detail ?? null) as string | null,
  prevId: d.prevId ?? null,
  prevHash: d.prevHash ?? '',
  hash: d.hash ?? '',
});
const UNREADABLE = '(sealed value does not open: edited in the store?)';
const CHAINED = { seq: { $exists: true } };
const UNCHAINED = { seq: { $exists: false } };

/**
 * The audit log as one hash chain over the whole store, shared by every command-center replica. Appends in this
 * process go one at a time; across processes the `_id` (`audit-<seq>`) decides: the loser of a race on seq n reads
 * the winner's entry and appends after it, so two writers cannot fork the chain. `subject` and `detail` are sealed
 * (an operator may type a resident's name into a reason; a subject may be an e-mail address), and the hash covers
 * them as stored, so verifying needs no key. Entries written before the chain (no seq) are kept and served; the
 * chain starts at seq 1 after them and verification counts them but cannot vouch for them.
 */
export class AuditLog {
  private head: ChainHead | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly model: Model<AuditDoc>,
    private readonly vault: PiiVault,
  ) {}

  /** Append one entry to the chain; resolves when it is stored. */
  create(input: AuditInput): Promise<ChainedEntry> {
    const fields = {
      at: input.at,
      subject: input.subject === undefined ? null : this.vault.seal(input.subject),
      role: input.role ?? null,
      action: input.action,
      target: input.target,
      detail: input.detail === undefined ? null : this.vault.seal(JSON.stringify(input.detail)),
    };
    const appended = this.tail.then(() => this.append(fields));
    this.tail = appended.catch(() => undefined);
    return appended;
  }

  private async append(fields: Parameters<typeof chainNext>[1]): Promise<ChainedEntry> {
    let head = this.head ?? (await this.newest());
    for (let attempt = 1; ; attempt++) {
      const entry = chainNext(head, fields);
      try {
        const { id, ...rest } = entry;
        await this.model.create({ _id: id, ...rest });
        this.head = headOf(entry);
        return entry;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (attempt >= MAX_APPEND_ATTEMPTS) throw new LifelineError('unavailable', `audit entry not appended: lost ${attempt} races for the next seq`, { seq: entry.seq });
        head = await this.catchUp(head);
      }
    }
  }

  /** Follow the entries other writers appended after `head`. */
  private async catchUp(head: ChainHead): Promise<ChainHead> {
    let at = head;
    for (let step = 0; step < CATCH_UP_STEPS; step++) {
      const next = await this.model.findById(auditId(at.seq + 1)).lean();
      if (!next) return at;
      at = headOf(chainedOf(next));
    }
    return this.newest();
  }

  private async newest(): Promise<ChainHead> {
    const doc = await this.model.findOne(CHAINED).sort({ seq: -1 }).lean();
    return doc ? headOf(chainedOf(doc)) : EMPTY_CHAIN;
  }

  /** Entries newest first (about one target, or all), subject and detail opened for the auditor. */
  async read(query: AuditQuery): Promise<AuditEntry[]> {
    const docs = await this.model
      .find(query.target ? { target: query.target } : {})
      .sort({ at: -1 })
      .limit(query.limit)
      .lean();
    return docs.map((d) => this.opened(d));
  }

  /** A sealed value opened (detail parsed back from JSON); one that does not open says so instead of failing the read. */
  private open(value: unknown, json: boolean): unknown {
    if (typeof value !== 'string' || !isSealed(value)) return value ?? undefined;
    try {
      const plain = this.vault.open(value);
      return json ? JSON.parse(plain) : plain;
    } catch {
      return UNREADABLE;
    }
  }

  private opened(d: AuditDoc): AuditEntry {
    const subject = this.open(d.subject, false);
    const detail = this.open(d.detail, true);
    return {
      ...(d.seq === undefined ? {} : { seq: d.seq, id: d._id }),
      at: new Date(d.at).toISOString(),
      ...(typeof subject === 'string' ? { subject } : {}),
      ...(d.role ? { role: d.role } : {}),
      action: d.action,
      target: d.target,
      ...(detail === undefined ? {} : { detail }),
      ...(d.seq === undefined ? {} : { prevId: d.prevId ?? null, prevHash: d.prevHash, hash: d.hash }),
    } as AuditEntry;
  }

  /**
   * Walk the chain from seq 1 and name the first entry edited, deleted or inserted; with `recorded` (`<seq>:<hash>`,
   * a head kept from an earlier verify) also whether the chain still holds it. An unchained entry dated after the
   * chain began counts as inserted.
   */
  async verify(recorded?: string): Promise<AuditVerifyAnswer> {
    const walk = new ChainWalk();
    const want = recorded ? { seq: Number(recorded.split(':')[0]), hash: recorded.split(':')[1]! } : undefined;
    let first: ChainedEntry | undefined;
    let atRecorded: ChainedEntry | undefined;
    for await (const doc of this.model.find(CHAINED).sort({ seq: 1, _id: 1 }).lean().cursor()) {
      const entry = chainedOf(doc as AuditDoc);
      first ??= entry;
      if (want && entry.seq === want.seq) atRecorded ??= entry;
      if (!walk.add(entry)) break;
    }
    const unchained = await this.model.countDocuments(UNCHAINED);
    const late = !walk.broken && first && unchained > 0 ? await this.model.findOne({ ...UNCHAINED, at: { $gt: first.at } }).lean() : null;
    const broken =
      walk.broken ??
      (late ? { kind: 'inserted' as const, seq: null, id: String(late._id), reason: `an entry without a place in the chain, dated ${new Date(late.at).toISOString()}, after the chain began` } : null) ??
      (want ? checkRecordedHead(want, atRecorded, walk.newest) : null);
    const head = walk.newest;
    return { ok: broken === null, entries: walk.entries, unchained, head: head && head.id ? { seq: head.seq, id: head.id, hash: head.hash } : null, broken };
  }
}
