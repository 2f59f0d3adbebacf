import { useEffect, useState } from "react";
import { api, toApiError } from "../api/client";
import type { LocatedProblem } from "./diagnostics";

const DEBOUNCE_MS = 350;

/** Problems of `yaml` as the API sees them, checked shortly after the user stops typing. */
export function useDraftValidation(yaml: string): { problems: LocatedProblem[]; isChecking: boolean; error: unknown } {
  const [problems, setProblems] = useState<LocatedProblem[]>([]);
  const [isChecking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!yaml.trim()) {
      setProblems([]);
      return;
    }
    let isCurrent = true;
    setChecking(true);
    const timer = setTimeout(async () => {
      try {
        const result = await api.POST("/api/v1/pipelines/validate", { body: { pipeline_yaml: yaml } });
        if (!isCurrent) return;
        if (!result.response.ok || !result.data) throw toApiError(result.response.status, result.error);
        setProblems([...(result.data.errors ?? [])].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
        setError(null);
      } catch (caught) {
        if (isCurrent) setError(caught);
      } finally {
        if (isCurrent) setChecking(false);
      }
    }, DEBOUNCE_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [yaml]);

  return { problems, isChecking, error };
}
