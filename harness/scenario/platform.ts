// platforms/<name>.yaml: what an emulated (or real) target is. Scenarios name platforms; this
// turns a name into a validated Platform.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Platform } from '../domain.js';
import { ConfigError, readYaml, type YamlValue } from './yaml-reader.js';
import { nameProblem } from './names.js';

const KEYS = [
  'name', 'board', 'emulator', 'arch', 'ram_kb', 'flash_kb', 'clock_hz', 'timeout_multiplier',
  'qemu', 'renode', 'silicon', 'description',
];

export function loadPlatform(file: string, displayName = file): Platform {
  const root = readYaml(file, displayName).root;
  root.allowKeys(KEYS);
  const name = root.get('name').string();
  const badName = nameProblem('platform', name);
  if (badName) root.get('name').fail(badName);
  const emulator = root.get('emulator').oneOf(['qemu', 'renode', 'silicon'] as const);
  const platform: Platform = {
    name,
    emulator,
    board: root.get('board').string(name),
    arch: root.get('arch').string('arm'),
    timeoutMultiplier: root.get('timeout_multiplier').positive(1, { max: 8, why: "it stretches every host-clock limit; tandem's timers hold 24.8 days at most" }),
    source: displayName,
  };
  if (root.get('ram_kb').present) platform.ramKb = root.get('ram_kb').positive();
  if (root.get('flash_kb').present) platform.flashKb = root.get('flash_kb').positive();
  if (root.get('clock_hz').present) platform.clockHz = root.get('clock_hz').positive();

  const section = root.get(emulator);
  if (!section.present) section.fail(`a platform with emulator '${emulator}' needs a '${emulator}:' section`);
  if (emulator === 'qemu') platform.qemu = qemuSettings(section);
  if (emulator === 'renode') platform.renode = renodeSettings(section);
  if (emulator === 'silicon') platform.silicon = siliconSettings(section);
  return platform;
}

function qemuSettings(v: YamlValue): NonNullable<Platform['qemu']> {
  v.allowKeys(['machine', 'cpu', 'extra_args', 'icount_shift', 'virtual_per_guest']);
  const settings: NonNullable<Platform['qemu']> = {
    machine: v.get('machine').string(),
    cpu: v.get('cpu').string(),
    extraArgs: v.get('extra_args').strings(),
    icountShift: v.get('icount_shift').number(6),
  };
  if (v.get('virtual_per_guest').present) settings.virtualPerGuest = v.get('virtual_per_guest').positive();
  return settings;
}

function renodeSettings(v: YamlValue): NonNullable<Platform['renode']> {
  v.allowKeys(['repl', 'uart', 'timing', 'mips', 'quantum']);
  const mips = v.get('mips');
  const quantum = v.get('quantum');
  return {
    repl: v.get('repl').string(),
    uart: v.get('uart').string(),
    timing: v.get('timing').oneOf(['fast', 'faithful'] as const, 'fast'),
    mips: {
      fast: mips.present ? mips.get('fast').positive(20) : 20,
      faithful: mips.present ? mips.get('faithful').positive(170) : 170,
    },
    quantum: {
      fast: quantum.present ? quantum.get('fast').string('0.01') : '0.01',
      faithful: quantum.present ? quantum.get('faithful').string('0.00001') : '0.00001',
    },
  };
}

function siliconSettings(v: YamlValue): NonNullable<Platform['silicon']> {
  v.allowKeys(['flash', 'console', 'baud']);
  const flash = v.get('flash');
  if (!flash.isList()) flash.fail('expected the flash command as a list of arguments', 'e.g. flash: [openocd, -f, board.cfg, -c, "program {image} verify reset exit"]');
  return { flash: flash.strings(), console: v.get('console').string(), baud: v.get('baud').positive(115200) };
}

/** Platform names a user can pick, from every platforms folder given. */
export function listPlatforms(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.yaml')) names.add(f.slice(0, -5));
  }
  return [...names].sort();
}

export function findPlatform(name: string, dirs: readonly string[], cwd = process.cwd()): Platform {
  for (const dir of dirs) {
    const file = join(dir, `${name}.yaml`);
    if (existsSync(file)) return loadPlatform(file, relative(cwd, file) || file);
  }
  throw new ConfigError(name, 0, 0, '', `no platform named '${name}'`, `known platforms: ${listPlatforms(dirs).join(', ') || '(none)'}`);
}
