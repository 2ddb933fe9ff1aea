// Whether an image fits the platform it is to boot on. Pure.
import type { Footprint } from '../../domain.js';
import { bytes } from '../format.js';

/**
 * Why `footprint` cannot run on the platform (flash or RAM over what it has), naming the image,
 * the region, the bytes and what takes them; undefined when it fits or the platform gives no size.
 */
export function doesNotFit(footprint: Footprint, platform: string, image: string): string | undefined {
  const over: string[] = [];
  for (const region of ['flash', 'ram'] as const) {
    const available = region === 'flash' ? footprint.flashAvailable : footprint.ramAvailable;
    const used = footprint[region];
    if (available === undefined || used <= available) continue;
    const biggest = footprint.sections
      .filter((s) => s[region] > 0)
      .sort((a, b) => b[region] - a[region])
      .slice(0, 3)
      .map((s) => `${s.name} ${bytes(s[region])}`);
    const symbol = footprint.symbols.find((s) => (region === 'ram' ? s.kind !== 'text' && s.kind !== 'rodata' : s.kind !== 'bss' && s.kind !== 'noinit'));
    const name = region === 'ram' ? 'RAM' : 'flash';
    over.push(
      `${name} ${bytes(used)} used, ${bytes(available)} there (${region === 'ram' ? 'ram_kb' : 'flash_kb'}: ${available / 1024}), ${bytes(used - available)} over; largest sections ${biggest.join(', ')}${symbol ? `; largest symbol ${symbol.name} ${bytes(symbol.bytes)}` : ''}`,
    );
  }
  return over.length ? `image ${image} does not fit ${platform}: ${over.join('; ')}` : undefined;
}
