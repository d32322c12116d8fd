/** The message of the error a synth-time check throws (tests compare it whole). */
export function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
}
