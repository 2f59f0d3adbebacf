import { useState } from "react";
import { formatDuration, preview } from "../lib/format";
import { StatusBadge } from "./StatusBadge";

export interface StepRecord {
  index?: number;
  name?: string;
  plugin?: string;
  status?: string;
  duration_ms?: number | null;
  error?: string | null;
}

interface DefinitionStep {
  name?: string;
  output?: string | null;
}

/** Each step's status, duration and error; its output (the context value it wrote) opens on demand. */
export function StepList({
  steps,
  output,
  definition,
}: {
  steps: StepRecord[];
  output: Record<string, unknown> | null;
  definition?: { steps?: DefinitionStep[] } | null;
}) {
  const [open, setOpen] = useState<number | null>(null);
  if (steps.length === 0) return <p className="muted">No step has started yet.</p>;
  const outputKey = (step: StepRecord, i: number) => {
    const declared = definition?.steps?.[i];
    return declared?.output || declared?.name || step.name || "";
  };
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>#</th>
            <th>Step</th>
            <th>Plugin</th>
            <th>Status</th>
            <th>Duration</th>
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step, i) => {
            const key = outputKey(step, i);
            const hasOutput = output !== null && key in output;
            return (
              <StepRow
                key={i}
                index={i}
                step={step}
                outputKey={key}
                value={hasOutput ? output[key] : undefined}
                hasOutput={hasOutput}
                isOpen={open === i}
                onToggle={() => setOpen(open === i ? null : i)}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function StepRow(props: {
  index: number;
  step: StepRecord;
  outputKey: string;
  value: unknown;
  hasOutput: boolean;
  isOpen: boolean;
  onToggle: () => void;
}) {
  const { index, step, outputKey, value, hasOutput, isOpen, onToggle } = props;
  return (
    <>
      <tr>
        <td>{index + 1}</td>
        <td>{step.name}</td>
        <td className="mono">{step.plugin}</td>
        <td>
          <StatusBadge status={step.status} />
        </td>
        <td>{formatDuration(step.duration_ms != null ? step.duration_ms / 1000 : null)}</td>
        <td>
          {hasOutput ? (
            <button
              type="button"
              onClick={onToggle}
              aria-expanded={isOpen}
              aria-controls={`step-output-${index}`}
              style={{ whiteSpace: "nowrap" }}
            >
              {isOpen ? "Hide" : "Show"} output <code>{outputKey}</code>
            </button>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
      </tr>
      {step.error && (
        <tr>
          <td />
          <td colSpan={5}>
            <div className="error-box" role="alert">
              {step.error}
            </div>
          </td>
        </tr>
      )}
      {isOpen && (
        <tr>
          <td />
          <td colSpan={5}>
            <pre className="output" tabIndex={0} id={`step-output-${index}`} aria-label={`Output of ${step.name}`}>
              {preview(value)}
            </pre>
          </td>
        </tr>
      )}
    </>
  );
}
