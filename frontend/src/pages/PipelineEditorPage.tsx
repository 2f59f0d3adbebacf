import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { usePipeline } from "../api/queries";
import { ErrorMessage } from "../components/ErrorMessage";
import { YamlEditor } from "../components/YamlEditor";
import { useDraftValidation } from "../lib/useDraftValidation";

const TEMPLATE = `name: sales
description: totals by region
steps:
  - name: read
    plugin: Input.csv
    config: {file_path: sales.csv}
    output: sales
  - name: totals
    plugin: Data_Processing.transform
    config:
      input: sales
      operations:
        - aggregate: {group_by: [region], metrics: [{column: amount, func: sum, as: total}]}
    output: totals
  - name: write
    plugin: Output.json
    config: {input: totals, file_path: totals.json}
`;

export function PipelineEditorPage() {
  const { pipelineId } = useParams();
  const isNew = !pipelineId;
  const pipeline = usePipeline(pipelineId);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [yaml, setYaml] = useState(isNew ? TEMPLATE : "");
  const [isLoaded, setLoaded] = useState(isNew);
  const { problems, isChecking, error: checkError } = useDraftValidation(yaml);

  useEffect(() => {
    if (!isLoaded && pipeline.data) {
      setYaml(pipeline.data.source_yaml ?? JSON.stringify(pipeline.data.definition, null, 2));
      setLoaded(true);
    }
  }, [isLoaded, pipeline.data]);

  const save = useMutation({
    mutationFn: async () =>
      isNew
        ? unwrap(await api.POST("/api/v1/pipelines", { body: { pipeline_yaml: yaml } }))
        : unwrap(
            await api.PUT("/api/v1/pipelines/{pipeline_id}", {
              params: { path: { pipeline_id: pipelineId } },
              body: { pipeline_yaml: yaml },
            }),
          ),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["pipelines"] });
      queryClient.setQueryData(["pipeline", saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ["pipeline", saved.id, "history"] });
      navigate(`/pipelines/${saved.id}`);
    },
  });

  return (
    <>
      <div className="page-head">
        <h1>{isNew ? "New pipeline" : `Edit ${pipeline.data?.name ?? "pipeline"}`}</h1>
        {!isNew && pipeline.data && (
          <span className="muted">
            revision {pipeline.data.revision} → {(pipeline.data.revision ?? 0) + 1}
          </span>
        )}
      </div>
      <ErrorMessage error={pipeline.error} />
      <section className="card">
        <p className="muted" id="editor-help">
          Problems are checked against the installed plugins as you type and marked at their line. Hover a marked line
          for the message.
        </p>
        {isLoaded && <YamlEditor value={yaml} onChange={setYaml} problems={problems} label="Pipeline YAML" />}
        <div role="status" aria-live="polite" style={{ margin: "10px 0" }} data-testid="validation-status">
          {isChecking ? (
            <span className="muted">Checking…</span>
          ) : problems.length ? (
            <div className="error-box">
              <strong>
                {problems.length} problem{problems.length > 1 ? "s" : ""}
              </strong>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>
                    {p.line ? `Line ${p.line}: ` : ""}
                    {p.location && <code>{p.location}</code>} {p.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            yaml.trim() && <span className="badge badge-ok">Valid</span>
          )}
        </div>
        <ErrorMessage error={checkError} title="Could not check the pipeline" />
        <ErrorMessage error={save.error} title="Not saved" />
        <div className="actions">
          <button
            className="primary"
            type="button"
            onClick={() => save.mutate()}
            disabled={save.isPending || problems.length > 0 || !yaml.trim()}
          >
            {isNew ? "Create pipeline" : "Save revision"}
          </button>
          <button type="button" onClick={() => navigate(-1)}>
            Cancel
          </button>
        </div>
      </section>
    </>
  );
}
