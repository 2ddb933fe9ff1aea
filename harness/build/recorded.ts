// The images a rerun boots: the ones its record names, checked against the sha256 recorded then.
// A changed image is refused unless the caller says the change is the point (`--rebuilt`).
import { existsSync } from 'node:fs';
import type { Image } from '../domain.js';
import type { Builder } from './builder.js';
import { sha256File } from './image-hash.js';

export interface RecordedCheck {
  acceptChanged: boolean;
  runId: string;
}

/** The image as it is now, or why it cannot be booted as the record's. */
export async function checkRecordedImage(image: Image, check: RecordedCheck): Promise<{ image: Image } | { problem: string }> {
  if (!existsSync(image.path)) return { problem: `image of run ${check.runId} is gone: ${image.path}` };
  const now = await sha256File(image.path);
  if (image.sha256 && now !== image.sha256 && !check.acceptChanged) {
    return { problem: `image changed since run ${check.runId}: ${image.path} (sha256 ${image.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now); pass --rebuilt to boot it as it is now` };
  }
  return { image: { ...image, sha256: now } };
}

export function createRecordedBuilder(check: RecordedCheck): Builder {
  return {
    kind: 'recorded',
    async build({ job }) {
      if (!job.image) return { ok: false, message: `job ${job.id} has no recorded image` };
      const r = await checkRecordedImage(job.image, check);
      return 'problem' in r ? { ok: false, message: r.problem } : { ok: true, image: r.image };
    },
  };
}
