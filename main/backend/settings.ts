/**
 * The workspace's settings.json: choices the app remembers across starts (today, where to train).
 * Written through a temp file and a rename; a missing or unreadable file means the defaults.
 */
import { mkdirSync } from 'node:fs';
import { readTextSafe, READ_LIMITS } from './safeRead';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { BackendPreference } from '../../core/api';
import { writeFileAtomic } from './atomicFile';

const schema = z.object({
  format: z.literal('bottleneck.settings'),
  version: z.literal(1),
  backendPreference: z.enum(['auto', 'gpu', 'cpu']).catch('auto'),
});

type SettingsFile = z.infer<typeof schema>;

const DEFAULTS: SettingsFile = { format: 'bottleneck.settings', version: 1, backendPreference: 'auto' };

export class Settings {
  private values: SettingsFile;

  constructor(readonly path: string) {
    this.values = read(path);
  }

  get backendPreference(): BackendPreference {
    return this.values.backendPreference;
  }

  setBackendPreference(preference: BackendPreference): void {
    const next = { ...this.values, backendPreference: preference };
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
    this.values = next;
  }
}

function read(path: string): SettingsFile {
  let text: string;
  try {
    text = readTextSafe(path, READ_LIMITS.record);
  } catch {
    return DEFAULTS;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : DEFAULTS;
  } catch {
    // A torn or hand-edited file must not keep the app from starting.
    return DEFAULTS;
  }
}
