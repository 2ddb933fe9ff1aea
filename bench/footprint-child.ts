// One process measuring footprints (bench/footprint.ts) with the cache folder it is given: empty,
// every image is new; filled by an earlier process, every image was seen before. The images'
// sha256 is taken first, untimed, as a run has it before it boots. Prints per image the wall time
// and this process's CPU time (what the reader itself costs, whatever else the machine runs).
import { measureImage } from '../harness/run/footprint.js';
import { sha256File } from '../harness/build/image-hash.js';

const [cacheDir, ...images] = process.argv.slice(2);
const env = { ...process.env, TANDEM_CACHE_DIR: cacheDir };
const hashed = await Promise.all(images.map(async (path) => ({ path, sha256: await sha256File(path) })));
const times: Array<{ wall: number; cpu: number }> = [];
for (const image of hashed) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const m = await measureImage(image, { name: 'bench' }, env);
  const cpu = process.cpuUsage(c0);
  times.push({ wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 });
  if (!m.footprint) throw new Error(`${image.path}: no footprint`);
}
console.log(JSON.stringify(times));
