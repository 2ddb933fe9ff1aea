import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { buildAll } from './helpers/build.js';

// The command builder with a real one-step build (arm-none-eabi-gcc compiling and linking the
// mini app directly): placeholders, argument arrays, the cache, the error line.
const APP = join(REPO_ROOT, 'test/fixtures/zephyr/mini-gale-app');

describe('command builder (real compiler, user argv)', function () {
  this.timeout(120_000);
  const s = scratch('tandem-cmd-');
  after(() => s.cleanup());
  const scenario = () =>
    loadScenario(
      s.write(
        'scen.yaml',
        `name: cmd
platforms: [qemu_cortex_m3]
suites:
  - { name: mini, path: ${APP} }
variants:
  - name: native
build:
  kind: command
  build_root: ${s.dir}/build
  argv: [arm-none-eabi-gcc, -mcpu=cortex-m3, -mthumb, -nostartfiles, "-T{suite_path}/m3.ld", "{suite_path}/src/main.c", "-DEXTRA=${s.dir}/extra.h", -o, "{build_dir}/{suite}-{variant}.elf"]
  image: "{build_dir}/{suite}-{variant}.elf"
`,
      ),
      { platformDirs: [join(REPO_ROOT, 'platforms')] },
    );

  it('runs the argv with placeholders filled, then reuses the image while nothing changed', async () => {
    s.write('logs/.keep', '');
    writeFileSync(join(s.dir, 'extra.h'), '/* v1 */\n');
    const [b] = await buildAll(scenario(), join(s.dir, 'logs'));
    expect(b!.outcome.ok, b!.log).to.equal(true);
    if (b!.outcome.ok) expect(b!.outcome.image.path).to.equal(join(s.dir, 'build/qemu_cortex_m3/native/mini/mini-native.elf'));
    expect(b!.log).to.include(`$ arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -nostartfiles -T${APP}/m3.ld ${APP}/src/main.c`);
    const [again] = await buildAll(scenario(), join(s.dir, 'logs'));
    expect(again!.outcome.ok && again!.outcome.image.origin).to.equal('cached');
    // A file named in the arguments is part of the key.
    writeFileSync(join(s.dir, 'extra.h'), '/* v2 */\n');
    const [changed] = await buildAll(scenario(), join(s.dir, 'logs'));
    expect(changed!.outcome.ok && changed!.outcome.image.origin).to.equal('built');
    expect(changed!.log).to.include(`cache miss, changed: input ${s.dir}/extra.h`);
  });

  it('a command that cannot start is a build error saying so', async () => {
    const sc = scenario();
    if (sc.build.kind === 'command') sc.build.argv = ['no-such-build-tool-xyz', '{suite_path}'];
    const [b] = await buildAll(sc, join(s.dir, 'logs'), {}, { noCache: true });
    expect(b!.outcome.ok).to.equal(false);
    if (!b!.outcome.ok) expect(b!.outcome.message).to.match(/no-such-build-tool-xyz/);
    expect(existsSync(join(s.dir, 'build/qemu_cortex_m3/native/mini/.tandem-build-key'))).to.equal(false);
  });
});
