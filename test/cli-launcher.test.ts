// bin/tandem, the command package.json installs: node starts without NODE_EXTRA_CA_CERTS (it would
// read the certificates before any JavaScript runs), and tandem hands the variable back to what it
// starts.
import { expect } from 'chai';
import { join } from 'node:path';
import { execa } from 'execa';
import { restoreCaCertificates } from '../harness/cli.js';
import { REPO_ROOT, TANDEM_VERSION } from '../harness/version.js';

const LAUNCHER = join(REPO_ROOT, 'bin/tandem');
// A file that does not exist: node warns at start-up when it tries to read it.
const MISSING = '/nonexistent/tandem-test-ca.pem';

describe('bin/tandem launcher', () => {
  it('node itself reads NODE_EXTRA_CA_CERTS at start-up (why the launcher exists)', async () => {
    const r = await execa(process.execPath, [join(REPO_ROOT, 'bin/tandem.js'), '--version'], { env: { NODE_EXTRA_CA_CERTS: MISSING }, reject: false });
    expect(r.stdout.trim()).to.equal(TANDEM_VERSION);
    expect(r.stderr).to.include('extra certs');
  });

  it('starts tandem without it: same answer, no certificate read', async () => {
    const r = await execa(LAUNCHER, ['--version'], { env: { NODE_EXTRA_CA_CERTS: MISSING }, reject: false });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(TANDEM_VERSION);
    expect(r.stderr).to.not.include('extra certs');
  });

  it('runs through a symlink, as npm links it into node_modules/.bin', async () => {
    const { mkdtempSync, symlinkSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tandem-launcher-'));
    try {
      symlinkSync(LAUNCHER, join(dir, 'tandem'));
      const r = await execa(join(dir, 'tandem'), ['--version'], { reject: false });
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.equal(TANDEM_VERSION);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the variable is back in the environment every child inherits; a value set meanwhile wins', () => {
    const env: NodeJS.ProcessEnv = { TANDEM_NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem', PATH: '/bin' };
    restoreCaCertificates(env);
    expect(env).to.deep.equal({ NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem', PATH: '/bin' });
    const set: NodeJS.ProcessEnv = { TANDEM_NODE_EXTRA_CA_CERTS: '/a.pem', NODE_EXTRA_CA_CERTS: '/b.pem' };
    restoreCaCertificates(set);
    expect(set).to.deep.equal({ NODE_EXTRA_CA_CERTS: '/b.pem' });
    const none: NodeJS.ProcessEnv = { PATH: '/bin' };
    restoreCaCertificates(none);
    expect(none).to.deep.equal({ PATH: '/bin' });
  });
});
