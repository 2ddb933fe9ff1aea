// How the measurement rooms write numbers, in their gate messages and in every report:
// `65,536 B`, `+1,204 B`, `+48 %`, `+1.9 %`, `3.81×`. Pure.

export function bytes(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} B`;
}

export function signedBytes(n: number): string {
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${bytes(Math.abs(n))}`;
}

/** Whole percent from 10 %, two significant digits below: `+48 %`, `+1.9 %`, `+0.068 %`. */
export function signedPct(p: number | undefined): string {
  if (p === undefined) return 'new';
  const abs = Math.abs(p);
  const text = abs >= 10 || abs === 0 ? abs.toFixed(0) : String(Number(abs.toPrecision(2)));
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${text} %`;
}

/** Code-point order: stable across machines and without loading a collator (localeCompare costs tens of ms cold). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function ratio(r: number | undefined): string {
  return r === undefined ? '—' : `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}×`;
}
