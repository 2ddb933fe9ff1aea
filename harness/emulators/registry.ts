// Emulator kind → implementation. One instance per run, shared by all workers.
import type { EmulatorKind } from '../domain.js';
import type { Emulator } from './emulator.js';
import { createQemuEmulator } from './qemu.js';
import { createRenodeEmulator } from './renode/index.js';
import { createSiliconEmulator } from './silicon.js';

export interface EmulatorSetOptions {
  /** Number of run workers: backends that keep processes alive keep at most this many. */
  workers: number;
  repoRoot: string;
}

export type EmulatorSet = Map<EmulatorKind, Emulator>;

export function createEmulators(options: EmulatorSetOptions): EmulatorSet {
  const set: EmulatorSet = new Map();
  set.set('qemu', createQemuEmulator());
  set.set('renode', createRenodeEmulator({ repoRoot: options.repoRoot, workers: options.workers }));
  set.set('silicon', createSiliconEmulator());
  return set;
}

export async function closeEmulators(set: EmulatorSet): Promise<void> {
  await Promise.all([...set.values()].map((e) => e.close().catch(() => undefined)));
}
