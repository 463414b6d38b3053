// Stage files synth has written but not published yet, kept on disk instead of in memory.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

/**
 * Stage files written as soon as each stage is rendered, into a directory of their own under the
 * system's temporary directory, and copied into the output only once every check has passed (a
 * failed synth writes nothing into the output). Measured reason: a 300-service release held its
 * ten stage files (30 MB of text) until the end, and V8 lets the heap grow to about four times
 * what is live, so the held texts cost over 100 MB of peak memory. Internal.
 */
export class SpilledFiles {
  private dir?: string;
  /** The contents, when no temporary directory could be made (a read-only system): kept as before. */
  private held?: Map<string, string>;
  private readonly names: string[] = [];

  /** Writes `content` as `file` (a path relative to the output directory). */
  public write(file: string, content: string): void {
    this.names.push(file);
    if (!this.dir && !this.held) {
      try {
        this.dir = mkdtempSync(join(tmpdir(), 'voting-mesh-synth-'));
      } catch {
        this.held = new Map();
      }
    }
    if (this.held) {
      this.held.set(file, content);
      return;
    }
    mkdirSync(dirname(join(this.dir!, file)), { recursive: true });
    writeFileSync(join(this.dir!, file), content);
  }

  /** Copies every file written into `outdir`. */
  public publish(outdir: string): void {
    for (const file of this.names) {
      mkdirSync(dirname(join(outdir, file)), { recursive: true });
      if (this.held) writeFileSync(join(outdir, file), this.held.get(file)!);
      else copyFileSync(join(this.dir!, file), join(outdir, file));
    }
  }

  /** Removes the directory this created, and everything in it (only what it wrote). */
  public dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.held = undefined;
  }
}
