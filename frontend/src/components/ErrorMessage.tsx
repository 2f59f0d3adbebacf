import { ApiError } from "../api/client";

/** The API's message and the fields it names; never a bare "Error". */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiError ? error.fieldErrors : [];
  return (
    <div className="error-box" role="alert">
      {title && <strong>{title}: </strong>}
      {message}
      {fields.length > 0 && (
        <ul>
          {fields.map((f, i) => (
            <li key={i}>
              {f.location && <code>{f.location}</code>} {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
