import { LifelineError } from '@lifeline/contracts';
import { loadLibrary, nextVersion } from '../src/domain/plans';

const [drill] = loadLibrary();

describe('plan versions', () => {
  it('the library ships at least the drill plan', () => {
    expect(drill?.id).toBe('community-drill');
  });

  it('a posted revision becomes the next version of the plan named in the URL', () => {
    const next = nextVersion('community-drill', { ...drill!, version: 3 }, { ...drill, version: 99 });
    expect(next.version).toBe(4);
    expect(next.id).toBe('community-drill');
  });

  it('refuses a revision that names another plan', () => {
    expect(() => nextVersion('community-drill', drill, { ...drill, id: 'other' })).toThrow(/does not match/);
  });

  it('refuses an invalid revision with the offending path', () => {
    const broken = structuredClone(drill!) as unknown as { phases: { warn: { channels: string[] }[] } };
    broken.phases.warn[0]!.channels = ['pigeon'];
    try {
      nextVersion('community-drill', drill, broken);
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(LifelineError);
      expect((err as LifelineError).details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'phases.warn.0.channels.0' })]));
    }
  });
});
