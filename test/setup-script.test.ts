// scripts/setup.sh (run by scripts/demo.sh) on a fresh cloud VM: unattended-upgrades holds dpkg's
// lock for minutes after boot. apt-get is driven through scripts/apt-wait.sh, here with a stand-in
// apt-get that fails on a lock the way apt 2.6 does until it is "released".
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const run = promisify(execFile);
const LOCKED = 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 7141 (unattended-upgr)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?';

describe('scripts/setup.sh: apt-get waits for another package manager, with a limit', function () {
  this.timeout(60_000);
  const tmp = scratch('tandem-apt-');
  after(() => tmp.cleanup());

  /** A stand-in apt-get: locked for its first `lockedRuns` runs, then `then` (ok or a network error). */
  function fakeApt(name: string, lockedRuns: number, then: 'ok' | 'network'): string {
    const calls = join(tmp.dir, `${name}.calls`);
    const path = tmp.write(`${name}.sh`, `#!/bin/sh
echo "$*" >> ${calls}
n=$(wc -l < ${calls})
if [ "$n" -le ${lockedRuns} ]; then printf '%s\\n' '${LOCKED}' >&2; exit 100; fi
${then === 'ok' ? 'echo "Reading package lists..."; exit 0' : 'echo "E: Failed to fetch http://deb.debian.org/…  Temporary failure resolving" >&2; exit 100'}
`);
    chmodSync(path, 0o755);
    return path;
  }

  async function aptGet(apt: string, env: Record<string, string>, args = 'update -qq'): Promise<{ code: number; stderr: string }> {
    try {
      const r = await run('bash', ['-c', `set -euo pipefail; . scripts/apt-wait.sh; apt_get ${args}`], { cwd: REPO_ROOT, env: { ...process.env, TANDEM_APT_GET: apt, TANDEM_APT_POLL: '0.1', ...env } });
      return { code: 0, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  }

  it('waits while the lock is held, says so once naming the holder, then runs', async () => {
    const apt = fakeApt('busy', 3, 'ok');
    const r = await aptGet(apt, {}, 'install -y -qq cmake');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.equal('setup: another package manager is busy (Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 7141 (unattended-upgr)); waiting for it, at most 600 s (TANDEM_APT_WAIT)\n');
    expect(readFileSync(join(tmp.dir, 'busy.calls'), 'utf8')).to.equal('install -y -qq cmake\n'.repeat(4));
  });

  it('gives up after TANDEM_APT_WAIT seconds with apt\'s exit code and what to do', async () => {
    const apt = fakeApt('stuck', 1e6, 'ok');
    const r = await aptGet(apt, { TANDEM_APT_WAIT: '1' });
    expect(r.code).to.equal(100);
    expect(r.stderr.trim().split('\n')).to.deep.equal([
      'setup: another package manager is busy (Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 7141 (unattended-upgr)); waiting for it, at most 1 s (TANDEM_APT_WAIT)',
      'setup: gave up after 1 s waiting for the package manager: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 7141 (unattended-upgr). Wait for it to finish (or raise TANDEM_APT_WAIT) and run this again.',
    ]);
  });

  it('any other failure is not waited on: apt\'s own message and code', async () => {
    const apt = fakeApt('offline', 0, 'network');
    const r = await aptGet(apt, {});
    expect(r.code).to.equal(100);
    expect(r.stderr).to.match(/^E: Failed to fetch .*Temporary failure resolving\n$/);
    expect(readFileSync(join(tmp.dir, 'offline.calls'), 'utf8').split('\n').filter(Boolean)).to.have.length(1);
  });

  it('setup.sh (and so demo.sh) runs every apt-get through the waiting wrapper', () => {
    const setup = readFileSync(join(REPO_ROOT, 'scripts/setup.sh'), 'utf8');
    const calls = setup.split('\n').filter((l) => /^\s*[^#]*\bapt([-_]get)?\s+(update|install|upgrade)\b/.test(l) && !/echo/.test(l));
    expect(calls.map((l) => l.trim())).to.deep.equal(['apt_get update -qq', 'apt_get install -y -qq --no-install-recommends "${need[@]}"']);
    expect(setup).to.match(/\. scripts\/apt-wait\.sh/);
    expect(readFileSync(join(REPO_ROOT, 'scripts/demo.sh'), 'utf8')).to.match(/bash scripts\/setup\.sh/);
  });
});
