/** An input the action cannot work with; names the input and says what to write instead. */
export interface InputProblem {
  /** The input's name as in action.yml (`tags`, `extra_args`, …). */
  input: string;
  message: string;
}

export class InputError extends Error {
  override name = 'InputError';
  readonly problems: readonly InputProblem[];
  constructor(problems: readonly InputProblem[]) {
    const lines = problems.map((p) => `input "${p.input}": ${p.message}`);
    super(lines.length === 1 ? lines[0] : `${lines.length} inputs need fixing:\n  ${lines.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Collects problems so that every bad input is reported in one run, not one per run. */
export class Problems {
  private readonly list: InputProblem[] = [];
  add(input: string, message: string): void {
    this.list.push({ input, message });
  }
  /** Runs fn; a thrown error becomes a problem of `input` and the fallback is returned. */
  guard<T>(input: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof InputError) for (const p of err.problems) this.list.push(p);
      else this.add(input, err instanceof Error ? err.message : String(err));
      return fallback;
    }
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new InputError(this.list);
  }
}
