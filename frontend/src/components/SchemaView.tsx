// A plugin's config JSON Schema as a readable table: each property with its type, whether it is required,
// its default, allowed values and description; nested objects and arrays of objects are shown indented.

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map(typeOf).join(" or ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? "any");
  if (type === "array" && schema.items) return `array of ${typeOf(schema.items)}`;
  return type;
}

function rows(schema: JsonSchema, prefix = ""): JSX.Element[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const limits = [
      property.minimum !== undefined && `≥ ${property.minimum}`,
      property.maximum !== undefined && `≤ ${property.maximum}`,
    ]
      .filter(Boolean)
      .join(", ");
    const nested = property.properties ? property : property.items?.properties ? property.items : null;
    return [
      <tr key={path}>
        <td>
          <code>{path}</code>
          {required.has(name) && (
            <span className="badge badge-info" style={{ marginLeft: 6 }}>
              required
            </span>
          )}
        </td>
        <td className="mono">{typeOf(property)}</td>
        <td className="mono">{property.default !== undefined ? JSON.stringify(property.default) : ""}</td>
        <td>
          {property.description}
          {limits && <span className="muted"> ({limits})</span>}
        </td>
      </tr>,
      ...(nested ? rows(nested, property.items?.properties ? `${path}[]` : path) : []),
    ];
  });
}

export function SchemaView({ schema }: { schema: JsonSchema }) {
  const body = rows(schema);
  if (body.length === 0) return <p className="muted">No configuration.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Field</th>
            <th>Type</th>
            <th>Default</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>{body}</tbody>
      </table>
    </div>
  );
}
