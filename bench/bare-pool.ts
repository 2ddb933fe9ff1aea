// A bare pool of QEMUs: the same command lines tandem uses, read until the image's last verdict
// line, then killed. The least any harness must do; tandem is measured against it.
import { spawn } from 'node:child_process';
import { qemuArgs, qemuBinary } from '../harness/emulators/qemu.js';
import type { Image, Platform } from '../harness/domain.js';

const VERDICT = /PROJECT EXECUTION (SUCCESSFUL|FAILED)|Halting system/;

/** Bare QEMU: spawn, read stdout until the verdict line, kill. Returns wall ms. */
export function bareQemu(image: Image, platform: Platform): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(qemuBinary(), qemuArgs(image, platform), { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (VERDICT.test(text)) {
        const ms = performance.now() - t0;
        child.kill('SIGKILL');
        child.once('exit', () => resolve(ms));
      }
    });
    child.once('error', reject);
    setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bare qemu: no verdict from ${image.path}`));
    }, 30_000).unref();
  });
}

/** The same boots as a minimal pool of `cores` bare QEMUs: what the machine itself allows. */
export async function barePool(boots: Array<[Image, Platform]>, cores: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: cores }, async () => {
      while (next < boots.length) {
        const [image, platform] = boots[next++]!;
        await bareQemu(image, platform);
      }
    }),
  );
  return performance.now() - t0;
}

