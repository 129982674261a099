import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Every file that configures a production-shaped stack (compose, Kubernetes, Helm values). */
function productionConfigs(): string[] {
  const under = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? under(path.join(dir, e.name)) : /\.(ya?ml|ts|example)$/.test(e.name) ? [path.join(dir, e.name)] : []));
  return ['docker-compose.yml', ...under('k8s'), ...under('deploy/compose'), ...under('deploy/helm')];
}

describe('test and drill controls on production-shaped stacks', () => {
  it('no compose, Kubernetes or Helm file makes its stack a sandbox (the simulator controls stay unregistered)', () => {
    const files = productionConfigs();
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((file) => fs.readFileSync(path.join(root, file), 'utf8').includes('LIFELINE_SANDBOX'))).toEqual([]);
  });

  it('the local stack, a test and drill sandbox, says it is one', () => {
    expect(fs.readFileSync(path.join(root, 'deploy/local/src/apps.ts'), 'utf8')).toMatch(/LIFELINE_SANDBOX: 'true'/);
  });
});
