/** A bounded buffer of the last output lines of a RUN (for error messages). */
export class TailBuffer {
  private lines: string[] = [];
  private partial = '';

  constructor(
    private readonly maxLines = 30,
    private readonly maxLineLength = 1000,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const parts = text.split(/\r?\n/);
    this.partial = this.clip(parts.pop() ?? '');
    for (const p of parts) this.add(p);
  }

  private clip(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }

  private add(line: string): void {
    this.lines.push(this.clip(line));
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  /** The last lines, including an unterminated last one. */
  tail(): string[] {
    const out = [...this.lines];
    if (this.partial !== '') out.push(this.partial);
    return out.slice(-this.maxLines);
  }
}
