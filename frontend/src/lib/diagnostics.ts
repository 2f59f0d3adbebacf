import type { Text } from "@codemirror/state";

export interface LocatedProblem {
  location?: string;
  message?: string;
  line?: number | null;
  column?: number | null;
}

export interface Diagnostic {
  from: number;
  to: number;
  severity: "error";
  message: string;
}

/** The validate endpoint's problems as editor diagnostics: each marks its line (the whole document when the
 * API could not place it). */
export function toDiagnostics(doc: Text, problems: LocatedProblem[]): Diagnostic[] {
  return problems.map((problem) => {
    const message = problem.location ? `${problem.location}: ${problem.message}` : String(problem.message);
    if (!problem.line || problem.line > doc.lines) {
      return { from: 0, to: Math.min(doc.length, doc.line(1).to), severity: "error", message };
    }
    const line = doc.line(problem.line);
    const from = Math.min(line.to, line.from + Math.max(0, (problem.column ?? 1) - 1));
    return { from, to: Math.max(from, line.to), severity: "error", message };
  });
}
