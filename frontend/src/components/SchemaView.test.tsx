import { render, screen } from "@testing-library/react";
import { SchemaView, typeOf } from "./SchemaView";

describe("SchemaView", () => {
  it("lists each config field with its type, default and whether it is required", () => {
    render(
      <SchemaView
        schema={{
          type: "object",
          required: ["seconds"],
          properties: {
            seconds: { type: "number", minimum: 0, maximum: 3600, description: "how long" },
            mode: { enum: ["fast", "slow"], default: "fast" },
          },
        }}
      />,
    );
    const row = screen.getByRole("row", { name: /seconds/ });
    expect(row).toHaveTextContent("required");
    expect(row).toHaveTextContent("number");
    expect(row).toHaveTextContent("how long (≥ 0, ≤ 3600)");
    expect(screen.getByRole("row", { name: /mode/ })).toHaveTextContent('"fast" | "slow"');
  });

  it("names array item types", () => {
    expect(typeOf({ type: "array", items: { type: "string" } })).toBe("array of string");
  });
});
