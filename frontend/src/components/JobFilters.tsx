import type { JobKind } from "../api/queries";

export const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"];
export const TRIGGERS = ["api", "scheduler", "manual"];

export interface JobFilterValues {
  status?: string;
  pipeline_id?: string;
  triggered_by?: string;
  kind?: string;
}

interface Option {
  value: string;
  label: string;
  title?: string;
}

function FilterSelect({
  name,
  label,
  value,
  options,
  onChange,
}: {
  name: keyof JobFilterValues;
  label: string;
  value: string | undefined;
  options: Option[];
  onChange: (name: keyof JobFilterValues, value: string) => void;
}) {
  const id = `filter-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ""} onChange={(e) => onChange(name, e.target.value)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value} title={o.title}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

const plain = (values: string[]): Option[] => values.map((v) => ({ value: v, label: v }));

/** The jobs list's filters: status, pipeline, trigger and the installed job kinds. */
export function JobFilters({
  values,
  pipelines,
  kinds,
  onChange,
}: {
  values: JobFilterValues;
  pipelines: { id: string; name: string }[];
  kinds: JobKind[];
  onChange: (name: keyof JobFilterValues, value: string) => void;
}) {
  const kindOptions: Option[] = kinds.map((k) => ({ value: k.name ?? "", label: k.name ?? "", title: k.description }));
  // A kind in the URL that is no longer installed stays selectable, so the select shows what filters the list.
  if (values.kind && !kindOptions.some((o) => o.value === values.kind)) {
    kindOptions.push({ value: values.kind, label: `${values.kind} (not installed)` });
  }
  return (
    <div className="filters" role="search">
      <FilterSelect name="status" label="Status" value={values.status} options={plain(STATUSES)} onChange={onChange} />
      <FilterSelect
        name="pipeline_id"
        label="Pipeline"
        value={values.pipeline_id}
        options={pipelines.map((p) => ({ value: p.id, label: p.name }))}
        onChange={onChange}
      />
      <FilterSelect
        name="triggered_by"
        label="Trigger"
        value={values.triggered_by}
        options={plain(TRIGGERS)}
        onChange={onChange}
      />
      <FilterSelect name="kind" label="Kind" value={values.kind} options={kindOptions} onChange={onChange} />
    </div>
  );
}
