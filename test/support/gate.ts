/**
 * A gate a test opens when it chooses (the test kit's one): a handler awaits
 * `passed`, so the test knows it is running and holds it there — an order of
 * events instead of a guess at durations.
 */
export class Gate {
  private release!: () => void;
  /** Resolves once the gate is open. */
  readonly passed = new Promise<void>((resolve) => (this.release = resolve));

  /** Lets everything waiting on `passed` through; later waiters pass at once. */
  open(): void {
    this.release();
  }
}
