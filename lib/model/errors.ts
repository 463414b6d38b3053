/** Where in the release data a problem was found. */
export interface ErrorLocation {
  /** Stage name. @default - not stage specific */
  readonly stage?: string;
  /** Component name. @default - not component specific */
  readonly component?: string;
  /** Path of the offending field, e.g. `lanes[1].versions`. */
  readonly field: string;
}

/**
 * Inconsistent or invalid release data. Thrown while the charts are built, before
 * anything is written, with the stage, the component, the field, the bad value and a fix.
 */
export class ReleaseConfigError extends Error {
  public readonly stage?: string;
  public readonly component?: string;
  public readonly field: string;

  constructor(location: ErrorLocation, problem: string, fix: string) {
    const where = [
      location.stage !== undefined ? `stage '${location.stage}'` : undefined,
      location.component !== undefined ? `component '${location.component}'` : undefined,
      `field '${location.field}'`,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`${where}: ${problem}. ${fix}`);
    this.name = 'ReleaseConfigError';
    this.stage = location.stage;
    this.component = location.component;
    this.field = location.field;
  }
}

/**
 * Names the constructs library cannot take as a construct id (it looks ids up in a plain object,
 * so an inherited member such as `constructor` reads as taken): components and stages become ids.
 */
export function assertConstructId(value: string, at: ErrorLocation): void {
  if (typeof value === 'string' && value in Object.prototype) {
    throw new ReleaseConfigError(
      at,
      `the name ${show(value)} is reserved (cdk8s construct ids cannot be names of JavaScript object members)`,
      'Choose another name.',
    );
  }
}

/** Renders a value for an error message (NaN and Infinity by name: JSON writes them as null). */
export function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
