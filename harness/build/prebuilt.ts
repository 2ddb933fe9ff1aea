// Images built elsewhere (a Zephyr build tree, a CI artefact, a twister run): found through a path
// template or a twister output folder. Their `.config`, when it sits next to the image, is checked
// like a fresh build's: an invalid wasm image is flagged whoever built it.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Builder, BuildOutcome } from './builder.js';
import { fillTemplate, templateValues } from '../scenario/expand.js';
import { findTwisterImage } from '../zephyr/twister-out.js';
import { requestedKconfig } from './plan.js';
import { buildSettings, checkConfig, configProvenance, findDotConfig, readDotConfig } from './checks.js';
import type { Job } from '../domain.js';

export interface TwisterInput {
  /** Output folder; may use {variant} when each variant was a separate twister run. */
  outDir: string;
  zephyrBase?: string;
}

export function createPrebuiltBuilder(template: string, twister?: TwisterInput): Builder {
  return {
    kind: 'prebuilt',
    async build({ job }) {
      let path: string;
      let buildDir: string | undefined;
      const provenance: Record<string, unknown> = {};
      if (twister) {
        const outDir = fillTemplate(twister.outDir, templateValues(job));
        const found = findTwisterImage({
          outDir,
          platform: job.platform.board,
          scenarioId: job.suite.twister?.id ?? job.suite.name,
          ...(job.suite.path ? { appPath: job.suite.path } : {}),
          ...(twister.zephyrBase ? { zephyrBase: twister.zephyrBase } : {}),
        });
        if (!found.ok) return { ok: false, message: `prebuilt image not found: ${found.message}` };
        path = found.image;
        buildDir = found.buildDir;
        provenance.twisterBuildDir = found.buildDir;
      } else {
        path = fillTemplate(template, templateValues(job));
        if (!existsSync(path)) return { ok: false, message: `prebuilt image not found: ${path} (from the template ${template})` };
        buildDir = dirname(dirname(path));
      }
      return checked(job, path, buildDir, provenance);
    },
  };
}

function checked(job: Job, path: string, buildDir: string | undefined, provenance: Record<string, unknown>): BuildOutcome {
  const configFile = findDotConfig(path, buildDir);
  if (configFile) {
    const config = readDotConfig(configFile);
    const { finding, notes } = checkConfig(job, config, requestedKconfig(job), job.suite.twister?.filter);
    if (finding) return { ok: false, message: finding.message, kind: finding.kind };
    Object.assign(provenance, configProvenance(config, buildSettings(buildDir, []), notes));
  }
  return { ok: true, image: { path, origin: 'prebuilt', ...(Object.keys(provenance).length ? { provenance } : {}) } };
}
